"""The calendar a site opens by: its weekly hours, the State Council's statutory holidays
and make-up working days, and the site's own exceptions (a market-day closure, a
special opening).

The rule, once, for every reader of hours (`hours.day_spans`):

1. a site's own exception for the date wins: closed, or its own spans;
2. else, for a site with weekly hours that follows the national calendar (the site
   setting `open_on_holidays` is not set): a national holiday closes it, and a
   make-up working day opens it with the hours of the weekday the national entry names
   (`hours_of`, default Monday);
3. else its weekly hours; a site with no hours (always open) ignores the national calendar.

The rule is applied when the calendar changes, not when a ticket is issued: `resolve`
turns the national list and the site's exceptions into `Site.days` (local ISO date →
spans, [] closed), stored with the site, so loading a site on the issue path costs no query
more and an edge centre gets the days with the site's row.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any

from queue_server.engine.errors import InvalidInput
from queue_server.engine.hours import WEEKDAYS, parse_clock

DEFAULT_HOURS_OF = "mon"

Spans = list[list[str]]


class DayKind(StrEnum):
    HOLIDAY = "holiday"  # a statutory holiday: closed
    WORKDAY = "workday"  # a make-up working day: a weekend day worked as a weekday


@dataclass(frozen=True)
class NationalDay:
    day: date
    kind: DayKind
    name: str
    hours_of: str = DEFAULT_HOURS_OF  # a workday: the weekday whose hours apply


@dataclass(frozen=True)
class SiteDay:
    """A site's own exception: closed (no spans) or open with these spans."""

    day: date
    spans: Spans
    note: str = ""


def follows_national(settings: Mapping[str, Any]) -> bool:
    """A site follows the national list unless its setting `open_on_holidays` is true."""
    return not settings.get("open_on_holidays")


def resolve(
    hours: Mapping[str, Spans] | None,
    national: Iterable[NationalDay],
    own: Iterable[SiteDay],
    follows: bool = True,
) -> dict[str, Spans]:
    """The dates on which the site does not open by its weekly hours, with their spans."""
    days: dict[str, Spans] = {}
    if hours is not None and follows:
        for entry in national:
            if entry.kind is DayKind.HOLIDAY:
                days[entry.day.isoformat()] = []
            else:
                days[entry.day.isoformat()] = [list(s) for s in hours.get(entry.hours_of, [])]
    for exception in own:
        days[exception.day.isoformat()] = [list(s) for s in exception.spans]
    return dict(sorted(days.items()))


def validate_spans(spans: object, field: str = "spans") -> Spans:
    """A list of [open, close] of one day, normalised and sorted; raise InvalidInput."""
    if not isinstance(spans, list):
        raise InvalidInput("spans is a list of [open, close]", field=field)
    clean = []
    for span in spans:
        if not (isinstance(span, (list, tuple)) and len(span) == 2):
            raise InvalidInput("each span is [open, close]", field=field)
        start, end = parse_clock(span[0]), parse_clock(span[1])
        if end <= start:
            raise InvalidInput("a span must close after it opens", field=field)
        clean.append([start.strftime("%H:%M"), end.strftime("%H:%M")])
    return sorted(clean)


def year_list(year: int, entries: Iterable[NationalDay]) -> list[NationalDay]:
    """A year's national list as imported: each date once, all in that year, sorted;
    raise InvalidInput otherwise."""
    seen: dict[date, NationalDay] = {}
    for entry in entries:
        if entry.day.year != year:
            raise InvalidInput(
                f"{entry.day.isoformat()} is not in {year}",
                field="days",
                value=entry.day.isoformat(),
            )
        if entry.day in seen:
            raise InvalidInput(
                f"{entry.day.isoformat()} is listed twice",
                field="days",
                value=entry.day.isoformat(),
            )
        if entry.hours_of not in WEEKDAYS:
            raise InvalidInput(
                f"unknown weekday {entry.hours_of!r}", field="hours_of", value=entry.hours_of
            )
        seen[entry.day] = entry
    return [seen[day] for day in sorted(seen)]
