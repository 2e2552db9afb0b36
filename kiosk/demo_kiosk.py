"""A kiosk with simulated devices, for `make demo`."""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable
from typing import Any

from devices.sim.control import ControlServer
from devices.sim.id_reader_sim import IdReaderSimulator
from devices.sim.printer_sim import PrinterSimulator
from kiosk.agent import Kiosk
from kiosk.config import KioskConfig
from kiosk.web import KioskServer

log = logging.getLogger("hallqueue.kiosk.demo_kiosk")


def start_demo_kiosk(
    server_url: str,
    token: str,
    workdir: str,
    site: str = "city-hall",
    port: int = 8700,
) -> tuple[str, Callable[[], None]]:
    """Start a printer and an ID reader simulator and the kiosk agent, all in threads.

    Returns the touch UI's URL and a function that stops everything. Printed tickets
    land in ``workdir/tickets`` (text and PNG), the spool in ``workdir/spool``; each
    simulator listens for control verbs (``workdir/simulators.json`` says where), e.g.
    ``hallqueue simulator control 127.0.0.1:PORT place card=resident`` taps a card and
    ``… paper state=out`` empties the printer.
    """
    os.makedirs(workdir, exist_ok=True)
    printer = PrinterSimulator(
        os.path.join(workdir, "printer"), out_dir=os.path.join(workdir, "tickets")
    )
    reader = IdReaderSimulator(os.path.join(workdir, "id-reader"))
    config = KioskConfig(
        server=server_url,
        token=token,
        site=site,
        printer=printer.start(),
        id_reader=reader.start(),
        port=port,
        spool=os.path.join(workdir, "spool"),
    )
    controls = [ControlServer(printer), ControlServer(reader)]
    where: dict[str, Any] = {
        "printer": {"path": config.printer, "control": controls[0].start()},
        "id_reader": {"path": config.id_reader, "control": controls[1].start()},
        "tickets": os.path.join(workdir, "tickets"),
    }
    with open(os.path.join(workdir, "simulators.json"), "w", encoding="utf-8") as fh:
        json.dump(where, fh, indent=1)
    runner = KioskServer(Kiosk(config))
    url = runner.start()
    log.info(
        "demo kiosk on %s; printer control %s, ID reader control %s",
        url,
        where["printer"]["control"],
        where["id_reader"]["control"],
    )

    def stop() -> None:
        runner.stop()
        for control in controls:
            control.stop()
        reader.stop()
        printer.stop()

    return url, stop
