"""One window now, as its console and its sign read it (`GET /sites/{site}/counters/{n}`).

The window, its current ticket, each queue of its profile, the next tickets it would call
with the rule that picks each, and the clerk's figures for today. Read-only; the console
and the sign read it once, then follow the window's events and read again on a reconnect,
so what they show is always what a fresh read would show.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, time
from typing import Any

from queue_server import wire
from queue_server.calling.site_view import counter_detail
from queue_server.engine import hours, rules
from queue_server.engine.call_order import choose_next, waited_minutes
from queue_server.engine.errors import UnknownCounter, UnknownSite
from queue_server.engine.model import Counter, CounterState, Site, Ticket
from queue_server.storage import Database, Store
from queue_server.wire import words

NEXT_PREVIEW = 5
ItemNames = dict[str, tuple[str, str, str]]  # queue key (S:code / B:code) → name, name_en, prefix


def known_site(store: Store, site_id: str) -> Site:
    site = store.sites.get(site_id)
    if site is None:
        raise UnknownSite(site=site_id)
    return site


def day_start_utc(day: str, tz: str) -> str:
    """The UTC instant (ISO text) at which a site's local `day` begins."""
    local = datetime.combine(datetime.fromisoformat(day).date(), time(0), hours.zone(tz))
    return wire.iso(local)  # type: ignore[return-value]


def item_names(store: Store) -> ItemNames:
    """Queue key → (name, name_en, prefix) for every service and bundle."""
    names = {f"S:{s.code}": (s.name, s.name_en, s.prefix) for s in store.catalogue.services()}
    names.update({f"B:{b.code}": (b.name, b.name_en, b.prefix) for b in store.catalogue.bundles()})
    return names


def calling_ticket(
    ticket: Ticket, names: ItemNames, now: datetime, private: bool = False
) -> dict[str, Any]:
    """A ticket as the calling screens list it: its item's names and its wait so far
    (`private`: with the masked name and the clerk's note, for the site's staff)."""
    data = wire.ticket_payload(ticket, private)
    name, name_en, _ = names.get(ticket.queue_key, ("", "", ""))
    data["item_name"], data["item_name_en"] = name, name_en
    if ticket.help_for:  # "service:A101": what the citizen who asked for help came for
        kind, _, code = ticket.help_for.partition(":")
        wanted = names.get(f"{'S' if kind == 'service' else 'B'}:{code}", (code, code, ""))
        data["help_for_name"], data["help_for_name_en"] = wanted[0], wanted[1]
    data["waited_minutes"] = round(
        (ticket.wait_seconds / 60)
        if ticket.wait_seconds is not None
        else waited_minutes(ticket, now),
        1,
    )
    return data


def counter_view(
    db: Database, site_id: str, number: int, clerk: str | None, now: datetime
) -> dict[str, Any]:
    """The window now; `clerk` (staff only) also gets the current ticket's masked name and
    note, which the window's sign and the hall's screens never do."""
    store = db.store
    site = known_site(store, site_id)
    counter = store.counters.get(site_id, number)
    if counter is None:
        raise UnknownCounter(counter=number)
    names = item_names(store)
    current = store.tickets.get(counter.current_ticket_id) if counter.current_ticket_id else None
    waiting = store.tickets.waiting(site_id)
    policy = rules.no_show_policy(site)
    return {
        "site": {"id": site.id, "name": site.name, "name_en": site.name_en},
        "counter": counter_detail(counter),
        "current": _current(store, current, names, now, clerk is not None) if current else None,
        # The console counts the calls against it and holds recall and no-show till due.
        "missed_call_rule": {
            "calls": policy.calls,
            "interval_seconds": policy.interval_seconds,
            "return_places": policy.return_places,
            "allows_return": policy.allows_return,
        },
        "queues": _queues(counter, waiting, names, now),
        "next": _next_tickets(counter, waiting, names, now, site),
        "today": _today(store, site, counter, clerk or counter.clerk, now),
        "last_seq": store.events.last_seq(site_id),
        "server_time": wire.iso(now),
    }


def _current(
    store: Store, ticket: Ticket, names: ItemNames, now: datetime, private: bool
) -> dict[str, Any]:
    """The current ticket with the rule that called it this visit (and the clerk's reason)."""
    view = calling_ticket(ticket, names, now, private)
    view["call_reason"], view["out_of_order_reason"] = store.calling_reads.last_call_reasons(
        ticket.id
    )
    return view


def _queue_line(
    entry_key: str | None,
    names: ItemNames,
    tickets: list[Ticket],
    oldest: datetime | None,
    now: datetime,
) -> dict[str, Any]:
    name, name_en, prefix = names.get(entry_key or "", ("", "", ""))
    return {
        "name": name,
        "name_en": name_en,
        "prefix": prefix,
        "waiting": len(tickets),
        "oldest_issued_at": wire.iso(oldest),
        "oldest_wait_minutes": round((now - oldest).total_seconds() / 60, 1) if oldest else None,
    }


def _queues(
    counter: Counter, waiting: list[Ticket], names: ItemNames, now: datetime
) -> list[dict[str, Any]]:
    rows = []
    for entry in counter.profile:
        mine = [t for t in waiting if t.queue_key == entry.key and t.target_counter is None]
        oldest = min((t.issued_at for t in mine), default=None)
        line = _queue_line(entry.key, names, mine, oldest, now)
        rows.append(
            {"service": entry.service, "bundle": entry.bundle, "weight": entry.weight, **line}
        )
    transferred_here = [t for t in waiting if t.target_counter == counter.number]
    if transferred_here:
        oldest = min(t.transferred_at or t.issued_at for t in transferred_here)
        line = _queue_line(None, names, transferred_here, oldest, now)
        line.update(
            name=words.say("queue_transferred_here", "zh"),
            name_en=words.say("queue_transferred_here", "en"),
        )
        rows.insert(0, {"service": None, "bundle": None, "weight": None, **line})
    return rows


def _next_tickets(
    counter: Counter, waiting: list[Ticket], names: ItemNames, now: datetime, site: Site
) -> list[dict[str, Any]]:
    """The tickets this window would call next, in order, with the rule that picks each."""
    # The preview is the same whatever the window's state: ask as if it were open.
    probe = replace(counter, state=CounterState.OPEN)
    remaining = [t for t in waiting if probe.serves(t)]
    policy = rules.calling_policy(site, counter)
    found: list[dict[str, Any]] = []
    while remaining and len(found) < NEXT_PREVIEW:
        choice = choose_next(probe, remaining, now, policy)
        if choice is None:
            break
        view = calling_ticket(choice.ticket, names, now)
        view["reason"] = choice.reason
        found.append(view)
        if choice.mix_credit is not None:  # the mixing rule's next turns, as they will come
            probe = replace(probe, mix_credit=choice.mix_credit)
        remaining = [t for t in remaining if t.id != choice.ticket.id]
    return found


def _minutes(seconds: float | None) -> float | None:
    return round(seconds / 60, 1) if seconds is not None else None


def _today(
    store: Store, site: Site, counter: Counter, clerk: str | None, now: datetime
) -> dict[str, Any]:
    day = hours.local_day(now, site.timezone)
    figures = store.calling_reads.clerk_day(site.id, day, clerk or "")
    served = figures["served"] or 0
    return {
        "day": day,
        "clerk": clerk,
        "served": served,
        "completed_on_the_spot": figures["completed"] or 0,
        "on_the_spot_share": round(figures["completed"] / served, 3) if served else None,
        "no_show": figures["no_show"] or 0,
        "transferred_out": store.calling_reads.transfers_out(
            site.id, counter.number, day_start_utc(day, site.timezone)
        ),
        "avg_service_minutes": _minutes(figures["service_seconds"]),
        "avg_wait_minutes": _minutes(figures["wait_seconds"]),
        "rated": figures["rated"] or 0,
        "rating_average": round(figures["rating"], 2) if figures["rating"] is not None else None,
    }
