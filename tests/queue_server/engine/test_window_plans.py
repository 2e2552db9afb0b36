"""Window plans (窗口方案推演): real arrivals through other windows, worked out by hand.

The hall opens 08:30–12:00 and 13:30–17:30 on weekdays (Monday 2026-03-02 is T0).
Window 1 serves A101 and T201 (weight 1 each) all the hall's hours; window 2 serves A101
only, on Monday mornings from 09:00. A101 takes 10 minutes, T201 20 (each item's
measured history is one value). Minutes after 08:30:

    ticket  item   priority  issued
    a1      A101   ordinary  0
    a2      A101   ordinary  1
    t1      T201   ordinary  2
    a3      A101   ordinary  3
    p1      A101   elderly   4
    x1      X999   ordinary  5     (no window serves X999)

    0   window 1 calls a1 (an arrival at the moment a window is free comes first): wait 0
    10  window 1: p1 is a priority ticket and goes first: wait 6
    20  window 1: a2 has waited 19 × weight 1, t1 18 × 1: a2, wait 19
    30  window 1 (numbers first at the same moment): a3 27, t1 28: t1, wait 28, busy to 50
    30  window 2 opens: it serves A101 only: a3, wait 27, busy to 40
    40, 50: both windows find nobody and stay idle; x1 is never called.

    A101: waits 0, 6, 19, 27: average 13, p90 (rank ⌈0.9·4⌉ = 4) 27, 3 of 4 within 20
    T201: 28; none within 20
    all:  0, 6, 19, 27, 28 of 6 tickets: average 16, p90 (rank 5) 28, 3 of 6 within 20,
          one not served
    Utilisation: window 1 serves 08:30–09:00 of its 30 open minutes in hour 8 (1.0) and
    09:00–09:20 in hour 9 (1/3); window 2 09:00–09:10 of hour 9 (1/6).
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from queue_server.engine import window_plans
from queue_server.engine.model import Priority, Ticket
from queue_server.engine.replay import ALL
from queue_server.engine.window_plans import PlanWindow

from .builders import SITE_WITH_HOURS, T0, counter, minutes, ticket

MONDAY_MORNING = {"mon": [["09:00", "12:00"]]}
WINDOWS = [
    PlanWindow(counter(1, services={"A101": 1, "T201": 1})),
    PlanWindow(counter(2, services={"A101": 1}), hours=MONDAY_MORNING),
]
MEASURED = {"S:A101": [10.0], "S:T201": [20.0]}


def arrivals() -> list[Ticket]:
    return [
        ticket(1, "A101", at=T0, ticket_id="a1"),
        ticket(2, "A101", at=T0 + minutes(1), ticket_id="a2"),
        ticket(1, "T201", at=T0 + minutes(2), prefix="T", ticket_id="t1"),
        ticket(3, "A101", at=T0 + minutes(3), ticket_id="a3"),
        ticket(4, "A101", at=T0 + minutes(4), priority=Priority.ELDERLY, ticket_id="p1"),
        ticket(1, "X999", at=T0 + minutes(5), prefix="X", ticket_id="x1"),
    ]


def run(windows: list[PlanWindow], tickets: list[Ticket]) -> window_plans.Outcome:
    drawn = window_plans.draw_service_minutes(tickets, MEASURED, {})
    return window_plans.simulate(SITE_WITH_HOURS, windows, tickets, drawn, 20)


def test_the_hand_worked_monday() -> None:
    outcome = run(WINDOWS, arrivals())

    assert outcome.waits == {"a1": 0, "p1": 6, "a2": 19, "t1": 28, "a3": 27, "x1": None}
    a101, t201, everyone = outcome.items["S:A101"], outcome.items["S:T201"], outcome.items[ALL]
    assert (a101.tickets, a101.served, a101.within_target) == (4, 4, 3)
    assert (a101.average_minutes, a101.p90_minutes, a101.longest_minutes) == (13, 27, 27)
    assert (t201.served, t201.within_target, t201.average_minutes) == (1, 0, 28)
    assert (everyone.tickets, everyone.served, everyone.not_served) == (6, 5, 1)
    assert (everyone.average_minutes, everyone.p90_minutes, everyone.longest_minutes) == (
        16,
        28,
        28,
    )
    assert everyone.within_target_share == pytest.approx(3 / 6)
    assert outcome.items["S:X999"].not_served == 1 and outcome.not_served == 1
    assert list(outcome.items)[-1] == ALL
    one, two = outcome.utilisation[1], outcome.utilisation[2]
    assert one[8] == pytest.approx(1.0) and one[9] == pytest.approx(1 / 3)
    assert set(one) == {8, 9, 10, 11, 13, 14, 15, 16, 17} and one[13] == 0
    assert two == pytest.approx({9: 1 / 6, 10: 0.0, 11: 0.0})


def test_a_window_open_on_mondays_only_is_closed_on_tuesday() -> None:
    """Tuesday: a1 and a2 at 08:30; window 2 does not open, so a2 waits for window 1."""
    tuesday = T0 + timedelta(days=1)
    tickets = [
        ticket(1, "A101", at=tuesday, ticket_id="a1"),
        ticket(2, "A101", at=tuesday, ticket_id="a2"),
    ]
    assert run(WINDOWS, tickets).waits == {"a1": 0, "a2": 10}
    monday = [
        ticket(1, "A101", at=T0 + minutes(30), ticket_id="a1"),
        ticket(2, "A101", at=T0 + minutes(30), ticket_id="a2"),
    ]
    assert run(WINDOWS, monday).waits == {"a1": 0, "a2": 0}


def test_a_window_starts_no_one_after_its_hours_and_the_lunch_break_waits() -> None:
    """11:55: window 1 calls a1 (to 12:05); a2 at 11:58 waits for 13:30 (window 2 is
    closed on Monday afternoons): 92 minutes."""
    noon = T0 + minutes(205)
    tickets = [
        ticket(1, "A101", at=noon, ticket_id="a1"),
        ticket(2, "A101", at=noon + minutes(3), ticket_id="a2"),
    ]
    only_one = [WINDOWS[0]]
    assert run(only_one, tickets).waits == {"a1": 0, "a2": 92}


def test_merged_windows_share_one_clerk() -> None:
    """Both windows merged into one: everyone queues for window 1."""
    merged = [PlanWindow(counter(1, services={"A101": 1, "T201": 1}))]
    outcome = run(merged, arrivals())
    # 0 a1; 10 p1 (6); 20 a2 (19); 30 t1 (28) to 50; 50 a3 (47)
    assert outcome.waits == {"a1": 0, "p1": 6, "a2": 19, "t1": 28, "a3": 47, "x1": None}


def test_service_times_are_drawn_from_history_reproducibly() -> None:
    tickets = arrivals()
    measured = {"S:A101": [5.0, 10.0, 15.0, 20.0]}
    first = window_plans.draw_service_minutes(tickets, measured, {"S:T201": 25.0}, seed=7)
    again = window_plans.draw_service_minutes(reversed(tickets), measured, {}, seed=7)
    assert {k: first[k] for k in ("a1", "a2", "a3", "p1")} == {
        k: again[k] for k in ("a1", "a2", "a3", "p1")
    }
    assert all(first[k] in measured["S:A101"] for k in ("a1", "a2", "a3", "p1"))
    assert first["t1"] == 25.0  # no history: the catalogue's expected minutes
    assert first["x1"] == window_plans.DEFAULT_SERVICE_MINUTES
