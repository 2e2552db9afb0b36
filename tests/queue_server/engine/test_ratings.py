"""Who may rate a finished ticket, and until when: the engine's rule (好差评)."""
from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from queue_server.engine import ratings
from queue_server.engine.errors import NotRateable, RatingClosed, RatingWrongWindow
from queue_server.engine.model import TicketStatus
from tests.queue_server.engine.builders import T0, ticket

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
