"""The calendar's routes: a year's national holidays and make-up working days, a site's own
days (engine/opening_days.py)."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, Field

from queue_server.api.schemas.forms import Form, Line

Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


class NationalDayEntry(BaseModel):
    """One date of the State Council's list"""

    date: date
    kind: Literal["holiday", "workday"] = Field(
        description="holiday: closed; workday: a make-up working day (调休)"
    )
    name: str = Field("", max_length=40, description="the holiday's name")
    hours_of: Weekday = Field(
        "mon", description="a workday: the weekday whose opening hours apply (default Monday)"
    )


class NationalYear(Form):
    """A year's national list, as published; replaces that year's entries"""

    days: list[NationalDayEntry] = Field(max_length=120)


class NationalYearAnswer(BaseModel):
    """A year's national holidays and make-up working days"""

    year: int
    days: list[NationalDayEntry]


class SiteDayChange(Form):
    """A site's own day: closed (no spans), or open with its own spans"""

    closed: bool = Field(description="true: closed all day (spans are ignored)")
    spans: list[list[str]] = Field(
        default_factory=list, max_length=4, description='[["09:00", "12:00"], …] when open'
    )
    note: Line = Field("", max_length=100, description="why, e.g. 赶集日 (market day)")


class SiteDayEntry(BaseModel):
    date: date
    closed: bool
    spans: list[list[str]]
    note: str


class SiteDays(BaseModel):
    """A site's own days, and whether it follows the national calendar"""

    site: str
    follows_national: bool = Field(description="false: the site's setting open_on_holidays")
    days: list[SiteDayEntry]
