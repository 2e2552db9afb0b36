"""The domain model: plain data, no I/O.

Records are frozen dataclasses; the engine returns changed copies
(`dataclasses.replace`) together with the events that describe the change.
Times are timezone-aware `datetime`s in UTC; a site's local calendar comes from its
`timezone` (see `hours.py`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from functools import cached_property
from typing import Any


class SiteKind(StrEnum):
    HALL = "hall"
    BUSINESS_STATION = "business_station"
    TOWNSHIP_CENTER = "township_center"
    VILLAGE_STATION = "village_station"


class CounterKind(StrEnum):
    """What a window is, as the hall names it (the catalogue's `adm_counter_kind_*`)."""

    COMPREHENSIVE = "comprehensive"  # serves every item
    DOMAIN = "domain"  # serves one domain's items
    ONE_THING = "one_thing"  # serves the one-thing bundles
    ASSISTED = "assisted"  # staff help and take tickets for others


class CounterState(StrEnum):
    OPEN = "open"
    PAUSED = "paused"
    CLOSED = "closed"


class TicketStatus(StrEnum):
    WAITING = "waiting"
    CALLED = "called"
    SERVING = "serving"
    DONE = "done"
    NO_SHOW = "no_show"
    CANCELLED = "cancelled"
    UNSERVED = "unserved"  # still waiting when the site's day ended


EXPECTED, ARRIVED = "expected", "arrived"  # a remote ticket's citizen (`Ticket.arrival`)

ACTIVE_STATUSES = frozenset({TicketStatus.WAITING, TicketStatus.CALLED, TicketStatus.SERVING})


class Outcome(StrEnum):
    COMPLETED = "completed"  # completed on the spot
    ACCEPTED = "accepted"  # accepted for later completion (a commitment case)
    REFERRED = "referred"
    INCOMPLETE = "materials_incomplete"


class Channel(StrEnum):
    KIOSK = "kiosk"
    APPOINTMENT = "appointment"
    STAFF = "staff"
    ONLINE = "online"
    PHONE = "phone"


class Priority(StrEnum):
    ORDINARY = "ordinary"
    APPOINTMENT = "appointment"  # an on-time appointment
    ELDERLY = "elderly"
    DISABLED = "disabled"
    ASSISTED = "assisted"  # declared need of assistance


@dataclass(frozen=True)
class Site:
    id: str
    name: str
    kind: SiteKind
    parent_id: str | None = None
    name_en: str = ""
    timezone: str = "Asia/Shanghai"
    # {"mon": [["08:30", "12:00"], ["13:30", "17:30"]], ...}; None means always open.
    hours: dict[str, list[list[str]]] | None = None
    settings: dict[str, Any] = field(default_factory=dict)
    # The edge centre (its device id) that owns the site's queues; None: the city.
    owner: str | None = None
    # The local dates it does not open by `hours` (ISO date → spans, [] closed): its own
    # exceptions and the national holidays and make-up days, resolved by storage when the
    # calendar changes (engine/opening_days.py); read through `hours.day_spans`.
    days: dict[str, list[list[str]]] = field(default_factory=dict)


@dataclass(frozen=True)
class Service:
    """One government service item."""

    code: str
    name: str
    department: str
    domain: str
    prefix: str
    name_en: str = ""
    on_the_spot: bool = False  # usually completed on the spot
    commitment_allowed: bool = False  # a signed commitment may replace some proofs
    conditions: tuple[str, ...] = ()
    materials: tuple[str, ...] = ()
    legal_limit_days: int | None = None
    expected_minutes: float = 10.0
    # Optional issuing window in local time, e.g. ("09:00", "16:00").
    issue_window: tuple[str, str] | None = None
    # No new tickets this many minutes before the site closes (or its lunch break starts).
    last_ticket_minutes: int = 0
    daily_cap: int | None = None


@dataclass(frozen=True)
class Bundle:
    """A one-thing package of services handled as one ticket."""

    code: str
    name: str
    prefix: str
    services: tuple[str, ...]
    name_en: str = ""
    description: str = ""
    expected_minutes: float = 30.0
    daily_cap: int | None = None


@dataclass(frozen=True)
class ProfileEntry:
    """One line of a counter's service profile: a service or a bundle, with a weight."""

    service: str | None = None
    bundle: str | None = None
    weight: float = 1.0

    @property
    def key(self) -> str:
        return f"S:{self.service}" if self.service else f"B:{self.bundle}"


@dataclass(frozen=True)
class Counter:
    """A window at a site."""

    id: str
    site_id: str
    number: int
    name: str
    kind: CounterKind
    profile: tuple[ProfileEntry, ...]
    state: CounterState = CounterState.CLOSED
    pause_reason: str | None = None
    state_since: datetime | None = None
    current_ticket_id: str | None = None
    clerk: str | None = None
    # Where this counter's rules differ from its site's: "mix" ([priority, ordinary])
    # and "max_wait_minutes" (see `rules.py`).
    rules: dict[str, Any] = field(default_factory=dict, compare=False)
    mix_credit: int = 0  # the mixing rule's running state (`calling.mix_turn`)

    @cached_property
    def weights(self) -> dict[str, float]:
        """Queue key → weight; computed once per record (call-next asks for every waiting ticket)."""
        found: dict[str, float] = {}
        for entry in self.profile:
            found.setdefault(entry.key, entry.weight)
        return found

    def serves(self, ticket: Ticket) -> bool:
        if ticket.target_counter is not None:
            return ticket.target_counter == self.number
        return ticket.queue_key in self.weights

    def weight_of(self, queue_key: str) -> float:
        return self.weights.get(queue_key, 0.0)


@dataclass(frozen=True)
class Ticket:
    id: str
    site_id: str
    day: str  # the site's local calendar day, YYYY-MM-DD
    prefix: str
    seq_no: int
    number: str
    service: str | None
    bundle: str | None
    channel: Channel
    priority: Priority
    status: TicketStatus
    issued_at: datetime
    request_id: str | None = None
    called_at: datetime | None = None
    started_at: datetime | None = None
    finished_at: datetime | None = None
    counter: int | None = None
    clerk: str | None = None
    outcome: Outcome | None = None
    target_counter: int | None = None  # set by a transfer to a specific counter
    transferred_at: datetime | None = None
    transfer_count: int = 0
    recall_count: int = 0
    wait_seconds: float | None = None  # issue → first call
    service_seconds: float | None = None  # start → finish at the last counter
    person_hash: str | None = None  # keyed hash of the ID number, never the number
    person_mask: str | None = None  # the name masked (devices/masking.py: the surname kept)
    note: str | None = None
    # Its place in time in the queue: the issue time, until a missed call's return moves it.
    queued_at: datetime | None = None
    last_called_at: datetime | None = None  # the latest call or recall of this visit
    return_count: int = 0  # returns after a missed call
    proxy_id: str | None = None  # the registered proxy who took it
    # The item ("service:A101") a citizen asked help with: the ticket itself is then
    # for the site's help item, served at the assisted window, without priority.
    help_for: str | None = None
    # A remote ticket (taken on the phone page): "expected" until its citizen checks in at the hall, then
    # "arrived"; only then is it called. None for a ticket taken in the hall.
    arrival: str | None = None
    # The wait promised at issue (`estimates.wait_band`), whole minutes; None on tickets
    # issued before promises were kept. Measured against `wait_seconds` (estimate_accuracy).
    promised_low: int | None = None
    promised_high: int | None = None

    @property
    def queue_time(self) -> datetime:
        return self.queued_at or self.issued_at

    @property
    def queue_key(self) -> str:
        return f"S:{self.service}" if self.service else f"B:{self.bundle}"

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES

    @property
    def expected(self) -> bool:
        """A remote ticket whose citizen has not checked in yet: it keeps its place, unheard."""
        return self.arrival == EXPECTED


@dataclass(frozen=True)
class Event:
    """One change of one ticket or counter. `seq` is assigned by storage on commit."""

    type: str
    site_id: str
    at: datetime
    ticket: Ticket | None = None
    counter: Counter | None = None
    data: dict[str, Any] = field(default_factory=dict)
    id: str = ""
