"""Simulated devices on real ptys, started per test and stopped afterwards."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from devices.sim.id_reader_sim import IdReaderSimulator
from devices.sim.modbus_sim import EvaluatorModel, ModbusBusSimulator, SignModel
from devices.sim.printer_sim import PrinterSimulator


def wait_until(predicate: Callable[[], object], timeout: float = 2.0, step: float = 0.01) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return bool(predicate())


@pytest.fixture
def printer_sim(tmp_path: Path) -> Iterator[PrinterSimulator]:
    sim = PrinterSimulator(str(tmp_path / "printer"), out_dir=str(tmp_path / "tickets"))
    sim.start()
    yield sim
    sim.stop()


@pytest.fixture
def id_sim(tmp_path: Path) -> Iterator[IdReaderSimulator]:
    sim = IdReaderSimulator(str(tmp_path / "idreader"))
    sim.start()
    yield sim
    sim.stop()


@pytest.fixture
def bus_sim(tmp_path: Path) -> Iterator[ModbusBusSimulator]:
    sim = ModbusBusSimulator(
        {1: SignModel(), 2: SignModel(), 11: EvaluatorModel()}, link=str(tmp_path / "rs485")
    )
    sim.start()
    yield sim
    sim.stop()
