"""One WebSocket frame written to every socket of a room, instead of a send per socket.

python-socketio sends an event to a room by giving each socket's engine.io queue the packet
through a task of its own; each socket's writer task then wakes, frames the message and
writes it. With 1,000 screens that was about 150 µs of the gateway's one core per socket
per event (py-spy: task creation a third of it), so a call reached the last screens ~4 s
late. A server's frame is not masked, so it is the same bytes for every client: the
gateway builds it once and writes it to each socket's transport, a few µs each.

Order is kept: a socket is written directly only when its engine.io writer is parked,
waiting on an empty queue, so everything queued before has been written already; any
other socket (still on long-polling, upgrading, with packets queued, with a full write
buffer) gets the packet through its queue as before. Written uncompressed: permessage-
deflate lets a sender leave any message uncompressed (RFC 7692, 6.1), so the frame is valid
whatever the client negotiated.
"""

from __future__ import annotations

import asyncio
import struct
from typing import Any

from engineio.async_drivers.aiohttp import WebSocket

# A socket whose client reads slower than this much backlog goes back to its queue, which
# waits for the transport to drain, instead of growing the buffer without bound.
WRITE_BUFFER_LIMIT = 256 * 1024


def text_frame(text: str) -> bytes:
    """A final, unmasked WebSocket text frame (RFC 6455, 5.2) carrying `text`."""
    payload = text.encode()
    size = len(payload)
    if size < 126:
        header = struct.pack("!BB", 0x81, size)
    elif size < 1 << 16:
        header = struct.pack("!BBH", 0x81, 126, size)
    else:
        header = struct.pack("!BBQ", 0x81, 127, size)
    return header + payload


class Connections:
    """The WebSocket connection under each engine.io socket, by engine.io sid."""

    def __init__(self) -> None:
        self.by_eio_sid: dict[str, Any] = {}

    def driver(self) -> type[WebSocket]:
        """engine.io's aiohttp WebSocket wrapper, noting each connection here while it lasts."""
        connections = self.by_eio_sid

        class NotedWebSocket(WebSocket):
            async def __call__(self, environ: dict[str, Any]) -> Any:
                eio_sid = getattr(getattr(self.handler, "__self__", None), "sid", None)
                if eio_sid is not None:
                    connections[eio_sid] = self
                try:
                    return await super().__call__(environ)
                finally:
                    if eio_sid is not None and connections.get(eio_sid) is self:
                        del connections[eio_sid]

        return NotedWebSocket

    def write(self, socket: Any, frame: bytes) -> bool:
        """Write `frame` straight to the connection of engine.io `socket` when that keeps its
        order (see the module's docstring); False when it must go through its queue."""
        if socket is None or socket.closed or socket.closing or not socket.upgraded or socket.upgrading:
            return False
        connection = self.by_eio_sid.get(socket.sid)
        if connection is None or connection._sock is None:
            return False
        if not _writer_parked(socket.queue):
            return False
        writer = getattr(connection._sock, "_writer", None)
        transport = getattr(writer, "transport", None)
        if transport is None or transport.is_closing() or transport.get_write_buffer_size() > WRITE_BUFFER_LIMIT:
            return False
        transport.write(frame)
        return True


def _writer_parked(queue: asyncio.Queue[Any]) -> bool:
    """The socket's writer waits on its empty queue: all it was given is written."""
    # asyncio.Queue keeps its waiting getters in `_getters` (CPython 3.8–3.13); without it
    # every event simply goes through the queue, as python-socketio sends it.
    getters = getattr(queue, "_getters", ())
    return queue.empty() and any(not getter.done() for getter in getters)
