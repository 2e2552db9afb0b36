"""State changes of tickets and counters.

Every function takes plain records and `now`, checks that the change is allowed,
and returns the changed records plus the events that describe it. Nothing here
stores or pushes anything: the shell does that in one transaction.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from queue_server.engine import hours as site_hours
from queue_server.engine.call_order import DEFAULT_POLICY, CallingPolicy, choose_next
from queue_server.engine.errors import (
    CallTooSoon,
    CounterBusy,
    CounterHeld,
    CounterNotOpen,
    DailyCapReached,
    InvalidInput,
    InvalidTransition,
    NoCurrentTicket,
    NoShowTooEarly,
    NotOffered,
    OutsideIssuingWindow,
    PastLastTicket,
    ReturnNotAllowed,
    SiteClosed,
    WalkInReserved,
)
from queue_server.engine.ids import new_id
from queue_server.engine.model import (
    ARRIVED,
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
from queue_server.engine.numbering import next_number
from queue_server.engine.rules import NoShowPolicy

MAX_NOTE_LENGTH = 200

# Channels of citizens who booked ahead; the walk-in quota is kept from them.
REMOTE_CHANNELS = frozenset({Channel.APPOINTMENT, Channel.ONLINE, Channel.PHONE})

# Why a clerk may call a ticket out of order (the console offers exactly these).
OUT_OF_ORDER_REASONS = (
    "returned_with_materials",  # back with the missing materials
    "appointment_on_time",  # an appointment arrived on time
    "special_need",  # elderly, ill, disabled, pregnant …
    "joint_handling",  # handed on from a joint or transferred case
    "system_fault",  # a call lost to a system fault, made again
    "manager_instruction",  # the hall's manager said so
)


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


def walk_in_reserved(cap: int | None, share: float) -> int:
    """Tickets of a daily cap kept for citizens who come in person (rounded up)."""
    if cap is None or share <= 0:
        return 0
    # Rounded first: 25 × 0.28 is 7.000000000000001 in floating point, and 7 is meant.
    return min(cap, math.ceil(round(cap * min(share, 1.0), 9)))


def check_can_issue(
    site: Site,
    item: Service | Bundle,
    now: datetime,
    issued_today: int,
    ignore_hours: bool = False,
    channel: Channel = Channel.KIOSK,
    reserved: int = 0,
) -> None:
    """Raise the reason a ticket for `item` cannot be taken at `now`, if there is one."""
    cap = item.daily_cap
    if cap is not None and issued_today >= cap:
        raise DailyCapReached(cap=cap)
    if cap is not None and channel in REMOTE_CHANNELS and issued_today >= cap - reserved:
        raise WalkInReserved(cap=cap, reserved=reserved)
    if ignore_hours:
        return
    local = site_hours.local_time(now, site.timezone)
    span = site_hours.open_span(site, local)
    if span is None:
        reopens = site_hours.next_opening(site, local)
        raise SiteClosed(
            reopens=reopens.strftime("%m-%d %H:%M") if reopens else "",
            reopens_at=reopens.isoformat() if reopens else "",
        )
    if isinstance(item, Service):
        if item.issue_window is not None:
            start, end = (site_hours.parse_clock(t) for t in item.issue_window)
            if not start <= local.time() < end:
                raise OutsideIssuingWindow(start=item.issue_window[0], end=item.issue_window[1])
        # An always-open day has no closing to count back from.
        if item.last_ticket_minutes and span != site_hours.WHOLE_DAY:
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
    reserved: int = 0,
    proxy_id: str | None = None,
    help_for: str | None = None,
    arrival: str | None = None,
) -> Change:
    """A new waiting ticket with the next number of its prefix for the site's day
    (`arrival`: EXPECTED for a remote ticket, whose citizen is not in the hall yet)."""
    if not offered:
        raise NotOffered(item=item.code, site=site.id)
    check_can_issue(site, item, now, issued_today, ignore_hours, channel, reserved)
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
        queued_at=now,
        proxy_id=proxy_id,
        help_for=help_for,
        arrival=arrival,
    )
    return Change(events=(_event("ticket.issued", now, ticket, None),), ticket=ticket)


def prioritize(ticket: Ticket, priority: Priority, now: datetime, reason: str, by: str) -> Change:
    """Staff confirm a priority class of a waiting ticket (a citizen's word is not enough).

    It keeps its place in time: among the priority tickets it stands where its wait puts it.
    """
    reason = (reason or "").strip()[:MAX_NOTE_LENGTH]
    if not reason:
        raise InvalidInput("a priority needs a reason", field="reason")
    if ticket.status != TicketStatus.WAITING:
        raise InvalidTransition(action="prioritize", status=ticket.status.value)
    if ticket.priority == priority:
        return Change(events=(), ticket=ticket)  # confirmed already (a second click)
    raised = replace(ticket, priority=priority)
    # The reason (free text, it may describe the citizen) is for the audit log, not for the
    # event every screen of the site hears.
    was = ticket.priority.value
    event = _event("ticket.prioritized", now, raised, None, priority=priority.value, was=was, by=by)
    return Change(events=(event,), ticket=raised)


def cancel(ticket: Ticket, now: datetime) -> Change:
    if ticket.status != TicketStatus.WAITING:
        raise InvalidTransition(action="cancel", status=ticket.status.value)
    cancelled = replace(ticket, status=TicketStatus.CANCELLED, finished_at=now)
    return Change(events=(_event("ticket.cancelled", now, cancelled, None),), ticket=cancelled)


def arrive(ticket: Ticket, now: datetime, by: str) -> Change:
    """A remote ticket's citizen is in the hall (checked in at a kiosk, or a clerk saw
    them): from now on it is called in its place. `by` is the kiosk or the clerk."""
    if ticket.status != TicketStatus.WAITING or ticket.arrival is None:  # not a remote ticket
        raise InvalidTransition(action="arrive", status=ticket.status.value)
    if not ticket.expected:
        return Change(events=(), ticket=ticket)  # arrived already (a second tap)
    arrived = replace(ticket, arrival=ARRIVED)
    return Change(events=(_event("ticket.arrived", now, arrived, None, by=by),), ticket=arrived)


# --- counters ------------------------------------------------------------------------


def check_holder(counter: Counter, clerk: str | None) -> None:
    """An open or paused window belongs to the clerk who opened it until they close it or a
    manager takes it over: nobody else opens, calls, finishes or closes there (a clerk of
    the same hall could otherwise serve under a colleague's name, or close their window)."""
    if counter.state != CounterState.CLOSED and counter.clerk and counter.clerk != clerk:
        raise CounterHeld(holder=counter.clerk, counter=counter.number)


def take_over(counter: Counter, now: datetime, clerk: str, reason: str) -> Change:
    """A manager takes a window another clerk holds (gone home without closing it, taken
    ill), with the reason on the record; the window is theirs from then on."""
    reason = (reason or "").strip()[:MAX_NOTE_LENGTH]
    if not reason:
        raise InvalidInput("a take-over needs a reason", field="reason")
    if counter.state == CounterState.CLOSED or counter.clerk == clerk:
        raise InvalidTransition(action="take_over", status=counter.state.value)
    taken = replace(counter, clerk=clerk)
    event = _event(
        "counter.taken_over", now, None, taken, reason=reason, from_clerk=counter.clerk, clerk=clerk
    )
    return Change(events=(event,), counter=taken)


def open_counter(counter: Counter, now: datetime, clerk: str | None) -> Change:
    check_holder(counter, clerk)
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
    """Call the ticket `call_order.choose_next` picks; None when nobody is waiting for it."""
    if counter.state != CounterState.OPEN:
        raise CounterNotOpen(action="call-next", status=counter.state.value)
    if counter.current_ticket_id is not None:
        raise CounterBusy(action="call-next", ticket=counter.current_ticket_id)
    choice = choose_next(counter, waiting, now, policy)
    if choice is None:
        return None
    if choice.mix_credit is not None:
        counter = replace(counter, mix_credit=choice.mix_credit)
    return _call(counter, choice.ticket, now, clerk, reason=choice.reason)


def call_ticket(
    counter: Counter, ticket: Ticket | None, now: datetime, reason: str, clerk: str | None = None
) -> Change:
    """Call one waiting ticket out of order, for one of `OUT_OF_ORDER_REASONS`.

    The reason goes into the call's event, so every such call is on the record and in
    the per-clerk report; the mixing state is left alone (this call was not its turn).
    """
    if reason not in OUT_OF_ORDER_REASONS:
        raise InvalidInput("give a reason from the list", field="reason")
    if counter.state != CounterState.OPEN:
        raise CounterNotOpen(action="call", status=counter.state.value)
    if counter.current_ticket_id is not None:
        raise CounterBusy(action="call", ticket=counter.current_ticket_id)
    if ticket is None or ticket.site_id != counter.site_id:
        raise InvalidInput("no such ticket at this site", field="ticket")
    if ticket.status != TicketStatus.WAITING:
        raise InvalidTransition(action="call", status=ticket.status.value)
    return _call(counter, ticket, now, clerk, reason="out_of_order", out_of_order_reason=reason)


def _call(
    counter: Counter,
    ticket: Ticket,
    now: datetime,
    clerk: str | None,
    reason: str,
    **data: object,
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
        last_called_at=now,
        recall_count=0,
    )
    busy = replace(counter, current_ticket_id=ticket.id)
    return Change(
        # Who pressed, on the record (the per-clerk out-of-order report reads it).
        events=(
            _event("ticket.called", now, called, busy, reason=reason, clerk=called.clerk, **data),
        ),
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


def _seconds_since_last_call(ticket: Ticket, now: datetime) -> float:
    last = ticket.last_called_at or ticket.called_at or now
    return (now - last).total_seconds()


def recall(
    counter: Counter, ticket: Ticket | None, now: datetime, policy: NoShowPolicy | None = None
) -> Change:
    """Call the current ticket again, no sooner than the missed-call interval allows."""
    current = _current(counter, ticket, {TicketStatus.CALLED}, "recall")
    interval = policy.interval_seconds if policy else 0
    left = interval - _seconds_since_last_call(current, now)
    if left > 0:
        raise CallTooSoon(seconds=int(-(-left // 1)))
    recalled = replace(current, recall_count=current.recall_count + 1, last_called_at=now)
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


def no_show(
    counter: Counter, ticket: Ticket | None, now: datetime, policy: NoShowPolicy | None = None
) -> Change:
    """Record a missed call (a no-show) once the site's calls and interval have been given."""
    current = _current(counter, ticket, {TicketStatus.CALLED}, "no-show")
    if policy is not None:
        made = 1 + current.recall_count
        if made < policy.calls:
            raise NoShowTooEarly(calls=made, needed=policy.calls)
        left = policy.interval_seconds - _seconds_since_last_call(current, now)
        if left > 0:
            raise CallTooSoon(seconds=int(-(-left // 1)))
    missed = replace(current, status=TicketStatus.NO_SHOW, finished_at=now)
    free = replace(counter, current_ticket_id=None)
    return Change(
        events=(_event("ticket.no_show", now, missed, free),), ticket=missed, counter=free
    )


def return_missed(
    ticket: Ticket,
    now: datetime,
    today: str,
    policy: NoShowPolicy,
    queue: Iterable[Ticket],
) -> Change:
    """A missed ticket's citizen is back: it waits again, `return_places` behind the head.

    The event's `place` is k when it went behind the k-th ticket, None at the end.

    `queue` is the waiting line of the ticket's own queue. The ticket gets a new place
    in time just behind the k-th ticket of that line (or now, at the end), so every
    counter's calling order places it there and its wait counts from its return. Only
    the same day, and only once.
    """
    if ticket.status != TicketStatus.NO_SHOW:
        raise InvalidTransition(action="return", status=ticket.status.value)
    if not policy.allows_return:
        raise ReturnNotAllowed(why="policy")
    if ticket.day != today:
        raise ReturnNotAllowed(why="another_day")
    if ticket.return_count >= 1:
        raise ReturnNotAllowed(why="already_returned")
    line = sorted(
        (
            t
            for t in queue
            if t.status == TicketStatus.WAITING
            and t.queue_key == ticket.queue_key
            and t.target_counter is None
            and t.id != ticket.id
        ),
        key=lambda t: (t.queue_time, t.seq_no, t.id),
    )
    k = policy.return_places
    if k is None or k >= len(line):
        place, queued_at = None, now  # the end of the line
    else:
        before, after = line[k - 1].queue_time, line[k].queue_time
        middle = before + (after - before) / 2
        middle = middle.replace(microsecond=middle.microsecond // 1000 * 1000)  # as stored
        # Strictly after the k-th ticket even when it and the next share a millisecond
        # (then it may land one place later; never earlier than the rule promises).
        place, queued_at = k, max(middle, before + timedelta(milliseconds=1))
    back = replace(
        ticket,
        status=TicketStatus.WAITING,
        queued_at=queued_at,
        finished_at=None,
        called_at=None,
        last_called_at=None,
        counter=None,
        recall_count=0,
        return_count=ticket.return_count + 1,
    )
    return Change(
        events=(_event("ticket.returned", now, back, None, place=place),),
        ticket=back,
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
    # The note stays on the ticket for the site's staff: events reach every screen.
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
