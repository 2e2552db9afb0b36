"""People ahead and estimated waits.

Estimates use measured service minutes (the shell passes a recent average per
service, falling back to the catalogue's expected minutes) divided over the
counters open for that service.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from .model import Priority, Ticket, TicketStatus


def _is_priority(ticket: Ticket) -> bool:
    return ticket.priority != Priority.ORDINARY


def people_ahead(ticket: Ticket, waiting: Iterable[Ticket]) -> int:
    """Waiting tickets of the same queue that will most likely be called first."""
    count = 0
    for other in waiting:
        if other.id == ticket.id or other.status != TicketStatus.WAITING:
            continue
        # A ticket sent to one counter waits in that counter's line, not in this queue.
        if other.queue_key != ticket.queue_key or other.target_counter is not None:
            continue
        if _is_priority(other) and not _is_priority(ticket):
            count += 1
        elif _is_priority(other) == _is_priority(ticket) and (other.queue_time, other.seq_no) < (
            ticket.queue_time,
            ticket.seq_no,
        ):
            count += 1
    return count


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
