"""Engine invariants over random days in a hall (hypothesis stateful testing).

The machine plays storage: it keeps tickets and counters exactly as the engine
returns them, the last number per (day, prefix) and the waiting list, and lets a fake
clock advance by random minutes (across the local midnight, too). Every counter
action is tried whatever the state; the model predicts which error, if any, the
engine must raise. Each call is checked against an independent statement of the
calling order, and at the end every counter keeps calling until nobody it serves is
left waiting.
"""

from __future__ import annotations

from collections import Counter as Tally
from datetime import UTC, datetime, timedelta

import hypothesis.strategies as st
import pytest
from hypothesis import HealthCheck, settings
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
)

from queue_server.engine import hours, lifecycle
from queue_server.engine.call_order import CallingPolicy, queue_order
from queue_server.engine.errors import (
    CounterBusy,
    CounterHeld,
    CounterNotOpen,
    InvalidInput,
    InvalidTransition,
    NoCurrentTicket,
    QueueError,
)
from queue_server.engine.lifecycle import Change
from queue_server.engine.model import (
    Bundle,
    Counter,
    CounterKind,
    CounterState,
    Outcome,
    Priority,
    Service,
    Ticket,
    TicketStatus,
)

from .builders import SITE, bundle, counter, minutes, service

W, C, S = TicketStatus.WAITING, TicketStatus.CALLED, TicketStatus.SERVING
ALLOWED_EDGES = {
    (None, W),
    (W, C),
    (W, TicketStatus.CANCELLED),
    (W, TicketStatus.UNSERVED),
    (C, C),  # recall
    (C, S),
    (C, TicketStatus.DONE),
    (C, TicketStatus.NO_SHOW),
    (C, W),  # transfer
    (S, TicketStatus.DONE),
    (S, W),  # transfer
}

# 23:00 in Shanghai: a run of random minutes may cross the local midnight.
START = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)
POLICY = CallingPolicy(max_wait_minutes=45)
# Tickets issued or transferred at the very same instant fall back to their ids to break
# ties, and ids are random: a second between such steps keeps every run reproducible.
STEP = timedelta(seconds=1)

SERVICES: dict[str, Service] = {
    s.code: s
    for s in (
        service("A101", "A"),
        service("A102", "A"),  # shares prefix A with A101: one number sequence
        service("T201", "T"),
        service("M301", "M"),
        service("X901", "X"),  # offered but no counter serves it
    )
}
BUNDLES: dict[str, Bundle] = {"B01": bundle("B01", "Y", ("A101", "T201"))}
ITEMS: dict[str, Service | Bundle] = {**SERVICES, **BUNDLES}

COUNTERS = (
    counter(1, {"A101": 2, "A102": 1, "T201": 1}, {"B01": 1}, state=CounterState.CLOSED),
    counter(2, {"T201": 1, "M301": 3}, state=CounterState.CLOSED, kind=CounterKind.DOMAIN),
    counter(3, bundles={"B01": 1}, state=CounterState.CLOSED, kind=CounterKind.ONE_THING),
    counter(4, {"A101": 1, "A102": 1}, state=CounterState.CLOSED),
)
NUMBERS = [c.number for c in COUNTERS]
PROFILES = {c.number: {e.key for e in c.profile} for c in COUNTERS}
WEIGHTS = {c.number: {e.key: e.weight for e in c.profile} for c in COUNTERS}

PRIORITIES = st.sampled_from(
    [Priority.ORDINARY] * 4
    + [Priority.APPOINTMENT, Priority.ELDERLY, Priority.DISABLED, Priority.ASSISTED]
)


def serves(number: int, ticket: Ticket) -> bool:
    """Who may call a ticket, stated independently of `Counter.serves`."""
    if ticket.target_counter is not None:
        return ticket.target_counter == number
    return ticket.queue_key in PROFILES[number]


def order_key(ticket: Ticket) -> tuple[datetime, int, str]:
    return (ticket.issued_at, ticket.seq_no, ticket.id)


class HallDay(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.now = START
        self.counters: dict[int, Counter] = {c.number: c for c in COUNTERS}
        self.tickets: dict[str, Ticket] = {}
        self.last_seq: dict[tuple[str, str], int] = {}
        self.numbers_seen: set[tuple[str, str, str]] = set()
        self.reasons: Tally[str] = Tally()

    # --- storage ----------------------------------------------------------------------

    def store(self, change: Change) -> None:
        assert change.events, "every change is described by an event"
        if change.ticket is not None:
            before = self.tickets.get(change.ticket.id)
            edge = (before.status if before else None, change.ticket.status)
            assert edge in ALLOWED_EDGES, edge
            if before is not None:
                assert (before.number, before.day, before.issued_at) == (
                    change.ticket.number,
                    change.ticket.day,
                    change.ticket.issued_at,
                )
            self.tickets[change.ticket.id] = change.ticket
        if change.counter is not None:
            self.counters[change.counter.number] = change.counter
        for event in change.events:
            assert event.site_id == SITE.id and event.at == self.now

    def waiting(self) -> list[Ticket]:
        return [t for t in self.tickets.values() if t.status == W]

    def current(self, number: int) -> Ticket | None:
        ticket_id = self.counters[number].current_ticket_id
        return self.tickets[ticket_id] if ticket_id else None

    def attempt(self, expected: type[QueueError] | None, action) -> Change | None:  # type: ignore[no-untyped-def]
        """Run an engine action; it fails exactly when and how the model says it must."""
        try:
            change = action()
        except QueueError as error:
            assert type(error) is expected, (error, expected)
            return None
        assert expected is None, f"expected {expected.__name__}"
        if change is not None:
            self.store(change)
        return change

    def at(self, pick: int) -> int:
        """A counter number, busy counters three times as likely as idle ones."""
        busy = [n for n in NUMBERS if self.counters[n].current_ticket_id is not None]
        choices = busy * 3 + NUMBERS
        return choices[pick % len(choices)]

    def expect_current(self, number: int, allowed: set[TicketStatus]) -> type[QueueError] | None:
        current = self.current(number)
        if current is None:
            return NoCurrentTicket
        return None if current.status in allowed else InvalidTransition

    # --- rules ------------------------------------------------------------------------

    @initialize(
        opened=st.sets(st.sampled_from(NUMBERS)),
        queue=st.lists(st.tuples(st.sampled_from(sorted(ITEMS)), PRIORITIES), max_size=8),
    )
    def morning(self, opened: set[int], queue: list[tuple[str, Priority]]) -> None:
        """Some windows open and a few citizens already in line, so the day starts busy."""
        for number in sorted(opened):
            self.open(number, "clerk-a")
        for code, priority in queue:
            self.issue(code, priority)

    @rule(n=st.integers(0, 40))
    def tick(self, n: int) -> None:
        self.now += minutes(n)

    @rule(code=st.sampled_from(sorted(ITEMS)), priority=PRIORITIES)
    def issue(self, code: str, priority: Priority) -> None:
        item = ITEMS[code]
        self.now += STEP
        day = hours.local_day(self.now, SITE.timezone)
        change = lifecycle.issue(
            SITE,
            item,
            offered=True,
            now=self.now,
            last_seq_no=self.last_seq.get((day, item.prefix), 0),
            issued_today=0,
            priority=priority,
        )
        issued = change.ticket
        assert issued is not None and issued.status == W and issued.day == day
        assert issued.seq_no == self.last_seq.get((day, item.prefix), 0) + 1
        self.last_seq[(day, item.prefix)] = issued.seq_no
        self.store(change)

    @rule(number=st.sampled_from(NUMBERS), clerk=st.sampled_from(["clerk-a", "clerk-b"]))
    def open(self, number: int, clerk: str) -> None:
        counter_ = self.counters[number]
        same = counter_.state == CounterState.OPEN and counter_.clerk == clerk
        # An open or paused window is its clerk's until closed (or taken over).
        held = counter_.state != CounterState.CLOSED and counter_.clerk not in (None, clerk)
        self.attempt(
            CounterHeld if held else InvalidTransition if same else None,
            lambda: lifecycle.open_counter(counter_, self.now, clerk),
        )

    @rule(number=st.sampled_from(NUMBERS))
    def pause(self, number: int) -> None:
        counter_ = self.counters[number]
        expected = None if counter_.state == CounterState.OPEN else CounterNotOpen
        self.attempt(expected, lambda: lifecycle.pause_counter(counter_, self.now, "窗口暂停"))

    @rule(number=st.sampled_from(NUMBERS))
    def close(self, number: int) -> None:
        counter_ = self.counters[number]
        expected: type[QueueError] | None = None
        if counter_.state == CounterState.CLOSED:
            expected = InvalidTransition
        elif counter_.current_ticket_id is not None:
            expected = CounterBusy
        self.attempt(expected, lambda: lifecycle.close_counter(counter_, self.now))

    @rule(number=st.sampled_from(NUMBERS))
    def call_next(self, number: int) -> None:
        self.call(number)

    @precondition(
        lambda self: any(
            c.state == CounterState.OPEN and c.current_ticket_id is None
            for c in self.counters.values()
        )
    )
    @rule(pick=st.integers(0, 99))
    def call_next_where_free(self, pick: int) -> None:
        """Clerks at free open windows call often: the day keeps moving."""
        free = [
            n
            for n in NUMBERS
            if self.counters[n].state == CounterState.OPEN
            and self.counters[n].current_ticket_id is None
        ]
        self.call(free[pick % len(free)])

    @rule(pick=st.integers(0, 99))
    def recall(self, pick: int) -> None:
        number = self.at(pick)
        expected = self.expect_current(number, {C})
        before = self.current(number)
        change = self.attempt(
            expected, lambda: lifecycle.recall(self.counters[number], before, self.now)
        )
        if change is not None:
            assert before is not None and change.ticket is not None
            assert change.ticket.recall_count == before.recall_count + 1

    @rule(pick=st.integers(0, 99))
    def start(self, pick: int) -> None:
        number = self.at(pick)
        expected = self.expect_current(number, {C})
        self.attempt(
            expected, lambda: lifecycle.start(self.counters[number], self.current(number), self.now)
        )

    @rule(pick=st.integers(0, 99), outcome=st.sampled_from(list(Outcome)))
    def finish(self, pick: int, outcome: Outcome) -> None:
        number = self.at(pick)
        expected = self.expect_current(number, {C, S})
        change = self.attempt(
            expected,
            lambda: lifecycle.finish(
                self.counters[number], self.current(number), self.now, outcome
            ),
        )
        if change is not None:
            assert change.ticket is not None and change.ticket.outcome == outcome
            assert change.ticket.service_seconds is not None and change.ticket.service_seconds >= 0

    @rule(pick=st.integers(0, 99))
    def no_show(self, pick: int) -> None:
        number = self.at(pick)
        expected = self.expect_current(number, {C})
        self.attempt(
            expected,
            lambda: lifecycle.no_show(self.counters[number], self.current(number), self.now),
        )

    @rule(pick=st.integers(0, 99), code=st.sampled_from(sorted(SERVICES)))
    def transfer_to_service(self, pick: int, code: str) -> None:
        number = self.at(pick)
        expected = self.expect_current(number, {C, S})
        self.now += STEP
        before = self.current(number)
        change = self.attempt(
            expected,
            lambda: lifecycle.transfer(
                self.counters[number], before, self.now, to_service=SERVICES[code]
            ),
        )
        if change is not None:
            moved = change.ticket
            assert before is not None and moved is not None
            assert (moved.service, moved.target_counter, moved.number) == (
                code,
                None,
                before.number,
            )

    @rule(pick=st.integers(0, 99), to=st.sampled_from(NUMBERS))
    def transfer_to_counter(self, pick: int, to: int) -> None:
        number = self.at(pick)
        expected = self.expect_current(number, {C, S})
        if expected is None and to == number:
            expected = InvalidInput
        self.now += STEP
        before = self.current(number)
        change = self.attempt(
            expected,
            lambda: lifecycle.transfer(
                self.counters[number], before, self.now, to_counter=self.counters[to]
            ),
        )
        if change is not None:
            moved = change.ticket
            assert before is not None and moved is not None
            assert (moved.target_counter, moved.service, moved.bundle) == (
                to,
                before.service,
                before.bundle,
            )

    @precondition(lambda self: any(t.status == W for t in self.tickets.values()))
    @rule(pick=st.integers(0, 1000))
    def cancel(self, pick: int) -> None:
        waiting = sorted(self.waiting(), key=order_key)
        self.store(lifecycle.cancel(waiting[pick % len(waiting)], self.now))

    @rule()
    def close_past_days(self) -> None:
        today = hours.local_day(self.now, SITE.timezone)
        stale = [t for t in self.waiting() if t.day < today]
        changes = lifecycle.close_day(stale, self.now)
        assert len(changes) == len(stale)
        for change in changes:
            self.store(change)

    # --- calling, checked against the rules -------------------------------------------

    def call(self, number: int) -> Ticket | None:
        counter_ = self.counters[number]
        expected: type[QueueError] | None = None
        if counter_.state != CounterState.OPEN:
            expected = CounterNotOpen
        elif counter_.current_ticket_id is not None:
            expected = CounterBusy
        waiting = self.waiting()
        change = self.attempt(
            expected, lambda: lifecycle.call_next(counter_, waiting, self.now, POLICY)
        )
        if expected is not None:
            return None
        mine = [t for t in waiting if serves(number, t)]
        if change is None:
            # Every weight here is above zero: nobody it serves may be left uncalled.
            assert mine == []
            return None
        called = change.ticket
        assert called is not None
        reason = change.events[0].data["reason"]
        self.reasons[reason] += 1
        chosen = next(t for t in waiting if t.id == called.id)
        self.check_choice(number, chosen, reason, mine)
        order = queue_order(counter_, waiting, self.now, POLICY)
        assert order[0].id == chosen.id and len(order) == len(mine)
        assert (called.status, called.counter, called.target_counter) == (C, number, None)
        assert called.called_at == self.now
        expected_wait = chosen.wait_seconds
        if expected_wait is None:
            expected_wait = (self.now - chosen.issued_at).total_seconds()
        assert called.wait_seconds == expected_wait
        return called

    def check_choice(self, number: int, chosen: Ticket, reason: str, mine: list[Ticket]) -> None:
        assert chosen in mine  # never a ticket this counter does not serve
        sent_here = [t for t in mine if t.target_counter == number]
        if sent_here:
            # Transfers honoured: a ticket sent here goes first, in the order sent.
            assert reason == "transfer"
            first = min(sent_here, key=lambda t: (t.transferred_at, t.id))
            assert chosen.id == first.id
            return
        assert chosen.target_counter is None
        overdue = [t for t in mine if self.now - t.issued_at >= minutes(POLICY.max_wait_minutes)]
        if overdue:
            # Aging: the oldest overdue ticket, whatever its class or weight.
            assert reason == "max_wait"
            assert chosen.id == min(overdue, key=order_key).id
            return
        priority = [t for t in mine if t.priority != Priority.ORDINARY]
        if priority:
            assert reason == "priority" and chosen.priority != Priority.ORDINARY
            pool = priority
        else:
            assert reason == "longest_wait"
            pool = mine
        # Within its class, a service is served from the head of its own queue, and the
        # head with the highest `minutes waited × weight` wins (calling.py).
        same_queue = [t for t in pool if t.queue_key == chosen.queue_key]
        assert chosen.id == min(same_queue, key=order_key).id
        best = max(self.score(number, t) for t in pool)
        assert self.score(number, chosen) == best

    def score(self, number: int, ticket: Ticket) -> float:
        waited = max((self.now - ticket.issued_at).total_seconds() / 60, 1 / 60)
        return waited * WEIGHTS[number][ticket.queue_key]

    # --- invariants -------------------------------------------------------------------

    @invariant()
    def counters_and_current_tickets_agree(self) -> None:
        holders: dict[str, int] = {}
        for number, counter_ in self.counters.items():
            ticket_id = counter_.current_ticket_id
            if ticket_id is None:
                continue
            assert counter_.state != CounterState.CLOSED
            assert ticket_id not in holders, "a ticket is current at two counters"
            holders[ticket_id] = number
            held = self.tickets[ticket_id]
            assert held.status in (C, S) and held.counter == number
        for ticket in self.tickets.values():
            if ticket.status in (C, S):
                assert holders.get(ticket.id) == ticket.counter
            else:
                assert ticket.id not in holders
            if ticket.status == W:
                assert ticket.counter is None and ticket.called_at is None
            if ticket.status in (C, S):
                assert ticket.target_counter is None

    @invariant()
    def numbers_unique_per_prefix_and_day(self) -> None:
        numbers = [(t.site_id, t.day, t.number) for t in self.tickets.values()]
        assert len(numbers) == len(set(numbers))
        for t in self.tickets.values():
            assert t.number == f"{t.prefix}{t.seq_no:03d}"
            assert t.seq_no <= self.last_seq[(t.day, t.prefix)]

    # --- the end of the day: everyone keeps calling -----------------------------------

    def teardown(self) -> None:
        for number in NUMBERS:
            current = self.current(number)
            if current is not None:
                self.store(
                    lifecycle.finish(self.counters[number], current, self.now, Outcome.COMPLETED)
                )
            window = self.counters[number]
            if window.state != CounterState.OPEN:  # reopened by whoever holds it
                self.store(lifecycle.open_counter(window, self.now, window.clerk or "closing"))
        budget = len(self.tickets) + 1
        progress = True
        while progress:
            progress = False
            for number in NUMBERS:
                self.now += minutes(3)
                if self.call(number) is not None:
                    progress = True
                    budget -= 1
                    assert budget >= 0, "more calls than tickets"
                    self.store(
                        lifecycle.finish(
                            self.counters[number], self.current(number), self.now, Outcome.COMPLETED
                        )
                    )
                self.counters_and_current_tickets_agree()
        left = [t for t in self.waiting() if any(serves(n, t) for n in NUMBERS)]
        assert left == []
        # Only what no counter serves is left: tickets for X901.
        assert all(t.service == "X901" for t in self.waiting())


HallDay.TestCase.settings = settings(
    max_examples=150,
    stateful_step_count=50,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
test_hall_day = HallDay.TestCase


@pytest.mark.parametrize("seed", [1, 2])
def test_machine_really_calls(seed: int) -> None:
    """A fixed busy day: the drain calls every ticket, so the checks above had work to do."""
    machine = HallDay()
    codes = sorted(ITEMS)
    for i in range(30):
        machine.issue(
            codes[(i * seed) % len(codes)], Priority.ORDINARY if i % 3 else Priority.ELDERLY
        )
        machine.tick(2)
    machine.open(1, "a")
    machine.call_next(1)
    machine.transfer_to_counter(1, 3)
    machine.teardown()
    issued = len(machine.tickets)
    unserved = sum(1 for t in machine.tickets.values() if t.service == "X901")
    assert sum(machine.reasons.values()) == issued - unserved + 1
    assert machine.reasons["transfer"] == 1 and machine.reasons["max_wait"] > 0
    assert all(t.status in (TicketStatus.DONE, W) for t in machine.tickets.values())
