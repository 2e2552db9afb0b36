"""Numbers per prefix and day, the site's local calendar, opening hours, record ids."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, time

import pytest

from queue_server.engine import hours
from queue_server.engine.errors import InvalidInput
from queue_server.engine.ids import is_id, new_id
from queue_server.engine.numbering import format_number, next_number, valid_prefix

from .builders import SITE, SITE_WITH_HOURS, Hall, service

SHANGHAI = "Asia/Shanghai"


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text + "+00:00")


# --- numbering -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("prefix", "last", "expected"),
    [
        ("A", 0, (1, "A001")),
        ("A", 6, (7, "A007")),
        ("A", 98, (99, "A099")),
        ("A", 998, (999, "A999")),
        ("A", 999, (1000, "A1000")),
        ("TX", 41, (42, "TX042")),
    ],
)
def test_next_number(prefix: str, last: int, expected: tuple[int, str]) -> None:
    assert next_number(prefix, last) == expected


def test_format_never_truncates() -> None:
    assert format_number("B", 12345) == "B12345"


@pytest.mark.parametrize("prefix", ["A", "Z", "AB"])
def test_valid_prefix(prefix: str) -> None:
    assert valid_prefix(prefix)


@pytest.mark.parametrize("prefix", ["", "a", "ABC", "A1", "1", "Ä", " A", "A\n", None, 1])
def test_invalid_prefix(prefix: object) -> None:
    assert not valid_prefix(prefix)


def test_numbers_run_per_prefix_and_restart_each_local_day() -> None:
    hall = Hall().add(service("A101", "A"), service("A102", "A"), service("T201", "T"))
    hall.now = utc("2026-03-02T15:58:00")  # 23:58 on Monday in Shanghai
    monday = [hall.issue(code) for code in ("A101", "T201", "A102")]
    assert [(t.day, t.number) for t in monday] == [
        ("2026-03-02", "A001"),
        ("2026-03-02", "T001"),
        ("2026-03-02", "A002"),
    ]
    hall.now = utc("2026-03-02T16:00:00")  # midnight: a new local day
    tuesday = [hall.issue(code) for code in ("A102", "A101")]
    assert [(t.day, t.number) for t in tuesday] == [("2026-03-03", "A001"), ("2026-03-03", "A002")]
    numbers = [(t.day, t.number) for t in hall.tickets.values()]
    assert len(numbers) == len(set(numbers))


def test_a_thousand_tickets_in_a_day() -> None:
    hall = Hall().add(service("A101", "A"))
    numbers = [hall.issue("A101").number for _ in range(1000)]
    assert numbers[:2] == ["A001", "A002"] and numbers[998:] == ["A999", "A1000"]
    assert len(set(numbers)) == 1000


# --- the local calendar --------------------------------------------------------------


@pytest.mark.parametrize(
    ("moment", "day"),
    [
        ("2026-03-01T15:59:59", "2026-03-01"),
        ("2026-03-01T16:00:00", "2026-03-02"),  # midnight in Shanghai
        ("2026-03-02T00:00:00", "2026-03-02"),  # midnight UTC is 08:00 in the hall
        ("2026-03-02T15:59:59", "2026-03-02"),
        ("2026-12-31T16:00:00", "2027-01-01"),
    ],
)
def test_local_day_in_shanghai(moment: str, day: str) -> None:
    assert hours.local_day(utc(moment), SHANGHAI) == day


def test_local_day_follows_the_sites_zone() -> None:
    moment = utc("2026-03-01T20:00:00")
    assert hours.local_day(moment, "UTC") == "2026-03-01"
    assert hours.local_day(moment, SHANGHAI) == "2026-03-02"
    assert hours.local_time(moment, SHANGHAI).hour == 4


@pytest.mark.parametrize(("text", "clock"), [("08:30", time(8, 30)), ("0:05", time(0, 5))])
def test_parse_clock(text: str, clock: time) -> None:
    assert hours.parse_clock(text) == clock


@pytest.mark.parametrize("text", ["8.30", "25:00", "08:61", "", "a:b", "08:30:00"])
def test_parse_clock_refuses_bad_times(text: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        hours.parse_clock(text)
    assert caught.value.params["field"] == "hours"


def test_validate_hours_normalises() -> None:
    raw = {"mon": [["13:30", "17:30"], ["8:30", "12:00"]], "sat": []}
    assert hours.validate_hours(raw) == {
        "mon": [["08:30", "12:00"], ["13:30", "17:30"]],
        "sat": [],
    }
    assert hours.validate_hours(None) is None


@pytest.mark.parametrize(
    "bad",
    [
        [],
        {"monday": []},
        {"mon": "08:30-12:00"},
        {"mon": [["08:30"]]},
        {"mon": [["12:00", "08:30"]]},
        {"mon": [["08:30", "08:30"]]},
        {"mon": [["08:30", "noon"]]},
    ],
)
def test_validate_hours_refuses(bad: object) -> None:
    with pytest.raises(InvalidInput):
        hours.validate_hours(bad)


def local(text: str) -> datetime:
    return hours.local_time(utc(text), SHANGHAI)


@pytest.mark.parametrize(
    ("moment", "span"),
    [
        ("2026-03-02T00:30:00", (time(8, 30), time(12, 0))),  # Monday 08:30
        ("2026-03-02T03:59:59", (time(8, 30), time(12, 0))),
        ("2026-03-02T04:00:00", None),  # 12:00: lunch
        ("2026-03-02T05:30:00", (time(13, 30), time(17, 30))),
        ("2026-03-02T09:30:00", None),  # 17:30: closed
        ("2026-03-07T02:00:00", None),  # Saturday
    ],
)
def test_open_span(moment: str, span: tuple[time, time] | None) -> None:
    assert hours.open_span(SITE_WITH_HOURS, local(moment)) == span


def test_no_hours_means_always_open() -> None:
    assert hours.open_span(SITE, local("2026-03-07T19:00:00")) == (time(0, 0), time(23, 59, 59))
    now = local("2026-03-07T19:00:00")
    assert hours.next_opening(SITE, now) == now


@pytest.mark.parametrize(
    ("moment", "opens"),
    [
        ("2026-03-01T23:00:00", "2026-03-02 08:30"),  # Monday 07:00
        ("2026-03-02T00:30:00", "2026-03-02 13:30"),  # open now: the next opening
        ("2026-03-02T04:10:00", "2026-03-02 13:30"),
        ("2026-03-06T10:00:00", "2026-03-09 08:30"),  # Friday evening → Monday
    ],
)
def test_next_opening(moment: str, opens: str) -> None:
    found = hours.next_opening(SITE_WITH_HOURS, local(moment))
    assert found is not None and found.strftime("%Y-%m-%d %H:%M") == opens


def test_next_opening_of_a_site_that_never_opens() -> None:
    assert hours.next_opening(replace(SITE, hours={}), local("2026-03-02T00:30:00")) is None


def test_minutes_until() -> None:
    assert hours.minutes_until(local("2026-03-02T03:30:00"), time(12, 0)) == 30
    assert hours.minutes_until(local("2026-03-02T04:15:00"), time(12, 0)) == -15


# --- ids -----------------------------------------------------------------------------


def test_ids_are_ulids_ordered_by_time() -> None:
    earlier, later = new_id(1_700_000_000_000), new_id(1_700_000_000_001)
    assert is_id(earlier) and is_id(later)
    assert earlier < later
    assert len({new_id(5) for _ in range(100)}) == 100  # random part: unique within a ms


@pytest.mark.parametrize("text", ["", "0" * 25, "8" + "0" * 25, "0" * 25 + "U", 12, None])
def test_is_id_refuses(text: object) -> None:
    assert not is_id(text)
