"""What the console reads beyond its counter, for staff of the site.

- `GET /sites/{site}/tickets?status=waiting&number=A012`: today's tickets of the site by
  status and number, in queue order — a clerk finds the ticket to call out of turn
  (点名叫号) or the missed ticket to put back (过号返回) by the number the citizen shows.
- `GET /sites/{site}/proxies`: the site's active proxies (帮办代办) with today's count
  against their cap, for issuing a ticket on someone's behalf (代取号).
"""

from __future__ import annotations

import re
from typing import Any

from flask import jsonify, request
from flask.typing import ResponseReturnValue

from queue_server.administration import audit
from queue_server.api import api
from queue_server.api.auth import STAFF_ROLES, require
from queue_server.api.counters_api import _item_names, _ticket_view
from queue_server.app import hall
from queue_server.engine import hours, rules
from queue_server.engine.errors import InvalidInput, UnknownSite
from queue_server.engine.model import TicketStatus
from queue_server.people.proxy_register import taken_on
from queue_server.storage import records
from queue_server.storage import repository as repo

MAX_FOUND = 100
# "A012", "a12", "12": a prefix of one or two letters (any, when left out) and the number.
NUMBER = re.compile(r"([A-Za-z]{0,2})0*(\d{1,6})")


def parse_number(text: str) -> tuple[str | None, int]:
    """A typed ticket number → (prefix or None, its number of the day)."""
    found = NUMBER.fullmatch(text.strip())
    if found is None:
        raise InvalidInput("number looks like A012", field="number")
    return found.group(1).upper() or None, int(found.group(2))


@api.get("/sites/<site>/tickets")
def site_tickets(site: str) -> ResponseReturnValue:
    principal = require(site, STAFF_ROLES)
    conn = hall().db.conn
    found_site = repo.get_site(conn, site)
    if found_site is None:
        raise UnknownSite(site=site)
    status = request.args.get("status", TicketStatus.WAITING.value)
    if status not in {s.value for s in TicketStatus}:
        raise InvalidInput(
            "status is one of " + ", ".join(s.value for s in TicketStatus), field="status"
        )
    now = hall().ops.clock()
    day = hours.local_day(now, found_site.timezone)
    where = ["site_id = ?", "day = ?", "status = ?"]
    params: list[object] = [site, day, status]
    looked_up = None
    if request.args.get("number"):
        prefix, seq_no = parse_number(request.args["number"])
        looked_up = f"{prefix or ''}{seq_no:03d}"
        where.append("seq_no = ?")
        params.append(seq_no)
        if prefix is not None:
            where.append("prefix = ?")
            params.append(prefix)
    rows = conn.execute(
        f"SELECT * FROM tickets WHERE {' AND '.join(where)} "
        "ORDER BY coalesce(queued_at, issued_at), seq_no LIMIT ?",
        (*params, MAX_FOUND),
    ).fetchall()
    names = _item_names(conn)
    policy = rules.no_show_policy(found_site)
    tickets: list[dict[str, Any]] = []
    for row in rows:
        ticket = records.ticket_from_row(row)
        view = _ticket_view(ticket, names, now, private=True)  # staff of the site only
        # Whether 过号返回 would take it back: the site's rule, once, the same day.
        view["returnable"] = (
            ticket.status == TicketStatus.NO_SHOW
            and policy.allows_return
            and ticket.return_count == 0
        )
        tickets.append(view)
    if looked_up is not None:
        # Looking a citizen's ticket up by its number is deliberate and can show a masked
        # name: on the record. The lists the console reads by status are its working view.
        audit.record_access(
            hall().db, principal.name, "view", "personal_data",
            f"{site}/tickets/{looked_up}",
            {"status": status, "found": [t["number"] for t in tickets],
             "named": sum(1 for t in tickets if t.get("person"))},
            site=site,
        )  # fmt: skip
    return jsonify({"site": site, "day": day, "status": status, "tickets": tickets})


@api.get("/sites/<site>/proxies")
def site_proxies(site: str) -> ResponseReturnValue:
    require(site, STAFF_ROLES)
    conn = hall().db.conn
    found_site = repo.get_site(conn, site)
    if found_site is None:
        raise UnknownSite(site=site)
    day = hours.local_day(hall().ops.clock(), found_site.timezone)
    taken = taken_on(conn, site, day)
    proxies = [
        {
            "id": row["id"],
            "name": row["name"],
            "kind": row["kind"],
            "daily_cap": row["daily_cap"],
            "today": taken.get(row["id"], 0),
        }
        for row in conn.execute(
            "SELECT id, name, kind, daily_cap FROM proxies WHERE site_id = ? AND active = 1 "
            "ORDER BY name, created_at",
            (site,),
        )
    ]
    return jsonify({"site": site, "day": day, "proxies": proxies})
