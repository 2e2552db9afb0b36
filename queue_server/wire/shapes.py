"""The shapes of what crosses the wire between the centre and its kiosks and signs.

The centre declares its routes with these models (`queue_server.api.contract`) and the
agents build and read the same ones, so a field renamed on one side is renamed on both.
Like the rest of `wire`, nothing here imports the centre: the value lists repeat the
engine's enumerations, and a test keeps them equal.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)
from pydantic_core import PydanticCustomError

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
        default=None, description="the same id again returns the same ticket (200), never a second one"
    )
    channel: Channel | None = Field(default=None, description="default: kiosk for a kiosk, staff for staff")
    priority: Priority = Field(default="ordinary", description="staff only (a kiosk: 403 priority_needs_staff)")
    help: bool = Field(default=False, description="the citizen asks for help: routed to the site's help item")
    appointment_at: Annotated[str, StringConstraints(max_length=40)] | None = Field(
        default=None, description="ISO 8601 with its offset: an appointment checked in"
    )
    proxy: Code | None = Field(default=None, description="staff only: the registered proxy (代办人) taking it")
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
    arrival: Literal["expected", "arrived"] | None = Field(
        default=None,
        description="a remote ticket (线上取号): expected until its citizen checks in, then arrived; "
        "absent for a ticket taken in the hall",
    )
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


class WaitBand(BaseModel):
    """The wait as a band of whole minutes (约 15–25 分钟); 0 ahead: low 0 (即将叫号)."""

    low: int = Field(ge=0)
    high: int = Field(ge=0)


class IssuedTicket(BaseModel):
    """A ticket with its place in the queue, its site's rules and its item's quota."""

    ticket: Ticket
    ahead: int = Field(ge=0)
    estimated_wait_minutes: int = Field(ge=0, description="one number inside `wait_band`")
    wait_band: WaitBand = Field(
        description="the wait now; at issue, the band the ticket is promised and measured by"
    )
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
    wait_band: WaitBand | None = Field(None, description="what a ticket taken now is promised")
    quota: Quota | None = None


# An item as the city's catalogue holds it (the admin pages edit it, the catalogue export
# lists it); what a site offers is the same item with its queue now.
class CatalogService(BaseModel):
    """A service item (事项) of the city's catalogue."""

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


class CatalogBundle(BaseModel):
    """A “一件事” bundle of services handled as one ticket."""

    code: str
    name: str
    name_en: str
    prefix: str
    services: list[str]
    description: str
    expected_minutes: float
    daily_cap: int | None


class ServiceEntry(CatalogService, QueueFigures):
    """A service item (事项) the site offers, with its queue now."""


class BundleEntry(CatalogBundle, QueueFigures):
    """A “一件事” bundle the site offers, with its queue now."""


class Opening(BaseModel):
    """The site's calendar today (its weekly hours after national holidays, make-up working
    days and its own days)."""

    open_today: bool
    today: list[list[str]] = Field(description='today\'s spans, [["08:30", "12:00"], …]; [] closed')
    open_now: bool
    next_opening: str | None = Field(
        description="the next local moment it opens (ISO 8601); null: not within five weeks"
    )


class SiteDetail(BaseModel):
    """One site now: its windows, what it offers with waiting counts and waits, its rules."""

    site: Site
    counters: list[CounterDetail]
    services: list[ServiceEntry]
    bundles: list[BundleEntry]
    waiting_total: int
    last_seq: int
    rules: dict[str, dict[str, str]] = Field(description="each rule in one sentence, per language")
    public_url: str | None = Field(
        default=None,
        description="the centre's address as citizens' phones reach it (PUBLIC_URL): kiosks "
        "print it in a ticket's QR; null: the address a kiosk knows the centre by",
    )
    opening: Opening | None = None


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


# --- a window now: what its console and its sign read ------------------------------------


class SiteName(BaseModel):
    id: str
    name: str
    name_en: str


class CallingTicket(Ticket):
    """A ticket as the calling screens list it: its item's names and its wait so far."""

    item_name: str
    item_name_en: str
    help_for_name: str | None = Field(default=None, description="a help ticket: the name of the item wanted")
    help_for_name_en: str | None = None
    waited_minutes: float = Field(ge=0)


class CurrentTicket(CallingTicket):
    """The ticket a window holds, with the rule that called it this visit."""

    call_reason: str | None = Field(
        description="transfer, max_wait, priority, longest_wait or out_of_order"
    )
    out_of_order_reason: str | None = Field(description="the clerk's, for a call out of turn")


class NextTicket(CallingTicket):
    """A ticket the window would call next."""

    reason: str = Field(description="the rule that picks it: transfer, max_wait, priority, longest_wait")


class MissedCallRule(BaseModel):
    """The site's 过号 rule, which the console holds recall and no-show to."""

    calls: int = Field(description="calls (the first and its recalls) before a no-show")
    interval_seconds: int = Field(description="the least time between two calls, and after the last")
    return_places: int | None = Field(description="places behind the head a returning ticket goes; null: the end")
    allows_return: bool


class QueueLine(BaseModel):
    """One queue of the window's profile (or the tickets transferred to it: no service, no bundle)."""

    service: str | None
    bundle: str | None
    name: str
    name_en: str
    prefix: str
    weight: float | None
    waiting: int
    oldest_issued_at: Moment | None
    oldest_wait_minutes: float | None


class ClerkDay(BaseModel):
    """The clerk's figures for today at this site (a device reads those of the window's clerk)."""

    day: str
    clerk: str | None
    served: int
    completed_on_the_spot: int
    on_the_spot_share: float | None
    no_show: int
    transferred_out: int = Field(description="by this window")
    avg_service_minutes: float | None
    avg_wait_minutes: float | None
    rated: int
    rating_average: float | None


class CounterView(BaseModel):
    """One window now, for its console and its window sign"""

    site: SiteName
    counter: CounterDetail
    current: CurrentTicket | None = Field(
        description="its masked name and the clerk's note only to the site's staff"
    )
    missed_call_rule: MissedCallRule
    queues: list[QueueLine]
    next: list[NextTicket] = Field(description="the tickets it would call next, in order (at most 5)")
    today: ClerkDay
    last_seq: int
    server_time: Moment


# --- ratings (好差评): the evaluator at a window, the phone page -----------------------------

RatingLevel = Annotated[int, Field(ge=1, le=5, description="5 非常满意 · 4 满意 · 3 基本满意 · 2 不满意 · 1 非常不满意")]


def _text_or_none(value: object) -> object:
    return value if isinstance(value, str) else None


BadReason = Literal[
    "attitude", "not_standard", "slow", "many_visits", "unclear_materials", "system_fault", "other"
]  # engine.ratings.BAD_REASONS


class RatingRequest(Strict):
    """A citizen's rating: from the phone page with the key of the ticket's printed QR, or
    from the evaluator of the window that served it (a sign's token, no key)."""

    level: RatingLevel
    # A key that is not text fits no ticket: it is refused as a wrong key (403), not as a form.
    key: Annotated[Annotated[str, StringConstraints(max_length=64)] | None, BeforeValidator(_text_or_none)] = Field(
        default=None, description="the key of the ticket's printed QR (phone page only)"
    )
    reason: BadReason | None = Field(
        default=None,
        description="a 差评's (level 1 or 2) reason, required from the phone page; the evaluator's is `not_stated`",
    )
    note: Annotated[str, StringConstraints(max_length=200)] | None = Field(
        default=None, description="the citizen's short text with a 差评"
    )


class Rating(BaseModel):
    ticket: str
    level: int = Field(ge=1, le=5)
    name: str = Field(examples=["非常满意"])
    name_en: str
    channel: Literal["evaluator", "phone", "staff"]
    at: Moment
    reason: str | None = Field(default=None, description="a 差评's reason code, or null")
    reason_name: str | None = Field(default=None, examples=["办事效率低"])
    reason_name_en: str | None = Field(default=None, examples=["Slow service"])


class RatingAnswer(BaseModel):
    """The ticket's rating, or null"""

    rating: Rating | None


# --- a device: who it is, what it reports of its peripherals -------------------------------

DeviceKind = Literal["kiosk", "display", "sign", "edge"]


class DeviceIdentity(BaseModel):
    """Who a device token belongs to (the kiosk agent takes its site from here)"""

    kind: DeviceKind
    site: str = Field(description="the one site it is enrolled at")
    counter: int | None = Field(description="a sign's window")
    name: str | None = Field(description="its name as enrolled")


PrinterState = Literal["ok", "near_end", "out", "cover_open", "offline"]
IdReaderState = Literal["ok", "absent"]
LiveFeedState = Literal["yes", "no"]
VoiceState = Literal["available", "none", "failed"]
# A device on a sign agent's RS-485 bus: answering; its port is there but it does not answer;
# its port cannot be opened (unplugged, no such port).
BusDeviceState = Literal["ok", "not_answering", "disconnected"]


class DeviceStatusReport(Strict):
    """A device's health now, at least one part of it: a kiosk's printer and ID reader, a
    display's live feed and voice, a sign agent's live feed, sign and evaluator. A device
    reports at start, on every change and every interval (its heartbeat): a device silent
    past its kind's interval is flagged on the managers' device panel."""

    printer: PrinterState | None = None
    id_reader: IdReaderState | None = None
    connected: LiveFeedState | None = Field(
        default=None, description="its live feed (Socket.IO) is up"
    )
    voice: VoiceState | None = Field(
        default=None, description="a display's speech: a voice to announce with, none, or it failed"
    )
    sign: BusDeviceState | None = None
    evaluator: BusDeviceState | None = None

    @model_validator(mode="after")
    def _something(self) -> DeviceStatusReport:
        if not self.model_dump(exclude_none=True):
            raise PydanticCustomError(
                "field_nothing_reported",
                "report printer, id_reader, connected, voice, sign and/or evaluator",
            )
        return self


class DeviceStatusAnswer(BaseModel):
    """The device's status as the centre now keeps it"""

    device: str
    kind: DeviceKind
    status: dict[str, str]
