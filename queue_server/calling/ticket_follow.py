"""A citizen's phone following its ticket by push: the protocol, without a web framework.

The centre's Flask-SocketIO handlers (`push`) and the asyncio push gateway both speak it
by calling these functions; neither decides anything of it by itself.

1. Connect with `auth={"ticket": TICKET_ID}` and no token (`followed_ticket`); an optional
   `"lang": "zh" | "en"` picks the language of the view (else the handshake's
   Accept-Language). Refused like a bad token when the ticket does not exist, and with
   `too_many_followers` past `FOLLOWERS_PER_TICKET` sockets on one ticket or the
   process's `FOLLOWERS_PER_PROCESS` (`Followers.admit`): a tokenless socket is cheap to
   open, so its numbers are bounded.
2. `join` with `{"ticket": TICKET_ID}` (`room_to_join`): that ticket's room and no other —
   a site, a counter or another ticket is `forbidden`. The room is entered first, then the
   view is read (`joined`): every event committed after the read is heard in the room, so
   nothing falls between the view and the first event. The answer is
   `{ok: true, ticket, view}`, `view` being exactly what `GET /api/v1/tickets/{id}` answers.
3. Each event of the ticket arrives as `ticket.event` with `follower_payload`: its type,
   time, the ticket's number, status and window, and the window's number and name — what
   the hall's display shows anyway; no seq, no data, nothing personal. A follower that
   needs more reads the view again over REST.
4. Followers hear the centre's `heartbeat` like every socket; having no token, they are
   not revalidated, but a follower of a ticket no longer stored (purged) is disconnected
   (`gone`).

A token socket (a screen, a clerk) joins no ticket's room (`asks_for_ticket`): it hears
every event of its site already.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from queue_server import wire
from queue_server.calling import ticket_view
from queue_server.engine.errors import NotFound
from queue_server.wire.words import LANGUAGES, pick_language

if TYPE_CHECKING:
    from queue_server.calling.operations import Operations
    from queue_server.storage import Store

# Sockets following one ticket: a citizen's phone, perhaps a relative's, a tab or two.
FOLLOWERS_PER_TICKET = 5
MAX_TICKET_ID = 64  # ids are 26-character ULIDs; anything far longer is not one

TOO_MANY_FOLLOWERS = "too_many_followers"


class FollowRefused(Exception):
    """A tokenless connection that may not follow: `reason` is sent as the connect error
    (`unknown_ticket` is refused like a bad token, without a reason)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Follower:
    ticket: str
    language: str  # of the view its join is answered with


def followed_ticket(auth: Any) -> str | None:
    """The ticket a connection asks to follow: `{"ticket": id}` without a token, else None
    (the connection is then a token's, checked as such)."""
    if not isinstance(auth, Mapping) or auth.get("token") is not None:
        return None
    ticket = auth.get("ticket")
    if isinstance(ticket, str) and 0 < len(ticket) <= MAX_TICKET_ID:
        return ticket
    return None


def follower_language(auth: Any, accept_language: str | None) -> str:
    asked = auth.get("lang") if isinstance(auth, Mapping) else None
    return asked if asked in LANGUAGES else pick_language(accept_language)


class Followers:
    """The follower sockets of this process, by socket id, within their caps."""

    def __init__(self, per_process: int, per_ticket: int = FOLLOWERS_PER_TICKET) -> None:
        self.per_process = per_process
        self.per_ticket = per_ticket
        self._by_sid: dict[str, Follower] = {}
        self._count: dict[str, int] = {}  # sockets per ticket
        self._lock = threading.Lock()

    def admit(
        self, store: Store, sid: str, auth: Any, accept_language: str | None = None
    ) -> Follower:
        """A new connection following a ticket (`followed_ticket(auth)` is not None)."""
        ticket = followed_ticket(auth)
        if ticket is None or not store.tickets.existing([ticket]):
            raise FollowRefused("unknown_ticket")
        follower = Follower(ticket, follower_language(auth, accept_language))
        with self._lock:
            if (
                len(self._by_sid) >= self.per_process
                or self._count.get(ticket, 0) >= self.per_ticket
            ):
                raise FollowRefused(TOO_MANY_FOLLOWERS)
            self._by_sid[sid] = follower
            self._count[ticket] = self._count.get(ticket, 0) + 1
        return follower

    def leave(self, sid: str) -> None:
        with self._lock:
            follower = self._by_sid.pop(sid, None)
            if follower is None:
                return
            left = self._count[follower.ticket] - 1
            if left:
                self._count[follower.ticket] = left
            else:
                del self._count[follower.ticket]

    def get(self, sid: str) -> Follower | None:
        return self._by_sid.get(sid)

    def __contains__(self, sid: object) -> bool:
        return sid in self._by_sid

    def __len__(self) -> int:
        return len(self._by_sid)

    def sids(self) -> list[str]:
        with self._lock:
            return list(self._by_sid)

    def gone(self, store: Store) -> list[str]:
        """The sockets following a ticket no longer stored: to be disconnected."""
        with self._lock:
            following = list(self._by_sid.items())
        existing = store.tickets.existing({f.ticket for _, f in following})
        return [sid for sid, f in following if f.ticket not in existing]


def refusal(error: str) -> dict[str, Any]:
    return {"ok": False, "error": error}


def asks_for_ticket(data: Any) -> bool:
    """A join naming a ticket: only a follower may send one."""
    return isinstance(data, Mapping) and "ticket" in data


def room_to_join(follower: Follower, data: Any) -> str | dict[str, Any]:
    """The room a follower's `join` enters, or the refusal to answer."""
    if not isinstance(data, Mapping):
        return refusal("invalid_input")
    if "site" in data or "counter" in data or data.get("ticket") != follower.ticket:
        return refusal("forbidden")
    return wire.ticket_room(follower.ticket)


def joined(ops: Operations, follower: Follower) -> dict[str, Any]:
    """The join's answer, read after the socket entered the room (so no event is missed)."""
    try:
        view = ticket_view.public_view(ops, follower.ticket, follower.language)
    except NotFound:  # purged while it joined
        return refusal("unknown_ticket")
    return {"ok": True, "ticket": follower.ticket, "view": view}


def follower_payload(event: Mapping[str, Any]) -> dict[str, Any]:
    """A `ticket.event`: an event of the ticket (`wire.event_payload`) reduced to what the
    hall's display shows anyway. Built under the write lock: no reads."""
    ticket = event["ticket"]
    counter = event.get("counter")
    return {
        "type": event["type"],
        "at": event["at"],
        "ticket": {
            "id": ticket["id"],
            "number": ticket["number"],
            "status": ticket["status"],
            "counter": ticket["counter"],
        },
        "counter": {"number": counter["number"], "name": counter["name"]} if counter else None,
    }
