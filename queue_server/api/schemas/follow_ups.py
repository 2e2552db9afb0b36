"""差评 follow-ups (整改/回访) and the ratings export for the national 好差评 system."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, Field, StringConstraints

from queue_server.api.schemas.forms import blank_is_absent
from queue_server.wire.shapes import Moment, Strict


class FollowUpsQuery(BaseModel):
    status: Annotated[Literal["open", "closed"] | None, BeforeValidator(blank_is_absent)] = Field(
        None, description="open or closed (default: both)"
    )


class FollowUp(BaseModel):
    """One 差评's follow-up"""

    id: str
    site: str
    ticket: str
    ticket_number: str
    item: str | None = Field(description="the service's or bundle's code")
    counter: int | None
    clerk: str | None
    level: int = Field(ge=1, le=2)
    level_name: str = Field(examples=["不满意"])
    level_name_en: str
    reason: str = Field(description="a code of the national list, or not_stated (the evaluator's)")
    reason_name: str = Field(examples=["办事效率低"])
    reason_name_en: str
    opened_at: Moment
    due_on: str = Field(description="the site's local day it is due: 15 working days of its calendar")
    status: Literal["open", "closed"]
    overdue: bool = Field(description="still open after its due day")
    closed_by: str | None
    closed_at: Moment | None
    note: str | None


class FollowUpList(BaseModel):
    """A site's 差评 follow-ups, oldest first"""

    site: str
    today: str = Field(description="the site's local day")
    open: int
    overdue: int
    follow_ups: list[FollowUp]


class CloseFollowUp(Strict):
    note: Annotated[str, StringConstraints(min_length=1, max_length=200)] = Field(
        description="what was done: rectification, the call back to the citizen"
    )


class RatingsExportQuery(BaseModel):
    start: date = Field(alias="from", description="the first local day")
    end: date = Field(alias="to", description="the last local day")
    format: Literal["csv", "xlsx"] = "csv"
