"""Small builders for engine tests: a site, a catalogue, counters, tickets and a hall.

`Hall` plays the storage's part the way `operations.py` does: it keeps the last number
per (day, prefix), hands the engine the waiting list and stores what the engine returns.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from queue_server.engine import hours, lifecycle
from queue_server.engine.call_order import DEFAULT_POLICY, CallingPolicy
from queue_server.engine.lifecycle import Change
from queue_server.engine.model import (
    Bundle,
    Channel,
    Counter,
    CounterKind,
    CounterState,
    Outcome,
    Priority,
    ProfileEntry,
    Service,
    Site,
    SiteKind,
    Ticket,
    TicketStatus,
)

# Monday 2026-03-02, 08:30 in Shanghai: the hall has just opened.
T0 = datetime(2026, 3, 2, 0, 30, tzinfo=UTC)

WEEKDAY_HOURS = [["08:30", "12:00"], ["13:30", "17:30"]]
HALL_HOURS = {day: WEEKDAY_HOURS for day in ("mon", "tue", "wed", "thu", "fri")}

SITE = Site(id="hall", name="政务服务大厅", kind=SiteKind.HALL)
SITE_WITH_HOURS = Site(id="hall", name="政务服务大厅", kind=SiteKind.HALL, hours=HALL_HOURS)


def minutes(n: float) -> timedelta:
    return timedelta(minutes=n)


def service(code: str = "A101", prefix: str = "A", **fields: object) -> Service:
    return Service(
        code=code,
        name=f"事项{code}",
        department="市场监管局",
        domain="comprehensive",
        prefix=prefix,
        **fields,  # type: ignore[arg-type]
    )


def bundle(
    code: str = "B01",
    prefix: str = "Y",
    services: tuple[str, ...] = ("A101", "T201"),
    **fields: object,
) -> Bundle:
    return Bundle(code=code, name=f"一件事{code}", prefix=prefix, services=services, **fields)  # type: ignore[arg-type]


def counter(
    number: int = 1,
    services: dict[str, float] | None = None,
    bundles: dict[str, float] | None = None,
    state: CounterState = CounterState.OPEN,
    kind: CounterKind = CounterKind.COMPREHENSIVE,
    current: str | None = None,
    clerk: str | None = None,
) -> Counter:
    profile = tuple(ProfileEntry(service=code, weight=w) for code, w in (services or {}).items())
    profile += tuple(ProfileEntry(bundle=code, weight=w) for code, w in (bundles or {}).items())
    return Counter(
        id=f"counter-{number}",
        site_id=SITE.id,
        number=number,
        name=f"{number}号窗口",
        kind=kind,
        profile=profile,
        state=state,
        current_ticket_id=current,
        clerk=clerk,
    )


def ticket(
    seq_no: int,
    service_code: str | None = "A101",
    *,
    at: datetime = T0,
    prefix: str = "A",
    priority: Priority = Priority.ORDINARY,
    bundle_code: str | None = None,
    status: TicketStatus = TicketStatus.WAITING,
    target_counter: int | None = None,
    transferred_at: datetime | None = None,
    ticket_id: str | None = None,
) -> Ticket:
    """A ticket built by hand, with a readable id (`A007`) unless one is given."""
    number = f"{prefix}{seq_no:03d}"
    return Ticket(
        id=ticket_id or number,
        site_id=SITE.id,
        day=hours.local_day(at, SITE.timezone),
        prefix=prefix,
        seq_no=seq_no,
        number=number,
        service=None if bundle_code else service_code,
        bundle=bundle_code,
        channel=Channel.KIOSK,
        priority=priority,
        status=status,
        issued_at=at,
        target_counter=target_counter,
        transferred_at=transferred_at,
    )


@dataclass
class Hall:
    """A site's stored state, changed only through the engine."""

    site: Site = SITE
    items: dict[str, Service | Bundle] = field(default_factory=dict)
    counters: dict[int, Counter] = field(default_factory=dict)
    tickets: dict[str, Ticket] = field(default_factory=dict)
    last_seq: dict[tuple[str, str], int] = field(default_factory=dict)
    policy: CallingPolicy = DEFAULT_POLICY
    now: datetime = T0

    def add(self, *records: Service | Bundle | Counter) -> Hall:
        for record in records:
            if isinstance(record, Counter):
                self.counters[record.number] = record
            else:
                self.items[record.code] = record
        return self

    def store(self, change: Change | None) -> Change | None:
        if change is None:
            return None
        if change.ticket is not None:
            self.tickets[change.ticket.id] = change.ticket
        if change.counter is not None:
            self.counters[change.counter.number] = change.counter
        return change

    def waiting(self) -> list[Ticket]:
        return [t for t in self.tickets.values() if t.status == TicketStatus.WAITING]

    def current(self, number: int) -> Ticket | None:
        ticket_id = self.counters[number].current_ticket_id
        return self.tickets[ticket_id] if ticket_id else None

    def issue(
        self, code: str, priority: Priority = Priority.ORDINARY, offered: bool = True
    ) -> Ticket:
        item = self.items[code]
        day = hours.local_day(self.now, self.site.timezone)
        issued_today = sum(
            1 for t in self.tickets.values() if t.day == day and code in (t.service, t.bundle)
        )
        change = lifecycle.issue(
            self.site,
            item,
            offered=offered,
            now=self.now,
            last_seq_no=self.last_seq.get((day, item.prefix), 0),
            issued_today=issued_today,
            priority=priority,
        )
        assert change.ticket is not None
        self.last_seq[(change.ticket.day, change.ticket.prefix)] = change.ticket.seq_no
        self.store(change)
        return change.ticket

    def open(self, number: int, clerk: str = "clerk") -> Counter:
        self.store(lifecycle.open_counter(self.counters[number], self.now, clerk))
        return self.counters[number]

    def call(self, number: int) -> Ticket | None:
        change = self.store(
            lifecycle.call_next(self.counters[number], self.waiting(), self.now, self.policy)
        )
        return change.ticket if change else None

    def start(self, number: int) -> Ticket:
        change = self.store(lifecycle.start(self.counters[number], self.current(number), self.now))
        assert change is not None and change.ticket is not None
        return change.ticket

    def finish(self, number: int, outcome: Outcome = Outcome.COMPLETED) -> Ticket:
        change = self.store(
            lifecycle.finish(self.counters[number], self.current(number), self.now, outcome)
        )
        assert change is not None and change.ticket is not None
        return change.ticket

    def transfer(
        self, number: int, to_service: str | None = None, to_counter: int | None = None
    ) -> Ticket:
        target_service = self.items[to_service] if to_service else None
        assert target_service is None or isinstance(target_service, Service)
        change = self.store(
            lifecycle.transfer(
                self.counters[number],
                self.current(number),
                self.now,
                to_service=target_service,
                to_counter=self.counters[to_counter] if to_counter else None,
            )
        )
        assert change is not None and change.ticket is not None
        return change.ticket

    def tick(self, n: float) -> None:
        self.now += minutes(n)
