"""Who is called next: a pure function of (counter, waiting tickets, now, policy).

The order, as a hall manager would say it:

1. A ticket transferred to *this* counter comes first (the citizen was sent here).
2. Anyone who has waited longer than the maximum wait goes next, longest first:
   aging, so that no ticket starves behind a stream of priority tickets.
3. Then priority classes (on-time appointments, elderly, disabled, assisted) and
   everyone else. Without a mixing rule priority tickets always go first. With a
   mixing rule of p : o, whenever both kinds are waiting the counter alternates so
   that, over any run of such calls, p of every p + o calls go to priority tickets
   (a credit counter whose one number of state, `Counter.mix_credit`, the engine
   hands back with each call for the shell to store).

Within steps 3 and 4 the counter's services share it by weight: each service's
longest-waiting ticket scores `minutes waited × weight`, and the highest score wins.
A service with weight 2 is therefore served as if its citizens had waited twice as
long, and because waiting time keeps growing, every service with a weight above zero
gets its turn.  Ties go to the earlier ticket.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime

from queue_server.engine.model import Counter, Priority, Ticket, TicketStatus


@dataclass(frozen=True)
class CallingPolicy:
    # After this many minutes of waiting a ticket goes before any priority class.
    max_wait_minutes: float = 90.0
    # (priority calls, ordinary calls) when both wait, e.g. (1, 2); None: priority first.
    mix: tuple[int, int] | None = None


DEFAULT_POLICY = CallingPolicy()


@dataclass(frozen=True)
class Choice:
    ticket: Ticket
    reason: str  # transfer | max_wait | priority | longest_wait
    # The counter's mixing state after this call; None when the call did not touch it
    # (no mixing rule, or only one kind was waiting).
    mix_credit: int | None = None

    def explain(self) -> str:
        return self.reason


def waited_minutes(ticket: Ticket, now: datetime) -> float:
    """Minutes in the queue: since issue, or since a missed call's return put it back."""
    return max(0.0, (now - ticket.queue_time).total_seconds() / 60)


def _order_key(ticket: Ticket) -> tuple[datetime, int, str]:
    return (ticket.queue_time, ticket.seq_no, ticket.id)


def mix_turn(credit: int, mix: tuple[int, int]) -> tuple[bool, int]:
    """Whose turn it is when both kinds wait: (priority's turn?, the credit after the call).

    `credit` is p × (ordinary calls) − o × (priority calls) over the contested calls so
    far: priority goes whenever it is not ahead of its share. For (1, 2) the calls go
    P O O P O O …, the credit stays within [−o, p), and so after n contested calls
    priority has had p·n/(p+o) of them, less than one call off.
    """
    p, o = mix
    if credit >= 0:
        return True, credit - o
    return False, credit + p


def _weighted_pick(counter: Counter, tickets: list[Ticket], now: datetime) -> Ticket | None:
    heads: dict[str, Ticket] = {}
    for ticket in tickets:
        head = heads.get(ticket.queue_key)
        if head is None or _order_key(ticket) < _order_key(head):
            heads[ticket.queue_key] = ticket
    best: Ticket | None = None
    best_score = -1.0
    for key, head in heads.items():
        weight = counter.weight_of(key)
        if weight <= 0:
            continue
        # A floor of one second keeps weights meaningful for tickets issued "just now".
        score = max(waited_minutes(head, now), 1 / 60) * weight
        if (
            best is None
            or score > best_score
            or (score == best_score and _order_key(head) < _order_key(best))
        ):
            best, best_score = head, score
    return best


def eligible(counter: Counter, waiting: Iterable[Ticket]) -> list[Ticket]:
    # A remote ticket keeps its place but is heard only once its citizen is in the hall.
    return [
        t for t in waiting if t.status == TicketStatus.WAITING and not t.expected and counter.serves(t)
    ]


def choose_next(
    counter: Counter,
    waiting: Iterable[Ticket],
    now: datetime,
    policy: CallingPolicy = DEFAULT_POLICY,
) -> Choice | None:
    """The ticket this counter should call now, with the rule that picked it."""
    candidates = eligible(counter, waiting)
    if not candidates:
        return None

    transfers = [t for t in candidates if t.target_counter == counter.number]
    if transfers:
        return Choice(
            min(transfers, key=lambda t: (t.transferred_at or t.issued_at, t.id)), "transfer"
        )

    overdue = [t for t in candidates if waited_minutes(t, now) >= policy.max_wait_minutes]
    if overdue:
        return Choice(min(overdue, key=_order_key), "max_wait")

    priority = [t for t in candidates if t.priority != Priority.ORDINARY]
    first = _weighted_pick(counter, priority, now)
    ordinary = [t for t in candidates if t.priority == Priority.ORDINARY]
    second = _weighted_pick(counter, ordinary, now)
    if first is not None and second is not None and policy.mix is not None:
        priority_turn, credit = mix_turn(counter.mix_credit, policy.mix)
        if priority_turn:
            return Choice(first, "priority", credit)
        return Choice(second, "longest_wait", credit)
    if first is not None:
        return Choice(first, "priority")
    return Choice(second, "longest_wait") if second is not None else None


def queue_order(
    counter: Counter,
    waiting: Iterable[Ticket],
    now: datetime,
    policy: CallingPolicy = DEFAULT_POLICY,
) -> list[Ticket]:
    """The order in which this counter would call its waiting tickets if nobody new came."""
    remaining = eligible(counter, waiting)
    ordered: list[Ticket] = []
    while remaining:
        choice = choose_next(counter, remaining, now, policy)
        if choice is None:
            break
        ordered.append(choice.ticket)
        if choice.mix_credit is not None:
            counter = replace(counter, mix_credit=choice.mix_credit)
        remaining = [t for t in remaining if t.id != choice.ticket.id]
    return ordered
