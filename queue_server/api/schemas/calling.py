"""The hall display's board and a day's ratings (`api/counters_api.py`); what a window's
console and sign read, and the rating a sign posts, are the agents' too: `wire.shapes`."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, Field

from queue_server.api.schemas.forms import blank_is_absent
from queue_server.wire.shapes import CounterState, Moment, Quota, TicketStatus


class BoardSite(BaseModel):
    """The site as its displays show and announce it"""

    id: str
    name: str
    name_en: str
    timezone: str
    notice: str
    notice_en: str
    announce_template: str = Field(
        description="with {number} {window} {window_name}; empty: the default"
    )
    announce_template_en: str
    announce_english: bool
    announce_times: int = Field(ge=1)


class TicketOnShow(BaseModel):
    id: str
    number: str
    status: TicketStatus
    called_at: Moment | None


class BoardWindow(BaseModel):
    number: int
    name: str
    state: CounterState
    pause_reason: str | None
    ticket: TicketOnShow | None = Field(description="the ticket the window holds")


class RecentCall(BaseModel):
    """A call or recall of today"""

    seq: int
    type: Literal["ticket.called", "ticket.recalled"]
    at: Moment
    number: str | None
    ticket: str | None
    counter: int | None
    counter_name: str | None


class WaitingItem(BaseModel):
    service: str | None
    bundle: str | None
    name: str
    name_en: str
    prefix: str
    waiting: int


class ItemQuota(Quota):
    """A capped item the site offers, with what is left today"""

    service: str | None
    bundle: str | None
    name: str
    name_en: str
    prefix: str


class Board(BaseModel):
    """What a hall display shows: calls now, last calls, waiting counts, notice"""

    site: BoardSite
    counters: list[BoardWindow]
    recent_calls: list[RecentCall] = Field(
        description="today's last calls and recalls, newest first"
    )
    waiting: list[WaitingItem] = Field(
        description="the items with tickets waiting, the longest line first"
    )
    waiting_total: int
    rules: dict[str, dict[str, str]] = Field(
        description="each rule in one sentence, per language (zh, en): mixing, no_show, appointment"
    )
    quotas: list[ItemQuota]
    last_seq: int
    server_time: Moment


class RatingsQuery(BaseModel):
    day: Annotated[date | None, BeforeValidator(blank_is_absent)] = Field(
        None, description="the site's local day; default today"
    )


class WindowRatings(BaseModel):
    counter: int | None
    count: int
    average: float


class SiteRatings(BaseModel):
    """A day's ratings: per level, per window, average, 满意率"""

    site: str
    day: str
    count: int
    average: float | None
    satisfied_share: float | None = Field(
        description="满意率: the share rated 基本满意 (3) or better"
    )
    levels: dict[str, int] = Field(description='level ("5" … "1") → how many')
    counters: list[WindowRatings]
