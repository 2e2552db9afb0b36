"""The calendar a site opens by: national holidays, make-up working days, a site's own days."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, time

import pytest

from queue_server.engine import hours, opening_days
from queue_server.engine.errors import InvalidInput
from queue_server.engine.opening_days import DayKind, NationalDay, SiteDay

from .builders import HALL_HOURS, SITE, SITE_WITH_HOURS

NATIONAL = [
    *(NationalDay(date(2026, 10, d), DayKind.HOLIDAY, "National Day") for d in range(1, 8)),
    NationalDay(date(2026, 10, 10), DayKind.WORKDAY, "National Day"),  # a Saturday
    NationalDay(date(2026, 9, 20), DayKind.WORKDAY, "National Day", hours_of="fri"),  # a Sunday
]
WEEKDAY_SPANS = [(time(8, 30), time(12, 0)), (time(13, 30), time(17, 30))]
SAT_HOURS = {**HALL_HOURS, "sat": [["09:00", "12:00"]], "fri": [["08:30", "12:00"]]}


def with_calendar(site, own=(), national=NATIONAL):  # type: ignore[no-untyped-def]
    days = opening_days.resolve(
        site.hours, national, own, opening_days.follows_national(site.settings)
    )
    return replace(site, days=days)


def test_a_holiday_closes_a_site_with_hours() -> None:
    hall = with_calendar(SITE_WITH_HOURS)
    assert hours.day_spans(hall, date(2026, 10, 1)) == []  # a Thursday
    assert hours.day_spans(hall, date(2026, 9, 30)) == WEEKDAY_SPANS  # the day before


def test_a_holiday_on_a_weekend_closes_a_site_open_on_saturdays() -> None:
    hall = with_calendar(replace(SITE_WITH_HOURS, hours=SAT_HOURS))
    assert hours.day_spans(hall, date(2026, 10, 3)) == []  # Golden Week's Saturday
    assert hours.day_spans(hall, date(2026, 10, 17)) == [(time(9), time(12))]  # an ordinary one


def test_a_make_up_saturday_opens_with_the_named_weekdays_hours() -> None:
    hall = with_calendar(replace(SITE_WITH_HOURS, hours=SAT_HOURS))
    assert hours.day_spans(hall, date(2026, 10, 10)) == WEEKDAY_SPANS  # Monday's, by default
    assert hours.day_spans(hall, date(2026, 9, 20)) == [(time(8, 30), time(12))]  # Friday's
    assert hours.day_spans(with_calendar(SITE_WITH_HOURS), date(2026, 10, 17)) == []


def test_a_sites_own_day_beats_the_national_calendar() -> None:
    own = [
        SiteDay(date(2026, 10, 2), [["09:00", "11:00"]], "special opening"),
        SiteDay(date(2026, 10, 10), [], "market day"),
    ]
    hall = with_calendar(SITE_WITH_HOURS, own)
    assert hours.day_spans(hall, date(2026, 10, 2)) == [(time(9), time(11))]
    assert hours.day_spans(hall, date(2026, 10, 10)) == []


def test_an_always_open_site_ignores_the_national_calendar_but_not_its_own_days() -> None:
    site = with_calendar(SITE, [SiteDay(date(2026, 10, 5), [], "")])
    assert hours.day_spans(site, date(2026, 10, 1)) == [hours.WHOLE_DAY]
    assert hours.day_spans(site, date(2026, 10, 5)) == []


def test_a_site_may_opt_out_of_the_national_calendar() -> None:
    village = with_calendar(replace(SITE_WITH_HOURS, settings={"open_on_holidays": True}))
    assert hours.day_spans(village, date(2026, 10, 1)) == WEEKDAY_SPANS
    assert hours.day_spans(village, date(2026, 10, 10)) == []  # its Saturday stays closed


def test_next_opening_after_golden_week() -> None:
    hall = with_calendar(SITE_WITH_HOURS)
    moment = datetime(2026, 9, 30, 18, 0, tzinfo=hours.zone("Asia/Shanghai"))
    found = hours.next_opening(hall, moment)
    assert found is not None and found.strftime("%Y-%m-%d %H:%M") == "2026-10-08 08:30"
    # An always-open site closed today by its own day opens at the next midnight.
    closed_today = with_calendar(SITE, [SiteDay(date(2026, 9, 30), [], "")])
    found = hours.next_opening(closed_today, moment)
    assert found is not None and found.strftime("%Y-%m-%d %H:%M") == "2026-10-01 00:00"


def test_a_years_list_is_checked() -> None:
    assert [d.day.day for d in opening_days.year_list(2026, reversed(NATIONAL[:3]))] == [1, 2, 3]
    with pytest.raises(InvalidInput):
        opening_days.year_list(2027, NATIONAL[:1])
    with pytest.raises(InvalidInput):
        opening_days.year_list(2026, [NATIONAL[0], NATIONAL[0]])
    with pytest.raises(InvalidInput):
        opening_days.year_list(2026, [replace(NATIONAL[7], hours_of="someday")])
    with pytest.raises(InvalidInput):
        opening_days.validate_spans([["12:00", "09:00"]])
