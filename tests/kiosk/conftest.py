"""A real kiosk agent (in this process) whose printer and ID reader are simulators on ptys."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests

from devices.sim.id_reader_sim import IdReaderSimulator
from devices.sim.printer_sim import PrinterSimulator
from kiosk.agent import Kiosk, KioskConfig
from kiosk.web import KioskServer
from tests.conftest import Centre, log_to_file

# What the kiosk's own page sends with every call (kiosk/local_guard.py).
KIOSK_PAGE = {"X-Hallqueue-Kiosk": "1"}


def wait_until(predicate: Callable[[], object], timeout: float = 5.0, step: float = 0.05) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(step)
    return predicate()


def retap(reader: IdReaderSimulator, card: Any) -> None:
    """Lift the card long enough for the reader to notice (two empty polls), then tap."""
    reader.remove_card()
    time.sleep(1.0)
    reader.place_card(card)


@dataclass
class RunningKiosk:
    server: KioskServer
    url: str
    printer: PrinterSimulator
    reader: IdReaderSimulator
    spool: Path

    @property
    def agent(self) -> Kiosk:
        return self.server.kiosk

    def api(self, path: str) -> str:
        return self.url.rstrip("/") + path

    def post(self, path: str, body: dict[str, Any] | None = None) -> requests.Response:
        """A call as the kiosk's own page makes it."""
        return requests.post(self.api(path), json=body or {}, headers=KIOSK_PAGE, timeout=15)

    def state(self) -> dict[str, Any]:
        return requests.get(self.api("/api/state"), timeout=5).json()  # type: ignore[no-any-return]

    def wait_ready(self, timeout: float = 10.0) -> dict[str, Any]:
        state = wait_until(lambda: (s := self.state())["blocked"] is None and s, timeout)
        assert state, f"kiosk not ready: {self.state()}"
        return state  # type: ignore[no-any-return]


@pytest.fixture
def devices_sims(tmp_path: Path) -> Iterator[tuple[PrinterSimulator, IdReaderSimulator]]:
    printer = PrinterSimulator(str(tmp_path / "printer"), out_dir=str(tmp_path / "tickets"))
    reader = IdReaderSimulator(str(tmp_path / "id-reader"))
    printer.start()
    reader.start()
    yield printer, reader
    reader.stop()
    printer.stop()


def start_kiosk(
    centre: Centre,
    tmp_path: Path,
    sims: tuple[PrinterSimulator, IdReaderSimulator],
    **config: Any,
) -> RunningKiosk:
    printer, reader = sims
    settings = {
        "server": centre.url,
        "token": centre.kiosk_token,
        "site": "city-hall",
        "printer": printer.path,
        "id_reader": reader.path,
        "port": 0,
        "spool": str(tmp_path / "spool"),
        "refresh_seconds": 2.0,
        **config,
    }
    server = KioskServer(Kiosk(KioskConfig(**settings)))
    url = server.start()
    return RunningKiosk(server, url, printer, reader, Path(settings["spool"]))


@pytest.fixture
def kiosk(
    centre: Centre, tmp_path: Path, devices_sims: tuple[PrinterSimulator, IdReaderSimulator]
) -> Iterator[RunningKiosk]:
    running = start_kiosk(centre, tmp_path, devices_sims)
    yield running
    running.server.stop()


@pytest.fixture
def all_logs(tmp_path: Path) -> Iterator[Path]:
    """Every log record of this process (centre and agent alike), at DEBUG, into a file."""
    with log_to_file(tmp_path / "all.log") as path:
        yield path
