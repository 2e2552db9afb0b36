"""The manual (docs/) documents every simulator verb, command, register and error code."""

from __future__ import annotations

import re

import pytest

from devices import evaluator, window_sign
from devices.device_commands import devices, sim
from devices.device_errors import DeviceError
from devices.sim.id_reader_sim import IdReaderSimulator
from devices.sim.modbus_sim import ModbusBusSimulator
from devices.sim.printer_sim import PrinterSimulator
from tests.manual import manual_text

MANUAL = manual_text()


@pytest.mark.parametrize("cls", [PrinterSimulator, IdReaderSimulator, ModbusBusSimulator])
def test_every_control_verb_is_documented(cls: type) -> None:
    verbs = sorted(n[4:] for n in dir(cls) if n.startswith("ctl_"))
    missing = [v for v in verbs if f"`{v}" not in MANUAL]
    assert missing == [], missing


def test_every_command_is_documented() -> None:
    for name in sim.commands:
        assert f"hallqueue simulator {name}" in MANUAL or f"`{name}`" in MANUAL, name
    for name in devices.commands:
        assert f"hallqueue device {name}" in MANUAL, name


def test_every_register_is_documented() -> None:
    names = [n[4:] for n in dir(window_sign) + dir(evaluator) if n.startswith("REG_")]
    for name in names:
        assert name in MANUAL or name.replace("_", "") in MANUAL, name


def test_every_error_code_is_documented() -> None:
    import devices.device_errors as errors

    codes = {
        cls.code
        for cls in vars(errors).values()
        if isinstance(cls, type) and issubclass(cls, DeviceError)
    }
    missing = [c for c in codes if not re.search(rf"`{c}`", MANUAL)]
    assert missing == [], missing
