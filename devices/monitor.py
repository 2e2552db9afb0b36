"""A background health poll of the printer, for the kiosk's long-lived device worker.

:class:`PrinterMonitor` queries the printer every ``interval`` seconds (four one-byte
``DLE EOT`` queries, a few milliseconds when it answers) and keeps the latest
:class:`PrinterStatus`; ``on_change`` is called from the monitor thread whenever the
status changes (paper near end / out, cover, offline, unplugged, back). Printing from
another thread is safe: the port's lock serializes a print job and a status poll.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from devices.device_errors import DeviceError
from devices.loop_thread import LoopThread
from devices.printer import PrinterStatus, TicketPrinter

log = logging.getLogger(__name__)


def disconnected_status(error: DeviceError) -> PrinterStatus:
    return PrinterStatus(
        online=False, paper="unknown", error=f"{error.code}: {error}", answering=False
    )


class PrinterMonitor:
    def __init__(
        self,
        printer: TicketPrinter,
        *,
        interval: float = 1.0,
        on_change: Callable[[PrinterStatus], None] | None = None,
    ) -> None:
        self.printer = printer
        self.interval = interval
        self.on_change = on_change or (lambda status: None)
        self.latest: PrinterStatus | None = None
        self._loop = LoopThread(self._run, name="printer-monitor")
        self._changed = threading.Condition()

    def poll_once(self) -> PrinterStatus:
        try:
            status = self.printer.status()
        except DeviceError as exc:
            status = disconnected_status(exc)
        previous, self.latest = self.latest, status
        if previous != status:  # PrinterStatus leaves its raw bytes out of ==
            with self._changed:
                self._changed.notify_all()
            try:
                self.on_change(status)
            except Exception:  # a faulty callback must not stop the monitor
                log.exception("printer status callback failed")
        return status

    def wait_for(self, predicate: Callable[[PrinterStatus], bool], timeout: float) -> bool:
        """Block until the latest status satisfies ``predicate`` (or the timeout ends)."""
        with self._changed:
            return self._changed.wait_for(
                lambda: self.latest is not None and predicate(self.latest), timeout
            )

    def start(self) -> PrinterMonitor:
        self._loop.start()
        return self

    def stop(self) -> None:
        self._loop.stop()

    def _run(self) -> None:
        while not self._loop.stopping.is_set():
            self.poll_once()
            self._loop.stopping.wait(self.interval)

