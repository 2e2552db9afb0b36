"""The shapes of what crosses the wire between the centre and its kiosks and signs.

The centre declares its routes with these models (`queue_server.api.contract`) and the
agents build and read the same ones, so a field renamed on one side is renamed on both.
Like the rest of `wire`, nothing here imports the centre: the value lists repeat the
engine's enumerations, and a test keeps them equal.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

Channel = Literal["kiosk", "appointment", "staff", "online", "phone"]
Priority = Literal["ordinary", "appointment", "elderly", "disabled", "assisted"]
TicketStatus = Literal["waiting", "called", "serving", "done", "no_show", "cancelled", "unserved"]
Outcome = Literal["completed", "accepted", "referred", "materials_incomplete"]
Code = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=32)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Moment = Annotated[str, Field(description="ISO 8601 in UTC, milliseconds: 2026-11-28T01:02:03.456Z")]


class Strict(BaseModel):
    """What a client sends: exact types (no "5" for 5, no 1 for true)."""

    model_config = ConfigDict(strict=True, extra="ignore")


class PersonCard(Strict):
    """What the kiosk read from an ID card: sent once with the issue; the centre keeps only
    a keyed hash of the number and the masked name, and uses the birth date for the
    elderly class only."""

    id_number: Annotated[str, StringConstraints(strip_whitespace=True, to_upper=True, pattern=r"^[0-9A-Za-z]{6,32}$")]
    name: Annotated[str, StringConstraints(strip_whitespace=True, max_length=100)] = ""
    birth_date: Annotated[str, StringConstraints(pattern=r"^\d{4}-\d{2}-\d{2}$")] | None = None

    def __repr__(self) -> str:  # never the number or the full name, even in a traceback
        return "PersonCard(…)"

    __str__ = __repr__


class IssueRequest(Strict):
    """A ticket wanted: exactly one of `service` or `bundle`."""

    service: Code | None = None
    bundle: Code | None = None
    request_id: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)] | None = Field(
        None, description="the same id again returns the same ticket (200), never a second one"
    )
    channel: Channel | None = Field(None, description="default: kiosk for a kiosk, staff for staff")
    priority: Priority = Field("ordinary", description="staff only (a kiosk: 403 priority_needs_staff)")
    help: bool = Field(False, description="the citizen asks for help: routed to the site's help item")
    appointment_at: Annotated[str, StringConstraints(max_length=40)] | None = Field(
        None, description="ISO 8601 with its offset: an appointment checked in"
    )
    proxy: Code | None = Field(None, description="staff only: the registered proxy (代办人) taking it")
    person: PersonCard | None = None


class Ticket(BaseModel):
    """A ticket as clients see it: no request id, no person hash."""

    id: str = Field(description="ULID, unique across the city")
    site: str
    number: str = Field(examples=["A001"])
    day: str = Field(description="the site's local day, YYYY-MM-DD")
    service: str | None
    bundle: str | None
    channel: Channel
    priority: Priority
    status: TicketStatus
    issued_at: Moment
    called_at: Moment | None
    started_at: Moment | None
    finished_at: Moment | None
    counter: int | None
    target_counter: int | None
    outcome: Outcome | None
    transfer_count: int
    recall_count: int
    queued_at: Moment | None
    last_called_at: Moment | None
    return_count: int
    help_for: str | None = Field(description="a help ticket: the item the citizen wanted")
    person: str | None = Field(
        None,
        description="masked name (张*): only to the site's staff and the kiosk that issued the "
        "ticket; never in events or public reads",
    )
    note: str | None = Field(None, description="the clerk's transfer note: only to the site's staff")


class Quota(BaseModel):
    """What is left of an item's daily cap today."""

    cap: int
    taken: int
    remaining: int
    reserved_for_walk_ins: int
    next_issue_at: Moment | None = Field(description="when none is left: when tickets come again")


class IssuedTicket(BaseModel):
    """A ticket with its place in the queue, its site's rules and its item's quota."""

    ticket: Ticket
    ahead: int = Field(ge=0)
    estimated_wait_minutes: int = Field(ge=0)
    key: str | None = Field(
        None,
        description="only to the kiosk that issued the ticket: printed in the QR "
        "(`/t/{id}#k={key}`), the right to rate the ticket on its phone page",
    )
    rules: dict[str, str] | None = Field(
        None,
        description="the site's rules in one sentence each, in the reader's language: mixing, "
        "no_show, no_show_line (printed on the ticket), appointment",
    )
    quota: Quota | None = Field(None, description="an item with a daily cap: what is left today")


SiteKind = Literal["hall", "business_station", "township_center", "village_station"]
CounterKind = Literal["comprehensive", "domain", "one_thing", "assisted"]
CounterState = Literal["open", "paused", "closed"]


class Site(BaseModel):
    """A place with a queue; sites form a tree through `parent`."""

    id: str
    name: str
    name_en: str
    kind: SiteKind
    parent: str | None
    timezone: str = Field(examples=["Asia/Shanghai"])
    hours: dict[str, list[list[str]]] | None = Field(
        description='opening hours per weekday: {"mon": [["08:30", "12:00"], ["13:30", "17:30"]]}; null: always open'
    )
    settings: dict[str, object]


class Counter(BaseModel):
    """A window (窗口) now."""

    number: int
    name: str
    kind: CounterKind
    state: CounterState
    pause_reason: str | None
    state_since: Moment | None
    current_ticket: str | None = Field(description="null in public reads")
    clerk: str | None = Field(description="the clerk holding it; null in public reads")


class ProfileLine(BaseModel):
    service: str | None = None
    bundle: str | None = None
    weight: float


class CounterDetail(Counter):
    """A window with its service profile and the calling rules where they differ from its site's."""

    profile: list[ProfileLine]
    rules: dict[str, object]


class QueueFigures(BaseModel):
    waiting: int
    oldest_waiting_since: Moment | None
    open_counters: int
    counters: list[int] = Field(description="the windows that serve it")
    estimated_wait_minutes: int
    quota: Quota | None = None


class ServiceEntry(QueueFigures):
    """A service item (事项) the site offers, with its queue now."""

    code: str
    name: str
    name_en: str
    department: str
    domain: str
    prefix: str
    on_the_spot: bool
    commitment_allowed: bool
    conditions: list[str]
    materials: list[str]
    legal_limit_days: int | None
    expected_minutes: float
    issue_window: list[str] | None
    last_ticket_minutes: int
    daily_cap: int | None


class BundleEntry(QueueFigures):
    """A “一件事” bundle the site offers, with its queue now."""

    code: str
    name: str
    name_en: str
    prefix: str
    services: list[str]
    description: str
    expected_minutes: float
    daily_cap: int | None


class SiteDetail(BaseModel):
    """One site now: its windows, what it offers with waiting counts and waits, its rules."""

    site: Site
    counters: list[CounterDetail]
    services: list[ServiceEntry]
    bundles: list[BundleEntry]
    waiting_total: int
    last_seq: int
    rules: dict[str, dict[str, str]] = Field(description="each rule in one sentence, per language")


class Event(BaseModel):
    """One change of one ticket or window, with its site-wide sequence number."""

    seq: int
    id: str
    type: str = Field(examples=["ticket.called"])
    at: Moment
    site: str
    ticket: Ticket | None
    counter: Counter | None
    data: dict[str, object]
