"""What a site looks like now: its catalogue, counters, waiting counts and waits.

Read-only; one query per table, so kiosks, displays and dashboards can ask often.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import Any

from queue_server import wire
from queue_server.engine import estimates, hours
from queue_server.engine.errors import UnknownSite
from queue_server.engine.model import Bundle, Counter, CounterState, Service, Site
from queue_server.storage import Database


def site_payload(site: Site) -> dict[str, Any]:
    return {
        "id": site.id,
        "name": site.name,
        "name_en": site.name_en,
        "kind": site.kind.value,
        "parent": site.parent_id,
        "timezone": site.timezone,
        "hours": site.hours,
        "settings": site.settings,
    }


def service_payload(service: Service) -> dict[str, Any]:
    data = asdict(service)
    data["conditions"] = list(service.conditions)
    data["materials"] = list(service.materials)
    data["issue_window"] = list(service.issue_window) if service.issue_window else None
    return data


def bundle_payload(bundle: Bundle) -> dict[str, Any]:
    data = asdict(bundle)
    data["services"] = list(bundle.services)
    return data


def counter_detail(counter: Counter) -> dict[str, Any]:
    data = wire.counter_payload(counter)
    data["profile"] = [
        {"service": e.service, "weight": e.weight}
        if e.service
        else {"bundle": e.bundle, "weight": e.weight}
        for e in counter.profile
    ]
    data["rules"] = dict(counter.rules)  # where its calling rules differ from its site's
    return data


def opening(site: Site, now: datetime) -> dict[str, Any]:
    """Whether the site opens today, is open now, and when it next opens (its calendar)."""
    local = hours.local_time(now, site.timezone)
    spans = hours.day_spans(site, local.date())
    following = hours.next_opening(site, local)
    return {
        "open_today": bool(spans),
        "today": [[start.strftime("%H:%M"), end.strftime("%H:%M")] for start, end in spans],
        "open_now": hours.open_span(site, local) is not None,
        "next_opening": following.isoformat() if following else None,
    }


def list_sites(db: Database) -> list[dict[str, Any]]:
    return [site_payload(s) for s in db.store.sites.all()]


def site_detail(db: Database, site_id: str) -> dict[str, Any]:
    store = db.store
    site = store.sites.get(site_id)
    if site is None:
        raise UnknownSite(site=site_id)
    counters = store.counters.of_site(site_id)
    service_codes, bundle_codes = store.offerings.of(site_id)
    waiting: dict[str, int] = {}
    oldest: dict[str, str] = {}
    for row in store.tickets.waiting_by_item(site_id):
        key = f"S:{row['service']}" if row["service"] else f"B:{row['bundle']}"
        waiting[key] = row["n"]
        oldest[key] = row["oldest"]

    open_ = [c for c in counters if c.state == CounterState.OPEN]
    keys = [f"S:{code}" for code in service_codes] + [f"B:{code}" for code in bundle_codes]
    # The other queues' tickets each queue's windows will call first, as a ticket's promise
    # counts them (`Operations._position`).
    others = estimates.others_ahead_of_each(open_, keys, waiting)

    def windows_for(key: str) -> list[int]:
        return [c.number for c in counters if key in c.weights]

    def with_queue(entry: dict[str, Any], key: str, expected: float) -> dict[str, Any]:
        """The queue now, and what a ticket taken now would be promised."""
        serving = [c for c in open_ if key in c.weights]
        kind, code = key.split(":", 1)
        measured = store.tickets.recent_minutes(
            site_id, code if kind == "S" else None, code if kind == "B" else None
        )
        band = estimates.wait_band(
            waiting.get(key, 0) + others.get(key, 0.0),
            estimates.blended_minutes(expected, measured),
            len(serving),
            estimates.spread_of(measured),
            idle=any(c.current_ticket_id is None for c in serving),
        )
        entry.update(
            waiting=waiting.get(key, 0),
            oldest_waiting_since=oldest.get(key),
            open_counters=len(serving),
            counters=windows_for(key),
            estimated_wait_minutes=band.minutes,
            wait_band={"low": band.low, "high": band.high},
        )
        return entry

    services = []
    for code in service_codes:
        service = store.catalogue.service(code)
        if service is not None:
            services.append(with_queue(service_payload(service), f"S:{code}", service.expected_minutes))
    bundles = []
    for code in bundle_codes:
        bundle = store.catalogue.bundle(code)
        if bundle is not None:
            bundles.append(with_queue(bundle_payload(bundle), f"B:{code}", bundle.expected_minutes))
    return {
        "site": site_payload(site),
        "counters": [counter_detail(c) for c in counters],
        "services": services,
        "bundles": bundles,
        "waiting_total": sum(waiting.values()),
        "last_seq": store.events.last_seq(site_id),
    }
