"""What the managers' live dashboard reads: every site in scope as it is now.

The dashboard reads this once (and again after a reconnect), then applies the pushed
events to it: each event carries the ticket and the counter as they are after the
change, so a client keeps the waiting tickets and the counters true without reading
again. Read-only; per site a handful of queries, each through an index.

Device liveness is the one thing events cannot carry: a device that stops reporting
sends nothing. A device whose last report is older than its kind's interval
(`monitoring/device_health.py`: a kiosk `OFFLINE_AFTER_SECONDS`, displays and signs
`DEVICE_SILENT_AFTER_SECONDS`, edge centres `EDGE_SILENT_SECONDS`) counts as offline;
`site_devices()` is the small read a dashboard repeats to see heartbeats that changed
nothing and so were not pushed.
A site an edge centre runs carries its link (`edge.watch`): live, or offline since when
with how much waiting, read again with the devices.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime, time
from typing import Any

from queue_server import wire
from queue_server.calling.site_view import site_payload
from queue_server.edge import watch
from queue_server.engine import hours
from queue_server.engine.model import Counter, CounterState, Site
from queue_server.monitoring import device_health
from queue_server.monitoring.device_health import KIOSK_SILENT_AFTER_SECONDS, Silence
from queue_server.reports.rollups import DEFAULT_TARGET_WAIT_MINUTES
from queue_server.storage import Database, Row, Store

OFFLINE_AFTER_SECONDS = KIOSK_SILENT_AFTER_SECONDS
# How far back (in events) to look for the moment an idle window last let a ticket go.
IDLE_LOOKBACK_EVENTS = 5000
BOOKING_FIGURES = ("booked", "checked_in", "no_show", "cancelled")
IDLE_EVENT_TYPES = (
    wire.COUNTER_OPENED,
    wire.TICKET_FINISHED,
    wire.TICKET_NO_SHOW,
    wire.TICKET_TRANSFERRED,
)


def item_names(store: Store) -> dict[str, dict[str, str]]:
    """Queue key (`S:code` / `B:code`) → names and prefix, for every service and bundle."""
    names = {
        f"S:{s.code}": {"name": s.name, "name_en": s.name_en, "prefix": s.prefix}
        for s in store.catalogue.services()
    }
    names.update(
        {
            f"B:{b.code}": {"name": b.name, "name_en": b.name_en, "prefix": b.prefix}
            for b in store.catalogue.bundles()
        }
    )
    return names


def day_start_utc(day: str, tz: str) -> str | None:
    """The UTC instant at which a site's local `day` begins."""
    return wire.iso(datetime.combine(datetime.fromisoformat(day).date(), time(0), hours.zone(tz)))


def target_wait_minutes(site: Site) -> float:
    return float(site.settings.get("target_wait_minutes") or DEFAULT_TARGET_WAIT_MINUTES)


def _idle_since(store: Store, site_id: str, counter: Counter, last: int) -> str | None:
    """When an open window without a ticket last let one go (or opened)."""
    at = store.events.latest_at(
        site_id, counter.number, IDLE_EVENT_TYPES, max(0, last - IDLE_LOOKBACK_EVENTS)
    )
    since = wire.iso(counter.state_since)
    if at is None:
        return since
    return max(at, since) if since else at


def site_devices(
    db: Database, site_ids: Iterable[str], now: datetime, silence: Silence | None = None
) -> dict[str, list[dict[str, Any]]]:
    """Enrolled (not revoked) devices per site, with their last status and liveness
    (`monitoring/device_health.py`). An edge centre's `last_seen` is the city's last contact
    with it, and its `backlog` the events it said it still had to send."""
    silence = silence or Silence()
    chosen = list(site_ids)
    found: dict[str, list[dict[str, Any]]] = {site: [] for site in chosen}
    if not chosen:
        return found
    store = db.store
    links = {row["device_id"]: row for row in store.replication.edge_links()}
    for row in store.devices.of_sites(chosen):
        found[row["site_id"]].append(_device_health(row, links.get(row["id"]), now, silence))
    return found


def with_health(
    db: Database, devices: list[dict[str, Any]], now: datetime, silence: Silence | None = None
) -> list[dict[str, Any]]:
    """The administration's device list (`site`, `id`, …) with each enrolled device's
    `alerts` and, for an edge centre, the city's last contact with it as `last_seen`."""
    panel = site_devices(db, sorted({d["site"] for d in devices}), now, silence)
    health = {entry["id"]: entry for entries in panel.values() for entry in entries}
    for device in devices:
        known = health.get(device["id"])  # a revoked device is not judged
        device["alerts"] = known["alerts"] if known else []
        if known:
            device["last_seen"] = known["last_seen"]
    return devices


def _device_health(
    row: Row, link: Row | None, now: datetime, silence: Silence
) -> dict[str, Any]:
    status = json.loads(row["status"] or "{}")
    last_seen = row["last_seen"]
    if row["kind"] == "edge" and link is not None:
        last_seen = max(filter(None, (last_seen, link["last_contact"])))
    offline, alerts = device_health.health(row["kind"], status, last_seen, now, silence)
    entry = {
        "id": row["id"],
        "kind": row["kind"],
        "name": row["name"],
        "status": status,
        "last_seen": last_seen,
        "silent_after_seconds": silence.after(row["kind"]),
        "offline": offline,
        "alerts": alerts,
    }
    if row["kind"] == "edge":
        entry["backlog"] = link["backlog"] if link is not None else None
    return entry


def todays_bookings(store: Store, site_id: str, day: str) -> dict[str, int]:
    """The site's bookings of the day: still to come, checked in, no-shows, cancelled."""
    found = store.booking_reports.day_bookings(site_id, day)
    return {status: found.get(status, 0) for status in BOOKING_FIGURES}


def live_site(
    store: Store,
    site: Site,
    now: datetime,
    devices: list[dict[str, Any]],
    edge: dict[str, Any] | None = None,
) -> dict[str, Any]:
    last = store.events.last_seq(site.id)
    day = hours.local_day(now, site.timezone)
    # A brief is its row: the repository selects exactly the columns a dashboard shows.
    tickets = {row["id"]: dict(row) for row in store.tickets.active_briefs(site.id)}
    counters = []
    for counter in store.counters.of_site(site.id):
        entry = wire.counter_payload(counter)
        entry["ticket"] = tickets.get(counter.current_ticket_id or "")
        entry["idle_since"] = (
            _idle_since(store, site.id, counter, last)
            if counter.state == CounterState.OPEN and not counter.current_ticket_id
            else None
        )
        counters.append(entry)
    services, bundles = store.offerings.of(site.id)
    issued, done, no_show = store.tickets.day_counts(site.id, day)
    return {
        "site": site_payload(site),
        "target_wait_minutes": target_wait_minutes(site),
        "day": day,
        "day_start": day_start_utc(day, site.timezone),
        "offered": [f"S:{c}" for c in services] + [f"B:{c}" for c in bundles],
        "counters": counters,
        "waiting": [t for t in tickets.values() if t["status"] == "waiting"],
        "devices": devices,
        "edge": edge,
        "today": {
            "issued": issued,
            "done": done,
            "no_show": no_show,
            "bookings": todays_bookings(store, site.id, day),
            "channels": store.booking_reports.day_channels(site.id, day),
        },
        "last_seq": last,
    }


def live(
    db: Database,
    site_ids: Iterable[str],
    now: datetime,
    edge_silent_after: float = 30.0,
    silence: Silence | None = None,
) -> dict[str, Any]:
    """Every chosen site now, in tree order (parents before children)."""
    store = db.store
    chosen = set(site_ids)
    sites = [s for s in store.sites.all() if s.id in chosen]
    devices = site_devices(db, [s.id for s in sites], now, silence)
    edges = watch.links(store, chosen, now, edge_silent_after)
    return {
        "server_time": wire.iso(now),
        "offline_after_seconds": OFFLINE_AFTER_SECONDS,
        "items": item_names(store),
        "sites": [live_site(store, s, now, devices[s.id], edges.get(s.id)) for s in sites],
    }
