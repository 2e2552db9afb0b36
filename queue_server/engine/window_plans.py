"""What a different set of windows would have done with real arrivals (window plans).

A window plan says which windows a site has, what each serves with which weights (the
counter's service profile) and when each is open by weekday ("window 6 only on Monday
mornings"); a window open is a window staffed by one clerk. `simulate` replays the real
tickets of past days through such a plan, as a discrete-event simulation:

- each ticket joins its queue at its real issue time, with its real item and priority;
- a window that is open and free calls the next ticket with the engine's own rule,
  `call_order.choose_next`, under its calling policy (the site's rules with the window's
  overrides, `rules.calling_policy`), carrying its mixing state from call to call;
- it serves that ticket for a service time drawn once per ticket from the item's measured
  service times (an empirical sample, a seeded RNG: the same ticket takes the same time
  under every plan, so two plans are compared on the same draws); an item without history
  takes the catalogue's expected minutes;
- a window starts a ticket only inside its open spans (it finishes the one it holds past
  the end of a span); a window's hours apply on the days its site opens; a window
  without hours of its own keeps its site's;
- tickets still waiting at the day's end are not served.

What it assumes, and the result says so (`ASSUMPTIONS`): arrivals do not change with the
plan; there are no transfers, recalls, missed calls or returns; a ticket's service time
depends on its item only, not on the window or the clerk; every window of a plan is open
all of its hours (no pauses). The rules replay (`replay.py`) keeps the real call moments;
a window plan changes the windows, so here the call moments are simulated.

Waits are minutes from issue to the call. Per item and for all tickets: served, not
served, average, 90th percentile (nearest rank), longest, and the share of all tickets
called within the site's target wait (a ticket not served is not within it).
Utilisation per window and local hour: minutes serving / minutes open, over all days.
"""

from __future__ import annotations

import heapq
import random
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta

from queue_server.engine import hours as site_hours
from queue_server.engine import rules
from queue_server.engine.call_order import CallingPolicy, choose_next
from queue_server.engine.model import Counter, Site, Ticket
from queue_server.engine.replay import ALL, Lines, as_issued, nearest_rank

DEFAULT_TARGET_WAIT_MINUTES = 20.0  # as the reports count it (reports/rollups.py)
DEFAULT_SERVICE_MINUTES = 10.0  # an item neither measured nor in the catalogue
ASSUMPTIONS = (
    "arrivals_unchanged",
    "no_transfers_or_recalls",
    "service_time_by_item",
    "windows_open_all_hours",
)


@dataclass(frozen=True)
class PlanWindow:
    """One window of a plan: the counter (number, name, kind, profile, rules) and its
    open hours by weekday ({"mon": [["08:30", "12:00"]]}; a weekday left out: closed;
    None: the site's hours)."""

    counter: Counter
    hours: Mapping[str, Sequence[Sequence[str]]] | None = None


@dataclass(frozen=True)
class ItemFigures:
    tickets: int
    served: int
    not_served: int
    within_target: int  # called within the target wait
    average_minutes: float | None = None
    p90_minutes: float | None = None
    longest_minutes: float | None = None

    @property
    def within_target_share(self) -> float | None:
        return self.within_target / self.tickets if self.tickets else None


@dataclass(frozen=True)
class Outcome:
    """What one plan did: waits per item (queue key, and `ALL`), each window's
    utilisation per local hour (0–23, only hours it was open), tickets not served."""

    items: dict[str, ItemFigures]
    utilisation: dict[int, dict[int, float]]
    waits: dict[str, float | None] = field(repr=False)  # ticket id → minutes; None: not served
    target_wait_minutes: float = DEFAULT_TARGET_WAIT_MINUTES

    @property
    def not_served(self) -> int:
        return self.items[ALL].not_served if ALL in self.items else 0


def draw_service_minutes(
    tickets: Iterable[Ticket],
    measured: Mapping[str, Sequence[float]],
    expected: Mapping[str, float],
    seed: int = 0,
) -> dict[str, float]:
    """Ticket id → minutes its service takes: one draw from its item's measured times
    (queue key → minutes), in issue order with a seeded RNG; else the expected minutes."""
    rng = random.Random(seed)
    found: dict[str, float] = {}
    for ticket in sorted(tickets, key=lambda t: (t.issued_at, t.seq_no, t.id)):
        sample = measured.get(ticket.queue_key)
        if sample:
            found[ticket.id] = float(sample[rng.randrange(len(sample))])
        else:
            found[ticket.id] = float(expected.get(ticket.queue_key, DEFAULT_SERVICE_MINUTES))
    return found


def open_spans(site: Site, window: PlanWindow, day: date) -> list[tuple[datetime, datetime]]:
    """The window's open spans on this local date, as UTC moments, in order."""
    spans = site_hours.day_spans(site, day)
    if not spans:
        return []  # the site is closed: so is each of its windows
    if window.hours is not None:
        given = window.hours.get(site_hours.WEEKDAYS[day.weekday()], [])
        spans = [(site_hours.parse_clock(a), site_hours.parse_clock(b)) for a, b in given]
    tz = site_hours.zone(site.timezone)
    return sorted(
        (
            datetime.combine(day, start, tzinfo=tz).astimezone(UTC),
            datetime.combine(day, end, tzinfo=tz).astimezone(UTC),
        )
        for start, end in spans
    )


def _next_open(spans: list[tuple[datetime, datetime]], at: datetime) -> datetime | None:
    """The first moment at or after `at` inside one of the spans; None: none left today."""
    for start, end in spans:
        if at < end:
            return max(at, start)
    return None


def simulate(
    site: Site,
    windows: Sequence[PlanWindow],
    tickets: Iterable[Ticket],
    service_minutes: Mapping[str, float],
    target_wait_minutes: float = DEFAULT_TARGET_WAIT_MINUTES,
) -> Outcome:
    """Replay the tickets through the plan's windows (see the module's docstring)."""
    tickets = [replace(as_issued(t), arrival=None) for t in tickets]
    policies = {w.counter.number: rules.calling_policy(site, w.counter) for w in windows}
    counters = {w.counter.number: replace(w.counter, mix_credit=0) for w in windows}
    waits: dict[str, float | None] = {t.id: None for t in tickets}
    busy: dict[int, list[tuple[datetime, datetime]]] = defaultdict(list)
    opened: dict[int, list[tuple[datetime, datetime]]] = defaultdict(list)
    by_day: dict[str, list[Ticket]] = defaultdict(list)
    for ticket in tickets:
        by_day[ticket.day].append(ticket)
    for day in sorted(by_day):
        spans = {w.counter.number: open_spans(site, w, date.fromisoformat(day)) for w in windows}
        for number, found in spans.items():
            opened[number].extend(found)
        _one_day(by_day[day], counters, policies, spans, service_minutes, waits, busy)
    return Outcome(
        items=_figures(tickets, waits, target_wait_minutes),
        utilisation={n: _utilisation(busy[n], opened[n], site.timezone) for n in sorted(counters)},
        waits=waits,
        target_wait_minutes=target_wait_minutes,
    )


def _one_day(
    tickets: list[Ticket],
    counters: dict[int, Counter],
    policies: Mapping[int, CallingPolicy],
    spans: Mapping[int, list[tuple[datetime, datetime]]],
    service_minutes: Mapping[str, float],
    waits: dict[str, float | None],
    busy: dict[int, list[tuple[datetime, datetime]]],
) -> None:
    """One local day: arrivals and windows in time order, each day starting empty.

    A window ready (free and open) calls at once; one that finds nobody it serves waits,
    idle, for the next arrival of an item in its profile (nothing else can give it work).
    At the same moment an arrival comes before a call, windows go by number, and idle
    windows are woken in the order they fell idle.
    """
    lines = Lines(tickets)
    arrivals = sorted(tickets, key=lambda t: (t.issued_at, t.seq_no, t.id))
    ready: list[tuple[datetime, int]] = []  # (when, window number)
    for number in sorted(counters):
        start = _next_open(spans[number], datetime.min.replace(tzinfo=UTC))
        if start is not None:
            ready.append((start, number))
    heapq.heapify(ready)
    idle: list[int] = []

    def call(number: int, at: datetime) -> bool:
        """The window calls at `at` (it is free and open): True when it took someone."""
        counter = counters[number]
        choice = choose_next(counter, lines.heads(counter, at), at, policies[number])
        if choice is None:
            return False
        ticket = choice.ticket
        lines.taken.add(ticket.id)
        waits[ticket.id] = max(0.0, (at - ticket.issued_at).total_seconds() / 60)
        done = at + timedelta(minutes=service_minutes[ticket.id])
        busy[number].append((at, done))
        if choice.mix_credit is not None:
            counters[number] = replace(counter, mix_credit=choice.mix_credit)
        heapq.heappush(ready, (done, number))
        return True

    def later(number: int, at: datetime) -> None:
        """The window is free at `at`: call now, idle, or wait for its next span."""
        start = _next_open(spans[number], at)
        if start is None:
            return  # closed for the rest of the day
        if start > at:
            heapq.heappush(ready, (start, number))
        elif not call(number, at):
            idle.append(number)

    next_arrival = 0
    while next_arrival < len(arrivals) or ready:
        arrival_at = arrivals[next_arrival].issued_at if next_arrival < len(arrivals) else None
        if ready and (arrival_at is None or ready[0][0] < arrival_at):
            at, number = heapq.heappop(ready)
            later(number, at)
            continue
        if arrival_at is None:
            break
        key = arrivals[next_arrival].queue_key
        next_arrival += 1
        for number in [n for n in idle if key in counters[n].weights]:
            idle.remove(number)
            later(number, arrival_at)


def _figures(
    tickets: list[Ticket], waits: Mapping[str, float | None], target: float
) -> dict[str, ItemFigures]:
    found: dict[str, list[float]] = defaultdict(list)
    counts: dict[str, int] = defaultdict(int)
    for ticket in tickets:
        wait = waits.get(ticket.id)
        for key in (ticket.queue_key, ALL):
            counts[key] += 1
            if wait is not None:
                found[key].append(wait)
    result = {}
    for key in sorted(counts, key=lambda k: (k == ALL, k)):
        ordered = sorted(found[key])
        result[key] = ItemFigures(
            tickets=counts[key],
            served=len(ordered),
            not_served=counts[key] - len(ordered),
            within_target=sum(1 for w in ordered if w <= target),
            average_minutes=sum(ordered) / len(ordered) if ordered else None,
            p90_minutes=nearest_rank(ordered, 90) if ordered else None,
            longest_minutes=ordered[-1] if ordered else None,
        )
    return result


def _hour_minutes(spans: Iterable[tuple[datetime, datetime]], tz: str) -> dict[int, float]:
    """Minutes of the spans in each local hour of the day."""
    found: dict[int, float] = defaultdict(float)
    zone = site_hours.zone(tz)
    for start, end in spans:
        at = start.astimezone(zone)
        end_local = end.astimezone(zone)
        while at < end_local:
            edge = datetime.combine(at.date(), time(at.hour), tzinfo=zone) + timedelta(hours=1)
            stop = min(edge, end_local)
            found[at.hour] += (stop - at).total_seconds() / 60
            at = stop
    return found


def _utilisation(
    busy: list[tuple[datetime, datetime]], opened: list[tuple[datetime, datetime]], tz: str
) -> dict[int, float]:
    """Per local hour the window was open: minutes serving / minutes open (serving past
    the end of a span counts in its hour, so an hour may pass 1.0 only where a span ends)."""
    open_minutes = _hour_minutes(opened, tz)
    busy_minutes = _hour_minutes(busy, tz)
    return {
        hour: busy_minutes.get(hour, 0.0) / minutes
        for hour, minutes in sorted(open_minutes.items())
        if minutes > 0
    }
