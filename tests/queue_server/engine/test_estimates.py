"""People ahead and estimated waits (estimates.py)."""

from __future__ import annotations

import pytest

from queue_server.engine.estimates import blended_minutes, estimated_wait_minutes, people_ahead
from queue_server.engine.model import Priority, TicketStatus

from .builders import T0, minutes, ticket

ELDERLY = Priority.ELDERLY


def test_nobody_ahead_of_the_first() -> None:
    me = ticket(1)
    assert people_ahead(me, [me]) == 0
    assert people_ahead(me, []) == 0


def test_earlier_ordinary_tickets_of_the_same_queue_are_ahead() -> None:
    me = ticket(3, at=T0 + minutes(3))
    waiting = [ticket(1, at=T0), ticket(2, at=T0 + minutes(1)), me, ticket(4, at=T0 + minutes(4))]
    assert people_ahead(me, waiting) == 2


def test_every_priority_ticket_is_ahead_of_an_ordinary_one() -> None:
    me = ticket(1, at=T0)
    later_priority = [ticket(i, at=T0 + minutes(i), priority=ELDERLY) for i in range(2, 5)]
    assert people_ahead(me, [me, *later_priority]) == 3


def test_only_earlier_priority_tickets_are_ahead_of_a_priority_one() -> None:
    me = ticket(5, at=T0 + minutes(5), priority=Priority.APPOINTMENT)
    waiting = [
        ticket(1, at=T0),  # ordinary, earlier: behind me all the same
        ticket(2, at=T0 + minutes(1), priority=Priority.DISABLED),  # ahead
        ticket(9, at=T0 + minutes(9), priority=Priority.ASSISTED),  # later: behind
        me,
    ]
    assert people_ahead(me, waiting) == 1


def test_other_queues_and_tickets_no_longer_waiting_do_not_count() -> None:
    me = ticket(9, at=T0 + minutes(9))
    waiting = [
        ticket(1, "T201", prefix="T", at=T0),
        ticket(2, None, prefix="Y", bundle_code="B01", at=T0),
        *(
            ticket(3 + i, at=T0, status=status, ticket_id=f"X{i}")
            for i, status in enumerate(s for s in TicketStatus if s != TicketStatus.WAITING)
        ),
        me,
    ]
    assert people_ahead(me, waiting) == 0


def test_same_issue_time_goes_by_sequence_number() -> None:
    me = ticket(5)
    assert people_ahead(me, [ticket(4), me, ticket(6)]) == 1


def test_people_ahead_counts_itself_only_once_even_when_listed_twice() -> None:
    me = ticket(2, at=T0 + minutes(1))
    assert people_ahead(me, [me, me, ticket(1)]) == 1


@pytest.mark.parametrize(
    ("ahead", "per_ticket", "counters", "expected"),
    [
        (0, 10, 3, 0),  # nobody ahead: called now
        (-1, 10, 3, 0),
        (1, 10, 1, 10),
        (3, 10, 2, 15),
        (5, 8, 3, 14),  # 13.33 rounds up
        (1, 0.1, 1, 1),  # at least a minute when someone is ahead
        (4, 0.0, 1, 2),  # service time floored at half a minute
        (2, 10, 0, 20),  # no counter open: counted as one
        (2, 10, -3, 20),
    ],
)
def test_estimated_wait_minutes(
    ahead: int, per_ticket: float, counters: int, expected: int
) -> None:
    assert estimated_wait_minutes(ahead, per_ticket, counters) == expected


def test_estimated_wait_grows_with_people_and_shrinks_with_counters() -> None:
    waits = [estimated_wait_minutes(n, 7.5, 2) for n in range(1, 20)]
    assert waits == sorted(waits) and waits[0] < waits[-1]
    assert estimated_wait_minutes(10, 7.5, 1) > estimated_wait_minutes(10, 7.5, 4)


def test_blended_minutes_uses_the_catalogue_until_enough_samples() -> None:
    assert blended_minutes(12.0, []) == 12.0
    assert blended_minutes(12.0, [3.0, 3.0, 3.0, 3.0]) == 12.0
    assert blended_minutes(12.0, [3.0, 3.0, 3.0, 3.0, 3.0]) == 3.0
    assert blended_minutes(12.0, [3.0, 3.0], min_samples=2) == 3.0


def test_blended_minutes_trims_a_forgotten_finish() -> None:
    measured = [5.0, 6.0, 7.0, 5.0, 6.0, 7.0, 5.0, 6.0, 7.0, 480.0]  # one left open all day
    # One sample in ten trimmed from each end: 5.0 and 480.0 go.
    assert blended_minutes(10.0, measured) == pytest.approx(49 / 8)
    assert blended_minutes(10.0, list(reversed(measured))) == pytest.approx(49 / 8)


def test_blended_minutes_with_few_samples_is_the_plain_mean() -> None:
    assert blended_minutes(10.0, [2.0, 4.0, 6.0, 8.0, 100.0]) == pytest.approx(24.0)


def test_a_ticket_sent_to_one_counter_is_not_ahead_in_the_queue() -> None:
    # The same rule as the shell's SQL (operations._position: target_counter IS NULL).
    me = ticket(5, at=T0 + minutes(5))
    sent = ticket(1, at=T0, target_counter=2, transferred_at=T0 + minutes(4))
    assert people_ahead(me, [sent, ticket(2, at=T0 + minutes(1)), me]) == 1
