"""The stages of a “一件事” ticket: marked done, carried across a transfer, closed at the finish."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from queue_server.engine import bundle_stages as stages
from queue_server.engine.bundle_stages import Stage
from queue_server.engine.errors import NoCurrentTicket, RatingClosed
from queue_server.engine.model import CounterKind, TicketStatus
from tests.queue_server.engine.builders import T0, Hall, bundle, counter, minutes, service

START_UP = bundle("Y01", services=("A102", "A106", "B201"))


def hall() -> Hall:
    return Hall().add(
        service("A102"),
        service("A106"),
        service("B201", prefix="B"),
        START_UP,
        counter(21, bundles={"Y01": 1}, kind=CounterKind.ONE_THING),
        counter(22, bundles={"Y01": 1}, kind=CounterKind.ONE_THING),
    )


def serving(h: Hall, number: int = 21):  # type: ignore[no-untyped-def]
    h.issue("Y01")
    h.open(number, clerk=f"clerk{number}")
    h.call(number)
    return h.start(number)


def test_a_stage_runs_from_the_start_of_service_or_the_stage_before_it_here() -> None:
    h = hall()
    ticket = serving(h)
    h.now += minutes(12)
    first = stages.stage_done(h.counters[21], h.current(21), START_UP, [], "A106", h.now)
    assert (first.position, first.service, first.counter, first.clerk) == (1, "A106", 21, "clerk21")
    assert first.started_at == ticket.started_at and first.minutes == pytest.approx(12)
    h.now += minutes(5)
    second = stages.stage_done(h.counters[21], h.current(21), START_UP, [first], "A102", h.now)
    assert second.position == 2 and second.started_at == first.finished_at
    assert second.minutes == pytest.approx(5)
    assert stages.remaining(START_UP, [first, second]) == ["B201"]


def test_stage_done_refuses_what_is_not_an_open_item_of_the_current_bundle_ticket() -> None:
    h = hall()
    serving(h)
    done = stages.stage_done(h.counters[21], h.current(21), START_UP, [], "A102", h.now)
    with pytest.raises(stages.StageAlreadyDone):
        stages.stage_done(h.counters[21], h.current(21), START_UP, [done], "A102", h.now)
    with pytest.raises(stages.NotInBundle):
        stages.stage_done(h.counters[21], h.current(21), START_UP, [done], "C301", h.now)
    with pytest.raises(NoCurrentTicket):
        stages.stage_done(h.counters[22], h.current(21), START_UP, [], "A106", h.now)
    plain = replace(h.current(21), bundle=None, service="A102")  # type: ignore[arg-type]
    with pytest.raises(stages.NotABundle):
        stages.stage_done(h.counters[21], plain, None, [], "A106", h.now)


def test_after_a_transfer_the_next_stage_starts_when_the_other_window_starts() -> None:
    h = hall()
    serving(h)
    h.now += minutes(10)
    first = stages.stage_done(h.counters[21], h.current(21), START_UP, [], "A102", h.now)
    h.transfer(21, to_counter=22)
    h.now += minutes(7)  # waiting for window 22
    h.open(22, clerk="clerk22")
    h.call(22)
    moved = h.start(22)
    assert moved.bundle == "Y01"
    h.now += minutes(4)
    second = stages.stage_done(h.counters[22], h.current(22), START_UP, [first], "B201", h.now)
    assert (second.counter, second.clerk, second.started_at) == (22, "clerk22", moved.started_at)
    assert second.minutes == pytest.approx(4)


def test_the_finish_closes_one_item_left_timed_and_several_untimed() -> None:
    h = hall()
    serving(h)
    h.now += minutes(6)
    first = stages.stage_done(h.counters[21], h.current(21), START_UP, [], "A102", h.now)
    h.now += minutes(9)
    several = stages.close_at_finish(h.current(21), START_UP, [first], h.now)  # type: ignore[arg-type]
    assert [(s.position, s.service, s.timed, s.minutes) for s in several] == [
        (2, "A106", False, None),
        (3, "B201", False, None),
    ]
    assert all(s.counter == 21 and s.finished_at == h.now for s in several)
    second = stages.stage_done(h.counters[21], h.current(21), START_UP, [first], "A106", h.now)
    h.now += minutes(3)
    (last,) = stages.close_at_finish(h.current(21), START_UP, [first, second], h.now)  # type: ignore[arg-type]
    assert (last.service, last.timed, last.minutes) == ("B201", True, pytest.approx(3))
    assert stages.close_at_finish(h.current(21), START_UP, [first, second, last], h.now) == []  # type: ignore[arg-type]


def test_a_stage_is_rated_once_by_the_citizen_within_the_ratings_time() -> None:
    h = hall()
    serving(h)
    finished = h.finish(21)
    assert finished.status == TicketStatus.DONE
    stage = Stage(finished.id, 1, "A102", 21, "clerk21", T0, h.now)
    stages.check_stage_rateable(finished, stage, h.now + minutes(5), {})
    rated = stages.rated(stage, 4, h.now)
    with pytest.raises(stages.StageAlreadyRated):
        stages.check_stage_rateable(finished, rated, h.now, {})
    with pytest.raises(stages.UnknownStage):
        stages.check_stage_rateable(finished, None, h.now, {})
    with pytest.raises(RatingClosed):
        stages.check_stage_rateable(finished, stage, h.now + timedelta(hours=25), {})
