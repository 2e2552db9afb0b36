"""What calling rules would have done on past days: the real call moments, re-decided.

A manager about to change the mixing rule or the longest wait asks "what would this
have done to our waits?". The honest answer replays real history:

- every first call of a ticket at counter c at time t is a *call moment*: counter c was
  free then and called someone. The moments stay as they were — the same clerks, the
  same pace — and only *who* each moment takes is decided again, by `choose_next` under
  the rules being tried, with each counter's current service profile;
- a ticket joins the waiting tickets at its issue time and leaves when a moment takes
  it; each local day starts empty, and tickets no moment takes by the day's end count
  as not served. Transfers, recalls and returns after a missed call are left out (they
  follow from what happened at the counter, which a replay cannot know);
- each counter's mixing state (`Counter.mix_credit`) starts at zero and is carried from
  call to call and day to day, as the live counter carries it.

The current rules are replayed the same way, so the manager compares like with like;
the recorded figures show what really happened. Waits are minutes from issue to the
first call. Call moments of counters that no longer exist are skipped.

Fast enough for weeks of a busy hall: each queue is two lines sorted once, its ordinary
and its priority tickets, and each call hands `choose_next` only the heads of the
counter's lines. Every rule picks one of them — the oldest of a queue (the longest
wait) is the older of its two heads, and a mixing turn needs the oldest of each kind
(the oldest ordinary ticket, not just the oldest ticket, or a queue led by a priority
ticket would hide its ordinary ones from ordinary's turn) — so they give the same
choice as every waiting ticket (a test compares both).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from queue_server.engine import rules
from queue_server.engine.call_order import CallingPolicy, choose_next
from queue_server.engine.model import Counter, Priority, Site, Ticket, TicketStatus

ALL = "all"
PRIORITY = "priority"  # every priority class together
# The groups the figures are given for: each class, priority classes together, everyone.
GROUPS = (*(p.value for p in Priority), PRIORITY, ALL)


@dataclass(frozen=True)
class Visit:
    """One past ticket: as issued, and its first real call (None: it was never called)."""

    ticket: Ticket
    called_at: datetime | None = None
    counter: int | None = None


@dataclass(frozen=True)
class WaitFigures:
    served: int  # called (served or missed), each ticket once
    not_served: int
    average_minutes: float | None = None
    p90_minutes: float | None = None  # nearest rank: 90 % waited at most this long
    longest_minutes: float | None = None


@dataclass(frozen=True)
class Preview:
    days: tuple[str, ...]  # the local days with history, in order
    tickets: int
    calls: int  # the real call moments replayed
    recorded: dict[str, WaitFigures]
    current: dict[str, WaitFigures]
    proposed: dict[str, WaitFigures]


def _line_order(ticket: Ticket) -> tuple[datetime, int, str]:
    return (ticket.issued_at, ticket.seq_no, ticket.id)


def as_issued(ticket: Ticket) -> Ticket:
    """The ticket as it joined the queue: waiting, at its issue time, sent to no counter."""
    return replace(
        ticket,
        status=TicketStatus.WAITING,
        queued_at=None,
        target_counter=None,
        transferred_at=None,
        called_at=None,
        counter=None,
    )


class _Line:
    """One queue of one day in queue order; taken tickets are skipped as the head passes."""

    def __init__(self) -> None:
        self.tickets: list[Ticket] = []
        self.start = 0

    def head(self, now: datetime, taken: set[str]) -> Ticket | None:
        tickets = self.tickets
        while self.start < len(tickets) and tickets[self.start].id in taken:
            self.start += 1
        if self.start < len(tickets) and tickets[self.start].issued_at <= now:
            return tickets[self.start]
        return None  # empty, or the next ticket is not issued yet (nor any after it)


class Lines:
    """The waiting lines of one day: per queue, its ordinary and its priority tickets
    (also `window_plans.py`'s)."""

    def __init__(self, tickets: Iterable[Ticket]) -> None:
        self.lines: dict[str, tuple[_Line, _Line]] = defaultdict(lambda: (_Line(), _Line()))
        for ticket in sorted(tickets, key=_line_order):
            ordinary, priority = self.lines[ticket.queue_key]
            (ordinary if ticket.priority == Priority.ORDINARY else priority).tickets.append(ticket)
        self.taken: set[str] = set()

    def heads(self, counter: Counter, now: datetime) -> list[Ticket]:
        found: dict[str, Ticket] = {}
        for key in counter.weights:
            pair = self.lines.get(key)
            for line in pair or ():
                head = line.head(now, self.taken)
                if head is not None:
                    found[head.id] = head
        return list(found.values())


def replay(
    visits: Iterable[Visit],
    counters: Iterable[Counter],
    policies: Mapping[int, CallingPolicy],
) -> dict[str, float | None]:
    """Ticket id → minutes waited under `policies` (counter number → policy); None: not served."""
    visits = list(visits)
    by_number = {c.number: replace(c, mix_credit=0) for c in counters}
    by_day: dict[str, list[Visit]] = defaultdict(list)
    for visit in visits:
        by_day[visit.ticket.day].append(visit)
    waits: dict[str, float | None] = {v.ticket.id: None for v in visits}
    for day in sorted(by_day):
        today = by_day[day]
        lines = Lines(as_issued(v.ticket) for v in today)
        moments = sorted(
            (v.called_at, v.counter)
            for v in today
            if v.called_at is not None and v.counter in by_number
        )
        for at, number in moments:
            counter = by_number[number]
            choice = choose_next(counter, lines.heads(counter, at), at, policies[number])
            if choice is None:
                continue  # the counter was free but, this time, nobody it serves was waiting
            lines.taken.add(choice.ticket.id)
            waits[choice.ticket.id] = _minutes(choice.ticket.issued_at, at)
            if choice.mix_credit is not None:
                by_number[number] = replace(counter, mix_credit=choice.mix_credit)
    return waits


def recorded(visits: Iterable[Visit]) -> dict[str, float | None]:
    """Ticket id → minutes really waited until its first call; None: never called."""
    return {
        v.ticket.id: _minutes(v.ticket.issued_at, v.called_at) if v.called_at else None
        for v in visits
    }


def _minutes(start: datetime, end: datetime) -> float:
    return max(0.0, (end - start).total_seconds() / 60)


def nearest_rank(ordered: list[float], percent: int) -> float:
    """The `percent`th percentile of sorted values by the nearest-rank rule."""
    rank = max(1, (percent * len(ordered) + 99) // 100)  # ceil in integers: no float slop
    return ordered[rank - 1]


def figures(visits: Iterable[Visit], waits: Mapping[str, float | None]) -> dict[str, WaitFigures]:
    """Per group (`GROUPS`): served, not served, average, 90th percentile and longest wait."""
    served: dict[str, list[float]] = {group: [] for group in GROUPS}
    missing = dict.fromkeys(GROUPS, 0)
    for visit in visits:
        ticket = visit.ticket
        groups = [ticket.priority.value, ALL]
        if ticket.priority != Priority.ORDINARY:
            groups.append(PRIORITY)
        wait = waits.get(ticket.id)
        for group in groups:
            if wait is None:
                missing[group] += 1
            else:
                served[group].append(wait)
    result = {}
    for group in GROUPS:
        ordered = sorted(served[group])
        if not ordered:
            result[group] = WaitFigures(served=0, not_served=missing[group])
            continue
        result[group] = WaitFigures(
            served=len(ordered),
            not_served=missing[group],
            average_minutes=sum(ordered) / len(ordered),
            p90_minutes=nearest_rank(ordered, 90),
            longest_minutes=ordered[-1],
        )
    return result


def preview(
    site: Site,
    counters: Iterable[Counter],
    visits: Iterable[Visit],
    settings: Mapping[str, Any],
    counter_rules: Mapping[int, Mapping[str, Any]],
) -> Preview:
    """The site's history under its current rules and under the proposed ones.

    `settings` are the site's proposed settings (all of them, as the form saves them);
    `counter_rules` the proposed overrides of the counters named (the others keep theirs).
    """
    counters, visits = list(counters), list(visits)
    current = {c.number: rules.calling_policy(site, c) for c in counters}
    proposed_site = replace(site, settings=dict(settings))
    proposed = {
        c.number: rules.calling_policy(
            proposed_site, replace(c, rules=dict(counter_rules.get(c.number, c.rules)))
        )
        for c in counters
    }
    numbers = {c.number for c in counters}
    return Preview(
        days=tuple(sorted({v.ticket.day for v in visits})),
        tickets=len(visits),
        calls=sum(1 for v in visits if v.called_at is not None and v.counter in numbers),
        recorded=figures(visits, recorded(visits)),
        current=figures(visits, replay(visits, counters, current)),
        proposed=figures(visits, replay(visits, counters, proposed)),
    )
