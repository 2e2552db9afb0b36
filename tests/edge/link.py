"""A WAN link between a station and the city that a test can cut, slow and make flap.

`Link(target_port)` listens on a free loopback port and forwards every connection to the
target. `cut()` drops every open connection and refuses new ones (a line that is down);
`restore()` lets them through again; `rate` caps the bytes per second in each direction
(64 kbit/s is 8,000); `flap(up, down)` cuts and restores on a schedule until `steady()`.
`sent` and `received` count the bytes that crossed (from the station, to the station).
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time


class Link:
    def __init__(self, target_port: int, rate: float | None = None) -> None:
        self.target = ("127.0.0.1", target_port)
        self.rate = rate  # bytes per second each way; None: as fast as loopback
        self.sent = 0
        self.received = 0
        self._up = threading.Event()
        self._up.set()
        self._lock = threading.Lock()
        self._sockets: set[socket.socket] = set()
        self._listener = socket.socket()
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(64)
        self.port = self._listener.getsockname()[1]
        self._closed = False
        self._flapping: threading.Event | None = None
        threading.Thread(target=self._accept, name="link-accept", daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    # --- what a test does --------------------------------------------------------------

    def cut(self) -> None:
        """The line goes down: open connections die, new ones are refused."""
        self._up.clear()
        with self._lock:
            doomed, self._sockets = list(self._sockets), set()
        for sock in doomed:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            with contextlib.suppress(OSError):
                sock.close()

    def restore(self) -> None:
        self._up.set()

    @property
    def is_up(self) -> bool:
        return self._up.is_set()

    def flap(self, up_seconds: float, down_seconds: float) -> None:
        """Cut and restore the line on a schedule, until `steady()`."""
        self.steady()
        stop = threading.Event()
        self._flapping = stop

        def run() -> None:
            while not stop.is_set():
                if stop.wait(up_seconds):
                    break
                self.cut()
                stop.wait(down_seconds)
                self.restore()
            self.restore()

        threading.Thread(target=run, name="link-flap", daemon=True).start()

    def steady(self) -> None:
        if self._flapping is not None:
            self._flapping.set()
            self._flapping = None
        self.restore()

    def close(self) -> None:
        self.steady()
        self._closed = True
        self.cut()
        with contextlib.suppress(OSError):
            self._listener.close()

    # --- the forwarding ------------------------------------------------------------------

    def _accept(self) -> None:
        while not self._closed:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            if not self._up.is_set():
                with contextlib.suppress(OSError):
                    client.close()  # a line that is down: the connection dies at once
                continue
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            upstream.settimeout(None)  # a slow line waits as long as it takes, like a real one
            with self._lock:
                self._sockets.update((client, upstream))
            threading.Thread(target=self._pump, args=(client, upstream, "sent"), daemon=True).start()
            threading.Thread(target=self._pump, args=(upstream, client, "received"), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket, counter: str) -> None:
        budget_start = time.monotonic()
        moved = 0
        try:
            while True:
                chunk = source.recv(1024 if self.rate else 65536)
                if not chunk or not self._up.is_set():
                    break
                if self.rate:  # the bytes may not get ahead of the line's rate
                    moved += len(chunk)
                    due = budget_start + moved / self.rate
                    delay = due - time.monotonic()
                    if delay > 0:
                        time.sleep(delay)
                    if not self._up.is_set():
                        break
                with self._lock:  # counted first: the far end may act on the bytes at once
                    setattr(self, counter, getattr(self, counter) + len(chunk))
                sink.sendall(chunk)
        except OSError:
            pass
        finally:
            for sock in (source, sink):
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
                with contextlib.suppress(OSError):
                    sock.close()
            with self._lock:
                self._sockets.discard(source)
                self._sockets.discard(sink)
