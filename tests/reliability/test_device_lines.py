"""The faults tests/devices leaves out, per serial line.

What tests/devices already proves, per line (garbage, bad checksums, silence,
unplug/replug, and hypothesis over every byte parser):

| line | garbage | checksum | silence | unplug/replug | truncated |
|---|---|---|---|---|---|
| printer status (DLE EOT) | test_printer | (none on the wire) | test_printer | test_printer | (1-byte replies) |
| ID reader (SAM) | test_id_reader | test_id_reader | test_id_reader | test_id_reader | parser only (test_sam_frames) |
| window sign (Modbus) | test_sign_evaluator | test_sign_evaluator | test_sign_evaluator | test_sign_evaluator | parser only (test_modbus_rtu) |
| evaluator (Modbus) | — | — | — | — | — |

Filled here: the evaluator's own faults, and a reply cut off mid-frame on the wire
(SAM and Modbus): a clear error in bounded time, no crash, and the next exchange
works (the partial frame does not poison it).
"""

from __future__ import annotations

import os
import selectors
import threading
import time
import tty
from collections.abc import Iterator
from pathlib import Path

import pytest

from devices import modbus_rtu as mb
from devices import sam_frames as sf
from devices.device_errors import ChecksumError, DeviceDisconnected, DeviceNotAnswering, FrameError
from devices.evaluator import Evaluator
from devices.id_reader import IdCardReader
from devices.register_bus import RegisterBus
from devices.sim.modbus_sim import EvaluatorModel, ModbusBusSimulator


class ScriptedDevice:
    """A pty whose far end answers each request with the next scripted reply."""

    def __init__(self) -> None:
        self.master, slave = os.openpty()
        tty.setraw(self.master)
        tty.setraw(slave)
        self.path = os.ttyname(slave)
        self._slave = slave
        self.replies: list[bytes] = []
        self.requests: list[bytes] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        # A selector (epoll), not select(): a long suite may hold descriptors past 1024.
        with selectors.DefaultSelector() as selector:
            selector.register(self.master, selectors.EVENT_READ)
            self._answer(selector)

    def _answer(self, selector: selectors.BaseSelector) -> None:
        while not self._stop.is_set():
            if not selector.select(0.05):
                continue
            try:
                data = os.read(self.master, 4096)
            except OSError:
                return
            time.sleep(0.01)  # the rest of the request
            self.requests.append(data)
            if self.replies:
                os.write(self.master, self.replies.pop(0))

    def close(self) -> None:
        self._stop.set()
        self._thread.join(2)
        os.close(self.master)
        os.close(self._slave)


@pytest.fixture
def device() -> Iterator[ScriptedDevice]:
    scripted = ScriptedDevice()
    yield scripted
    scripted.close()


def test_sam_reply_cut_off_mid_frame(device: ScriptedDevice) -> None:
    reader = IdCardReader(device.path, timeout_scale=0.5)
    try:
        full = sf.build_response(sf.SW3_OK)
        device.replies = [full[: len(full) // 2], full]
        started = time.monotonic()
        with pytest.raises(DeviceNotAnswering, match="incomplete reply"):
            reader.sam_status()
        assert time.monotonic() - started < 2.0
        assert reader.sam_status() is True  # the half frame was dropped, not glued to this one
    finally:
        reader.close()


def test_modbus_reply_cut_off_mid_frame(device: ScriptedDevice) -> None:
    bus = RegisterBus(device.path, timeout=0.2, retries=0)
    try:
        full = mb.with_crc(bytes([1, mb.READ_HOLDING, 4, 0, 7, 0, 9]))
        device.replies = [full[:4], full]
        started = time.monotonic()
        with pytest.raises((DeviceNotAnswering, FrameError)):
            bus.read_registers(1, 0, 2)
        assert time.monotonic() - started < 2.0
        assert bus.read_registers(1, 0, 2) == [7, 9]
    finally:
        bus.close()


@pytest.fixture
def evaluator_line(tmp_path: Path) -> Iterator[tuple[ModbusBusSimulator, Evaluator]]:
    sim = ModbusBusSimulator({11: EvaluatorModel()}, link=str(tmp_path / "rs485"))
    sim.start()
    bus = RegisterBus(sim.path, timeout=0.15, retries=0)
    yield sim, Evaluator(bus, 11)
    bus.close()
    sim.stop()


def test_evaluator_bad_crc_garbage_and_silence(evaluator_line: tuple[ModbusBusSimulator, Evaluator]) -> None:
    sim, evaluator = evaluator_line
    evaluator.request_rating("A001")
    sim.control("bad_crc")
    with pytest.raises(ChecksumError, match="unit 11"):
        evaluator.poll_rating()
    sim.control("garbage", data="0b 03 ff 00 13")
    assert evaluator.poll_rating() is None  # nobody pressed yet; the noise was skipped
    sim.control("silent")
    started = time.monotonic()
    with pytest.raises(DeviceNotAnswering):
        evaluator.poll_rating()
    assert time.monotonic() - started < 1.0
    sim.control("silent", on=False)
    sim.press(4, address=11)
    assert evaluator.poll_rating() == 4


def test_evaluator_unplugged_and_back(evaluator_line: tuple[ModbusBusSimulator, Evaluator]) -> None:
    sim, evaluator = evaluator_line
    sim.unplug()
    with pytest.raises(DeviceDisconnected):
        evaluator.request_rating("A002")
    sim.replug()
    evaluator.request_rating("A003")
    sim.press(5, address=11)
    assert evaluator.poll_rating() == 5
