"""The gateway's Socket.IO server: python-socketio's asyncio server on aiohttp, fed by Redis.

Guarantees, as the centre gives them (docs/events.md):

- **Joins** are checked and paced by `calling.joins`, with the centre's accounts and its
  database (read only here); the backlog is read after the socket entered its room, so
  every event is in the catch-up pages or heard live (the argument of `calling.catch_up`
  holds: the centre publishes each event after its commit, in seq order, and the gateway
  hears one publisher's messages in order).
- **Nothing lost in the queue.** Redis forgets what it published while a listener was away.
  Every centre process says it is alive through the queue every `CENTRE_BEAT_SECONDS`; a
  gateway that heard no centre for `LOST_AFTER_SECONDS` may have missed events, so when
  it hears one again it drops every socket, and each joins again with its `since` and
  catches up from the database.
- **Heartbeats** go to every socket each `PING_SECONDS` (spread as the centre spreads them),
  only while a centre is heard: a screen whose centre is gone shows “connection lost”
  even though the gateway is up.
- **Scopes re-checked**: every `REVALIDATE_SECONDS` each distinct token is looked up again
  and sockets whose token was revoked are disconnected.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

import socketio
from aiohttp import web
from engineio import packet as eio_packet
from socketio import packet as sio_packet

from queue_server import settings as settings_module
from queue_server import wire
from queue_server.accounts.credentials import Accounts, Principal
from queue_server.accounts.keys import Keyring
from queue_server.calling import joins, ticket_follow
from queue_server.calling.catch_up import JOIN_COST, Backlog, JoinBudgets
from queue_server.calling.operations import Operations
from queue_server.calling.push import HEARTBEAT_SLICES, REVALIDATE_SECONDS, heartbeat_slice
from queue_server.gateway.frames import Connections, text_frame
from queue_server.storage import Database
from queue_server.wire.words import pick_language

log = logging.getLogger("hallqueue.gateway")
# No centre heard this long: the queue may have dropped events meanwhile. Eight beats:
# a centre busy issuing, or in a garbage collection, is late by a beat or two, not eight.
LOST_AFTER_SECONDS = 8 * wire.CENTRE_BEAT_SECONDS
# engine.io's own ping, as the centre's (queue_server.app): it only finds dead connections.
ENGINE_PING_SECONDS = 25
ENGINE_PING_TIMEOUT_SECONDS = 5


class CentreStream(socketio.AsyncRedisManager):
    """The centre's emits as they come through the message queue, with when a centre was
    last heard (`on_found` runs when one is heard again after the stream was lost); every
    event, the centre's and the gateway's own, goes to a room as one frame (`frames`)."""

    def __init__(self, url: str, clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__(url, channel=wire.PUSH_CHANNEL)
        self.clock = clock
        self.heard_at = clock()
        self.lost = False
        self.on_found: Callable[[], Awaitable[None]] | None = None
        self.connections = Connections()
        self.written = 0  # events written straight to a socket's WebSocket
        self.queued = 0  # events given to a socket's engine.io queue instead

    async def _handle_emit(self, message: dict[str, Any]) -> None:
        self.heard_at = self.clock()
        if self.lost:
            self.lost = False
            log.warning("a centre is heard again through the message queue")
            if self.on_found is not None:
                await self.on_found()
        if message.get("room") == wire.CENTRE_BEAT_ROOM:
            return  # a beat is for the gateways, not for any socket
        if message.get("callback") is not None or message.get("binary"):
            await super()._handle_emit(message)  # neither is ever sent by the centre
            return
        data = message["data"]
        await self.send_to_room(
            message["event"], data[0] if len(data) == 1 else tuple(data),
            message.get("namespace") or "/", message.get("room"), message.get("skip_sid"),
        )  # fmt: skip

    async def emit(
        self, event: str, data: Any, namespace: str | None = None, room: Any = None, skip_sid: Any = None,
        callback: Any = None, to: Any = None, **kwargs: Any,
    ) -> None:  # fmt: skip
        """The gateway's own emits (catch-up pages, heartbeats) go to its sockets only."""
        if kwargs.get("ignore_queue") and callback is None:
            await self.send_to_room(event, data, namespace or "/", to or room, skip_sid)
            return
        await super().emit(event, data, namespace, room=room, skip_sid=skip_sid, callback=callback, to=to, **kwargs)

    async def send_to_room(self, event: str, data: Any, namespace: str, room: Any, skip_sid: Any) -> None:
        if namespace not in self.rooms:
            return
        arguments = list(data) if isinstance(data, tuple) else [] if data is None else [data]
        encoded = self.server.packet_class(sio_packet.EVENT, namespace=namespace, data=[event, *arguments]).encode()
        if isinstance(encoded, list):  # binary attachments: none of our events has any
            await socketio.AsyncManager.emit(self, event, data, namespace, room=room, skip_sid=skip_sid)
            return
        message = eio_packet.Packet(eio_packet.MESSAGE, encoded)
        frame = text_frame(message.encode())
        skipped = skip_sid if isinstance(skip_sid, list) else [skip_sid]
        sockets = self.server.eio.sockets
        participants = [eio_sid for sid, eio_sid in self.get_participants(namespace, room) if sid not in skipped]
        queued = [eio_sid for eio_sid in participants if not self.connections.write(sockets.get(eio_sid), frame)]
        self.written += len(participants) - len(queued)
        self.queued += len(queued)
        for eio_sid in queued:  # after the direct writes: each socket's order is its own
            try:
                await self.server._send_eio_packet(eio_sid, message)
            except Exception:  # a socket closing meanwhile
                log.debug("queueing an event to %s failed", eio_sid, exc_info=True)

    def heard(self) -> bool:
        """Whether a centre was heard within LOST_AFTER_SECONDS (marks the stream lost if not)."""
        if not self.lost and self.clock() - self.heard_at > LOST_AFTER_SECONDS:
            self.lost = True
            log.warning("no centre heard through the message queue for %.0f s", LOST_AFTER_SECONDS)
        return not self.lost


class Gateway:
    def __init__(self, values: dict[str, Any]) -> None:
        if not values.get("MESSAGE_QUEUE"):
            raise ValueError("a push gateway needs the centre's message queue (--message-queue redis://…)")
        self.settings = values
        self.db = Database(values["DB"], synchronous=values["SYNCHRONOUS"])
        secret = settings_module.secret_for(values)
        keys: Keyring | bytes = secret
        if values["EDGE_OF"]:  # a station's edge centre keeps its keys from the city
            from queue_server.edge.station import station_keyring

            keys = station_keyring(self.db, secret)
        self.accounts = Accounts(self.db, keys)
        self.ops = Operations(self.db)  # reads only: a phone's view of its ticket
        self.stream = CentreStream(values["MESSAGE_QUEUE"])
        self.stream.on_found = self.rejoin_everyone
        self.sio = socketio.AsyncServer(
            async_mode="aiohttp",
            client_manager=self.stream,
            cors_allowed_origins=[],
            ping_interval=ENGINE_PING_SECONDS,
            ping_timeout=ENGINE_PING_TIMEOUT_SECONDS,
        )
        # engine.io's aiohttp driver, noting each WebSocket so events can be written to it
        # directly (a copy: the driver's table is shared by every server in the process).
        self.sio.eio._async = dict(self.sio.eio._async, websocket=self.stream.connections.driver())
        self.principals: dict[str, Principal] = {}
        self.tokens: dict[str, str] = {}
        self.languages: dict[str, str] = {}
        self.followers = ticket_follow.Followers(int(values["FOLLOWERS_PER_PROCESS"]))
        self.budgets = JoinBudgets()
        self.tasks: list[asyncio.Task[None]] = []
        self.sio.on("connect", self.on_connect)
        self.sio.on("disconnect", self.on_disconnect)
        self.sio.on(wire.HEARTBEAT, self.on_heartbeat)
        self.sio.on(wire.JOIN, self.on_join)

    # --- sockets ---------------------------------------------------------------------

    async def on_connect(self, sid: str, environ: dict[str, Any], auth: Any = None) -> bool:
        if ticket_follow.followed_ticket(auth) is not None:
            return self._follow(sid, environ, auth)
        token = joins.token_of(auth)
        principal = self.accounts.principal(token)
        if principal is None or token is None:
            return False  # refused: the client sees a connect_error
        self.principals[sid] = principal
        self.tokens[sid] = token
        self.languages[sid] = pick_language(environ.get("HTTP_ACCEPT_LANGUAGE"))
        if principal.all_sites:
            await self.sio.enter_room(sid, wire.MANAGERS_ROOM)
        return True

    def _follow(self, sid: str, environ: dict[str, Any], auth: Any) -> bool:
        """A phone following one ticket, without a token (calling.ticket_follow)."""
        try:
            self.followers.admit(self.db.store, sid, auth, environ.get("HTTP_ACCEPT_LANGUAGE"))
        except ticket_follow.FollowRefused as refused:
            if refused.reason == ticket_follow.TOO_MANY_FOLLOWERS:
                raise socketio.exceptions.ConnectionRefusedError(refused.reason) from None
            return False  # an unknown ticket: refused like a bad token
        return True

    async def on_disconnect(self, sid: str, *_: Any) -> None:
        self.followers.leave(sid)
        self.principals.pop(sid, None)
        self.tokens.pop(sid, None)
        self.languages.pop(sid, None)

    async def on_heartbeat(self, sid: str, *_: Any) -> dict[str, Any]:
        # The answer vouches for the centre, not only for this gateway.
        return {"ok": (sid in self.principals or sid in self.followers) and self.stream.heard()}

    async def on_join(self, sid: str, data: Any = None) -> dict[str, Any]:
        follower = self.followers.get(sid)
        if follower is not None:
            return await self._follower_join(sid, follower, data)
        principal = self.principals.get(sid)
        store = self.db.store
        try:
            join = joins.check(principal, data, store)
            assert principal is not None  # check refuses a socket without one
            pace = joins.admit(self.budgets, principal, join, store, self.languages.get(sid, "zh"))
        except joins.Refused as refused:
            return refused.answer
        await _sleep_until(pace.due(JOIN_COST))
        if sid not in self.principals:  # gone (or revoked) while it waited
            return {"ok": False, "error": "unauthorized"}
        await self.sio.enter_room(sid, join.room)
        # The room first, then the backlog (see the module's docstring).
        backlog, pages = await asyncio.to_thread(self._read_backlog, join)
        replayed = sent = 0
        for page in pages:
            await _sleep_until(joins.page_due(pace, backlog, page))
            if sid not in self.principals:
                break
            await self.sio.emit(wire.CATCH_UP, page, to=sid, ignore_queue=True)
            replayed += len(page["events"])
            sent += 1
        return joins.acknowledgement(join, backlog, replayed, sent)

    async def _follower_join(self, sid: str, follower: ticket_follow.Follower, data: Any) -> dict[str, Any]:
        room = ticket_follow.room_to_join(follower, data)
        if not isinstance(room, str):
            return room
        await self.sio.enter_room(sid, room)
        # Read after entering the room: every event committed later is heard in it.
        return await asyncio.to_thread(ticket_follow.joined, self.ops, follower)

    def _read_backlog(self, join: joins.RoomJoin) -> tuple[Backlog, list[dict[str, Any]]]:
        store = self.db.store  # this thread's own connection
        backlog = join.backlog(store)
        return backlog, list(backlog.pages(store))

    async def rejoin_everyone(self) -> None:
        """The stream was lost a while: whatever it dropped, every socket catches up by
        joining again (the clients reconnect by themselves, with their `since`)."""
        gone = [*self.principals, *self.followers.sids()]
        log.warning("dropping %d sockets so that they catch up after the lost stream", len(gone))
        for sid in gone:
            await self._drop(sid)

    async def _drop(self, sid: str) -> None:
        """Close a socket's connection as a network would: no Socket.IO or engine.io goodbye,
        after which clients never reconnect, just the WebSocket closed under them."""
        eio_sid = self.sio.manager.eio_sid_from_sid(sid, "/")
        connection = self.sio.eio.sockets.get(eio_sid) if eio_sid is not None else None
        if connection is None:
            return
        await connection.close(wait=False, abort=True)
        await connection.queue.put(None)  # ends its writer, which closes the WebSocket

    # --- workers ---------------------------------------------------------------------

    async def beat(self) -> None:
        """Every socket hears `heartbeat` each PING_SECONDS, a slice of them per tick (as in
        calling.push), and only while a centre is heard."""
        tick = float(self.settings["PING_SECONDS"]) / HEARTBEAT_SLICES
        turn = 0
        due_at = time.monotonic()
        while True:
            due_at = max(due_at + tick, time.monotonic() - tick)
            await _sleep_until(due_at)
            turn = (turn + 1) % HEARTBEAT_SLICES
            if not self.stream.heard():
                continue
            data = {"at": wire.iso(datetime.now(UTC))}
            for sid in [sid for sid in [*self.principals, *self.followers.sids()] if heartbeat_slice(sid) == turn]:
                await self.sio.emit(wire.HEARTBEAT, data, to=sid, ignore_queue=True)

    async def revalidate(self) -> None:
        """Disconnect sockets whose token was revoked since they connected."""
        while True:
            await asyncio.sleep(REVALIDATE_SECONDS)
            connected = list(self.tokens.items())
            try:
                revoked = await asyncio.to_thread(self._revoked, {token for _, token in connected})
            except Exception:  # a busy or closed database: try next round
                log.warning("revalidating the sockets' tokens failed", exc_info=True)
                continue
            for sid, token in connected:
                if token in revoked and sid in self.tokens:
                    log.info("token of socket %s revoked: disconnecting it", sid)
                    await self.sio.disconnect(sid)

            try:  # phones have no token: their ticket must still exist (not purged)
                gone = await asyncio.to_thread(lambda: self.followers.gone(self.db.store))
            except Exception:
                log.warning("revalidating the phones' tickets failed", exc_info=True)
                continue
            for sid in gone:
                await self.sio.disconnect(sid)

    def _revoked(self, tokens: set[str]) -> set[str]:
        return {token for token in tokens if self.accounts.principal(token) is None}

    async def start(self, _: web.Application) -> None:
        # The listener would otherwise start with the first socket: the gateway hears
        # the centre (and its health says so) from the start.
        self.sio.manager_initialized = True
        self.stream.initialize()
        self.tasks = [asyncio.create_task(self.beat()), asyncio.create_task(self.revalidate())]

    async def stop(self, _: web.Application) -> None:
        for task in self.tasks:
            task.cancel()
        self.db.close()

    async def health(self, _: web.Request) -> web.Response:
        heard = self.stream.heard()
        body = {
            "status": "ok" if heard else "degraded",
            "sockets": len(self.principals) + len(self.followers),
            "phones": len(self.followers),
            "centre_heard_seconds_ago": round(time.monotonic() - self.stream.heard_at, 1),
            "events_written": self.stream.written,
            "events_queued": self.stream.queued,
        }
        return web.json_response(body, status=200 if heard else 503)


async def _sleep_until(moment: float) -> None:
    delay = moment - time.monotonic()
    if delay > 0:
        await asyncio.sleep(delay)


def create_gateway(values: dict[str, Any]) -> web.Application:
    gateway = Gateway(values)
    app = web.Application()
    gateway.sio.attach(app)
    app.router.add_get("/health", gateway.health)
    app.on_startup.append(gateway.start)
    app.on_cleanup.append(gateway.stop)
    app["gateway"] = gateway
    return app


def run(config_file: str | None = None, overrides: dict[str, Any] | None = None) -> None:
    from queue_server import log_files

    values = settings_module.load(config_file, overrides)
    log_files.configure(values)
    app = create_gateway(values)
    host, port = values["HOST"], values["GATEWAY_PORT"]
    print(f"hallqueue push gateway on http://{host}:{port}/ (database {values['DB']})", flush=True)
    web.run_app(app, host=host, port=port, print=None, access_log=None)
