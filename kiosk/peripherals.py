"""The kiosk's printer and ID reader, each behind one long-lived worker.

`PrinterWorker` keeps the printer's state fresh (the devices' `PrinterMonitor`) and
prints what the spool owes, oldest first, retrying until the printer takes it.
`CardWatcher` polls the ID reader and keeps the last card read in memory only, for a
short time: the kiosk sends it to the centre once and forgets it.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from devices.device_errors import DeviceError, PrintNotConfirmed
from devices.escpos_ticket import LABELS, TicketContent
from devices.id_card import Identity
from devices.id_reader import IdCardReader
from devices.loop_thread import LoopThread
from devices.monitor import PrinterMonitor
from devices.printer import PrinterStatus, TicketPrinter
from kiosk.spool import PRINTED, PRINTING, Spool
from queue_server.wire import words

log = logging.getLogger("hallqueue.kiosk.devices")

# What the centre is told (POST /devices/status) and what the screen says.
PRINTER_OK, PRINTER_NEAR_END = "ok", "near_end"
PRINTABLE = (PRINTER_OK, PRINTER_NEAR_END)


def printer_state(status: PrinterStatus | None) -> str:
    """ok | near_end | out | cover_open | offline (a printer not yet asked is offline)."""
    if status is None or not status.answering:
        return "offline"
    if status.paper == "out":
        return "out"
    if status.cover_open:
        return "cover_open"
    if not status.online or status.error or status.cutter_error:
        return "offline"
    return PRINTER_NEAR_END if status.paper == "near_end" else PRINTER_OK


def ticket_labels(language: str) -> dict[str, str]:
    """The printed ticket's words (`devices.escpos_ticket.LABELS`) in `language`, from
    the message catalogue."""
    return {label: words.template(f"printed_{label}", language) for label in LABELS}


def ticket_content(spooled: dict[str, Any]) -> TicketContent:
    """A spooled ticket's content; one spooled before tickets carried their words (a
    kiosk upgraded with tickets still owed) gets them now, in its language."""
    if "labels" not in spooled:
        spooled = {**spooled, "labels": ticket_labels(spooled.get("language", "zh"))}
    return TicketContent(**spooled)


class PrinterWorker:
    def __init__(
        self,
        printer: TicketPrinter,
        spool: Spool,
        *,
        interval: float = 0.5,
        retry_interval: float = 0.5,
        on_change: Callable[[str], None] | None = None,
    ) -> None:
        self.printer = printer
        self.spool = spool
        self.retry_interval = retry_interval
        self.on_change = on_change or (lambda state: None)
        self.state = "offline"
        self.monitor = PrinterMonitor(printer, interval=interval, on_change=self._status_changed)
        self._wake = threading.Event()
        self._loop = LoopThread(self._run, name="kiosk-printer", join_timeout=15)

    def _status_changed(self, status: PrinterStatus) -> None:
        state = printer_state(status)
        if state != self.state:
            log.info("printer: %s", state)
            self.state = state
            self.on_change(state)
        if state in PRINTABLE:
            self._wake.set()

    @property
    def can_print(self) -> bool:
        return self.state in PRINTABLE

    def wake(self) -> None:
        self._wake.set()

    def start(self) -> PrinterWorker:
        self.monitor.start()
        self._loop.start()
        return self

    def stop(self) -> None:
        self._loop.stop(wake=self._wake.set)
        self.monitor.stop()
        self.printer.close()

    def _run(self) -> None:
        while not self._loop.stopping.is_set():
            owed = self.spool.jobs(PRINTING)
            if not owed:
                self._wake.wait(2.0)
                self._wake.clear()
                continue
            if not self.can_print:
                # The monitor wakes us when the printer is back; poll too, so a retry
                # never depends on one missed callback.
                self._wake.wait(self.retry_interval)
                self._wake.clear()
                if not self._loop.stopping.is_set():
                    self.monitor.poll_once()
                continue
            self._print(owed[0])

    def _print(self, job: dict[str, Any]) -> None:
        content = ticket_content(job["content"])
        try:
            self.printer.print_ticket(content, confirm=True, on_send=lambda: self._sending(job["id"]))
        except PrintNotConfirmed as exc:
            # Sent, and the printer never said otherwise: most likely on paper. Printing it
            # again by itself could hand the citizen two tickets; the screen shows the number.
            log.warning("ticket %s sent but not confirmed by the printer: not printed again",
                        content.number)
            self.spool.update(job["id"], state=PRINTED, printed_at=time.time(), print_error=exc.code)
            self.monitor.poll_once()
            return
        except DeviceError as exc:
            # The printer said the job cannot print or was lost (paper out, cover open …),
            # or the bytes never went out: it prints again once the printer can.
            attempts = int(job.get("print_attempts", 0)) + 1
            log.warning("ticket %s not printed (%s), attempt %d", content.number, exc.code, attempts)
            self.spool.update(job["id"], print_attempts=attempts, print_error=exc.code, sent_at=None)
            self.monitor.poll_once()  # the screen learns at once why
            self._loop.stopping.wait(self.retry_interval)
            return
        log.info("ticket %s printed", content.number)
        self.spool.update(job["id"], state=PRINTED, printed_at=time.time(), print_error=None)

    def _sending(self, job_id: str) -> None:
        """Written (durably) before the ticket's first byte goes out: an agent that dies
        from here until the printer's answer leaves a ticket that may be on paper, which
        the next start must not print again (`unconfirmed_after_restart`)."""
        self.spool.update(job_id, sent_at=time.time())


def unconfirmed_after_restart(spool: Spool) -> list[dict[str, Any]]:
    """Owed tickets the agent was sending when it stopped without an answer from the
    printer: counted as printed but unconfirmed (never printed twice by themselves)."""
    found = []
    for job in spool.jobs(PRINTING):
        if job.get("sent_at"):
            found.append(
                spool.update(job["id"], state=PRINTED, print_error="print_unconfirmed") or job
            )
    return found


@dataclass(frozen=True, repr=False)
class Card:
    """A card read moments ago; lives in memory only."""

    identity: Identity
    read_at: float
    serial: int

    def __repr__(self) -> str:
        return f"Card({self.identity!r})"


class CardWatcher:
    """Polls the ID reader; ``current()`` is the last card read within ``keep_seconds``."""

    def __init__(
        self,
        reader: IdCardReader | None,
        *,
        keep_seconds: float = 120.0,
        on_change: Callable[[str], None] | None = None,
    ) -> None:
        self.reader = reader
        self.keep_seconds = keep_seconds
        self.on_change = on_change or (lambda state: None)
        self.state = "absent"
        self._card: Card | None = None
        self._serial = 0
        self._last_error = 0.0
        self._lock = threading.Lock()
        self._loop = LoopThread(self._run, name="kiosk-id-reader")

    def current(self) -> Card | None:
        with self._lock:
            card = self._card
        if card is not None and time.monotonic() - card.read_at > self.keep_seconds:
            self.forget()
            return None
        return card

    def forget(self) -> None:
        with self._lock:
            self._card = None

    def _set_state(self, state: str) -> None:
        if state != self.state:
            log.info("ID reader: %s", state)
            self.state = state
            self.on_change(state)

    def _error(self, exc: DeviceError) -> None:
        # A bad tap is the card's fault; silence or a lost port is the reader's.
        if exc.code in ("not_answering", "timeout", "disconnected"):
            self._last_error = time.monotonic()
            self._set_state("absent")
        else:
            log.info("card not read: %s", exc.code)

    def start(self) -> CardWatcher:
        if self.reader is None:
            return self
        self._loop.start()
        threading.Thread(target=self._health, name="kiosk-id-health", daemon=True).start()
        return self

    def stop(self) -> None:
        self._loop.stop()
        if self.reader is not None:
            self.reader.close()

    def _health(self) -> None:
        assert self.reader is not None
        try:
            self.reader.sam_status()
            self._set_state("ok")
        except DeviceError as exc:
            self._error(exc)
        while not self._loop.stopping.wait(0.5):
            # The poll loop reports every failed exchange; quiet for a while means fine.
            if self.state == "absent" and time.monotonic() - self._last_error > 1.5:
                try:
                    self.reader.sam_status()
                    self._set_state("ok")
                except DeviceError as exc:
                    self._error(exc)

    def _run(self) -> None:
        assert self.reader is not None
        while not self._loop.stopping.is_set():
            try:
                for identity in self.reader.poll(self._loop.stopping, on_error=self._error):
                    with self._lock:
                        self._serial += 1
                        self._card = Card(identity, time.monotonic(), self._serial)
                    log.info("card read: %s", identity.masked_name())
                    self._set_state("ok")
            except Exception:  # never let the reader thread die
                log.exception("ID reader loop failed; restarting")
                self._loop.stopping.wait(1.0)
