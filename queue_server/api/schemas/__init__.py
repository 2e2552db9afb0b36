"""The models of the routes' bodies, queries and answers that only the centre's own pages
use (what kiosks and signs send and read is in `queue_server.wire.shapes`).

Here the spine's; by area beside it: `sites` (a site's configuration, its settings and
counters, the rules preview), `administration` (catalogue, staff, devices, audit log),
`proxies`, `reports`, `calling` (the hall display's board, a day's ratings), `console`
(the console's finder and proxies), `manage` (the live dashboard); `forms` says how the
admin pages' form fields are read."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints
from pydantic.json_schema import SkipJsonSchema

from queue_server.web_security import MAX_INTEGER
from queue_server.wire.shapes import Code, Counter, Event, Site, Strict, Text, Ticket


class Ok(BaseModel):
    ok: bool


class Error(BaseModel):
    """Every refusal, on any route: a stable code, a message and, for bad input, the field"""

    error: str = Field(description="stable machine-readable code")
    message: str = Field(description="for people; Chinese unless Accept-Language prefers en")
    # Absent, never null, when no field is at fault.
    field: str | SkipJsonSchema[None] = Field(
        default=None, description="the field to fix (shown next to it)"
    )


HealthStatus = Literal["ok", "degraded", "failing"]


class HealthCheck(BaseModel):
    """One check of the centre: `degraded` needs a person, `failing` means it cannot serve"""

    model_config = ConfigDict(extra="allow")  # each check's own figures (free_mb, missing, …)
    status: HealthStatus
    message: str = Field(description="What is wrong, for people; empty when ok")


class Health(BaseModel):
    """What the centre says of itself: alert on `status` (docs/operations.md)"""

    model_config = ConfigDict(extra="allow")
    ok: bool = Field(description="The centre can serve (`status` is not failing)")
    status: HealthStatus = Field(description="The worst of the checks")
    checks: dict[Literal["database", "assets", "disk", "sweeper", "push"], HealthCheck]


class SiteList(BaseModel):
    """All sites (the site tree via `parent`)"""

    sites: list[Site]


class LoginRequest(Strict):
    username: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]
    password: Annotated[str, StringConstraints(max_length=256)]


class LoginAnswer(BaseModel):
    """A session token (12 hours) and what it may do"""

    token: str
    username: str
    role: Literal["admin", "manager", "clerk"]
    sites: list[str] | None = Field(description="null: every site")


class CounterActionRequest(Strict):
    """What an action needs: `reason` (pause, call, take-over), `outcome` (finish),
    `to_service` or `to_counter` and `note` (transfer), `ticket` (call out of turn)."""

    reason: Text | None = None
    outcome: Code | None = None
    to_service: Code | None = None
    to_counter: Annotated[int, Field(ge=0, le=999_999)] | None = None
    note: Text | None = None
    ticket: (
        Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)] | None
    ) = None


class CounterAnswer(BaseModel):
    """The window and its ticket after the action"""

    counter: Counter
    ticket: Ticket | None


class TicketAnswer(BaseModel):
    """The ticket after the change"""

    ticket: Ticket


class PriorityRequest(Strict):
    priority: Literal["assisted", "elderly", "disabled"]
    reason: Text


class EventsQuery(BaseModel):
    """Query strings arrive as text: numbers are read from it."""

    since: Annotated[int, Field(ge=0, le=MAX_INTEGER)] = Field(0, description="the last seq seen")
    limit: Annotated[int, Field(ge=1, le=5000)] = 1000


class EventsAnswer(BaseModel):
    """The events after `since`, in order"""

    events: list[Event]
    last_seq: int


# --- edge centres (issue 14) -----------------------------------------------------------------


class Rows(BaseModel):
    """A table's rows as they travel on a slow line: the column names once."""

    columns: list[str]
    rows: list[list[Any]]


class EdgeSync(BaseModel):
    """An edge centre's exchange: what it made since the city's last acknowledgement."""

    release: int = Field(description="the station's schema version: city and station run the same")
    site: str | None = Field(None, description="null on the first exchange: the city says which")
    digest: str | None = Field(None, description="the configuration the station holds")
    station_time: str | None = None
    station_seq: int = Field(0, ge=0, description="the station's last event")
    acked_seq: int = Field(0, ge=0)
    batch: dict[str, Rows] = Field(
        default_factory=dict, description="events, tickets, counters, sequences, audit, devices"
    )


class EdgeSyncAnswer(BaseModel):
    """What the city holds now, who owns the site, and the configuration when it changed"""

    site: str
    device: str
    owner: str | None = Field(description="the edge centre that owns the site, `returning:<id>`, or null")
    acked_seq: int
    digest: str
    snapshot: dict[str, Rows] | None
    keys: dict[str, str] | None = Field(description="the site's keys, with a new snapshot")
    city_time: str
