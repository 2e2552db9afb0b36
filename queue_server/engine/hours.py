"""A site's local calendar: local day, opening hours, issuing windows.

A site's day is its *local* calendar day: midnight UTC is 08:00 in an
Asia/Shanghai hall, in the middle of the morning rush, so nothing here uses UTC dates.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from queue_server.engine.errors import InvalidInput

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@lru_cache(maxsize=64)
def zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def local_time(now: datetime, tz: str) -> datetime:
    return now.astimezone(zone(tz))


def local_day(now: datetime, tz: str) -> str:
    return local_time(now, tz).date().isoformat()


def parse_clock(text: str) -> time:
    try:
        hours, minutes = text.split(":")
        return time(int(hours), int(minutes))
    except (ValueError, AttributeError) as exc:
        raise InvalidInput(f"bad time of day {text!r}", field="hours", value=str(text)) from exc


def validate_hours(hours: object) -> dict[str, list[list[str]]] | None:
    """Check an opening-hours mapping; return it normalised or raise InvalidInput."""
    if hours is None:
        return None
    if not isinstance(hours, dict):
        raise InvalidInput("hours must be an object keyed by weekday", field="hours")
    result: dict[str, list[list[str]]] = {}
    for day, spans in hours.items():
        if day not in WEEKDAYS:
            raise InvalidInput(f"unknown weekday {day!r}", field="hours", value=str(day))
        if not isinstance(spans, list):
            raise InvalidInput("each weekday holds a list of [open, close]", field="hours")
        clean = []
        for span in spans:
            if not (isinstance(span, (list, tuple)) and len(span) == 2):
                raise InvalidInput("each span is [open, close]", field="hours")
            start, end = parse_clock(span[0]), parse_clock(span[1])
            if end <= start:
                raise InvalidInput("a span must close after it opens", field="hours")
            clean.append([start.strftime("%H:%M"), end.strftime("%H:%M")])
        result[day] = sorted(clean)
    return result


def open_span(
    hours: dict[str, list[list[str]]] | None, local: datetime
) -> tuple[time, time] | None:
    """The (open, close) span containing this local moment, or None when closed.

    With no hours at all the site is always open: the span is the whole day.
    """
    if hours is None:
        return (time(0, 0), time(23, 59, 59))
    for start, end in hours.get(WEEKDAYS[local.weekday()], []):
        opens, closes = parse_clock(start), parse_clock(end)
        if opens <= local.time() < closes:
            return (opens, closes)
    return None


def next_opening(hours: dict[str, list[list[str]]] | None, local: datetime) -> datetime | None:
    """The next local moment the site opens after `local` (within a week)."""
    if hours is None:
        return local
    for offset in range(8):
        day = (local + timedelta(days=offset)).date()
        for start, _ in hours.get(WEEKDAYS[day.weekday()], []):
            moment = datetime.combine(day, parse_clock(start), tzinfo=local.tzinfo)
            if moment > local:
                return moment
    return None


def minutes_until(local: datetime, clock: time) -> float:
    target = datetime.combine(local.date(), clock, tzinfo=local.tzinfo)
    return (target - local).total_seconds() / 60


def day_spans(site: Any, day: date) -> list[tuple[time, time]]:
    """The (open, close) spans of a site on a local date; an always-open site: the whole day."""
    if site.hours is None:
        return [(time(0, 0), time(23, 59, 59))]
    return [(parse_clock(a), parse_clock(b)) for a, b in site.hours.get(WEEKDAYS[day.weekday()], [])]
