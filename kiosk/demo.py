"""A kiosk with simulated devices, for `make demo`."""

from __future__ import annotations

import os
from collections.abc import Callable

from devices.sim.id_reader_sim import IdReaderSimulator
from devices.sim.printer_sim import PrinterSimulator

from .agent import Kiosk, KioskConfig
from .web import KioskServer


def start_demo_kiosk(
    server_url: str,
    token: str,
    workdir: str,
    site: str = "city-hall",
    port: int = 8700,
) -> tuple[str, Callable[[], None]]:
    """Start a printer and an ID reader simulator and the kiosk agent, all in threads.

    Returns the touch UI's URL and a function that stops everything. Printed tickets
    land in ``workdir/tickets`` (text and PNG); `stop` leaves the spool in ``workdir/spool``.
    """
    os.makedirs(workdir, exist_ok=True)
    printer = PrinterSimulator(
        os.path.join(workdir, "printer"), out_dir=os.path.join(workdir, "tickets")
    )
    reader = IdReaderSimulator(os.path.join(workdir, "id-reader"))
    printer_path = printer.start()
    reader_path = reader.start()
    config = KioskConfig(
        server=server_url,
        token=token,
        site=site,
        printer=printer_path,
        id_reader=reader_path,
        port=port,
        spool=os.path.join(workdir, "spool"),
    )
    runner = KioskServer(Kiosk(config))
    url = runner.start()
    # The demo's simulators are reachable for `hallqueue sim control`-like use in Python.
    runner.simulators = {"printer": printer, "id_reader": reader}  # type: ignore[attr-defined]

    def stop() -> None:
        runner.stop()
        reader.stop()
        printer.stop()

    return url, stop
