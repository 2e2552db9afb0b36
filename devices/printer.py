"""The ticket printer driver: ESC/POS over a serial port, with real-time status.

python-escpos builds the bytes (see :mod:`devices.escpos_ticket`); the transport is
hallqueue's own :class:`~devices.port.SerialPort`, because python-escpos's ``Serial``
has no write timeout and opens lazily (DEVICES.md 2.1).

Status comes from four one-byte ``DLE EOT n`` queries (DEVICES.md 1.7), each reading
exactly one byte with a short timeout. Silence means *not answering*, never "paper
ok" (python-escpos's helpers get that wrong and wait a full second per call).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

from devices.device_errors import (
    DeviceError,
    DeviceNotAnswering,
    FrameError,
    PrinterCoverOpen,
    PrinterCutterError,
    PrinterOffline,
    PrinterPaperOut,
    PrintNotConfirmed,
)
from devices.escpos_ticket import TicketContent, TicketLayout, render_ticket
from devices.port import SerialPort, serial_port

log = logging.getLogger(__name__)

PaperState = Literal["ok", "near_end", "out", "unknown"]

# How long a printer may stay silent once a job's bytes are on the line (after the time
# the line needs to carry them) before the job counts as sent but unconfirmed.
CONFIRM_SECONDS = 3.0


def status_query(n: int) -> bytes:
    """``DLE EOT n`` (n = 1 printer, 2 offline cause, 3 error cause, 4 paper sensor)."""
    if n not in (1, 2, 3, 4):
        raise ValueError("DLE EOT n must be 1..4")
    return bytes([0x10, 0x04, n])


def is_status_byte(b: int) -> bool:
    """A DLE EOT reply always matches ``0xx1xx10``."""
    return (b & 0x93) == 0x12


@dataclass(frozen=True)
class PrinterStatus:
    """The printer's state from one round of DLE EOT 1..4."""

    online: bool
    paper: PaperState
    cover_open: bool = False
    cutter_error: bool = False
    error: str | None = None
    answering: bool = True
    raw: bytes = field(default=b"", compare=False)  # how it was read, not what it says

    @property
    def ok(self) -> bool:
        return (
            self.answering
            and self.online
            and self.paper in ("ok", "near_end")
            and not self.cover_open
            and not self.cutter_error
            and self.error is None
        )

    def as_dict(self) -> dict[str, object]:
        """What `device status` prints (whether it answered shows in ``error``)."""
        shown = ("online", "paper", "cover_open", "cutter_error", "error")
        return {name: getattr(self, name) for name in shown} | {"ok": self.ok}

    def raise_for_status(self, device: str | None = None) -> None:
        """Raise the error that best explains why a ticket cannot print now."""
        if not self.answering:
            raise DeviceNotAnswering("printer does not answer status queries", device=device)
        if self.paper == "out":
            raise PrinterPaperOut(device=device)
        if self.cover_open:
            raise PrinterCoverOpen(device=device)
        if self.cutter_error:
            raise PrinterCutterError(device=device)
        if not self.online or self.error:
            raise PrinterOffline(
                f"printer is offline ({self.error})" if self.error else None, device=device
            )


NOT_ANSWERING = PrinterStatus(online=False, paper="unknown", error="not answering", answering=False)


def decode_status(b1: int, b2: int, b3: int, b4: int) -> PrinterStatus:
    """Combine the replies to DLE EOT 1, 2, 3 and 4 into a :class:`PrinterStatus`."""
    for b in (b1, b2, b3, b4):
        if not is_status_byte(b):
            raise FrameError(f"0x{b:02X} is not a DLE EOT status byte")
    offline = bool(b1 & 0x08)
    cover_open = bool(b2 & 0x04)
    paper_end_stop = bool(b2 & 0x20)
    cutter = bool(b3 & 0x08)
    unrecoverable = bool(b3 & 0x20)
    auto_recoverable = bool(b3 & 0x40)
    if b4 & 0x60 == 0x60 or paper_end_stop:
        paper: PaperState = "out"
    elif b4 & 0x0C == 0x0C:
        paper = "near_end"
    else:
        paper = "ok"
    error = None
    if unrecoverable:
        error = "unrecoverable error"
    elif auto_recoverable:
        error = "recoverable error (head overheat?)"
    elif b2 & 0x40 and not (cover_open or paper_end_stop):
        error = "error"
    return PrinterStatus(
        online=not offline,
        paper=paper,
        cover_open=cover_open,
        cutter_error=cutter,
        error=error,
        raw=bytes([b1, b2, b3, b4]),
    )


class TicketPrinter:
    """Prints :class:`TicketContent` on an ESC/POS printer and reports its status.

    ``port`` is a path, a pyserial URL or an existing :class:`SerialPort`. The port is
    opened on first use and reopened after the printer was unplugged.
    """

    def __init__(
        self,
        port: str | SerialPort,
        baudrate: int = 9600,
        *,
        width_mm: int = 80,
        status_timeout: float = 0.3,
        write_timeout: float = 10.0,
        layout: TicketLayout | None = None,
        check_status_before_print: bool = True,
        confirm_seconds: float = CONFIRM_SECONDS,
    ) -> None:
        self.port = serial_port(
            port, baudrate, timeout=status_timeout, write_timeout=write_timeout, name="printer"
        )
        self.width_mm = width_mm
        self.status_timeout = status_timeout
        self.layout = layout
        self.check_status_before_print = check_status_before_print
        self.confirm_seconds = confirm_seconds
        self.last_ticket_bytes = 0

    def close(self) -> None:
        self.port.close()

    # --- status -----------------------------------------------------------------

    def _query(self, port: SerialPort, n: int) -> int | None:
        port.write(status_query(n))
        deadline = time.monotonic() + self.status_timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return None
            got = port.read(1, remaining)
            if not got:
                return None
            # Skip anything that is not a status byte (e.g. an XON/XOFF or ASB byte).
            if is_status_byte(got[0]):
                return got[0]

    def status(self) -> PrinterStatus:
        """Query DLE EOT 1..4; a silent printer gives ``answering=False``."""

        def ask(port: SerialPort) -> PrinterStatus:
            port.reset_input()
            replies = []
            for n in (1, 2, 3, 4):
                b = self._query(port, n)
                if b is None:
                    return NOT_ANSWERING
                replies.append(b)
            return decode_status(*replies)

        return self.port.exchange(ask)

    # --- printing ---------------------------------------------------------------

    def render(self, content: TicketContent) -> bytes:
        return render_ticket(content, self.width_mm, self.layout)

    def print_ticket(
        self,
        content: TicketContent,
        *,
        confirm: bool = False,
        on_send: Callable[[], None] | None = None,
    ) -> int:
        """Print one ticket; return the bytes written. Raises if it cannot print.

        With ``confirm`` the status is read again once the bytes are out (DLE EOT is
        answered in real time, even while the job prints), so paper running out or the
        cover opening during the job raises instead of passing silently; the caller
        should then show the number on screen, and may print the job again. A printer
        that stays silent after the job raises :class:`PrintNotConfirmed`: the ticket
        has most likely printed, and must not be printed again by itself.

        ``on_send`` is called once the printer may print the job, just before its first
        byte goes out: from then on the ticket may be on paper, whatever happens next
        (the kiosk writes that down, so a restart does not print it again).
        """
        return self.print_raw(self.render(content), confirm=confirm, on_send=on_send)

    def print_raw(
        self, data: bytes, *, confirm: bool = False, on_send: Callable[[], None] | None = None
    ) -> int:
        """Send a complete ESC/POS job (checked against the printer status first)."""
        with self.port.lock:
            if self.check_status_before_print:
                self.status().raise_for_status(device="printer")
            if on_send is not None:
                on_send()
            written = self.port.write(data)
            self.last_ticket_bytes = written
            log.info("printed %d bytes", written)
            if confirm:
                self._status_after(len(data)).raise_for_status(device="printer")
        return written

    def _status_after(self, size: int) -> PrinterStatus:
        """The printer's status once a job of ``size`` bytes is out, asked again until it
        answers. The queries queue behind the job on the line (at 9600 baud a 2 KB ticket
        takes two seconds to send), and a printer cutting or presenting the ticket, a slow
        adapter or a busy PC answers late too: a silence then is no sign of a lost job
        (taking it for one printed the ticket again). Raises :class:`PrintNotConfirmed`
        when nothing answers within the line's time plus ``confirm_seconds``."""
        line_seconds = size * 10 / max(self.port.baudrate, 1)  # 8N1: ten bits a byte
        deadline = time.monotonic() + line_seconds + self.confirm_seconds
        while True:
            try:
                status = self.status()
            except DeviceError as exc:  # unplugged right after the job: printed or not?
                if time.monotonic() >= deadline:
                    raise PrintNotConfirmed(device="printer") from exc
                time.sleep(self.status_timeout)
                continue
            if status.answering:
                return status
            if time.monotonic() >= deadline:
                raise PrintNotConfirmed(device="printer")
