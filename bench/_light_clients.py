"""Light benchmark clients: many screens and clerks in one asyncio loop.

python-socketio's client costs three threads per connection, so 1,000 of them on the
benchmark's own two cores used more CPU than the centre they measured. These speak just
enough of the wire — WebSocket (RFC 6455, masked client frames), engine.io 4 (open,
ping → pong, message) and Socket.IO 5 (connect with auth, emit with an acknowledgement,
events) — and plain HTTP/1.1 keep-alive, so one process holds a thousand screens.
"""
from __future__ import annotations

import asyncio
import base64
import json
import os
import random
import struct
import time
from collections.abc import Callable
from typing import Any


class ProtocolError(Exception):
    pass


class Refused(ProtocolError):
    """The centre refused the Socket.IO connect (its auth) or the join: its answer is the message."""


def refused_for(ack: Any) -> float | None:
    """Seconds to wait before joining again when the centre refused a join as too frequent
    (`too_many_joins`, as `queue_server.wire.join_retry_seconds` reads it), else None.
    A thousand screens on one token rejoining at once are paced by the centre."""
    if not isinstance(ack, dict) or ack.get("error") != "too_many_joins":
        return None
    return max(1.0, float(ack.get("retry_after") or 1)) * (1 + random.random() / 2)


def join_screen(client: Any, join: dict[str, Any]) -> Any:
    """Join with a python-socketio client, honouring `too_many_joins`."""
    while True:
        ack = client.call("join", join, timeout=30)
        wait = refused_for(ack)
        if wait is None:
            return ack
        time.sleep(wait)


async def _read_head(reader: asyncio.StreamReader) -> tuple[int, dict[str, str]]:
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {}
    for line in lines[1:]:
        if ":" in line:
            name, value = line.split(":", 1)
            headers[name.strip().lower()] = value.strip()
    return status, headers


class Screen:
    """One Socket.IO connection over a raw WebSocket, joined to one room.

    `on_event(name, payload, arrived_at)` is called for every event; only events whose name is
    in `parse` have their payload decoded (the others arrive as None), to keep the loop light.
    Frames are cut from what the socket delivers in `data_received` (an asyncio Protocol),
    not read with a coroutine per frame: a thousand screens' clients cost a third as much CPU,
    which the benchmarks' clients share with the servers they measure.
    """

    def __init__(self, on_event: Callable[[str, Any, float], None], parse: frozenset[str] = frozenset()) -> None:
        self.on_event = on_event
        self.parse = parse
        self.heard = 0
        self._transport: asyncio.Transport | None = None
        self._acks: dict[int, asyncio.Future[Any]] = {}
        self._next_ack = 1
        self._handshake: asyncio.Queue[str] = asyncio.Queue()
        self._upgraded = False
        self._buffer = bytearray()

    async def connect(self, host: str, port: int, token: str | None, join: dict[str, Any], auth: dict[str, Any] | None = None) -> Any:
        """Connect with `auth` (by default `{"token": token}`), join, and return the join's
        acknowledgement (also kept as `joined`); `Refused` if the connect or the join is refused."""
        loop = asyncio.get_running_loop()
        self._transport, _ = await loop.create_connection(lambda: _ScreenWire(self), host, port)
        key = base64.b64encode(os.urandom(16)).decode()
        self._transport.write(
            (
                "GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\n"
                f"Host: {host}:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n"
            ).encode()
        )
        opened = await asyncio.wait_for(self._handshake.get(), 30)
        if not opened.startswith("0"):
            raise ProtocolError(f"expected engine.io open, got {opened[:40]!r}")
        self._send("40" + json.dumps(auth if auth is not None else {"token": token}))
        connected = await asyncio.wait_for(self._handshake.get(), 30)
        if not connected.startswith("40"):
            raise Refused(f"Socket.IO connect refused: {connected[:80]!r}")
        self._upgraded = True
        while True:
            ack = await asyncio.wait_for(self.call("join", join), 30)
            wait = refused_for(ack)
            if wait is None:
                break
            await asyncio.sleep(wait)
        if not (isinstance(ack, dict) and ack.get("ok")):
            raise Refused(f"join refused: {ack}")
        self.joined = ack
        return ack

    def _send(self, text: str) -> None:
        assert self._transport is not None
        payload = text.encode()
        mask = os.urandom(4)
        n = len(payload)
        if n < 126:
            head = struct.pack("!BB", 0x81, 0x80 | n)
        elif n < 65536:
            head = struct.pack("!BBH", 0x81, 0x80 | 126, n)
        else:
            head = struct.pack("!BBQ", 0x81, 0x80 | 127, n)
        masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
        self._transport.write(head + mask + masked)

    async def call(self, event: str, data: Any) -> Any:
        ack_id = self._next_ack
        self._next_ack += 1
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._acks[ack_id] = future
        self._send(f"42{ack_id}" + json.dumps([event, data]))
        return await future

    def _received(self, data: bytes) -> None:
        buffer = self._buffer
        buffer += data
        if not self._upgraded and not self._handshake.qsize() and buffer.startswith(b"HTTP/"):
            end = buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            if buffer[9:12] != b"101":
                raise ProtocolError(f"websocket upgrade answered {bytes(buffer[9:12])!r}")
            del buffer[: end + 4]
        arrived = time.time()
        while len(buffer) >= 2:
            n = buffer[1] & 0x7F
            at = 2
            if n == 126:
                if len(buffer) < 4:
                    return
                n, at = int.from_bytes(buffer[2:4], "big"), 4
            elif n == 127:
                if len(buffer) < 10:
                    return
                n, at = int.from_bytes(buffer[2:10], "big"), 10
            if len(buffer) < at + n:
                return
            opcode = buffer[0] & 0x0F
            text = buffer[at : at + n].decode()
            del buffer[: at + n]
            if opcode == 8:
                raise ConnectionError("closed by the server")
            if opcode in (1, 0):  # the servers' frames are small and unfragmented
                self._packet(text, arrived)

    def _packet(self, packet: str, arrived: float) -> None:
        if packet == "2":  # engine.io ping
            self._send("3")
        elif packet.startswith("42"):
            self.heard += 1
            name_end = packet.find('"', 4)
            name = packet[4:name_end]
            payload = json.loads(packet[2:])[1] if name in self.parse else None
            self.on_event(name, payload, arrived)
        elif packet.startswith("43"):
            body_at = packet.find("[")
            future = self._acks.pop(int(packet[2:body_at]), None)
            if future is not None and not future.done():
                future.set_result(json.loads(packet[body_at:])[0])
        elif not self._upgraded:
            self._handshake.put_nowait(packet)

    async def close(self) -> None:
        if self._transport is not None:
            self._transport.close()


class _ScreenWire(asyncio.Protocol):
    def __init__(self, screen: Screen) -> None:
        self.screen = screen
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        try:
            self.screen._received(data)
        except (ConnectionError, ProtocolError):
            if self.transport is not None:
                self.transport.close()


class Http:
    """One keep-alive HTTP/1.1 connection (the centre answers with Content-Length)."""

    def __init__(self, host: str, port: int, token: str) -> None:
        self.host, self.port, self.token = host, port, token
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None

    async def post(self, path: str, body: Any = None) -> tuple[int, bytes]:
        if self._writer is None or self._writer.is_closing():
            self._reader, self._writer = await asyncio.open_connection(self.host, self.port)
        assert self._reader is not None
        data = b"" if body is None else json.dumps(body).encode()
        self._writer.write(
            (
                f"POST {path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n"
                f"Authorization: Bearer {self.token}\r\nContent-Type: application/json\r\n"
                f"Content-Length: {len(data)}\r\n\r\n"
            ).encode()
            + data
        )
        try:
            status, headers = await _read_head(self._reader)
            content = await self._reader.readexactly(int(headers.get("content-length", "0")))
        except (OSError, asyncio.IncompleteReadError):
            self._writer.close()  # the next request opens a new connection
            self._writer = None
            raise
        if headers.get("connection", "").lower() == "close":
            self._writer.close()
            self._writer = None
        return status, content

    async def close(self) -> None:
        if self._writer is not None:
            self._writer.close()


def host_port(url: str) -> tuple[str, int]:
    host, port = url.rsplit("//", 1)[1].split(":")
    return host, int(port)


def hold_screens(url: str, token: str, joins: list[dict[str, Any]], ready: Any, stop: Any, **screen: Any) -> list[Screen]:
    """Connect one screen per join (50 handshakes at a time), say how many on `ready`, keep
    them until `stop` is set, close them, and hand them back (for their counts)."""
    host, port = host_port(url)

    async def main() -> list[Screen]:
        screens = [Screen(**screen) for _ in joins]
        gate = asyncio.Semaphore(50)

        async def connect(one: Screen, join: dict[str, Any]) -> None:
            async with gate:
                await one.connect(host, port, token, join)

        await asyncio.gather(*(connect(s, j) for s, j in zip(screens, joins, strict=True)))
        ready.put(len(screens))
        while not stop.is_set():
            await asyncio.sleep(0.05)
        for one in screens:
            await one.close()
        return screens

    return asyncio.run(main())
