"""Real-time push over Socket.IO.

A client connects with `auth={"token": …}` (a staff session token or a device
token), then emits `join` with `{"site": SITE}` or `{"site": SITE, "counter": N}`
and optionally `"since": SEQ`. It then receives every event of that site (or
counter) as a Socket.IO event named by its type. With `since` it also receives
the stored events after SEQ, in `catch_up` pages before the join's acknowledgement,
so a reconnect never misses a call; how that stays gap-free without the write lock,
and how a token that joins too often is slowed, is in `catch_up`.
`heartbeat` is answered `{"ok": true}` at once: a device agent's way to know the
centre is alive (browsers hear engine.io's pings instead).

A citizen's phone connects with `auth={"ticket": …}` and no token instead, and may join
that ticket's room only: the protocol is `ticket_follow`'s, these handlers only carry it.
"""

from __future__ import annotations

import logging
import threading
import time
import zlib
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from flask import request
from flask_socketio import SocketIO, join_room
from socketio.exceptions import ConnectionRefusedError as ConnectRefused

from devices.loop_thread import LoopThread
from queue_server import wire
from queue_server.calling import joins, ticket_follow
from queue_server.calling.catch_up import JOIN_COST, JoinBudgets, wait_until
from queue_server.storage import Database
from queue_server.wire.words import pick_language

if TYPE_CHECKING:
    from queue_server.accounts.credentials import Principal
    from queue_server.app import Hall

log = logging.getLogger("hallqueue.push")
# Every connected socket's token is checked again this often: a revoked device or a
# deactivated member stops hearing its rooms within this (plus the principal cache).
REVALIDATE_SECONDS = 5.0


def publisher(socketio: SocketIO, db: Database):
    """The callback operations use after each commit (called with the write lock held,
    so events are published in seq order, by every process). An event of a ticket also
    goes, reduced, to the phones following that ticket: one more emit, built from the
    payload alone (no read under the lock)."""

    def publish(payloads: list[dict[str, Any]]) -> None:
        for payload in payloads:
            rooms = [wire.site_room(payload["site"]), wire.MANAGERS_ROOM]
            if payload.get("counter"):
                rooms.append(wire.counter_room(payload["site"], payload["counter"]["number"]))
            try:
                socketio.emit(payload["type"], payload, to=rooms)
                if payload.get("ticket"):
                    socketio.emit(
                        wire.TICKET_EVENT,
                        ticket_follow.follower_payload(payload),
                        to=wire.ticket_room(payload["ticket"]["id"]),
                    )
            except Exception:  # the event is stored; clients catch up by seq, phones poll
                log.exception("push of %s seq %s failed", payload["type"], payload["seq"])

    return publish


def register(socketio: SocketIO, hall: Hall) -> None:
    principals: dict[str, Principal] = {}
    tokens: dict[str, str] = {}
    lock = threading.Lock()
    budgets = JoinBudgets()
    followers = ticket_follow.Followers(int(hall.settings["FOLLOWERS_PER_PROCESS"]))
    for worker in (
        _revalidation(socketio, hall, tokens, lock, followers),
        _heartbeat(socketio, float(hall.settings["PING_SECONDS"]), tokens, lock, followers),
    ):
        hall.db.before_closing(worker.stop)  # the workers end with the centre
        worker.start()

    @socketio.on("connect")
    def on_connect(auth: Any = None) -> bool:
        if ticket_follow.followed_ticket(auth) is not None:
            return _follow(auth)
        given = auth.get("token") if isinstance(auth, dict) else None
        token = given if isinstance(given, str) else None
        principal = hall.accounts.principal(token)
        if principal is None or token is None:
            return False  # refused: the client sees a connect_error
        with lock:
            principals[request.sid] = principal  # type: ignore[attr-defined]
            tokens[request.sid] = token  # type: ignore[attr-defined]
        if principal.all_sites:
            join_room(wire.MANAGERS_ROOM)
        return True

    def _follow(auth: Any) -> bool:
        """A phone following one ticket, without a token."""
        sid = request.sid  # type: ignore[attr-defined]
        try:
            followers.admit(hall.db.store, sid, auth, request.headers.get("Accept-Language"))
        except ticket_follow.FollowRefused as refused:
            if refused.reason == ticket_follow.TOO_MANY_FOLLOWERS:
                raise ConnectRefused(refused.reason) from None  # the client's connect_error says why
            return False  # an unknown ticket: refused like a bad token
        return True

    @socketio.on("disconnect")
    def on_disconnect(*_: Any) -> None:
        with lock:
            principals.pop(request.sid, None)  # type: ignore[attr-defined]
            tokens.pop(request.sid, None)  # type: ignore[attr-defined]
        followers.leave(request.sid)  # type: ignore[attr-defined]

    @socketio.on(wire.HEARTBEAT)
    def on_heartbeat(*_: Any) -> dict[str, Any]:
        # The answer itself is the heartbeat: a frozen or unreachable centre gives none.
        sid = request.sid  # type: ignore[attr-defined]
        return {"ok": sid in principals or sid in followers}

    def follower_join(follower: ticket_follow.Follower, data: Any) -> dict[str, Any]:
        room = ticket_follow.room_to_join(follower, data)
        if not isinstance(room, str):
            return room
        try:
            join_room(room)
        except (KeyError, ValueError):  # the socket went away meanwhile
            return {"ok": False, "error": "unauthorized"}
        return ticket_follow.joined(hall.ops, follower)  # read after entering: nothing missed

    @socketio.on(wire.JOIN)
    def on_join(data: Any = None) -> dict[str, Any]:
        sid = request.sid  # type: ignore[attr-defined]
        follower = followers.get(sid)
        if follower is not None:
            return follower_join(follower, data)
        principal = principals.get(sid)
        store = hall.db.store
        try:
            join = joins.check(principal, data, store)
            assert principal is not None  # check refuses a socket without one
            language = pick_language(request.headers.get("Accept-Language"))
            pace = joins.admit(budgets, principal, join, store, language)
        except joins.Refused as refused:
            return refused.answer
        wait_until(pace.due(JOIN_COST))
        # The room first, then the backlog, read without the write lock: every event is in
        # the backlog or heard live, possibly both (see catch_up).
        try:
            join_room(join.room)
        except (KeyError, ValueError):  # the socket went away while its join waited
            return {"ok": False, "error": "unauthorized"}
        backlog = join.backlog(store)
        replayed = pages = 0
        for page in backlog.pages(store):
            wait_until(joins.page_due(pace, backlog, page))
            if sid not in principals:  # gone (or revoked) while it waited
                break
            # Straight to the socket, not through a message queue: the pages must reach
            # the client before this join's acknowledgement.
            socketio.emit(wire.CATCH_UP, page, to=sid, ignore_queue=True)
            replayed += len(page["events"])
            pages += 1
        return joins.acknowledgement(join, backlog, replayed, pages)


def _revalidation(
    socketio: SocketIO,
    hall: Hall,
    tokens: dict[str, str],
    lock: threading.Lock,
    followers: ticket_follow.Followers,
) -> LoopThread:
    """Disconnect sockets whose token was revoked since they connected (in any process),
    and phones following a ticket no longer stored (they have no token to revoke)."""

    def check() -> None:
        while not worker.stopping.wait(REVALIDATE_SECONDS):
            with lock:
                connected = list(tokens.items())
            revoked: dict[str, bool] = {}  # per distinct token: screens often share one
            for sid, token in connected:
                try:
                    if token not in revoked:
                        revoked[token] = hall.accounts.principal(token) is None
                    if revoked[token]:
                        log.info("token of socket %s revoked: disconnecting it", sid)
                        socketio.server.disconnect(sid)
                except Exception:  # a closed database (tests), a gone socket: try next round
                    log.debug("revalidating socket %s failed", sid, exc_info=True)
            try:
                for sid in followers.gone(hall.db.store):  # one read for all followed tickets
                    log.info("ticket of socket %s is gone: disconnecting it", sid)
                    socketio.server.disconnect(sid)
            except Exception:
                log.debug("revalidating followers failed", exc_info=True)

    worker = LoopThread(check, name="push-revalidate")
    return worker


HEARTBEAT_SLICES = 20  # each tick of the interval beats to one slice of the sockets


def _heartbeat(
    socketio: SocketIO,
    seconds: float,
    tokens: dict[str, str],
    lock: threading.Lock,
    followers: ticket_follow.Followers,
) -> LoopThread:
    """Every socket hears a `heartbeat` every `seconds`: a screen that hears nothing (no
    heartbeat, no event) for two of them shows “connection lost”.

    The sockets are cut into HEARTBEAT_SLICES slices by their id, and each tick of
    `seconds / HEARTBEAT_SLICES` beats to one slice: each socket still hears one beat per
    interval, but the centre never wakes all its sockets at once. One broadcast to 1,000
    screens stalled every other thread for about 200 ms (a writer thread per socket
    wanting the GIL), which was most of the console's p95 under that load; engine.io's
    per-socket ping at the same rate cost about 2.5 times the CPU.
    The beat goes only to this process's own sockets (`ignore_queue`): it vouches for this
    process; through a message queue every screen would hear one beat per process.
    """
    tick = seconds / HEARTBEAT_SLICES

    def beat() -> None:
        turn = 0
        due_at = time.monotonic()
        while True:
            # Ticks on a fixed schedule: sleeping a tick after each one's work would let the
            # interval drift past `seconds` on a busy centre.
            due_at = max(due_at + tick, time.monotonic() - tick)  # no catching up after a stop
            if worker.stopping.wait(max(0.0, due_at - time.monotonic())):
                return
            turn = (turn + 1) % HEARTBEAT_SLICES
            with lock:
                beating = [sid for sid in tokens if heartbeat_slice(sid) == turn]
            beating += [sid for sid in followers.sids() if heartbeat_slice(sid) == turn]
            if not beating:
                continue
            data = {"at": wire.iso(datetime.now(UTC))}
            for sid in beating:
                try:
                    socketio.emit(wire.HEARTBEAT, data, to=sid, ignore_queue=True)
                except Exception:  # a socket just gone, a server shutting down (tests)
                    log.debug("heartbeat to %s failed", sid, exc_info=True)

    worker = LoopThread(beat, name="push-heartbeat")
    return worker


def heartbeat_slice(sid: str) -> int:
    return zlib.crc32(sid.encode()) % HEARTBEAT_SLICES


def start_centre_beat(socketio: SocketIO, db: Database) -> None:
    """Say through the message queue, every `wire.CENTRE_BEAT_SECONDS`, that this centre
    process is alive: the push gateways beat to their screens only while they hear one."""

    def beat() -> None:
        while not worker.stopping.wait(wire.CENTRE_BEAT_SECONDS):
            try:
                socketio.emit(wire.HEARTBEAT, {}, to=wire.CENTRE_BEAT_ROOM)
            except Exception:  # the queue is down: the gateways' screens will say so
                log.debug("centre beat through the message queue failed", exc_info=True)

    worker = LoopThread(beat, name="centre-beat")
    db.before_closing(worker.stop)
    worker.start()
