"""Reads for the managers' live dashboard (`queue_server/reports/dashboard.py`).

Both take `?site=ROOT`: that site and every site below it, which the caller must manage
(default: every site in the caller's scope).
"""

from __future__ import annotations

from typing import Any

from queue_server import wire
from queue_server.accounts.credentials import Principal
from queue_server.api.contract import managers
from queue_server.api.schemas.manage import Live, ManageQuery, SiteDevices
from queue_server.app import hall
from queue_server.edge import watch
from queue_server.monitoring.device_health import Silence
from queue_server.reports import dashboard
from queue_server.reports.reading import covered_sites


def silence() -> Silence:
    """Each kind's interval, from the settings (`DEVICE_SILENT_AFTER_SECONDS`, …)."""
    return Silence.from_settings(hall().settings)


@managers.get("/manage/live", query=ManageQuery, answers={200: Live}, errors=(404,))
def manage_live(query: ManageQuery, principal: Principal) -> dict[str, Any]:
    """Every site in scope now, for the live dashboard

    Managers and admins. Per site: windows (with the current ticket, and `idle_since`
    for an open window without one), waiting tickets, offered queues, devices with alerts,
    today's counts, `target_wait_minutes` and `last_seq`. Read once and after each
    reconnect; apply pushed events (join each site with `since` = its `last_seq`) in
    between."""
    sites = covered_sites(hall().db, principal, query.site)
    return dashboard.live(
        hall().db, sites, hall().ops.clock(), hall().settings["EDGE_SILENT_SECONDS"], silence()
    )


@managers.get("/manage/devices", query=ManageQuery, answers={200: SiteDevices}, errors=(404,))
def manage_devices(query: ManageQuery, principal: Principal) -> dict[str, Any]:
    """Enrolled devices of the sites in scope: last status, last report, alerts

    A device silent for its kind's `silent_after_seconds` is `offline` (a kiosk's is
    `offline_after_seconds`); an edge centre's `last_seen` is the city's last contact with
    it. Heartbeats that change nothing are not pushed, so a dashboard reads this now and
    then to see them; `edges` says how each edge centre's link stands now."""
    sites = covered_sites(hall().db, principal, query.site)
    now = hall().ops.clock()
    return {
        "server_time": wire.iso(now),
        "offline_after_seconds": dashboard.OFFLINE_AFTER_SECONDS,
        "sites": dashboard.site_devices(hall().db, sorted(sites), now, silence()),
        "edges": watch.links(hall().db.store, sites, now, hall().settings["EDGE_SILENT_SECONDS"]),
    }
