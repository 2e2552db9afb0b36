"""Reads for the managers' live dashboard (queue_server/reports/dashboard.py).

- `GET /manage/live[?site=ROOT]`: every site in the caller's scope (or the subtree
  under ROOT) now: counters with their current tickets, waiting tickets, devices, today's
  counts, each site's last event seq. The dashboard reads it once and on each reconnect,
  and applies pushed events in between.
- `GET /manage/devices[?site=ROOT]`: the enrolled devices of those sites with their last
  status, last report and liveness (heartbeats that change nothing are not pushed).
"""

from __future__ import annotations

from flask import jsonify, request
from flask.typing import ResponseReturnValue

from queue_server import wire
from queue_server.accounts.store import Forbidden, subtree
from queue_server.api import api
from queue_server.api.auth import require
from queue_server.app import hall
from queue_server.engine.errors import UnknownSite
from queue_server.reports import dashboard
from queue_server.storage import repository as repo

MANAGERS = frozenset({"admin", "manager"})


def scope() -> set[str]:
    """The sites the caller manages, or the subtree under `?site=` (which it must cover)."""
    principal = require(None, MANAGERS)
    conn = hall().db.conn
    root = request.args.get("site")
    if root:
        if repo.get_site(conn, root) is None:
            raise UnknownSite(site=root)
        if not principal.covers(root):
            raise Forbidden()
        return subtree(conn, [root])
    return {s.id for s in repo.list_sites(conn) if principal.covers(s.id)}


@api.get("/manage/live")
def manage_live() -> ResponseReturnValue:
    sites = scope()
    return jsonify(dashboard.live(hall().db.conn, sites, hall().ops.clock()))


@api.get("/manage/devices")
def manage_devices() -> ResponseReturnValue:
    sites = scope()
    now = hall().ops.clock()
    found = dashboard.site_devices(hall().db.conn, sorted(sites), now)
    return jsonify(
        {
            "server_time": wire.iso(now),
            "offline_after_seconds": dashboard.OFFLINE_AFTER_SECONDS,
            "sites": found,
        }
    )
