"""People ahead and estimated waits.

Estimates use measured service minutes (the shell passes a recent average per
service or bundle, falling back to the catalogue's expected minutes) divided over the
open counters serving that queue, with the other queues' tickets those counters will
call first (`others_ahead`: a comprehensive window serves many queues). A ticket is promised a band (`wait_band`), stored with it, so
that the promise can be measured against the wait it had (reports: `estimate_accuracy`).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from queue_server.engine.model import Counter, Priority, Ticket, TicketStatus


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


# --- the band printed on a ticket ("about 15-25 min") ----------------------------------

# The band around the centre of the estimate: from LOW_SHARE of it to HIGH_SHARE of it plus
# HIGH_MINUTES, widened each side by SPREAD_SIGMAS of the spread of the service times ahead
# (their measured variation, growing with the square root of how many are ahead). The
# shares cover what the count cannot know (people who come later and go first, pauses,
# windows opening). Tuned on the simulated history so that at least 80 % of real waits
# fall in the band, as narrow as that allows (docs/reports.md, "How good is the estimate").
LOW_SHARE = 0.6
HIGH_SHARE = 1.3
HIGH_MINUTES = 3
SPREAD_SIGMAS = 1.3
DEFAULT_SPREAD = 0.5  # the coefficient of variation of service times before any is measured


@dataclass(frozen=True)
class WaitBand:
    """The wait promised at issue, in whole minutes: the point estimate (shown where one
    number is wanted, kept for old clients) and the band around it."""

    minutes: int
    low: int
    high: int


def spread_of(measured: list[float], min_samples: int = 5) -> float:
    """The coefficient of variation of measured service minutes (the same trimmed sample
    `blended_minutes` averages); `DEFAULT_SPREAD` until there are enough of them."""
    if len(measured) < min_samples:
        return DEFAULT_SPREAD
    ordered = sorted(measured)
    cut = len(ordered) // 10
    core = ordered[cut : len(ordered) - cut] or ordered
    mean = sum(core) / len(core)
    if mean <= 0:
        return DEFAULT_SPREAD
    variance = sum((m - mean) ** 2 for m in core) / len(core)
    return math.sqrt(variance) / mean


def others_ahead(
    counters: Iterable[Counter], queue_key: str, waiting: Mapping[str, int]
) -> float:
    """Tickets of other queues that the windows serving this queue will most likely call
    before a ticket issued now.

    A comprehensive window serves many queues and calls the longest wait first (by weight,
    `call_order`): the tickets already waiting in its other queues go before a new one.
    Each other queue's waiting tickets count in the share of that queue's open windows
    that also serve this queue (the rest are called elsewhere). `counters` are the site's
    open counters, `waiting` the waiting tickets per queue key.
    """
    return others_ahead_of_each(counters, [queue_key], waiting)[queue_key]


def others_ahead_of_each(
    counters: Iterable[Counter], queue_keys: Iterable[str], waiting: Mapping[str, int]
) -> dict[str, float]:
    """`others_ahead` of several queues at once (a site's whole menu), the windows serving
    each waiting queue counted once."""
    open_ = list(counters)
    busy = {key: count for key, count in waiting.items() if count > 0}
    windows = {key: sum(1 for c in open_ if c.weights.get(key, 0.0) > 0) for key in busy}
    found: dict[str, float] = {}
    for queue_key in queue_keys:
        total = 0.0
        for counter in open_:
            weights = counter.weights
            if weights.get(queue_key, 0.0) <= 0:
                continue
            for key, count in busy.items():
                if key != queue_key and weights.get(key, 0.0) > 0:
                    total += count / windows[key]
        found[queue_key] = total
    return found


def wait_band(
    ahead: float,
    minutes_per_ticket: float,
    counters: int,
    spread: float = DEFAULT_SPREAD,
    idle: bool = False,
) -> WaitBand:
    """The wait promised to a ticket with `ahead` people before it (its own queue's, by
    the mixing rule, and `others_ahead`), each taking `minutes_per_ticket` on average
    (coefficient of variation `spread`), served by `counters` open windows (none open:
    as if one opens); `idle`: one of them is free now.

    The centre is the work ahead plus half a service (the windows are busy with someone
    when the ticket is issued), over the windows; the band runs from `LOW_SHARE` of it to
    `HIGH_SHARE` of it plus `HIGH_MINUTES`, each side widened by `SPREAD_SIGMAS` spreads
    of the work ahead, in whole minutes. It starts at 0 when nobody is ahead or a window
    is free (the ticket may be called at once: "next").
    """
    minutes = max(minutes_per_ticket, 0.5)
    windows = max(counters, 1)
    centre = (ahead + 0.5) * minutes / windows
    work_spread = math.sqrt(ahead + 0.5) * max(spread, 0.1) * minutes / windows
    low = max(0, math.floor(LOW_SHARE * centre - SPREAD_SIGMAS * work_spread))
    if ahead <= 0 or idle:
        low = 0
    high = max(low + 1, math.ceil(HIGH_SHARE * centre + SPREAD_SIGMAS * work_spread + HIGH_MINUTES))
    point = 0 if ahead <= 0 else min(high, max(low, 1, round(centre)))
    return WaitBand(point, low, high)
