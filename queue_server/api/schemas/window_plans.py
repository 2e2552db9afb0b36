"""Window plans (窗口方案推演, `api/window_plans_api.py`): a draft of a site's windows,
the replay of real weeks through it beside another plan, and its application.

A plan's window is a counter as the counter form saves it (`CounterChange`: name, kind,
profile with weights, rules) with its number and its open hours by weekday (null: the
site's hours). What needs the database (an item is offered, the actor's scope) is checked
by `administration/plan_drafts.py`.
"""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field, field_validator
from pydantic_core import PydanticCustomError

from queue_server.api.schemas.forms import Form, Line
from queue_server.api.schemas.sites import CounterChange, OpeningHours

MAX_WINDOWS = 200
MAX_REPLAY_DAYS = 56


class PlanWindowForm(CounterChange):
    number: int = Field(ge=1, le=999)
    hours: OpeningHours | None = Field(
        None, description="open hours by weekday; a weekday left out: closed; null: the site's"
    )


class PlanForm(Form):
    """A window plan as the plan form saves it"""

    name: Line = Field(min_length=1, max_length=100)
    windows: list[PlanWindowForm] = Field(min_length=1, max_length=MAX_WINDOWS)

    @field_validator("windows")
    @classmethod
    def _each_number_once(cls, windows: list[PlanWindowForm]) -> list[PlanWindowForm]:
        numbers = [w.number for w in windows]
        if len(set(numbers)) != len(numbers):
            raise PydanticCustomError("field_window_duplicate", "each window number once")
        return windows


class PlanWindowAnswer(BaseModel):
    number: int
    name: str
    kind: str
    profile: list[dict[str, object]]
    rules: dict[str, object]
    hours: dict[str, list[list[str]]] | None


class WindowPlan(BaseModel):
    """A saved plan; `applied_at` null with `applied_from` set: its application is due"""

    id: str
    site: str
    name: str
    windows: list[PlanWindowAnswer]
    created_by: str | None
    created_at: str
    changed_at: str | None
    applied_from: str | None
    applied_at: str | None
    applied_by: str | None


class WindowPlanList(BaseModel):
    site: str
    plans: list[WindowPlan]
    current: list[PlanWindowAnswer] = Field(description="today's plan: the site's counters now")


class ReplayRequest(Form):
    weeks: int | None = Field(None, ge=1, le=8, description="the last complete weeks (default 4)")
    start: date | None = Field(None, alias="from", description="first local day (with `to`)")
    end: date | None = Field(None, alias="to", description="last local day, before today")
    against: str | None = Field(
        None, max_length=40, description="another plan's id; left out: today's plan"
    )
    seed: int = Field(0, ge=0, le=2**31, description="the service times' draw")


class ItemFigures(BaseModel):
    tickets: int
    served: int
    not_served: int
    within_target: int
    within_target_share: float | None
    average_minutes: float | None
    p90_minutes: float | None = Field(description="nearest rank")
    longest_minutes: float | None


class PlanOutcome(BaseModel):
    plan: str = Field(description="the plan's id, or `current`")
    name: str
    windows: int
    items: dict[str, ItemFigures] = Field(description="per queue key (S:code, B:code) and `all`")
    utilisation: dict[str, dict[str, float]] = Field(
        description="{window number: {local hour: busy minutes / open minutes}}"
    )
    not_served: int
    longest_minutes: float | None
    within_target_share: float | None


class PlanReplay(BaseModel):
    """Both plans on the same arrivals and the same drawn service times"""

    site: str
    first_day: str
    last_day: str
    days_with_history: int
    tickets: int
    target_wait_minutes: float
    items: dict[str, str] = Field(description="queue key → the item's name")
    assumptions: list[str]
    seconds: float = Field(description="how long the replay took")
    baseline: PlanOutcome
    plan: PlanOutcome


class ApplyRequest(Form):
    start: date = Field(alias="from", description="the local date it applies from")


class AppliedPlan(BaseModel):
    plan: WindowPlan
    applied: bool = Field(description="false: due on `from`, applied by the sweeper then")
    counters: list[int] = Field(description="the windows saved (now or when due)")
    not_in_plan: list[int] = Field(description="the site's windows the plan leaves as they are")
