"""The rules preview: a site's recent days replayed under proposed rules (`engine.replay`).

The shell's part: take the request (the settings form as it would be saved, counter
overrides, how many days: `PreviewRequest`, parsed by the route), load the last complete local days of the site's tickets with
their first real call, hand them to the engine and say the figures in minutes. Nothing
is written.

A ticket's first call comes from its `ticket.called` event. A history stored without
events (the demo's simulated month) still has each ticket's wait until its first call
and its counter, which is the first counter unless the ticket was transferred or came
back after a missed call; those few are then placed at their last counter and, when
transferred, in the queue of their last service.
"""

from __future__ import annotations

import json
from dataclasses import asdict, replace
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from queue_server.calling.rules_view import sentences
from queue_server.engine import hours, replay
from queue_server.engine.errors import FieldInvalid, UnknownSite
from queue_server.engine.model import Ticket, TicketStatus
from queue_server.storage import Database, Store
from queue_server.storage.records import from_text

if TYPE_CHECKING:
    from queue_server.api.schemas.sites import CounterRules, PreviewRequest

DEFAULT_DAYS = 14
MAX_DAYS = 56


def load_visits(store: Store, site_id: str, first_day: str, last_day: str) -> list[replay.Visit]:
    """The site's tickets of those local days, each with its first real call.

    Tickets cancelled before anyone called them are left out: their citizens chose to
    leave, and a replay cannot say when they would have.
    """
    tickets = store.tickets.of_days(site_id, first_day, last_day)
    first_calls: dict[str, tuple[datetime, int, str]] = {}
    for ticket_id, counter, at, payload in store.events.calls_of_days(site_id, first_day, last_day):
        moment = from_text(at)
        if moment is not None and counter is not None and ticket_id not in first_calls:
            first_calls[ticket_id] = (moment, counter, payload)
    visits = []
    for ticket in tickets:
        called: tuple[datetime, int] | None = None
        if ticket.id in first_calls:
            moment, counter, payload = first_calls[ticket.id]
            called = (moment, counter)
            if ticket.transfer_count:
                ticket = _as_first_called(ticket, payload)
        if called is None and ticket.wait_seconds is not None and ticket.counter is not None:
            called = (ticket.issued_at + timedelta(seconds=ticket.wait_seconds), ticket.counter)
        if called is None and ticket.status == TicketStatus.CANCELLED:
            continue
        visits.append(
            replay.Visit(
                ticket=ticket,
                called_at=called[0] if called else None,
                counter=called[1] if called else None,
            )
        )
    return visits


def _as_first_called(ticket: Ticket, payload: str) -> Ticket:
    """A transferred ticket back in the queue it was first called from (its call event
    holds the ticket as it was then)."""
    try:
        first = json.loads(payload).get("ticket") or {}
    except ValueError:
        return ticket
    service, bundle = first.get("service"), first.get("bundle")
    if not (isinstance(service, str) or isinstance(bundle, str)):
        return ticket
    return replace(ticket, service=service, bundle=bundle)


def _figures(groups: dict[str, replay.WaitFigures]) -> dict[str, dict[str, Any]]:
    def minutes(value: float | None) -> float | None:
        return None if value is None else round(value, 1)

    return {
        group: {
            key: minutes(value) if key.endswith("_minutes") else value
            for key, value in asdict(found).items()
        }
        for group, found in groups.items()
    }


def _counter_rules(
    given: dict[str, CounterRules] | None, numbers: set[int]
) -> dict[int, dict[str, Any]]:
    """The overrides by window number: each key must be one of the site's windows."""
    found: dict[int, dict[str, Any]] = {}
    for key, rules in (given or {}).items():
        number = int(key) if key.isascii() and key.isdigit() and len(key) <= 3 else None
        if number is None or number not in numbers:
            raise FieldInvalid(f"counter_rules.{key}", "unknown_counter", value=key[:20])
        found[number] = rules.given()
    return found


def preview(
    db: Database, site_id: str, request: PreviewRequest, now: datetime, lang: str = "zh"
) -> dict[str, Any]:
    """The figures, current against proposed.

    `settings` left out means the site's settings as they are (to try counter overrides
    alone); `days` (1–56, default 14) counts the complete local days before today.
    """
    store = db.store
    site = store.sites.get(site_id)
    if site is None:
        raise UnknownSite(site=site_id)
    days = request.days or DEFAULT_DAYS
    settings = request.settings.given() if request.settings is not None else dict(site.settings)
    counters = store.counters.of_site(site_id)
    counter_rules = _counter_rules(request.counter_rules, {c.number for c in counters})
    today = date.fromisoformat(hours.local_day(now, site.timezone))
    first_day = (today - timedelta(days=days)).isoformat()
    last_day = (today - timedelta(days=1)).isoformat()
    visits = load_visits(store, site_id, first_day, last_day)
    found = replay.preview(site, counters, visits, settings, counter_rules)
    return {
        "site": site_id,
        "first_day": first_day,
        "last_day": last_day,
        "days_with_history": len(found.days),
        "tickets": found.tickets,
        "calls": found.calls,
        "groups": list(replay.GROUPS),
        "recorded": _figures(found.recorded),
        "current": _figures(found.current),
        "proposed": _figures(found.proposed),
        "rules": {
            "current": sentences(site, lang),
            "proposed": sentences(replace(site, settings=settings), lang),
        },
        "settings": settings,
        "counter_rules": {str(n): r for n, r in counter_rules.items()},
    }
