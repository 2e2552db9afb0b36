"""Common machinery of the simulators: a pty, a worker thread, and control commands.

A subclass implements :meth:`Simulator.handle` (bytes from the driver in, bytes to
send back out) and exposes ``ctl_<name>`` methods; :meth:`Simulator.control` dispatches
a control command by name, so the same verbs work in-process and over the control
socket.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from devices.loop_thread import LoopThread
from devices.sim.pty_endpoint import PtyEndpoint

log = logging.getLogger(__name__)


class Simulator:
    """Base simulator: subclass and implement :meth:`handle`."""

    kind = "device"
    poll_interval = 0.02
    received_limit = 1 << 20  # keep the last MiB the driver sent (long demo runs)

    def __init__(self, link: str | None = None) -> None:
        self.endpoint = PtyEndpoint(link)
        self.lock = threading.RLock()
        self.silent = False  # powered but mute: the driver sees timeouts
        self.stalled = False  # not reading at all: the driver's writes back up
        self.garbage_next = b""  # bytes to put before the next reply
        self.spoil_next = False  # flip the last byte (the checksum) of the next reply frame
        self.received = bytearray()  # everything the driver sent, for tests
        self._loop = LoopThread(self._run, name=f"sim-{self.kind}", join_timeout=2)
        self._plugged = threading.Event()

    # --- life cycle -------------------------------------------------------------

    @property
    def path(self) -> str:
        return self.endpoint.path

    def start(self) -> str:
        """Open the pty, start the worker thread and return the path to open."""
        with self.lock:
            path = self.endpoint.open()
            self._plugged.set()
        self._loop.start()
        return path

    def stop(self) -> None:
        self._loop.stop()
        with self.lock:
            self.endpoint.close()
            self._plugged.clear()

    def __enter__(self) -> Simulator:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _run(self) -> None:
        while not self._loop.stopping.is_set():
            if not self._plugged.is_set() or self.stalled:
                time.sleep(self.poll_interval)
                continue
            data = self.endpoint.read(self.poll_interval)
            with self.lock:
                if not self.endpoint.is_open:
                    continue
                try:
                    reply = self.handle(data) if data else self.idle()
                except Exception:  # a simulator bug must not kill the thread
                    log.exception("%s simulator failed on %r", self.kind, data[:64])
                    reply = b""
                if data:
                    self.received += data
                    if len(self.received) > self.received_limit:
                        del self.received[: len(self.received) - self.received_limit]
                if reply and not self.silent:
                    if self.garbage_next:
                        reply, self.garbage_next = self.garbage_next + reply, b""
                    self.endpoint.write(reply)

    # --- protocol ----------------------------------------------------------------

    def handle(self, data: bytes) -> bytes:
        """Consume bytes from the driver; return the reply (may be empty)."""
        raise NotImplementedError

    def idle(self) -> bytes:
        """Called when nothing arrived for ``poll_interval``; may return bytes."""
        return b""

    # --- control -----------------------------------------------------------------

    def control(self, cmd: str, **args: Any) -> Any:
        """Run control verb ``cmd`` (``ctl_<cmd>``) with keyword arguments."""
        method = getattr(self, "ctl_" + cmd.replace("-", "_"), None)
        if method is None:
            raise ValueError(f"unknown {self.kind} simulator command {cmd!r}")
        with self.lock:
            return method(**args)

    def commands(self) -> list[str]:
        return sorted(n[4:] for n in dir(self) if n.startswith("ctl_"))

    def ctl_help(self) -> list[str]:
        return self.commands()

    def ctl_path(self) -> str:
        return self.path

    def ctl_unplug(self) -> None:
        """Close the pty as if the cable was pulled (the link disappears too)."""
        self._plugged.clear()
        self.endpoint.close()

    def ctl_replug(self) -> str:
        """Create a fresh pty (new /dev/pts/N, same link) as if plugged back in."""
        path = self.endpoint.open()
        self._plugged.set()
        return path

    def ctl_silent(self, on: bool = True) -> None:
        """Stop (or resume) answering, like a device that is powered off."""
        self.silent = bool(on)

    def ctl_stall(self, on: bool = True) -> None:
        """Stop (or resume) reading, like a printer holding flow control."""
        self.stalled = bool(on)

    def ctl_garbage(self, data: str = "5a a5 00 ff") -> None:
        """Put these bytes (hex) in front of the next reply."""
        self.garbage_next = bytes.fromhex(data)

    def spoil_next_reply(self) -> None:
        """Corrupt the checksum of the next reply."""
        self.spoil_next = True

    def spoiled(self, frame: bytes) -> bytes:
        """``frame``, its last byte flipped if a verb asked to spoil the next reply."""
        if not self.spoil_next:
            return frame
        self.spoil_next = False
        return frame[:-1] + bytes([frame[-1] ^ 0xFF])

    def ctl_received(self) -> str:
        """Everything the driver sent so far, as hex."""
        return self.received.hex(" ")

    def ctl_state(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "path": self.path,
            "plugged": self._plugged.is_set(),
            "silent": self.silent,
            "stalled": self.stalled,
        }

    # In-process conveniences with the same names as the verbs.
    def unplug(self) -> None:
        self.control("unplug")

    def replug(self) -> str:
        return str(self.control("replug"))
