"""A site's local calendar: local day, opening hours, issuing windows.

A site's day is its *local* calendar day: midnight UTC is 08:00 in an
Asia/Shanghai hall, in the middle of the morning rush, so nothing here uses UTC dates.
Which days a site opens, and when, is `day_spans`: its weekly hours after the national
holidays, the make-up working days and its own exceptions (`opening_days.py`).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from queue_server.engine.errors import InvalidInput
from queue_server.engine.model import Site

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
WHOLE_DAY = (time(0, 0), time(23, 59, 59))
# How far `next_opening` looks: Golden Week (7 days) with the weekends around it, and a
# site's own closures after it, still leave an opening inside five weeks.
LOOK_AHEAD_DAYS = 35


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


def day_spans(site: Site, day: date) -> list[tuple[time, time]]:
    """The (open, close) spans the site is open on this local date; [] when closed.

    A date in `site.days` (the site's own exceptions, and for a site with hours that
    follows the national calendar its holidays and make-up working days: see
    `opening_days.resolve`) has its spans there; any other date its weekday's hours; a
    site with no hours is open the whole day.
    """
    special = site.days.get(day.isoformat())
    if special is not None:
        return [(parse_clock(start), parse_clock(end)) for start, end in special]
    if site.hours is None:
        return [WHOLE_DAY]
    return [
        (parse_clock(start), parse_clock(end))
        for start, end in site.hours.get(WEEKDAYS[day.weekday()], [])
    ]


def open_span(site: Site, local: datetime) -> tuple[time, time] | None:
    """The (open, close) span containing this local moment, or None when closed."""
    for opens, closes in day_spans(site, local.date()):
        if opens <= local.time() < closes:
            return (opens, closes)
    return None


def next_opening(site: Site, local: datetime) -> datetime | None:
    """The next local moment the site opens after `local` (within `LOOK_AHEAD_DAYS`); an
    always-open site open now opens now."""
    if site.hours is None and open_span(site, local) is not None:
        return local
    for offset in range(LOOK_AHEAD_DAYS + 1):
        day = (local + timedelta(days=offset)).date()
        for start, _ in day_spans(site, day):
            moment = datetime.combine(day, start, tzinfo=local.tzinfo)
            if moment > local:
                return moment
    return None


def is_open_day(site: Site, day: date) -> bool:
    """Whether the site opens at all on this local date (reports' working days)."""
    return bool(day_spans(site, day))


def minutes_until(local: datetime, clock: time) -> float:
    target = datetime.combine(local.date(), clock, tzinfo=local.tzinfo)
    return (target - local).total_seconds() / 60

