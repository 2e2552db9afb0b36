"""People ahead and estimated waits.

Estimates use measured service minutes (the shell passes a recent average per
service, falling back to the catalogue's expected minutes) divided over the
counters open for that service.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from queue_server.engine.model import Priority, Ticket, TicketStatus


def _is_priority(ticket: Ticket) -> bool:
    return ticket.priority != Priority.ORDINARY


def ahead_by_mix(
    same_kind_ahead: int, other_kind: int, priority: bool, mix: tuple[int, int] | None
) -> int:
    """People ahead from two counts: tickets of the ticket's own kind (priority or
    ordinary) called before it, and all waiting tickets of the other kind.

    Without a mixing ratio every priority ticket goes first. With p : o, calls alternate
    starting with priority (`calling.mix_turn`), so before the (k+1)-th ordinary call come
    ⌈(k+1)·p/o⌉ priority calls, and before the (k+1)-th priority call ⌊k·o/p⌋ ordinary ones
    — never more than are waiting.
    """
    if mix is None:
        return same_kind_ahead if priority else same_kind_ahead + other_kind
    p, o = mix
    if priority:
        return same_kind_ahead + min(other_kind, same_kind_ahead * o // p)
    return same_kind_ahead + min(other_kind, -(-(same_kind_ahead + 1) * p // o))


def people_ahead(
    ticket: Ticket, waiting: Iterable[Ticket], mix: tuple[int, int] | None = None
) -> int:
    """Waiting tickets of the same queue that will most likely be called first."""
    same_kind_ahead = other_kind = 0
    for other in waiting:
        if other.id == ticket.id or other.status != TicketStatus.WAITING:
            continue
        # A ticket sent to one counter waits in that counter's line, not in this queue.
        if other.queue_key != ticket.queue_key or other.target_counter is not None:
            continue
        if _is_priority(other) != _is_priority(ticket):
            other_kind += 1
        elif (other.queue_time, other.seq_no) < (ticket.queue_time, ticket.seq_no):
            same_kind_ahead += 1
    return ahead_by_mix(same_kind_ahead, other_kind, _is_priority(ticket), mix)


def estimated_wait_minutes(ahead: int, minutes_per_ticket: float, open_counters: int) -> int:
    """Whole minutes until this ticket is likely called; 0 when nobody is ahead."""
    if ahead <= 0:
        return 0
    counters = max(1, open_counters)
    return max(1, math.ceil(ahead * max(minutes_per_ticket, 0.5) / counters))


def blended_minutes(expected: float, measured: list[float], min_samples: int = 5) -> float:
    """Measured service minutes once there are enough of them, else the catalogue's."""
    if len(measured) < min_samples:
        return expected
    ordered = sorted(measured)
    # A trimmed mean: one forgotten "finish" button must not double the estimate.
    cut = len(ordered) // 10
    core = ordered[cut : len(ordered) - cut] or ordered
    return sum(core) / len(core)
