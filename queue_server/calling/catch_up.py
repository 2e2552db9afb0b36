"""Catching a screen up when it joins a room with `since`: paged, bounded and paced.

How a join stays gap-free without the write lock. The join handler first enters the
room, then reads the site's `last_seq` (`upto`), then sends the stored events in
(since, upto] in pages. Every event is either

- committed before `upto` was read: then it is in the pages (SQLite's WAL gives each
  read everything committed before it started, and events are never rewritten), or
- committed after: then it was published after the socket entered the room, so the
  socket hears it live.

An event can be both (committed before the read, pushed after the room was entered):
a duplicate by seq, never a gap. Live events can also reach the socket before the
pages that precede them, so a client holds what it hears live while its join is
unanswered, and then applies pages and held events together, sorted by seq, each seq
once (`wire.CatchUp`). Nothing here holds the database's write lock: a replay
costs the writers nothing but CPU, and that is paced per token below.

With several processes (a Redis message queue) events made by another process reach
this one through the queue at any moment: they are published in seq order (each
commit publishes under the write lock, a `flock` shared by every process, and Redis
delivers one publisher's messages in order), and one published after the socket
entered the room is heard by it, whichever process made it. So the argument above
holds across processes; only the order of arrival is loose, which the client's sort
absorbs. The pages themselves go straight to the socket, not through the queue, so
they reach the client before the join's acknowledgement.

Bounded. One join replays at most `BACKLOG_LIMIT` events, in pages of `PAGE_EVENTS`
(one Socket.IO message per page). A longer backlog is not replayed at all: the
acknowledgement says `complete: false` and the client reads its state again over REST
(what a screen does after a long outage anyway), which costs far less than thousands
of events.

Paced. Each token (a device, or a staff member) has a budget of `EVENTS_PER_SECOND`
replayed events, with a burst of `BURST_EVENTS`; a join costs `JOIN_COST` events on
top of its backlog. A join over budget is slowed — its pages wait, outside any lock —
and one that would wait more than `MAX_WAIT_SECONDS` is refused with `retry_after`.
The budget is a GCRA (a token bucket kept as one "theoretical arrival time" per token)
in this process: behind a proxy with sticky sessions one screen always meets the same
process.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from queue_server.storage import Store

BACKLOG_LIMIT = 2000  # events one join replays at most; past it: complete = false
PAGE_EVENTS = 200  # events per `catch_up` message
JOIN_COST = 10  # a join costs as much as replaying this many events
EVENTS_PER_SECOND = 2000.0  # per token, in this process
BURST_EVENTS = 2000  # what a token may spend at once after a quiet spell: one full backlog
MAX_WAIT_SECONDS = 5.0  # a join that would wait longer is refused (retry_after)
MAX_TRACKED = 50_000  # tokens remembered; fully refilled ones are forgotten first


class TooManyJoins(Exception):
    """A token's budget would make this join wait too long: try again in `retry_after` s."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"too many joins: retry after {retry_after} s")
        self.retry_after = retry_after


@dataclass(frozen=True)
class Pace:
    """When each unit of an admitted join may be spent: unit k at `origin + k / rate`."""

    origin: float
    rate: float

    def due(self, units: int) -> float:
        return self.origin + units / self.rate


class JoinBudgets:
    """The replay budget of each token, as a GCRA: spending `cost` events moves the token's
    theoretical arrival time (TAT) on by cost / rate; the burst lets it run that far ahead
    of the clock."""

    def __init__(
        self,
        rate: float | None = None,
        burst: float | None = None,
        max_wait: float | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.rate = rate if rate is not None else EVENTS_PER_SECOND
        self.burst = burst if burst is not None else BURST_EVENTS
        self.max_wait = max_wait if max_wait is not None else MAX_WAIT_SECONDS
        self.clock = clock
        self._tat: dict[str, float] = {}
        self._lock = threading.Lock()

    def admit(self, key: str, cost: int) -> Pace:
        """Reserve `cost` events for `key`, or raise `TooManyJoins` when even the join's own
        `JOIN_COST` (its first units) would have to wait more than `max_wait`."""
        now = self.clock()
        with self._lock:
            start = max(self._tat.get(key, now), now)
            origin = start - self.burst / self.rate
            wait = origin + JOIN_COST / self.rate - now
            if wait > self.max_wait:
                raise TooManyJoins(max(1, math.ceil(wait - self.max_wait)))
            if len(self._tat) >= MAX_TRACKED:
                self._forget_refilled(now)
            self._tat[key] = start + cost / self.rate
        return Pace(origin, self.rate)

    def _forget_refilled(self, now: float) -> None:
        refilled = [key for key, tat in self._tat.items() if tat <= now]
        for key in refilled:
            del self._tat[key]
        if len(self._tat) >= MAX_TRACKED:  # a flood of tokens still busy: keep memory bounded
            self._tat.clear()


@dataclass(frozen=True)
class Backlog:
    """What a join with `since` will be sent: the events in (since, upto] of its room."""

    site: str
    counter: int | None
    since: int
    upto: int

    @property
    def complete(self) -> bool:
        """False when the backlog is too long to replay: the client reads its state again."""
        return self.upto - self.since <= BACKLOG_LIMIT

    @property
    def cost(self) -> int:
        """Events the replay may send (a counter room's scan reads the whole range)."""
        return max(0, self.upto - self.since) if self.complete else 0

    def pages(self, store: Store) -> Iterator[dict[str, Any]]:
        """The backlog in pages `{site, counter, events}`, read page by page without any lock."""
        if not self.complete:
            return
        after = self.since
        while after < self.upto:
            events = store.events.between(
                self.site, after, self.upto, PAGE_EVENTS, counter=self.counter
            )
            if not events:
                return
            yield {"site": self.site, "counter": self.counter, "events": events}
            after = events[-1]["seq"]


NO_BACKLOG = Backlog("", None, 0, 0)  # a join without `since`


def wait_until(moment: float, clock: Callable[[], float] = time.monotonic) -> None:
    delay = moment - clock()
    if delay > 0:
        time.sleep(delay)
