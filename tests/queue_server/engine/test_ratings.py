"""Who may rate a finished ticket, and until when: the engine's rule (好差评)."""
from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest

from queue_server.engine import ratings
from queue_server.engine.errors import (
    FieldInvalid,
    NotRateable,
    RatingClosed,
    RatingWrongWindow,
    ReasonRequired,
)
from queue_server.engine.model import TicketStatus
from tests.queue_server.engine.builders import SITE, SITE_WITH_HOURS, T0, ticket

NOW = T0 + timedelta(hours=3)


def done(counter: int = 3, minutes_ago: float = 1):  # type: ignore[no-untyped-def]
    return replace(
        ticket(1),
        status=TicketStatus.DONE,
        counter=counter,
        finished_at=NOW - timedelta(minutes=minutes_ago),
    )


def test_only_a_ticket_served_to_the_end_is_rated() -> None:
    for status in (TicketStatus.WAITING, TicketStatus.CALLED, TicketStatus.SERVING, TicketStatus.NO_SHOW):
        with pytest.raises(NotRateable):
            ratings.check_rateable(replace(done(), status=status), ratings.PHONE, NOW, {})


def test_the_evaluator_rates_at_the_window_that_served_within_ten_minutes() -> None:
    ratings.check_rateable(done(3, 9.9), ratings.EVALUATOR, NOW, {}, at_counter=3)
    for counter in (2, None):
        with pytest.raises(RatingWrongWindow):
            ratings.check_rateable(done(3), ratings.EVALUATOR, NOW, {}, at_counter=counter)
    with pytest.raises(RatingClosed):
        ratings.check_rateable(done(3, 10.1), ratings.EVALUATOR, NOW, {}, at_counter=3)


def test_the_phone_page_rates_within_the_sites_hours() -> None:
    ratings.check_rateable(done(minutes_ago=23.9 * 60), ratings.PHONE, NOW, {})
    with pytest.raises(RatingClosed) as refused:
        ratings.check_rateable(done(minutes_ago=24.1 * 60), ratings.PHONE, NOW, {})
    assert refused.value.params["hours"] == 24
    ratings.check_rateable(done(minutes_ago=47 * 60), ratings.PHONE, NOW, {"rating_window_hours": 48})
    for nonsense in (0, -1, True, "48", 1.5):  # a bad stored setting falls back to the default
        with pytest.raises(RatingClosed):
            ratings.check_rateable(done(minutes_ago=25 * 60), ratings.PHONE, NOW, {"rating_window_hours": nonsense})


# --- 好评 and 差评: the national rule -------------------------------------------------------


def test_satisfaction_rate_counts_fairly_satisfied_and_better() -> None:
    assert ratings.satisfaction_rate({5: 2, 4: 1, 3: 1, 2: 1, 1: 3}) == 0.5
    assert ratings.satisfaction_rate({3: 1}) == 1.0
    assert ratings.satisfaction_rate({}) is None
    assert [level for level in ratings.LEVELS if ratings.is_bad(level)] == [2, 1]


def test_a_bad_rating_from_the_phone_names_its_reason_the_evaluators_is_not_stated() -> None:
    assert ratings.check_reason(4, ratings.PHONE, None, None) is None
    assert ratings.check_reason(2, ratings.PHONE, "slow", "waited long") == "slow"
    assert ratings.check_reason(1, ratings.EVALUATOR, None, None) == ratings.NOT_STATED
    with pytest.raises(ReasonRequired):
        ratings.check_reason(1, ratings.PHONE, None, None)
    for level, reason, note in ((2, "rude", None), (5, "slow", None), (1, "other", "x" * 201)):
        with pytest.raises(FieldInvalid):
            ratings.check_reason(level, ratings.PHONE, reason, note)


def test_a_follow_up_is_due_in_15_working_days_of_the_sites_calendar() -> None:
    monday = date(2026, 3, 2)
    assert ratings.follow_up_due(SITE_WITH_HOURS, monday) == date(2026, 3, 23)  # 3 weeks, weekdays
    assert ratings.follow_up_due(SITE, monday) == date(2026, 3, 17)  # always open: calendar days
    closed = replace(SITE_WITH_HOURS, days={"2026-03-23": []})
    assert ratings.follow_up_due(closed, monday) == date(2026, 3, 24)
