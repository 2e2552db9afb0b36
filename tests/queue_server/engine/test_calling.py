"""The calling order (calling.py): transfers, aging, priority, weighted longest wait."""

from __future__ import annotations

import random
from collections import Counter as Tally

import pytest

from queue_server.engine.call_order import (
    DEFAULT_POLICY,
    CallingPolicy,
    choose_next,
    eligible,
    queue_order,
)
from queue_server.engine.model import Priority, Ticket, TicketStatus

from .builders import T0, counter, minutes, ticket

NOW = T0 + minutes(120)
POLICY = CallingPolicy(max_wait_minutes=90)


def pick(window, waiting, now=NOW, policy=POLICY) -> tuple[str, str] | None:  # type: ignore[no-untyped-def]
    choice = choose_next(window, waiting, now, policy)
    return (choice.ticket.id, choice.reason) if choice else None


# --- the order of the rules ----------------------------------------------------------


def test_transfer_to_this_counter_goes_before_everything() -> None:
    window = counter(1, {"A101": 1})
    waiting = [
        ticket(1, at=NOW - minutes(100)),  # overdue
        ticket(2, at=NOW - minutes(10), priority=Priority.ELDERLY),
        ticket(3, at=NOW - minutes(1), target_counter=1, transferred_at=NOW - minutes(1)),
    ]
    assert pick(window, waiting) == ("A003", "transfer")


def test_transfers_are_taken_in_the_order_they_were_made() -> None:
    window = counter(1, {"A101": 1})
    waiting = [
        ticket(1, at=NOW - minutes(60), target_counter=1, transferred_at=NOW - minutes(2)),
        ticket(2, at=NOW - minutes(30), target_counter=1, transferred_at=NOW - minutes(5)),
    ]
    assert pick(window, waiting) == ("A002", "transfer")


def test_transfer_to_a_counter_is_taken_even_for_a_service_outside_its_profile() -> None:
    window = counter(1, {"A101": 1})
    sent = ticket(1, "T201", prefix="T", target_counter=1, transferred_at=NOW)
    assert pick(window, [ticket(2), sent]) == ("T001", "transfer")


def test_overdue_ticket_goes_before_priority() -> None:
    window = counter(1, {"A101": 1})
    waiting = [
        ticket(1, at=NOW - minutes(95)),
        ticket(2, at=NOW - minutes(5), priority=Priority.DISABLED),
    ]
    assert pick(window, waiting) == ("A001", "max_wait")


@pytest.mark.parametrize(
    ("waited", "expected"),
    [(90, ("A001", "max_wait")), (89.9, ("A002", "priority"))],
)
def test_max_wait_is_inclusive(waited: float, expected: tuple[str, str]) -> None:
    window = counter(1, {"A101": 1})
    waiting = [ticket(1, at=NOW - minutes(waited)), ticket(2, at=NOW, priority=Priority.ELDERLY)]
    assert pick(window, waiting) == expected


def test_oldest_overdue_wins_regardless_of_weight_and_priority() -> None:
    window = counter(1, {"A101": 10, "T201": 1})
    waiting = [
        ticket(1, at=NOW - minutes(95), priority=Priority.APPOINTMENT),
        ticket(1, "T201", prefix="T", at=NOW - minutes(110)),
        ticket(2, at=NOW - minutes(100)),
    ]
    assert pick(window, waiting) == ("T001", "max_wait")


def test_max_wait_comes_from_the_policy() -> None:
    window = counter(1, {"A101": 1})
    waiting = [ticket(1, at=NOW - minutes(20)), ticket(2, at=NOW, priority=Priority.ELDERLY)]
    assert pick(window, waiting, policy=CallingPolicy(max_wait_minutes=15)) == ("A001", "max_wait")
    assert pick(window, waiting, policy=DEFAULT_POLICY) == ("A002", "priority")


@pytest.mark.parametrize(
    "priority",
    [Priority.APPOINTMENT, Priority.ELDERLY, Priority.DISABLED, Priority.ASSISTED],
)
def test_every_priority_class_goes_before_ordinary(priority: Priority) -> None:
    window = counter(1, {"A101": 1})
    waiting = [ticket(1, at=NOW - minutes(60)), ticket(2, at=NOW, priority=priority)]
    assert pick(window, waiting) == ("A002", "priority")


def test_priority_in_a_low_weight_service_beats_ordinary_in_a_heavy_one() -> None:
    window = counter(1, {"A101": 5, "T201": 1})
    waiting = [
        ticket(1, at=NOW - minutes(60)),
        ticket(1, "T201", prefix="T", at=NOW, priority=Priority.ELDERLY),
    ]
    assert pick(window, waiting) == ("T001", "priority")


def test_longest_wait_among_ordinary_tickets() -> None:
    window = counter(1, {"A101": 1})
    waiting = [ticket(2, at=NOW - minutes(5)), ticket(1, at=NOW - minutes(30)), ticket(3, at=NOW)]
    assert pick(window, waiting) == ("A001", "longest_wait")


def test_longest_wait_across_services_of_equal_weight() -> None:
    window = counter(1, {"A101": 1, "T201": 1})
    waiting = [ticket(1, at=NOW - minutes(5)), ticket(1, "T201", prefix="T", at=NOW - minutes(8))]
    assert pick(window, waiting) == ("T001", "longest_wait")


def test_longest_wait_among_priority_tickets() -> None:
    window = counter(1, {"A101": 1})
    waiting = [
        ticket(1, at=NOW - minutes(5), priority=Priority.APPOINTMENT),
        ticket(2, at=NOW - minutes(9), priority=Priority.ASSISTED),
    ]
    assert pick(window, waiting) == ("A002", "priority")


# --- weights -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("heavy_waited", "expected"),
    [(6, "A001"), (4, "T001")],  # 6 × 2 = 12 > 10; 4 × 2 = 8 < 10
)
def test_weight_multiplies_the_wait(heavy_waited: float, expected: str) -> None:
    window = counter(1, {"A101": 2, "T201": 1})
    waiting = [
        ticket(1, at=NOW - minutes(heavy_waited)),
        ticket(1, "T201", prefix="T", at=NOW - minutes(10)),
    ]
    assert pick(window, waiting) == (expected, "longest_wait")


def test_weights_belong_to_the_counter() -> None:
    waiting = [ticket(1, at=NOW - minutes(6)), ticket(1, "T201", prefix="T", at=NOW - minutes(10))]
    assert pick(counter(1, {"A101": 2, "T201": 1}), waiting) == ("A001", "longest_wait")
    assert pick(counter(2, {"A101": 1, "T201": 1}), waiting) == ("T001", "longest_wait")


def serve_steady_stream(weights: dict[str, float], calls: int) -> Tally[str]:
    """One arrival per service per minute and one call per minute: queues never empty."""
    window = counter(1, weights)
    prefixes = {code: code[0] for code in weights}
    policy = CallingPolicy(max_wait_minutes=100_000)  # weights alone, no aging
    waiting: list[Ticket] = []
    served: Tally[str] = Tally()
    for minute in range(calls):
        now = T0 + minutes(minute)
        for code in weights:
            waiting.append(ticket(minute + 1, code, prefix=prefixes[code], at=now))
        choice = choose_next(window, waiting, now + minutes(0.5), policy)
        assert choice is not None
        served[choice.ticket.service or ""] += 1
        waiting.remove(choice.ticket)
    return served


def test_weights_two_to_one_share_the_window_two_to_one() -> None:
    served = serve_steady_stream({"A101": 2, "T201": 1}, calls=300)
    assert served["A101"] + served["T201"] == 300
    assert 1.8 <= served["A101"] / served["T201"] <= 2.2


def test_equal_weights_share_the_window_equally() -> None:
    served = serve_steady_stream({"A101": 1, "T201": 1}, calls=200)
    assert abs(served["A101"] - served["T201"]) <= 2


def test_a_light_service_still_gets_its_turn() -> None:
    served = serve_steady_stream({"A101": 10, "T201": 1}, calls=120)
    assert served["T201"] >= 5


# --- who may be called here ----------------------------------------------------------


def test_ticket_targeted_at_another_counter_is_never_called_here() -> None:
    window = counter(1, {"A101": 1})
    elsewhere = ticket(1, at=NOW - minutes(200), target_counter=2, transferred_at=NOW)
    assert choose_next(window, [elsewhere], NOW, POLICY) is None
    assert pick(window, [elsewhere, ticket(2, at=NOW)]) == ("A002", "longest_wait")
    assert elsewhere not in eligible(window, [elsewhere])
    assert eligible(counter(2, {"T201": 1}), [elsewhere]) == [elsewhere]


def test_services_outside_the_profile_are_not_called() -> None:
    window = counter(1, {"T201": 1})
    assert choose_next(window, [ticket(1, at=NOW - minutes(200))], NOW, POLICY) is None


def test_only_waiting_tickets_are_called() -> None:
    window = counter(1, {"A101": 1})
    others = [
        ticket(i + 1, at=NOW - minutes(50), status=status)
        for i, status in enumerate(s for s in TicketStatus if s != TicketStatus.WAITING)
    ]
    assert choose_next(window, others, NOW, POLICY) is None
    assert pick(window, [*others, ticket(99, at=NOW)]) == ("A099", "longest_wait")


def test_bundle_is_called_only_where_the_profile_has_the_bundle() -> None:
    package = ticket(1, None, prefix="Y", bundle_code="B01", at=NOW - minutes(30))
    one_thing = counter(3, bundles={"B01": 1})
    # A window serving every service of the bundle still does not serve the bundle.
    components = counter(1, {"A101": 1, "T201": 1})
    assert pick(one_thing, [package]) == ("Y001", "longest_wait")
    assert choose_next(components, [package], NOW, POLICY) is None
    assert pick(counter(4, {"A101": 1}, {"B01": 1}), [package, ticket(1, at=NOW)]) == (
        "Y001",
        "longest_wait",
    )


def test_nobody_waiting_means_no_choice() -> None:
    assert choose_next(counter(1, {"A101": 1}), [], NOW) is None


def test_weight_zero_entry_is_called_only_by_aging() -> None:
    # A zero weight lists the service (the counter "serves" it) but never picks it by
    # weight; only the max-wait rule calls it.
    window = counter(1, {"A101": 0})
    assert choose_next(window, [ticket(1, at=NOW - minutes(10))], NOW, POLICY) is None
    assert pick(window, [ticket(1, at=NOW - minutes(95))]) == ("A001", "max_wait")


# --- determinism ---------------------------------------------------------------------


def test_same_issue_time_goes_by_sequence_number() -> None:
    window = counter(1, {"A101": 1})
    waiting = [ticket(5, at=NOW), ticket(4, at=NOW), ticket(6, at=NOW)]
    assert pick(window, waiting) == ("A004", "longest_wait")


def test_equal_scores_across_services_go_to_the_earlier_ticket() -> None:
    window = counter(1, {"A101": 1, "T201": 1})
    waiting = [ticket(7, "T201", prefix="T", at=NOW), ticket(3, at=NOW)]
    assert pick(window, waiting) == ("A003", "longest_wait")
    # Just-issued tickets share the one-second floor: still the earlier one.
    fresh = [ticket(2, "T201", prefix="T", at=NOW), ticket(9, at=NOW + minutes(0.001))]
    assert pick(window, fresh) == ("T002", "longest_wait")


def test_full_tie_goes_by_id() -> None:
    window = counter(1, {"A101": 1})
    waiting = [ticket(1, at=NOW, ticket_id="01B"), ticket(1, at=NOW, ticket_id="01A")]
    assert pick(window, waiting) == ("01A", "longest_wait")


def test_choice_does_not_depend_on_input_order() -> None:
    window = counter(1, {"A101": 2, "T201": 1}, {"B01": 1})
    waiting = [
        ticket(
            i,
            "A101" if i % 3 else "T201",
            prefix="A" if i % 3 else "T",
            at=NOW - minutes(i % 7),
            priority=Priority.ELDERLY if i % 5 == 0 else Priority.ORDINARY,
        )
        for i in range(1, 30)
    ] + [ticket(1, None, prefix="Y", bundle_code="B01", at=NOW - minutes(3))]
    expected = [t.id for t in queue_order(window, waiting, NOW, POLICY)]
    rng = random.Random(7)
    for _ in range(10):
        shuffled = waiting[:]
        rng.shuffle(shuffled)
        assert [t.id for t in queue_order(window, shuffled, NOW, POLICY)] == expected


def test_queue_order_repeats_choose_next() -> None:
    window = counter(1, {"A101": 1, "T201": 1})
    waiting = [
        ticket(1, at=NOW - minutes(40)),
        ticket(2, at=NOW - minutes(3), priority=Priority.APPOINTMENT),
        ticket(1, "T201", prefix="T", at=NOW - minutes(20)),
        ticket(3, at=NOW - minutes(1), target_counter=1, transferred_at=NOW),
        ticket(4, at=NOW - minutes(100)),
        ticket(5, at=NOW, target_counter=2, transferred_at=NOW),
    ]
    order = [t.id for t in queue_order(window, waiting, NOW, POLICY)]
    assert order == ["A003", "A004", "A002", "A001", "T001"]
