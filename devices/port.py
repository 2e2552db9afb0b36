"""A serial port that opens once, reconnects after unplug, and never blocks forever.

Drivers talk to their device only through :class:`SerialPort`. The port is given as a
device path (``/dev/ttyUSB0``, a pty from a simulator, a stable symlink) or any pyserial
URL (``loop://``, ``socket://host:port``, ``rfc2217://…``). It is opened lazily on first
use and held open; when the device vanishes the next operation raises
:class:`~devices.device_errors.DeviceDisconnected` and closes the handle, and the operation after
that tries to open it again. Reads and writes always have a timeout.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from types import TracebackType
from typing import Any, TypeVar

import serial

from devices.device_errors import DeviceDisconnected, DeviceTimeout

T = TypeVar("T")

try:  # pyserial's POSIX backend lets termios.error (not an OSError) escape tcdrain/tcflush
    import termios

    _LOST: tuple[type[BaseException], ...] = (serial.SerialException, OSError, termios.error)
except ImportError:  # pragma: no cover - Windows
    _LOST = (serial.SerialException, OSError)

DEFAULT_READ_TIMEOUT = 0.5
DEFAULT_WRITE_TIMEOUT = 2.0
READ_SLICE = 0.02  # longest single blocking read; bounds how late a deadline is noticed


class SerialPort:
    """A reconnecting pyserial handle with read and write timeouts.

    ``lock`` serializes whole request/response exchanges of the drivers sharing this
    port (several RS-485 devices on one bus, a kiosk worker and a health poll).
    """

    def __init__(
        self,
        url: str,
        baudrate: int = 9600,
        *,
        timeout: float = DEFAULT_READ_TIMEOUT,
        write_timeout: float = DEFAULT_WRITE_TIMEOUT,
        name: str | None = None,
        **serial_kwargs: Any,
    ) -> None:
        if timeout is None or write_timeout is None:
            raise ValueError("SerialPort needs finite read and write timeouts")
        self.url = url
        self.baudrate = baudrate
        self.timeout = timeout
        self.write_timeout = write_timeout
        self.name = name or url
        self._serial_kwargs = serial_kwargs
        self._serial: serial.SerialBase | None = None
        self.lock = threading.RLock()
        self.reconnects = 0
        self._ever_opened = False

    # --- life cycle -------------------------------------------------------------

    @property
    def is_open(self) -> bool:
        return self._serial is not None and self._serial.is_open

    def open(self) -> None:
        """Open the port if it is not open; raise DeviceDisconnected if impossible."""
        if self.is_open:
            return
        try:
            handle = serial.serial_for_url(self.url, do_not_open=True, **self._serial_kwargs)
            handle.baudrate = self.baudrate
            handle.timeout = min(self.timeout, READ_SLICE)
            handle.write_timeout = self.write_timeout
            handle.open()
        except (serial.SerialException, OSError, ValueError) as exc:
            raise DeviceDisconnected(f"cannot open port: {exc}", device=self.name) from exc
        self._serial = handle
        if self._ever_opened:
            self.reconnects += 1
        self._ever_opened = True

    def close(self) -> None:
        handle, self._serial = self._serial, None
        if handle is not None:
            try:
                handle.close()
            except _LOST:
                pass

    def __enter__(self) -> SerialPort:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def _handle(self) -> serial.SerialBase:
        self.open()
        assert self._serial is not None
        return self._serial

    def _lost(self, exc: BaseException) -> DeviceDisconnected:
        self.close()
        return DeviceDisconnected(f"port lost: {exc}", device=self.name)

    # --- I/O --------------------------------------------------------------------

    def write(self, data: bytes) -> int:
        """Write all of ``data`` or raise; returns the number of bytes written."""
        handle = self._handle()
        try:
            # No flush(): tcdrain() has no timeout and would hang while a printer holds
            # flow control. pyserial's write() already waits (bounded) for the OS buffer,
            # and later requests queue behind these bytes anyway.
            written = handle.write(data)
        except serial.SerialTimeoutException as exc:
            # A write that cannot drain (flow control held, nobody reading) is a
            # device that does not answer; drop the handle so a stale one is not reused.
            self.close()
            raise DeviceTimeout(
                f"write of {len(data)} bytes did not complete in {self.write_timeout:g} s",
                device=self.name,
            ) from exc
        except _LOST as exc:
            raise self._lost(exc) from exc
        return int(written if written is not None else len(data))

    def read(self, size: int, timeout: float | None = None) -> bytes:
        """Read up to ``size`` bytes; returns fewer (maybe none) when the timeout ends.

        The handle keeps one short timeout (a slice) and this loops until the
        deadline: changing pyserial's timeout per call would reconfigure the port each
        time (a tcsetattr, or a network round trip for rfc2217:// URLs).
        """
        handle = self._handle()
        wait = self.timeout if timeout is None else timeout
        deadline = time.monotonic() + wait
        out = bytearray()
        try:
            while len(out) < size:
                chunk = handle.read(size - len(out))
                if chunk:
                    out += chunk
                elif time.monotonic() >= deadline:
                    break
        except _LOST as exc:
            raise self._lost(exc) from exc
        return bytes(out)

    def read_available(self, timeout: float = 0.0) -> bytes:
        """Return what has arrived, waiting at most ``timeout`` for the first byte."""
        handle = self._handle()
        try:
            waiting = handle.in_waiting
            if waiting:
                return bytes(handle.read(waiting))
        except _LOST as exc:
            raise self._lost(exc) from exc
        if timeout <= 0:
            return b""
        first = self.read(1, timeout)
        if not first:
            return b""
        try:
            waiting = handle.in_waiting
            return first + (bytes(handle.read(waiting)) if waiting else b"")
        except _LOST as exc:
            raise self._lost(exc) from exc

    def reset_input(self) -> None:
        """Discard stale input (late replies, line noise) before a new request."""
        handle = self._handle()
        try:
            handle.reset_input_buffer()
        except _LOST as exc:
            raise self._lost(exc) from exc

    def exchange(self, fn: Callable[[SerialPort], T]) -> T:
        """Run one idempotent request/response under the lock.

        If a handle that was already open turns out to be stale (the device was
        unplugged and came back, possibly as a new pty behind the same symlink), the
        exchange is retried once on a freshly opened port.
        """
        with self.lock:
            was_open = self.is_open
            try:
                return fn(self)
            except DeviceDisconnected:
                if not was_open:
                    raise
                return fn(self)

    def __repr__(self) -> str:
        state = "open" if self.is_open else "closed"
        return f"<SerialPort {self.url!r} {self.baudrate} baud {state}>"


def serial_port(port: str | SerialPort, baudrate: int, **options: Any) -> SerialPort:
    """The port a driver talks through: ``port`` itself when the caller shares one (several
    devices on one line), else a new :class:`SerialPort` on that path or URL."""
    return port if isinstance(port, SerialPort) else SerialPort(port, baudrate, **options)
