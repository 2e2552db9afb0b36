"""State changes (lifecycle.py): what is allowed, what is refused and with which code."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime

import pytest

from queue_server.engine import lifecycle
from queue_server.engine.errors import (
    CounterBusy,
    CounterHeld,
    CounterNotOpen,
    DailyCapReached,
    InvalidInput,
    InvalidTransition,
    NoCurrentTicket,
    NotOffered,
    OutsideIssuingWindow,
    PastLastTicket,
    QueueError,
    SiteClosed,
)
from queue_server.engine.ids import is_id
from queue_server.engine.lifecycle import Change
from queue_server.engine.model import (
    Channel,
    Counter,
    CounterState,
    Outcome,
    Priority,
    Ticket,
    TicketStatus,
)

from .builders import (
    SITE,
    SITE_WITH_HOURS,
    T0,
    Hall,
    bundle,
    counter,
    minutes,
    service,
    ticket,
)

NOW = T0 + minutes(10)


def raises(error: type[QueueError], code: str, action: Callable[[], object]) -> QueueError:
    """The action fails with exactly this exception class and stable code."""
    with pytest.raises(QueueError) as caught:
        action()
    assert type(caught.value) is error
    assert caught.value.code == code
    return caught.value


def only_event(change: Change, kind: str) -> None:
    assert [e.type for e in change.events] == [kind]
    event = change.events[0]
    assert event.site_id == SITE.id
    assert is_id(event.id)


# --- issuing -------------------------------------------------------------------------


def test_issue_makes_a_waiting_ticket_with_the_next_number() -> None:
    change = lifecycle.issue(
        SITE,
        service("A101", "A"),
        offered=True,
        now=T0,
        last_seq_no=6,
        issued_today=6,
        channel=Channel.APPOINTMENT,
        priority=Priority.ELDERLY,
        request_id="req-1",
        person_hash="h",
        person_mask="张*",
    )
    issued = change.ticket
    assert issued is not None
    assert (issued.number, issued.seq_no, issued.prefix) == ("A007", 7, "A")
    assert issued.status == TicketStatus.WAITING
    assert (issued.service, issued.bundle) == ("A101", None)
    assert (issued.channel, issued.priority) == (Channel.APPOINTMENT, Priority.ELDERLY)
    assert (issued.request_id, issued.person_hash, issued.person_mask) == ("req-1", "h", "张*")
    assert issued.issued_at == T0 and issued.day == "2026-03-02"
    assert is_id(issued.id)
    only_event(change, "ticket.issued")
    assert change.events[0].ticket == issued


def test_issue_a_bundle() -> None:
    change = lifecycle.issue(SITE, bundle("B01", "Y"), True, T0, last_seq_no=0, issued_today=0)
    assert change.ticket is not None
    assert (change.ticket.bundle, change.ticket.service, change.ticket.number) == (
        "B01",
        None,
        "Y001",
    )
    assert change.ticket.queue_key == "B:B01"


def test_issue_refuses_what_the_site_does_not_offer() -> None:
    # Checked first: even a closed site says "not offered" rather than "closed".
    error = raises(
        NotOffered,
        "not_offered",
        lambda: lifecycle.issue(SITE_WITH_HOURS, service(), False, T0 - minutes(600), 0, 0),
    )
    assert error.params == {"item": "A101", "site": "hall"}
    assert error.status == 422


def issue_at(
    now: datetime,
    item=None,
    issued_today: int = 0,
    ignore_hours: bool = False,
    site=SITE_WITH_HOURS,
) -> Ticket:  # type: ignore[no-untyped-def]
    change = lifecycle.issue(
        site, item or service(), True, now, 0, issued_today, ignore_hours=ignore_hours
    )
    assert change.ticket is not None
    return change.ticket


@pytest.mark.parametrize(
    ("utc", "reopens"),
    [
        ("2026-03-02T00:29:00+00:00", "03-02 08:30"),  # 08:29 Monday, before opening
        ("2026-03-02T04:30:00+00:00", "03-02 13:30"),  # 12:30, lunch break
        ("2026-03-02T09:30:00+00:00", "03-03 08:30"),  # 17:30, just closed
        ("2026-03-01T16:00:00+00:00", "03-02 08:30"),  # midnight between Sunday and Monday
        ("2026-03-07T02:00:00+00:00", "03-09 08:30"),  # Saturday 10:00, closed all weekend
    ],
)
def test_issue_refused_when_the_site_is_closed(utc: str, reopens: str) -> None:
    error = raises(SiteClosed, "site_closed", lambda: issue_at(datetime.fromisoformat(utc)))
    assert error.params["reopens"] == reopens
    assert error.params["reopens_at"].startswith("2026-" + reopens.replace(" ", "T"))
    assert error.status == 409


@pytest.mark.parametrize(
    "utc",
    [
        "2026-03-02T00:30:00+00:00",  # 08:30 Monday: opens on the minute
        "2026-03-02T03:59:00+00:00",  # 11:59
        "2026-03-02T05:30:00+00:00",  # 13:30 after lunch
        "2026-03-06T09:29:00+00:00",  # Friday 17:29
    ],
)
def test_issue_allowed_while_the_site_is_open(utc: str) -> None:
    assert issue_at(datetime.fromisoformat(utc)).status == TicketStatus.WAITING


def test_ignore_hours_issues_at_night() -> None:
    night = datetime.fromisoformat("2026-03-02T19:00:00+00:00")  # 03:00 Tuesday
    assert issue_at(night, ignore_hours=True).day == "2026-03-03"
    raises(SiteClosed, "site_closed", lambda: issue_at(night))


def test_site_without_hours_is_always_open_and_has_no_last_ticket_time() -> None:
    night = datetime.fromisoformat("2026-03-07T19:55:00+00:00")  # Sunday 03:55
    assert (
        issue_at(night, service(last_ticket_minutes=60), site=SITE).status == TicketStatus.WAITING
    )


@pytest.mark.parametrize(
    ("local", "allowed"),
    [("08:59", False), ("09:00", True), ("11:59", True), ("15:59", True), ("16:00", False)],
)
def test_issuing_window(local: str, allowed: bool) -> None:
    hour, minute = map(int, local.split(":"))
    now = T0.replace(hour=hour - 8, minute=minute)  # Shanghai is UTC+8
    item = service(issue_window=("09:00", "16:00"))
    if allowed:
        assert issue_at(now, item).status == TicketStatus.WAITING
    else:
        error = raises(OutsideIssuingWindow, "outside_issuing_window", lambda: issue_at(now, item))
        assert error.params == {"start": "09:00", "end": "16:00"}


@pytest.mark.parametrize(
    ("local", "closes"),
    [("11:31", "12:00"), ("11:59", "12:00"), ("17:01", "17:30")],
)
def test_last_ticket_minutes_before_lunch_and_closing(local: str, closes: str) -> None:
    hour, minute = map(int, local.split(":"))
    now = T0.replace(hour=hour - 8, minute=minute)
    item = service(last_ticket_minutes=30)
    error = raises(PastLastTicket, "past_last_ticket", lambda: issue_at(now, item))
    assert error.params == {"minutes": 30, "closes": closes}


@pytest.mark.parametrize("local", ["11:29", "11:30", "13:30", "17:00"])
def test_last_ticket_minutes_leave_earlier_tickets_alone(local: str) -> None:
    hour, minute = map(int, local.split(":"))
    now = T0.replace(hour=hour - 8, minute=minute)
    assert issue_at(now, service(last_ticket_minutes=30)).status == TicketStatus.WAITING


@pytest.mark.parametrize("item", [service(daily_cap=3), bundle(daily_cap=3)])
def test_daily_cap(item) -> None:  # type: ignore[no-untyped-def]
    assert issue_at(T0, item, issued_today=2).status == TicketStatus.WAITING
    error = raises(DailyCapReached, "daily_cap_reached", lambda: issue_at(T0, item, issued_today=3))
    assert error.params == {"cap": 3}
    # A cap is a cap even when hours are ignored.
    raises(DailyCapReached, "daily_cap_reached", lambda: issue_at(T0, item, 3, ignore_hours=True))


def test_hall_numbers_per_prefix_and_counts_the_cap_per_day() -> None:
    hall = Hall().add(service("A101", "A", daily_cap=2), service("A102", "A"), service("T201", "T"))
    numbers = [hall.issue(code).number for code in ("A101", "A102", "T201", "A101", "A102")]
    assert numbers == ["A001", "A002", "T001", "A003", "A004"]
    raises(DailyCapReached, "daily_cap_reached", lambda: hall.issue("A101"))
    hall.now = datetime.fromisoformat("2026-03-02T16:00:00+00:00")  # midnight in Shanghai
    assert hall.issue("A101").number == "A001"


# --- cancel and close of day ---------------------------------------------------------


def test_cancel_a_waiting_ticket() -> None:
    change = lifecycle.cancel(ticket(1), NOW)
    assert change.ticket is not None
    assert change.ticket.status == TicketStatus.CANCELLED
    assert change.ticket.finished_at == NOW
    only_event(change, "ticket.cancelled")


@pytest.mark.parametrize("status", [s for s in TicketStatus if s != TicketStatus.WAITING])
def test_cancel_refused_unless_waiting(status: TicketStatus) -> None:
    raises(
        InvalidTransition,
        "invalid_transition",
        lambda: lifecycle.cancel(ticket(1, status=status), NOW),
    )


def test_close_day_turns_waiting_tickets_into_unserved() -> None:
    tickets = [ticket(i + 1, status=status) for i, status in enumerate(TicketStatus)]
    changes = lifecycle.close_day(tickets, NOW)
    assert len(changes) == 1
    closed = changes[0].ticket
    assert closed is not None
    assert (closed.id, closed.status, closed.finished_at) == ("A001", TicketStatus.UNSERVED, NOW)
    only_event(changes[0], "ticket.unserved")
    assert lifecycle.close_day([], NOW) == []


# --- counters ------------------------------------------------------------------------


@pytest.mark.parametrize("state", [CounterState.CLOSED, CounterState.PAUSED])
def test_open_a_closed_or_paused_counter(state: CounterState) -> None:
    window = replace(counter(1, {"A101": 1}, state=state), pause_reason="午休")
    change = lifecycle.open_counter(window, NOW, "clerk-1")
    opened = change.counter
    assert opened is not None
    assert (opened.state, opened.clerk, opened.pause_reason, opened.state_since) == (
        CounterState.OPEN,
        "clerk-1",
        None,
        NOW,
    )
    only_event(change, "counter.opened")


def test_open_twice_by_the_same_clerk_is_refused_and_a_handover_is_a_take_over() -> None:
    window = counter(1, {"A101": 1}, clerk="clerk-1")
    raises(
        InvalidTransition,
        "invalid_transition",
        lambda: lifecycle.open_counter(window, NOW, "clerk-1"),
    )
    # Opening another clerk's open window used to hand it over silently (issue 12: no more).
    raises(CounterHeld, "counter_held", lambda: lifecycle.open_counter(window, NOW, "clerk-2"))
    handed = lifecycle.take_over(window, NOW, "clerk-2", "交接班").counter
    assert handed is not None and handed.clerk == "clerk-2"


def test_pause_needs_a_reason() -> None:
    window = counter(1, {"A101": 1})
    for reason in ("", "   "):
        error = raises(
            InvalidInput, "invalid_input", lambda r=reason: lifecycle.pause_counter(window, NOW, r)
        )
        assert error.params == {"field": "reason"}
    change = lifecycle.pause_counter(window, NOW, "  去复印  ")
    assert change.counter is not None
    assert (change.counter.state, change.counter.pause_reason) == (CounterState.PAUSED, "去复印")
    only_event(change, "counter.paused")
    assert change.events[0].data == {"reason": "去复印"}
    long = lifecycle.pause_counter(window, NOW, "x" * 500).counter
    assert long is not None and long.pause_reason == "x" * lifecycle.MAX_NOTE_LENGTH


@pytest.mark.parametrize("state", [CounterState.CLOSED, CounterState.PAUSED])
def test_pause_refused_unless_open(state: CounterState) -> None:
    window = counter(1, {"A101": 1}, state=state)
    raises(
        CounterNotOpen, "counter_not_open", lambda: lifecycle.pause_counter(window, NOW, "break")
    )


@pytest.mark.parametrize("state", [CounterState.OPEN, CounterState.PAUSED])
def test_close_an_idle_counter(state: CounterState) -> None:
    change = lifecycle.close_counter(counter(1, {"A101": 1}, state=state, clerk="c"), NOW)
    assert change.counter is not None
    assert (change.counter.state, change.counter.clerk) == (CounterState.CLOSED, None)
    only_event(change, "counter.closed")


def test_close_refused_when_closed_or_busy() -> None:
    closed = counter(1, {"A101": 1}, state=CounterState.CLOSED)
    raises(InvalidTransition, "invalid_transition", lambda: lifecycle.close_counter(closed, NOW))
    busy = counter(1, {"A101": 1}, current="A001")
    raises(CounterBusy, "counter_busy", lambda: lifecycle.close_counter(busy, NOW))


# --- calling -------------------------------------------------------------------------


def test_call_next_calls_and_occupies_the_counter() -> None:
    window = counter(1, {"A101": 1}, clerk="clerk-1")
    waiting = [ticket(1, at=T0), ticket(2, at=T0 + minutes(1))]
    change = lifecycle.call_next(window, waiting, NOW)
    assert change is not None and change.ticket is not None and change.counter is not None
    called = change.ticket
    assert (called.id, called.status, called.counter, called.clerk) == (
        "A001",
        TicketStatus.CALLED,
        1,
        "clerk-1",
    )
    assert called.called_at == NOW
    assert called.wait_seconds == 600
    assert change.counter.current_ticket_id == "A001"
    only_event(change, "ticket.called")
    assert change.events[0].data == {"reason": "longest_wait", "clerk": "clerk-1"}


def test_call_next_with_nobody_waiting_returns_none() -> None:
    assert (
        lifecycle.call_next(counter(1, {"A101": 1}), [ticket(1, "T201", prefix="T")], NOW) is None
    )


def test_call_next_uses_the_clerk_given() -> None:
    change = lifecycle.call_next(counter(1, {"A101": 1}, clerk="a"), [ticket(1)], NOW, clerk="b")
    assert change is not None and change.ticket is not None and change.ticket.clerk == "b"


@pytest.mark.parametrize("state", [CounterState.CLOSED, CounterState.PAUSED])
def test_call_next_refused_unless_open(state: CounterState) -> None:
    window = counter(1, {"A101": 1}, state=state)
    raises(
        CounterNotOpen, "counter_not_open", lambda: lifecycle.call_next(window, [ticket(1)], NOW)
    )


def test_call_next_refused_while_busy() -> None:
    window = counter(1, {"A101": 1}, current="A009")
    error = raises(
        CounterBusy, "counter_busy", lambda: lifecycle.call_next(window, [ticket(1)], NOW)
    )
    assert error.params["ticket"] == "A009"


# --- actions on the current ticket ---------------------------------------------------


def busy_with(status: TicketStatus) -> tuple[Counter, Ticket]:
    current = replace(
        ticket(1, status=status), counter=1, called_at=T0 + minutes(2), wait_seconds=120.0
    )
    return counter(1, {"A101": 1}, current=current.id), current


ACTIONS: dict[str, tuple[Callable[[Counter, Ticket | None], Change], set[TicketStatus]]] = {
    "recall": (lambda c, t: lifecycle.recall(c, t, NOW), {TicketStatus.CALLED}),
    "start": (lambda c, t: lifecycle.start(c, t, NOW), {TicketStatus.CALLED}),
    "finish": (
        lambda c, t: lifecycle.finish(c, t, NOW, Outcome.COMPLETED),
        {TicketStatus.CALLED, TicketStatus.SERVING},
    ),
    "no-show": (lambda c, t: lifecycle.no_show(c, t, NOW), {TicketStatus.CALLED}),
    "transfer": (
        lambda c, t: lifecycle.transfer(c, t, NOW, to_service=service("T201", "T")),
        {TicketStatus.CALLED, TicketStatus.SERVING},
    ),
}
RESULT = {
    "recall": (TicketStatus.CALLED, "ticket.recalled"),
    "start": (TicketStatus.SERVING, "ticket.serving"),
    "finish": (TicketStatus.DONE, "ticket.finished"),
    "no-show": (TicketStatus.NO_SHOW, "ticket.no_show"),
    "transfer": (TicketStatus.WAITING, "ticket.transferred"),
}
MATRIX = [(action, status) for action in ACTIONS for status in TicketStatus]


@pytest.mark.parametrize(("action", "status"), MATRIX)
def test_every_action_in_every_ticket_status(action: str, status: TicketStatus) -> None:
    run, allowed = ACTIONS[action]
    window, current = busy_with(status)
    if status not in allowed:
        error = raises(InvalidTransition, "invalid_transition", lambda: run(window, current))
        assert error.params == {"action": action, "status": status.value}
        return
    change = run(window, current)
    assert change.ticket is not None and change.counter is not None
    expected_status, event = RESULT[action]
    assert change.ticket.status == expected_status
    assert change.ticket.id == current.id and change.ticket.number == current.number
    only_event(change, event)
    keeps_counter = action in ("recall", "start")
    assert change.counter.current_ticket_id == (current.id if keeps_counter else None)


@pytest.mark.parametrize("action", list(ACTIONS))
def test_every_action_needs_the_counters_current_ticket(action: str) -> None:
    run, _ = ACTIONS[action]
    window, current = busy_with(TicketStatus.CALLED)
    raises(NoCurrentTicket, "no_current_ticket", lambda: run(window, None))
    idle = replace(window, current_ticket_id=None)
    raises(NoCurrentTicket, "no_current_ticket", lambda: run(idle, current))
    other = replace(window, current_ticket_id="A002")
    raises(NoCurrentTicket, "no_current_ticket", lambda: run(other, current))


def test_actions_on_the_current_ticket_work_while_paused() -> None:
    window, current = busy_with(TicketStatus.SERVING)
    paused = replace(window, state=CounterState.PAUSED)
    done = lifecycle.finish(paused, current, NOW, Outcome.ACCEPTED).ticket
    assert done is not None and done.status == TicketStatus.DONE


def test_recall_counts_and_keeps_the_ticket_called() -> None:
    window, current = busy_with(TicketStatus.CALLED)
    first = lifecycle.recall(window, current, NOW)
    assert first.ticket is not None
    second = lifecycle.recall(window, first.ticket, NOW + minutes(1))
    assert second.ticket is not None
    assert (second.ticket.recall_count, second.ticket.status) == (2, TicketStatus.CALLED)
    assert second.ticket.called_at == current.called_at
    assert second.events[0].data == {"recalls": 2}
    assert second.counter == window


def test_start_stamps_the_start() -> None:
    window, current = busy_with(TicketStatus.CALLED)
    serving = lifecycle.start(window, current, NOW).ticket
    assert serving is not None and serving.started_at == NOW


@pytest.mark.parametrize("outcome", list(Outcome))
def test_finish_sets_outcome_and_service_time(outcome: Outcome) -> None:
    window, current = busy_with(TicketStatus.CALLED)
    serving = lifecycle.start(window, current, T0 + minutes(3)).ticket
    change = lifecycle.finish(window, serving, T0 + minutes(10), outcome)
    done = change.ticket
    assert done is not None
    assert (done.status, done.outcome) == (TicketStatus.DONE, outcome)
    assert (done.started_at, done.finished_at) == (T0 + minutes(3), T0 + minutes(10))
    assert done.service_seconds == 7 * 60
    assert done.wait_seconds == 120.0
    assert change.events[0].data == {"outcome": outcome.value}


def test_finish_without_start_counts_service_from_the_call() -> None:
    window, current = busy_with(TicketStatus.CALLED)  # called at T0 + 2 min
    done = lifecycle.finish(window, current, T0 + minutes(6), Outcome.REFERRED).ticket
    assert done is not None
    assert done.started_at == T0 + minutes(2)
    assert done.service_seconds == 4 * 60


def test_no_show_frees_the_counter() -> None:
    window, current = busy_with(TicketStatus.CALLED)
    change = lifecycle.no_show(window, current, NOW)
    assert change.ticket is not None and change.counter is not None
    assert (change.ticket.status, change.ticket.finished_at) == (TicketStatus.NO_SHOW, NOW)
    assert change.counter.current_ticket_id is None


# --- transfers -----------------------------------------------------------------------


def two_windows() -> Hall:
    return Hall().add(
        service("A101", "A"),
        service("T201", "T"),
        bundle("B01", "Y"),
        counter(1, {"A101": 1}, {"B01": 1}),
        counter(2, {"T201": 1}),
        counter(3, {"A101": 1}),
    )


def test_transfer_to_a_service_keeps_number_and_place_in_time() -> None:
    hall = two_windows()
    first = hall.issue("A101")
    hall.tick(5)
    hall.issue("T201")  # issued later than `first`
    hall.tick(5)
    assert hall.call(1) == hall.tickets[first.id]
    hall.start(1)
    hall.tick(4)
    moved = hall.transfer(1, to_service="T201")
    assert (moved.id, moved.number, moved.issued_at) == (first.id, "A001", first.issued_at)
    assert (moved.status, moved.service, moved.counter, moved.target_counter) == (
        TicketStatus.WAITING,
        "T201",
        None,
        None,
    )
    assert (moved.transfer_count, moved.transferred_at) == (1, hall.now)
    assert (moved.called_at, moved.started_at, moved.clerk) == (None, None, None)
    assert moved.wait_seconds == 600
    assert hall.counters[1].current_ticket_id is None
    # It kept its place in time: it goes before T001, which was issued after it.
    hall.tick(1)
    again = hall.call(2)
    assert again is not None and again.id == first.id
    assert again.wait_seconds == 600  # the wait is measured to the first call only


def test_transfer_event_describes_the_move() -> None:
    hall = two_windows()
    hall.issue("A101")
    hall.call(1)
    hall.tick(3)
    change = lifecycle.transfer(
        hall.counters[1], hall.current(1), hall.now, to_counter=hall.counters[3], note="  补材料 "
    )
    only_event(change, "ticket.transferred")
    # The note stays on the ticket (for the site's staff), never in the event every screen hears.
    assert change.events[0].data == {"from_counter": 1, "segment_seconds": 180.0, "to_counter": 3}
    assert change.ticket is not None and change.ticket.note == "补材料"


def test_transfer_of_a_bundle_to_a_service_leaves_the_bundle() -> None:
    hall = two_windows()
    package = hall.issue("B01")
    hall.call(1)
    moved = hall.transfer(1, to_service="T201")
    assert (moved.bundle, moved.service, moved.queue_key, moved.id) == (
        None,
        "T201",
        "S:T201",
        package.id,
    )


def test_transfer_to_a_counter_goes_first_there_and_nowhere_else() -> None:
    hall = two_windows()
    sent = hall.issue("A101")
    hall.tick(1)
    older_elsewhere = [hall.issue("T201") for _ in range(3)]
    hall.tick(1)
    hall.call(1)
    moved = hall.transfer(1, to_counter=2)
    assert (moved.target_counter, moved.status, moved.service) == (2, TicketStatus.WAITING, "A101")
    # Counter 3 serves A101 but the citizen was sent to counter 2.
    assert hall.call(3) is None
    hall.tick(100)  # even when everyone is overdue
    called = hall.call(2)
    assert called is not None and called.id == sent.id
    assert called.target_counter is None
    assert called.counter == 2 and called.transfer_count == 1
    hall.finish(2)
    assert hall.call(2) == hall.tickets[older_elsewhere[0].id]


def test_transfer_needs_exactly_one_target_and_not_the_same_counter() -> None:
    hall = two_windows()
    hall.issue("A101")
    hall.call(1)
    window, current = hall.counters[1], hall.current(1)
    for target in ({}, {"to_service": service("T201", "T"), "to_counter": hall.counters[2]}):
        raises(
            InvalidInput,
            "invalid_input",
            lambda t=target: lifecycle.transfer(window, current, NOW, **t),
        )
    error = raises(
        InvalidInput,
        "invalid_input",
        lambda: lifecycle.transfer(window, current, NOW, to_counter=window),
    )
    assert error.params == {"field": "counter"}


def test_wait_is_set_at_the_first_call_and_kept_across_transfers() -> None:
    hall = two_windows()
    issued = hall.issue("A101")
    assert issued.wait_seconds is None
    hall.tick(7)
    assert hall.call(1) is not None
    hall.tick(3)
    hall.transfer(1, to_counter=3)
    hall.tick(20)
    recalled = hall.call(3)
    assert recalled is not None
    assert recalled.wait_seconds == 7 * 60
    assert recalled.called_at == hall.now
    hall.tick(2)
    hall.start(3)
    hall.tick(5)
    done = hall.finish(3)
    assert done.service_seconds == 5 * 60  # at the last counter only
    assert done.transfer_count == 1


def test_an_open_window_is_its_clerks_until_closed_or_taken_over() -> None:
    hall = two_windows()
    window = hall.open(1, clerk="wang")
    lifecycle.check_holder(window, "wang")
    for other in ("li", None):
        with pytest.raises(CounterHeld) as held:
            lifecycle.check_holder(window, other)
        assert held.value.params == {"holder": "wang", "counter": 1}
    with pytest.raises(CounterHeld):
        lifecycle.open_counter(window, hall.now, "li")
    with pytest.raises(InvalidInput):
        lifecycle.take_over(window, hall.now, "boss", "  ")
    change = lifecycle.take_over(window, hall.now, "boss", " 离岗未关窗 ")
    only_event(change, "counter.taken_over")
    assert change.events[0].data == {"reason": "离岗未关窗", "from_clerk": "wang", "clerk": "boss"}
    assert change.counter is not None and change.counter.clerk == "boss"
    assert change.counter.state == CounterState.OPEN  # the window keeps working
    with pytest.raises(InvalidTransition):  # nothing to take: closed, or already theirs
        lifecycle.take_over(change.counter, hall.now, "boss", "x")
    closed = lifecycle.close_counter(change.counter, hall.now).counter
    assert closed is not None
    lifecycle.check_holder(closed, "li")  # a closed window is anyone's of the site to open
