"""The wire protocol shared by the centre, kiosks and signs: event names and payloads.

Kiosks and window-sign agents import this package (with its `headers` and `words`, the
message catalogue they speak with) and nothing else of `queue_server`. An event on the
wire is

    {"seq", "id", "type", "at", "site", "ticket": {...} | None,
     "counter": {...} | None, "data": {...}}

and is delivered as a Socket.IO event named by its `type`. `seq` is a site-wide
sequence number: clients remember the last one they saw and ask for what came
after it (`join` with `since`, or `GET /api/v1/sites/{site}/events?since=`),
and drop any event whose seq they have already seen. A join's backlog arrives as
`catch_up` pages before the join's acknowledgement, live events around them:
`CatchUp` puts the two in order for a Python client.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

TICKET_ISSUED = "ticket.issued"
TICKET_CALLED = "ticket.called"
TICKET_RECALLED = "ticket.recalled"
TICKET_SERVING = "ticket.serving"
TICKET_FINISHED = "ticket.finished"
TICKET_NO_SHOW = "ticket.no_show"
TICKET_TRANSFERRED = "ticket.transferred"
TICKET_RETURNED = "ticket.returned"  # a missed ticket back in line; data: {"place": k}
TICKET_CANCELLED = "ticket.cancelled"
TICKET_UNSERVED = "ticket.unserved"
TICKET_RATED = "ticket.rated"  # data: {"level": 1..5, "channel": "evaluator" | "phone" | "staff"}
# Staff confirmed a priority class: data {"priority", "was", "by"} (the reason: audit log only)
TICKET_PRIORITIZED = "ticket.prioritized"
# A remote ticket's citizen checked in at the hall: it is called from now on; data {"by"}
TICKET_ARRIVED = "ticket.arrived"
COUNTER_OPENED = "counter.opened"
COUNTER_PAUSED = "counter.paused"
COUNTER_CLOSED = "counter.closed"
# A manager took a window another clerk held; data: {"reason", "from_clerk", "clerk"}.
COUNTER_TAKEN_OVER = "counter.taken_over"
DEVICE_STATUS = "device.status"

EVENT_TYPES = (
    TICKET_ISSUED,
    TICKET_CALLED,
    TICKET_RECALLED,
    TICKET_SERVING,
    TICKET_FINISHED,
    TICKET_NO_SHOW,
    TICKET_TRANSFERRED,
    TICKET_RETURNED,
    TICKET_CANCELLED,
    TICKET_UNSERVED,
    TICKET_RATED,
    TICKET_PRIORITIZED,
    TICKET_ARRIVED,
    COUNTER_OPENED,
    COUNTER_PAUSED,
    COUNTER_CLOSED,
    COUNTER_TAKEN_OVER,
    DEVICE_STATUS,
)

# Socket.IO control messages (client → server, server → client).
JOIN = "join"
JOINED = "joined"
ERROR = "error"
# Server → client, before a join's acknowledgement: one page of its backlog,
# {"site", "counter", "events": [payload, …]} in seq order.
CATCH_UP = "catch_up"
# A join refused because its token joins too often: {"ok": false, "error": TOO_MANY_JOINS,
# "retry_after": seconds}. Join again after that long (a little more, at random).
TOO_MANY_JOINS = "too_many_joins"
# A device agent (kiosk) asks whether the centre is alive; the ack is {"ok": true}. The
# pages need not: they hear engine.io's pings (PING_SECONDS), which Python clients cannot.
HEARTBEAT = "heartbeat"


def site_room(site: str) -> str:
    return f"site:{site}"


def counter_room(site: str, counter: int) -> str:
    return f"counter:{site}:{counter}"


MANAGERS_ROOM = "managers"

# The message queue's channel: Flask-SocketIO's default, shared by the centre's processes
# and the push gateways (queue_server/gateway).
PUSH_CHANNEL = "flask-socketio"
# Each centre process says it is alive through the message queue this often, to a room no
# client joins: a push gateway beats to its screens only while it hears a centre.
CENTRE_BEAT_ROOM = "centre-beat"
CENTRE_BEAT_SECONDS = 0.5

# 好差评: the five rating levels, best first; their words are `rate_<level>` of the
# message catalogue (`wire.words`).
RATING_LEVELS = (5, 4, 3, 2, 1)


def iso(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    # isoformat is several times faster than strftime, and every answer carries a few moments.
    return moment.astimezone(UTC).isoformat(timespec="milliseconds")[:-6] + "Z"


def _value(item: Any) -> Any:
    return getattr(item, "value", item)


def ticket_payload(ticket: Any, private: bool = False) -> dict[str, Any]:
    """A ticket as clients see it: no request id, no person hash.

    `private` adds what only the site's staff (and the kiosk that issued it) may read:
    the masked name and the clerk's free-text transfer note (a note can hold a phone
    number). Events, public reads and screens never carry them.
    """
    payload = {
        "id": ticket.id,
        "site": ticket.site_id,
        "number": ticket.number,
        "day": ticket.day,
        "service": ticket.service,
        "bundle": ticket.bundle,
        "channel": _value(ticket.channel),
        "priority": _value(ticket.priority),
        "status": _value(ticket.status),
        "issued_at": iso(ticket.issued_at),
        "called_at": iso(ticket.called_at),
        "started_at": iso(ticket.started_at),
        "finished_at": iso(ticket.finished_at),
        "counter": ticket.counter,
        "target_counter": ticket.target_counter,
        "outcome": _value(ticket.outcome) if ticket.outcome else None,
        "transfer_count": ticket.transfer_count,
        "recall_count": ticket.recall_count,
        "queued_at": iso(ticket.queued_at),
        "last_called_at": iso(ticket.last_called_at),
        "return_count": ticket.return_count,
        "help_for": ticket.help_for,
    }
    if ticket.arrival is not None:
        payload["arrival"] = ticket.arrival
    if private:
        payload["person"] = ticket.person_mask
        payload["note"] = ticket.note
    return payload


def counter_payload(counter: Any) -> dict[str, Any]:
    return {
        "number": counter.number,
        "name": counter.name,
        "kind": _value(counter.kind),
        "state": _value(counter.state),
        "pause_reason": counter.pause_reason,
        "state_since": iso(counter.state_since),
        "current_ticket": counter.current_ticket_id,
        "clerk": counter.clerk,
    }


def event_payload(event: Any, seq: int) -> dict[str, Any]:
    return {
        "seq": seq,
        "id": event.id,
        "type": event.type,
        "at": iso(event.at),
        "site": event.site_id,
        "ticket": ticket_payload(event.ticket) if event.ticket is not None else None,
        "counter": counter_payload(event.counter) if event.counter is not None else None,
        "data": event.data,
    }


def join_retry_seconds(ack: Any) -> float | None:
    """How long to wait before joining again after this acknowledgement: None unless it
    is a `too_many_joins` refusal; a little more than its `retry_after`, at random, so
    screens refused together do not come back together."""
    if not isinstance(ack, dict) or ack.get("error") != TOO_MANY_JOINS:
        return None
    try:
        seconds = max(1.0, float(ack.get("retry_after") or 1))
    except (TypeError, ValueError):
        seconds = 1.0
    return seconds * (1 + random.random() / 2)


class CatchUp:
    """A Python client's side of joining one site's room with `since` (the pages do the
    same in hallqueue.js and manage.js).

    The centre enters the socket into the room, then sends the backlog in `catch_up`
    pages, then acknowledges the join; live events can arrive at any point of that,
    before the backlog events they follow (and python-socketio hands each message to a
    thread of its own, so even the order of arrival is loose). So: from `joining()` on,
    every live event is held; when the acknowledgement and as many pages as it counts
    have arrived, pages and held events are applied together, sorted by seq, each seq
    once; after that live events are applied as they come, any seq already applied
    dropped. `apply` is called under a lock, one event at a time, in seq order.

    A join answered `complete: false` (the backlog was too long to replay) keeps holding
    until the client has read its state again and says so with `read(last_seq)`; a
    refused join (e.g. `too_many_joins`) keeps holding until the next `joining()`.
    """

    GAP_GRACE_SECONDS = 0.5

    def __init__(
        self,
        apply: Callable[[dict[str, Any]], None],
        last_seq: int | None = None,
        *,
        contiguous: bool = False,
    ) -> None:
        self.apply = apply
        self.last_seq = last_seq  # newest seq applied, or covered by a read of the state
        # A site's room hears every seq of the site, so a live event past a gap waits (up to
        # GAP_GRACE_SECONDS) for the ones before it: python-socketio runs each message on a
        # thread of its own, and the later of two quick events can take the lock first.
        # A counter's room hears only some of the site's seqs: there a gap is normal.
        self.contiguous = contiguous
        self._parked: dict[int, dict[str, Any]] = {}
        self._gap_timer: threading.Timer | None = None
        self._lock = threading.Lock()
        self._holding = False
        self._held: list[dict[str, Any]] = []
        self._backlog: list[dict[str, Any]] = []
        self._pages = 0
        self._ack: dict[str, Any] | None = None

    @property
    def holding(self) -> bool:
        return self._holding

    def joining(self, last_seq: int | None = None) -> int | None:
        """A join is about to be sent; returns its `since`. `last_seq`: the client has just
        read its state, which covers the events up to it."""
        with self._lock:
            if last_seq is not None:
                self.last_seq = last_seq
            self._holding = True
            self._held, self._backlog, self._pages, self._ack = [], [], 0, None
            return self.last_seq

    def event(self, payload: Any) -> None:
        """A live event (any event type the client listens to)."""
        if not isinstance(payload, dict) or not isinstance(payload.get("seq"), int):
            return
        with self._lock:
            if self._holding:
                self._held.append(payload)
            elif self.contiguous and self.last_seq is not None and payload["seq"] > self.last_seq + 1:
                self._park(payload)
            else:
                self._apply_new(payload)
                self._apply_parked()

    def page(self, data: Any) -> None:
        """A `catch_up` page."""
        if not isinstance(data, dict) or not isinstance(data.get("events"), list):
            return
        with self._lock:
            if not self._holding:
                return  # a page of a join given up
            self._backlog += [
                e for e in data["events"] if isinstance(e, dict) and isinstance(e.get("seq"), int)
            ]
            self._pages += 1
            self._release_when_complete()

    def joined(self, ack: Any) -> None:
        """The join's acknowledgement (a refusal keeps holding: the caller joins again)."""
        with self._lock:
            if self._holding and isinstance(ack, dict) and ack.get("ok"):
                self._ack = ack
                self._release_when_complete()

    def read(self, last_seq: int) -> None:
        """After `complete: false`: the state was read again and covers the events up to
        `last_seq`; what was held after it is applied."""
        with self._lock:
            self.last_seq = last_seq
            self._release(self._held)

    def _release_when_complete(self) -> None:
        ack = self._ack
        if ack is None or not ack.get("complete", True) or self._pages < int(ack.get("pages") or 0):
            return
        self._release(self._backlog + self._held)

    def _release(self, events: list[dict[str, Any]]) -> None:
        self._holding = False
        self._held, self._backlog, self._pages, self._ack = [], [], 0, None
        parked, self._parked = list(self._parked.values()), {}
        for payload in sorted(events + parked, key=lambda e: e["seq"]):
            self._apply_new(payload)

    def _park(self, payload: dict[str, Any]) -> None:
        self._parked[payload["seq"]] = payload
        if self._gap_timer is None:
            self._gap_timer = threading.Timer(self.GAP_GRACE_SECONDS, self._give_up_gap)
            self._gap_timer.daemon = True
            self._gap_timer.start()

    def _apply_parked(self) -> None:
        """The parked events that now follow on, in order."""
        while self.last_seq is not None and self.last_seq + 1 in self._parked:
            self._apply_new(self._parked.pop(self.last_seq + 1))
        if not self._parked and self._gap_timer is not None:
            self._gap_timer.cancel()
            self._gap_timer = None

    def _give_up_gap(self) -> None:
        """The missing events never came (not this room's, or lost with a connection that
        a rejoin with `since` will repair): apply what waited, in order."""
        with self._lock:
            self._gap_timer = None
            if self._holding:
                return  # a join is under way: its release applies them with its backlog
            parked, self._parked = list(self._parked.values()), {}
            for payload in sorted(parked, key=lambda e: e["seq"]):
                self._apply_new(payload)

    def _apply_new(self, payload: dict[str, Any]) -> None:
        if self.last_seq is not None and payload["seq"] <= self.last_seq:
            return
        self.last_seq = payload["seq"]
        self.apply(payload)
