"""The rules preview's replay: the real call moments, re-decided under other rules.

The expected picks of the hand-made history are worked out by hand below; the property
test checks the replay (sorted lines, heads only) against a plain simulation that hands
`choose_next` every waiting ticket, and its figures against a plain count.
"""

from __future__ import annotations

import math
import statistics
from dataclasses import replace
from datetime import datetime, timedelta
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from queue_server.engine import replay
from queue_server.engine.call_order import CallingPolicy, choose_next
from queue_server.engine.model import Counter, Priority
from queue_server.engine.replay import Visit

from .builders import SITE, T0, counter, minutes, ticket

DAY2 = T0 + timedelta(days=1)
ORD, ELD, DIS = Priority.ORDINARY, Priority.ELDERLY, Priority.DISABLED


def visit(
    name: str,
    at: datetime,
    priority: Priority = ORD,
    called: datetime | None = None,
    at_counter: int | None = None,
    service: str = "A101",
) -> Visit:
    seq = int(name[1:])
    made = ticket(seq, service, at=at, prefix=service[0], priority=priority, ticket_id=name)
    return Visit(made, called, at_counter if called else None)


# Two days at a hall whose counter 1 serves A101 and counter 2 T201; counter 9 (which
# took O4 on day one) has since been removed. Minutes after opening (08:30).
HISTORY = [
    visit("O1", T0, ORD, T0 + minutes(5), 1),
    visit("O2", T0 + minutes(1), ORD, T0 + minutes(10), 1),
    visit("P1", T0 + minutes(2), ELD, T0 + minutes(15), 1),
    visit("P2", T0 + minutes(3), DIS, T0 + minutes(20), 1),
    visit("O3", T0 + minutes(4), ORD, T0 + minutes(25), 1),
    visit("O4", T0 + minutes(26), ORD, T0 + minutes(30), 9),
    visit("T1", T0, ORD, T0 + minutes(7), 2, service="T201"),
    visit("T2", T0 + minutes(1), ELD, service="T201"),  # never called: unserved
    visit("Q1", DAY2, ORD, DAY2 + minutes(5), 1),
    visit("R1", DAY2 + minutes(1), ELD, DAY2 + minutes(10), 1),
    visit("Q2", DAY2 + minutes(2), ORD),
]
COUNTERS = [counter(1, services={"A101": 1}), counter(2, services={"T201": 1})]
PRIORITY_FIRST = CallingPolicy()
ONE_TO_ONE = CallingPolicy(mix=(1, 1))

# By hand. Priority first: counter 1 takes P1, P2, then the ordinary tickets in order;
# on day two R1 (issued 08:31) goes before Q1. O4's only call moment was at counter 9.
CURRENT = {"O1": 15, "O2": 19, "P1": 3, "P2": 7, "O3": 21, "O4": None,
           "T1": None, "T2": 6, "Q1": 10, "R1": 4, "Q2": None}  # fmt: skip
# 1 : 1 alternates while both kinds wait: P1, O1, P2, then O2 and O3 (no priority left;
# the mixing state stays "ordinary next"), so day two starts with Q1, then R1.
MIXED = {"O1": 10, "O2": 19, "P1": 3, "P2": 12, "O3": 21, "O4": None,
         "T1": None, "T2": 6, "Q1": 5, "R1": 9, "Q2": None}  # fmt: skip
RECORDED = {"O1": 5, "O2": 9, "P1": 13, "P2": 17, "O3": 21, "O4": 4,
            "T1": 7, "T2": None, "Q1": 5, "R1": 9, "Q2": None}  # fmt: skip


def policies(policy: CallingPolicy) -> dict[int, CallingPolicy]:
    return {c.number: policy for c in COUNTERS}


def test_the_hand_worked_picks() -> None:
    assert replay.replay(HISTORY, COUNTERS, policies(PRIORITY_FIRST)) == pytest.approx(CURRENT)
    assert replay.replay(HISTORY, COUNTERS, policies(ONE_TO_ONE)) == pytest.approx(MIXED)
    assert replay.recorded(HISTORY) == pytest.approx(RECORDED)


def test_the_mixing_state_is_carried_across_days() -> None:
    """Started afresh on day two, 1 : 1 would take R1 first (its wait 4, Q1's 10)."""
    day_two = [v for v in HISTORY if v.ticket.day == DAY2.date().isoformat()]
    waits = replay.replay(day_two, COUNTERS, policies(ONE_TO_ONE))
    assert (waits["R1"], waits["Q1"]) == (pytest.approx(4), pytest.approx(10))
    assert MIXED["Q1"] < MIXED["R1"]  # with day one before it, ordinary was due


def wait(served: int, not_served: int, average: float | None = None, p90: float | None = None,
         longest: float | None = None) -> replay.WaitFigures:  # fmt: skip
    return replay.WaitFigures(served, not_served, average, p90, longest)


NOBODY = wait(0, 0)


def test_the_hand_worked_figures_through_preview() -> None:
    site = replace(SITE, settings={"max_wait_minutes": 90})
    found = replay.preview(site, COUNTERS, HISTORY, {"mix": [1, 1]}, {})
    assert found.days == ("2026-03-02", "2026-03-03")
    assert (found.tickets, found.calls) == (11, 8)  # counter 9's call is not replayed
    assert found.proposed == {
        "ordinary": wait(4, 3, 13.75, 21, 21),  # 10 19 21 5
        "appointment": NOBODY,
        "elderly": wait(3, 0, 6, 9, 9),  # 3 6 9
        "disabled": wait(1, 0, 12, 12, 12),
        "assisted": NOBODY,
        "priority": wait(4, 0, 7.5, 12, 12),
        "all": wait(8, 3, 10.625, 21, 21),
    }
    assert found.current == {
        "ordinary": wait(4, 3, 16.25, 21, 21),  # 15 19 21 10
        "appointment": NOBODY,
        "elderly": wait(3, 0, pytest.approx(13 / 3), 6, 6),  # 3 6 4
        "disabled": wait(1, 0, 7, 7, 7),
        "assisted": NOBODY,
        "priority": wait(4, 0, 5, 7, 7),
        "all": wait(8, 3, 10.625, 21, 21),
    }
    assert found.recorded == {
        "ordinary": wait(6, 1, 8.5, 21, 21),  # 5 9 21 4 7 5
        "appointment": NOBODY,
        "elderly": wait(2, 1, 11, 13, 13),  # 13 9
        "disabled": wait(1, 0, 17, 17, 17),
        "assisted": NOBODY,
        "priority": wait(3, 1, 13, 17, 17),
        "all": wait(9, 2, 10, 21, 21),
    }


def test_counter_overrides_and_the_site_rule() -> None:
    """Counter 1's own 1 : 1 applies under both rule sets; the proposal can take it away."""
    mixed_counter = replace(COUNTERS[0], rules={"mix": [1, 1]})
    counters = [mixed_counter, COUNTERS[1]]
    found = replay.preview(SITE, counters, HISTORY, {}, {})
    assert found.current == found.proposed
    assert found.current["disabled"].average_minutes == 12  # as MIXED: the counter's rule
    dropped = replay.preview(SITE, counters, HISTORY, {}, {1: {}})
    assert dropped.proposed["disabled"].average_minutes == 7  # as CURRENT: priority first


def test_the_longest_wait_goes_first() -> None:
    """Past 6 minutes anyone goes first, oldest first: at 10 O1 (waited 10) beats P2 (7)."""
    found = replay.replay(HISTORY[:5], COUNTERS, policies(CallingPolicy(max_wait_minutes=6)))
    assert found == pytest.approx({"P1": 3, "O1": 10, "O2": 14, "P2": 17, "O3": 21})


def test_empty_history() -> None:
    found = replay.preview(SITE, COUNTERS, [], {"mix": [1, 2]}, {})
    assert (found.days, found.tickets, found.calls) == ((), 0, 0)
    assert found.proposed == found.current == found.recorded == dict.fromkeys(replay.GROUPS, NOBODY)


def test_a_day_starts_empty_and_ends_with_the_unserved() -> None:
    """Day two's moments never take day one's leftover (O4 would have waited all night)."""
    leftover = visit("O5", T0 + minutes(40))
    next_day = [visit("Q1", DAY2 + minutes(2), ORD, DAY2 + minutes(5), 1)]
    waits = replay.replay([leftover, *next_day], COUNTERS, policies(PRIORITY_FIRST))
    assert waits == {"O5": None, "Q1": pytest.approx(3)}


def test_a_moment_takes_only_tickets_already_issued() -> None:
    """At 08:31 only O1 waits: P1, though priority, was issued at 08:33."""
    history = [visit("O1", T0, ORD, T0 + minutes(1), 1), visit("P1", T0 + minutes(3), ELD)]
    assert replay.replay(history, COUNTERS, policies(PRIORITY_FIRST)) == {
        "O1": pytest.approx(1),
        "P1": None,
    }


def test_moments_at_the_same_time_go_in_counter_order() -> None:
    """Counter 1 (A101 only) calls first and takes O1, so counter 3 takes B1; the other
    way round counter 3 would take O1 (waited longer) and B1 would go unserved."""
    counters = [counter(1, services={"A101": 1}), counter(3, services={"A101": 1, "B201": 1})]
    history = [
        visit("O1", T0, ORD, T0 + minutes(5), 3),
        visit("B1", T0 + minutes(1), ORD, T0 + minutes(5), 1, service="B201"),
    ]
    waits = replay.replay(history, counters, {1: PRIORITY_FIRST, 3: PRIORITY_FIRST})
    assert waits == pytest.approx({"O1": 5, "B1": 4})


def test_nearest_rank() -> None:
    assert replay.nearest_rank([1.0], 90) == 1.0
    assert replay.nearest_rank([float(i) for i in range(1, 11)], 90) == 9.0
    # 0.9 × 70 is 63.000…01 in floating point; the 63rd value, not the 64th.
    assert replay.nearest_rank([float(i) for i in range(1, 71)], 90) == 63.0


# --- against a plain simulation ----------------------------------------------------------


def plain_replay(
    visits: list[Visit], counters: list[Counter], policy: dict[int, CallingPolicy]
) -> dict[str, float | None]:
    """Every waiting ticket of the day handed to choose_next at each real call moment."""
    waits: dict[str, float | None] = {v.ticket.id: None for v in visits}
    state = {c.number: c for c in counters}
    for day in sorted({v.ticket.day for v in visits}):
        tickets = [v.ticket for v in visits if v.ticket.day == day]
        moments = sorted(
            (v.called_at, v.counter) for v in visits
            if v.ticket.day == day and v.called_at is not None and v.counter in state
        )  # fmt: skip
        taken: set[str] = set()
        for at, number in moments:
            waiting = [t for t in tickets if t.id not in taken and t.issued_at <= at]
            choice = choose_next(state[number], waiting, at, policy[number])
            if choice is None:
                continue
            taken.add(choice.ticket.id)
            waits[choice.ticket.id] = (at - choice.ticket.issued_at).total_seconds() / 60
            if choice.mix_credit is not None:
                state[number] = replace(state[number], mix_credit=choice.mix_credit)
    return waits


def plain_figures(
    visits: list[Visit], waits: dict[str, float | None], group: str
) -> replay.WaitFigures:
    chosen = [
        v.ticket for v in visits
        if group == "all" or v.ticket.priority.value == group
        or (group == "priority" and v.ticket.priority != ORD)
    ]  # fmt: skip
    done = sorted(w for t in chosen if (w := waits[t.id]) is not None)
    if not done:
        return wait(0, len(chosen))
    rank = math.ceil(Fraction(9, 10) * len(done))
    return wait(
        len(done), len(chosen) - len(done), statistics.fmean(done), done[rank - 1], done[-1]
    )


SERVICES = ["A101", "B201", "C301"]


@st.composite
def histories(draw: st.DrawFn) -> tuple[list[Visit], list[Counter], dict[int, CallingPolicy]]:
    counters = []
    for number in (1, 2, 3):
        served = draw(st.lists(st.sampled_from(SERVICES), min_size=1, max_size=3, unique=True))
        weights = {code: draw(st.sampled_from([0.5, 1.0, 2.0, 3.0])) for code in served}
        counters.append(
            replace(counter(number, services=weights), mix_credit=draw(st.integers(-3, 3)))
        )
    policy = {
        c.number: CallingPolicy(
            max_wait_minutes=draw(st.sampled_from([5.0, 20.0, 90.0])),
            mix=draw(st.none() | st.tuples(st.integers(1, 3), st.integers(1, 4))),
        )
        for c in counters
    }
    visits = []
    for i in range(draw(st.integers(0, 40))):
        start = T0 + timedelta(days=draw(st.integers(0, 1)))
        issued = start + timedelta(seconds=draw(st.integers(0, 3600)))
        code = draw(st.sampled_from(SERVICES))
        made = replace(
            ticket(i + 1, code, at=issued, prefix=code[0], ticket_id=f"t{i:02d}"),
            priority=draw(st.sampled_from(list(Priority))),
        )
        called = draw(st.none() | st.integers(0, 7200))
        visits.append(
            Visit(made, issued + timedelta(seconds=called), draw(st.sampled_from([1, 2, 3, 4])))
            if called is not None
            else Visit(made)
        )
    return visits, counters, policy


@settings(max_examples=200, deadline=None)
@given(histories())
def test_the_replay_matches_a_plain_simulation(
    case: tuple[list[Visit], list[Counter], dict[int, CallingPolicy]],
) -> None:
    visits, counters, policy = case
    # The replay starts every counter's mixing state at zero; so does the plain one.
    expected = plain_replay(visits, [replace(c, mix_credit=0) for c in counters], policy)
    found = replay.replay(visits, counters, policy)
    assert found == pytest.approx(expected)
    groups = replay.figures(visits, found)
    for group in replay.GROUPS:
        plain = plain_figures(visits, expected, group)
        got = groups[group]
        assert (got.served, got.not_served) == (plain.served, plain.not_served)
        assert got.average_minutes == pytest.approx(plain.average_minutes)
        assert got.p90_minutes == pytest.approx(plain.p90_minutes)
        assert got.longest_minutes == pytest.approx(plain.longest_minutes)
