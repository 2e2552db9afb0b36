"""State changes of tickets and counters.

Every function takes plain records and `now`, checks that the change is allowed,
and returns the changed records plus the events that describe it. Nothing here
stores or pushes anything: the shell does that in one transaction.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime

from . import hours as site_hours
from .calling import DEFAULT_POLICY, CallingPolicy, choose_next
from .errors import (
    CounterBusy,
    CounterNotOpen,
    DailyCapReached,
    InvalidInput,
    InvalidTransition,
    NoCurrentTicket,
    NotOffered,
    OutsideIssuingWindow,
    PastLastTicket,
    SiteClosed,
)
from .ids import new_id
from .model import (
    Bundle,
    Channel,
    Counter,
    CounterState,
    Event,
    Outcome,
    Priority,
    Service,
    Site,
    Ticket,
    TicketStatus,
)
from .numbering import next_number

MAX_NOTE_LENGTH = 200


@dataclass(frozen=True)
class Change:
    """What a state change produced: records to store, then events to append."""

    events: tuple[Event, ...]
    ticket: Ticket | None = None
    counter: Counter | None = None


def _event(
    kind: str, at: datetime, ticket: Ticket | None, counter: Counter | None, **data: object
) -> Event:
    site_id = ticket.site_id if ticket else counter.site_id  # type: ignore[union-attr]
    return Event(
        type=kind,
        site_id=site_id,
        at=at,
        ticket=ticket,
        counter=counter,
        data=dict(data),
        id=new_id(),
    )


# --- issuing -------------------------------------------------------------------------


def check_can_issue(
    site: Site,
    item: Service | Bundle,
    now: datetime,
    issued_today: int,
    ignore_hours: bool = False,
) -> None:
    """Raise the reason a ticket for `item` cannot be taken at `now`, if there is one."""
    cap = item.daily_cap
    if cap is not None and issued_today >= cap:
        raise DailyCapReached(cap=cap)
    if ignore_hours:
        return
    local = site_hours.local_time(now, site.timezone)
    span = site_hours.open_span(site.hours, local)
    if span is None:
        reopens = site_hours.next_opening(site.hours, local)
        raise SiteClosed(reopens=reopens.strftime("%m-%d %H:%M") if reopens else "")
    if isinstance(item, Service):
        if item.issue_window is not None:
            start, end = (site_hours.parse_clock(t) for t in item.issue_window)
            if not start <= local.time() < end:
                raise OutsideIssuingWindow(start=item.issue_window[0], end=item.issue_window[1])
        if item.last_ticket_minutes and site.hours is not None:
            if site_hours.minutes_until(local, span[1]) < item.last_ticket_minutes:
                raise PastLastTicket(
                    minutes=item.last_ticket_minutes, closes=span[1].strftime("%H:%M")
                )


def issue(
    site: Site,
    item: Service | Bundle,
    offered: bool,
    now: datetime,
    last_seq_no: int,
    issued_today: int,
    channel: Channel = Channel.KIOSK,
    priority: Priority = Priority.ORDINARY,
    request_id: str | None = None,
    person_hash: str | None = None,
    person_mask: str | None = None,
    ignore_hours: bool = False,
) -> Change:
    """A new waiting ticket with the next number of its prefix for the site's day."""
    if not offered:
        raise NotOffered(item=item.code, site=site.id)
    check_can_issue(site, item, now, issued_today, ignore_hours)
    seq_no, number = next_number(item.prefix, last_seq_no)
    ticket = Ticket(
        id=new_id(int(now.timestamp() * 1000)),
        site_id=site.id,
        day=site_hours.local_day(now, site.timezone),
        prefix=item.prefix,
        seq_no=seq_no,
        number=number,
        service=item.code if isinstance(item, Service) else None,
        bundle=item.code if isinstance(item, Bundle) else None,
        channel=channel,
        priority=priority,
        status=TicketStatus.WAITING,
        issued_at=now,
        request_id=request_id,
        person_hash=person_hash,
        person_mask=person_mask,
    )
    return Change(events=(_event("ticket.issued", now, ticket, None),), ticket=ticket)


def cancel(ticket: Ticket, now: datetime) -> Change:
    if ticket.status != TicketStatus.WAITING:
        raise InvalidTransition(action="cancel", status=ticket.status.value)
    cancelled = replace(ticket, status=TicketStatus.CANCELLED, finished_at=now)
    return Change(events=(_event("ticket.cancelled", now, cancelled, None),), ticket=cancelled)


# --- counters ------------------------------------------------------------------------


def open_counter(counter: Counter, now: datetime, clerk: str | None) -> Change:
    if counter.state == CounterState.OPEN and counter.clerk == clerk:
        raise InvalidTransition(action="open", status=counter.state.value)
    opened = replace(
        counter, state=CounterState.OPEN, pause_reason=None, state_since=now, clerk=clerk
    )
    return Change(events=(_event("counter.opened", now, None, opened),), counter=opened)


def pause_counter(counter: Counter, now: datetime, reason: str) -> Change:
    reason = (reason or "").strip()[:MAX_NOTE_LENGTH]
    if not reason:
        raise InvalidInput("a pause needs a reason", field="reason")
    if counter.state != CounterState.OPEN:
        raise CounterNotOpen(action="pause", status=counter.state.value)
    paused = replace(counter, state=CounterState.PAUSED, pause_reason=reason, state_since=now)
    return Change(
        events=(_event("counter.paused", now, None, paused, reason=reason),), counter=paused
    )


def close_counter(counter: Counter, now: datetime) -> Change:
    if counter.state == CounterState.CLOSED:
        raise InvalidTransition(action="close", status=counter.state.value)
    if counter.current_ticket_id is not None:
        raise CounterBusy(action="close", ticket=counter.current_ticket_id)
    closed = replace(
        counter, state=CounterState.CLOSED, pause_reason=None, state_since=now, clerk=None
    )
    return Change(events=(_event("counter.closed", now, None, closed),), counter=closed)


# --- calling and serving -------------------------------------------------------------


def call_next(
    counter: Counter,
    waiting: Iterable[Ticket],
    now: datetime,
    policy: CallingPolicy = DEFAULT_POLICY,
    clerk: str | None = None,
) -> Change | None:
    """Call the ticket `calling.choose_next` picks; None when nobody is waiting for it."""
    if counter.state != CounterState.OPEN:
        raise CounterNotOpen(action="call-next", status=counter.state.value)
    if counter.current_ticket_id is not None:
        raise CounterBusy(action="call-next", ticket=counter.current_ticket_id)
    choice = choose_next(counter, waiting, now, policy)
    if choice is None:
        return None
    return _call(counter, choice.ticket, now, clerk, reason=choice.reason)


def _call(
    counter: Counter, ticket: Ticket, now: datetime, clerk: str | None, reason: str
) -> Change:
    wait = ticket.wait_seconds
    if wait is None:
        wait = max(0.0, (now - ticket.issued_at).total_seconds())
    called = replace(
        ticket,
        status=TicketStatus.CALLED,
        called_at=now,
        started_at=None,
        counter=counter.number,
        clerk=clerk or counter.clerk,
        target_counter=None,
        wait_seconds=wait,
    )
    busy = replace(counter, current_ticket_id=ticket.id)
    return Change(
        events=(_event("ticket.called", now, called, busy, reason=reason),),
        ticket=called,
        counter=busy,
    )


def _current(
    counter: Counter, ticket: Ticket | None, allowed: set[TicketStatus], action: str
) -> Ticket:
    if ticket is None or counter.current_ticket_id != ticket.id:
        raise NoCurrentTicket(action=action)
    if ticket.status not in allowed:
        raise InvalidTransition(action=action, status=ticket.status.value)
    return ticket


def recall(counter: Counter, ticket: Ticket | None, now: datetime) -> Change:
    current = _current(counter, ticket, {TicketStatus.CALLED}, "recall")
    recalled = replace(current, recall_count=current.recall_count + 1)
    return Change(
        events=(_event("ticket.recalled", now, recalled, counter, recalls=recalled.recall_count),),
        ticket=recalled,
        counter=counter,
    )


def start(counter: Counter, ticket: Ticket | None, now: datetime) -> Change:
    current = _current(counter, ticket, {TicketStatus.CALLED}, "start")
    serving = replace(current, status=TicketStatus.SERVING, started_at=now)
    return Change(
        events=(_event("ticket.serving", now, serving, counter),), ticket=serving, counter=counter
    )


def finish(counter: Counter, ticket: Ticket | None, now: datetime, outcome: Outcome) -> Change:
    current = _current(counter, ticket, {TicketStatus.CALLED, TicketStatus.SERVING}, "finish")
    started = current.started_at or current.called_at or now
    done = replace(
        current,
        status=TicketStatus.DONE,
        started_at=started,
        finished_at=now,
        outcome=outcome,
        service_seconds=max(0.0, (now - started).total_seconds()),
    )
    free = replace(counter, current_ticket_id=None)
    return Change(
        events=(_event("ticket.finished", now, done, free, outcome=outcome.value),),
        ticket=done,
        counter=free,
    )


def no_show(counter: Counter, ticket: Ticket | None, now: datetime) -> Change:
    current = _current(counter, ticket, {TicketStatus.CALLED}, "no-show")
    missed = replace(current, status=TicketStatus.NO_SHOW, finished_at=now)
    free = replace(counter, current_ticket_id=None)
    return Change(
        events=(_event("ticket.no_show", now, missed, free),), ticket=missed, counter=free
    )


def transfer(
    counter: Counter,
    ticket: Ticket | None,
    now: datetime,
    to_service: Service | None = None,
    to_counter: Counter | None = None,
    note: str = "",
) -> Change:
    """Send the current ticket on: it waits again, keeping its number and its place in time.

    To a service: it joins that service's queue. To a counter: only that counter
    can call it, and it comes first there.
    """
    current = _current(counter, ticket, {TicketStatus.CALLED, TicketStatus.SERVING}, "transfer")
    if (to_service is None) == (to_counter is None):
        raise InvalidInput("transfer to exactly one service or one counter", field="to")
    if to_counter is not None and to_counter.number == counter.number:
        raise InvalidInput("a ticket cannot be transferred to its own counter", field="counter")
    started = current.started_at or current.called_at or now
    segment = max(0.0, (now - started).total_seconds())
    moved = replace(
        current,
        status=TicketStatus.WAITING,
        service=to_service.code if to_service else current.service,
        bundle=None if to_service else current.bundle,
        target_counter=to_counter.number if to_counter else None,
        transferred_at=now,
        transfer_count=current.transfer_count + 1,
        called_at=None,
        started_at=None,
        counter=None,
        clerk=None,
        note=(note or "").strip()[:MAX_NOTE_LENGTH] or None,
    )
    free = replace(counter, current_ticket_id=None)
    data: dict[str, object] = {"from_counter": counter.number, "segment_seconds": segment}
    if to_service:
        data["to_service"] = to_service.code
    if to_counter:
        data["to_counter"] = to_counter.number
    if moved.note:
        data["note"] = moved.note
    return Change(
        events=(_event("ticket.transferred", now, moved, free, **data),), ticket=moved, counter=free
    )


def close_day(tickets: list[Ticket], now: datetime) -> list[Change]:
    """Tickets still waiting when their day has ended are closed as unserved."""
    changes = []
    for ticket in tickets:
        if ticket.status == TicketStatus.WAITING:
            closed = replace(ticket, status=TicketStatus.UNSERVED, finished_at=now)
            changes.append(
                Change(events=(_event("ticket.unserved", now, closed, None),), ticket=closed)
            )
    return changes
