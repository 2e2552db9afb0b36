"""How each edge centre's link stands, as managers see it on the dashboard and city view.

Read on either side of the link, from what that side knows:

- at the city, from the station's last exchange (`edge_links`): when it last got through,
  how many events it said were still waiting then, how far its clock was off, and who owns
  the site now. A station silent for `EDGE_SILENT_SECONDS` (30 s) is offline: the city cannot
  count what the station made since, so the backlog shown is the one of the last contact;
- at the station, from its own link (`edge.station.link_state`): its last good exchange,
  the exact count of events the city has not acknowledged, and how old its copy of the
  city's configuration is — what the station works from while the line is down.

An exchange every `EDGE_SYNC_SECONDS` (2 s by default) keeps a live station well inside the
silence threshold; a few failed exchanges (each retried with a growing pause) are not yet
an outage worth an alert.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from queue_server.storage import Store
from queue_server.storage.records import from_text

# A station clock further off than this is worth a manager's word: tickets' times are the
# station's, and a printed wait or a report's hour can be off by as much.
CLOCK_WARNING_SECONDS = 60

RETURNING = "returning:"


def links(
    store: Store, site_ids: Iterable[str], now: datetime, silent_after: float = 30.0
) -> dict[str, dict[str, Any]]:
    """Site id → its edge link, for the chosen sites that have an edge centre; a link
    without a good exchange for `silent_after` seconds is offline."""
    silence = timedelta(seconds=silent_after)
    chosen = set(site_ids)
    station = store.replication.edge_state()
    if station.get("site"):  # this centre is a station: its own view of its link
        site = station["site"]
        return {site: _station_view(store, station, now, silence)} if site in chosen else {}
    owners = {site.id: site.owner for site in store.sites.all() if site.id in chosen}
    found = {}
    for row in store.replication.edge_links():
        if row["site_id"] in chosen:
            found[row["site_id"]] = _city_view(store, dict(row), owners.get(row["site_id"]), now, silence)
    for site_id, owner in owners.items():  # handed over, not yet heard from
        if owner and site_id not in found:
            found[site_id] = _city_view(
                store, {"device_id": owner.removeprefix(RETURNING)}, owner, now, silence
            )
    return found


def _city_view(
    store: Store, row: dict[str, Any], owner: str | None, now: datetime, silence: timedelta
) -> dict[str, Any]:
    device = row["device_id"]
    last = row.get("last_contact")
    offset = row.get("clock_offset_seconds")
    return {
        "side": "city",
        "device": device,
        "name": store.devices.name_of(device),
        "serving": owner == device,
        "returning": owner == RETURNING + device,
        "online": _recent(last, now, silence),
        "last_contact": last,
        "backlog": int(row.get("backlog") or 0),
        "clock_offset_seconds": offset,
        "clock_warning": offset is not None and abs(offset) > CLOCK_WARNING_SECONDS,
        "config_at": row.get("config_at"),
    }


def _station_view(
    store: Store, state: dict[str, Any], now: datetime, silence: timedelta
) -> dict[str, Any]:
    site = state["site"]
    device = state.get("device")
    owner = store.replication.site_owner(site)
    acked = int(state.get("acked_seq", 0))
    last = state.get("last_ok_at")
    city_time = state.get("city_time")
    return {
        "side": "station",
        "device": device,
        "name": store.devices.name_of(device or "?"),
        "serving": device is not None and owner == device,
        "returning": device is not None and owner == RETURNING + device,
        "online": _recent(last, now, silence) and not state.get("last_error"),
        "last_contact": last,
        "backlog": store.replication.backlog(site, acked),
        # The city's clock at the last exchange against ours then: the city measures the
        # same offset; the station sees it only as the city's time it was told.
        "clock_offset_seconds": _offset(last, city_time),
        "clock_warning": False,
        "config_at": state.get("config_at"),
    }


def _recent(text: str | None, now: datetime, silence: timedelta) -> bool:
    moment = from_text(text)
    return moment is not None and now - moment <= silence


def _offset(ours: str | None, citys: str | None) -> float | None:
    if not ours or not citys:
        return None
    a, b = from_text(ours), from_text(citys)
    return None if a is None or b is None else round((a - b).total_seconds(), 1)
