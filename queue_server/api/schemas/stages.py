"""The stages of a “一件事” ticket: the console's stage-done, the phone's stage ratings."""

from __future__ import annotations

from pydantic import BaseModel, Field

from queue_server.wire.shapes import Code, Moment, Strict


class StageDoneRequest(Strict):
    """The item of the window's current bundle ticket the clerk has done"""

    service: Code = Field(description="the item's service code, one of the bundle's")


class BundleStage(BaseModel):
    """One item of a bundle ticket, done at a window"""

    position: int = Field(description="1, 2, … in the order the items were done")
    service: str
    name: str = Field(examples=["企业设立登记"])
    name_en: str
    counter: int | None = Field(description="the window it was done at")
    started_at: Moment | None
    finished_at: Moment | None
    timed: bool = Field(
        description="false: done with other items at the finish, in a time not split between them"
    )
    minutes: float | None = Field(description="finished − started, for a timed stage")
    rating: int | None = Field(ge=1, le=5, description="the citizen's rating of this stage")
    rated_at: Moment | None


class StageLeft(BaseModel):
    service: str
    name: str
    name_en: str


class TicketStages(BaseModel):
    """A ticket's bundle, the stages done and the items left (none for a ticket of one item)"""

    ticket: str
    bundle: str | None
    stages: list[BundleStage]
    remaining: list[StageLeft]
