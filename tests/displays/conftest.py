"""The window-sign agent against the real centre and a simulated RS-485 bus on a pty."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from devices.sim.modbus_sim import EvaluatorModel, ModbusBusSimulator, SignModel
from tests.conftest import Centre
from tests.queue_server.pages.conftest import enrol


@pytest.fixture
def sign_token(centre: Centre) -> str:
    """The sign over window 3, the window the agent tests follow."""
    return enrol(centre, counter=3)


@pytest.fixture
def rs485(tmp_path: Path) -> Iterator[ModbusBusSimulator]:
    """One bus: the window's sign at address 1, its evaluator at 11."""
    sim = ModbusBusSimulator({1: SignModel(), 11: EvaluatorModel()}, link=str(tmp_path / "rs485"))
    sim.start()
    yield sim
    sim.stop()
