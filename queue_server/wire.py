"""The wire protocol shared by the centre, kiosks and signs: event names and payloads.

Kiosks and window-sign agents import this module and nothing else of
`queue_server`. An event on the wire is

    {"seq", "id", "type", "at", "site", "ticket": {...} | None,
     "counter": {...} | None, "data": {...}}

and is delivered as a Socket.IO event named by its `type`. `seq` is a site-wide
sequence number: clients remember the last one they saw and ask for what came
after it (`join` with `since`, or `GET /api/v1/sites/{site}/events?since=`),
and drop any event whose seq they have already seen.
"""

from __future__ import annotations

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
# A device agent (kiosk) asks whether the centre is alive; the ack is {"ok": true}. The
# pages need not: they hear engine.io's pings (PING_SECONDS), which Python clients cannot.
HEARTBEAT = "heartbeat"


def site_room(site: str) -> str:
    return f"site:{site}"


def counter_room(site: str, counter: int) -> str:
    return f"counter:{site}:{counter}"


MANAGERS_ROOM = "managers"

# 好差评: the five rating levels, value -> (zh, en).
RATING_LEVELS: dict[int, tuple[str, str]] = {
    5: ("非常满意", "Very satisfied"),
    4: ("满意", "Satisfied"),
    3: ("基本满意", "Fairly satisfied"),
    2: ("不满意", "Dissatisfied"),
    1: ("非常不满意", "Very dissatisfied"),
}


def iso(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    return (
        moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
    )


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
    }
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
