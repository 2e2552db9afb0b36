"""Window signs and an evaluator sharing one simulated RS-485 bus through a real pty."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from devices.device_errors import (
    ChecksumError,
    DeviceDisconnected,
    DeviceNotAnswering,
    FrameError,
    ModbusException,
)
from devices.evaluator import RATING_LEVELS, Evaluator, rating_name
from devices.modbus_rtu import build_read_request, build_write_request
from devices.register_bus import RegisterBus
from devices.sim.modbus_sim import ModbusBusSimulator
from devices.window_sign import (
    DISPLAY_BLOCK,
    SIGN_KIND,
    SignDisplay,
    WindowSign,
    decode_display,
    encode_display,
)


@pytest.fixture
def bus(bus_sim: ModbusBusSimulator) -> Iterator[RegisterBus]:
    b = RegisterBus(bus_sim.path, timeout=0.15, retries=0)
    yield b
    b.close()


def test_display_block_golden() -> None:
    values = encode_display("A023", "serving", "请到5号窗口")
    assert DISPLAY_BLOCK == (0x0010, 38) and len(values) == 38
    assert values[:6] == [1, 0x4130, 0x3233, 0, 0, len("请到5号窗口".encode("gbk"))]
    assert values[6] == int.from_bytes("请".encode("gbk"), "big")
    assert decode_display(values) == SignDisplay("A023", "serving", "请到5号窗口")
    frame = build_write_request(1, 0x0010, values)
    assert frame[:7] == bytes.fromhex("01 10 0010 0026 4c")
    with pytest.raises(ValueError):
        encode_display("A023", "busy")
    with pytest.raises(ValueError):
        encode_display("A0123456789", "serving")


def test_long_text_is_cut_on_a_character_boundary() -> None:
    values = encode_display("A1", "serving", "窗" * 40)
    assert decode_display(values).text == "窗" * 32


def test_signs_share_the_bus_by_address(bus: RegisterBus, bus_sim: ModbusBusSimulator) -> None:
    s1, s2 = WindowSign(bus, 1), WindowSign(bus, 2)
    assert s1.identify() == (SIGN_KIND, 1)
    s1.show("A023", "serving", "请A023号到5号窗口办理")
    s2.show("", "paused", "暂停服务：")
    assert s1.read_back() == SignDisplay("A023", "serving", "请A023号到5号窗口办理")
    assert s2.read_back() == SignDisplay("", "paused", "暂停服务：")
    assert bus_sim.control("sign", address=1)["number"] == "A023"
    assert bus_sim.sign(2).display().state == "paused"
    s2.show("B007", "closed")
    s1.clear()
    assert bus_sim.sign(1).display() == SignDisplay("", "idle", "")
    assert [d.state for d in bus_sim.sign(2).history] == ["paused", "closed"]


def test_evaluator_rating_flow(bus: RegisterBus, bus_sim: ModbusBusSimulator) -> None:
    ev = Evaluator(bus, 11)
    assert ev.poll_rating() is None
    assert not bus_sim.press(5)  # idle: key presses are ignored
    ev.request_rating("A023")
    assert bus_sim.evaluator(11).ticket_ref == "A023"
    assert ev.poll_rating() is None
    assert bus_sim.press(2)
    assert ev.poll_rating() == 2
    assert ev.poll_rating() is None  # returned once
    assert bus_sim.evaluator(11).describe()["status"] == "idle"
    assert bus_sim.evaluator(11).ratings == [("A023", 2)]
    ev.request_rating("A024")
    ev.cancel()
    assert not bus_sim.press(5)


def test_rating_levels_table() -> None:
    assert sorted(RATING_LEVELS) == [1, 2, 3, 4, 5]
    assert rating_name(5) == "非常满意" and rating_name(1) == "非常不满意"
    assert rating_name(3, "en") == "Fairly satisfied"


def test_exceptions_from_the_device(bus: RegisterBus) -> None:
    with pytest.raises(ModbusException, match="illegal data address"):
        bus.write_registers(1, 0x0000, [1])
    with pytest.raises(ModbusException, match="illegal data value"):
        bus.write_registers(1, 0x0010, [9])
    with pytest.raises(ModbusException, match="illegal data address"):
        bus.read_registers(11, 0x003F, 2)


def test_absent_address_is_not_answering(bus: RegisterBus) -> None:
    with pytest.raises(DeviceNotAnswering, match="unit 9"):
        WindowSign(bus, 9).read_back()


def test_bad_crc_garbage_and_retry(bus: RegisterBus, bus_sim: ModbusBusSimulator) -> None:
    sign = WindowSign(bus, 1)
    sign.show("A1", "serving")
    bus_sim.control("bad_crc")
    with pytest.raises(ChecksumError, match="unit 1"):
        sign.read_back()
    bus_sim.control("garbage", data="01 03 4c ff 00 13")
    assert sign.read_back().number == "A1"
    bus.retries = 1  # one retry hides a single bad frame
    bus_sim.control("bad_crc")
    assert sign.read_back().number == "A1"


def test_simulator_ignores_noise_on_the_line(bus: RegisterBus, bus_sim: ModbusBusSimulator) -> None:
    bus.port.write(b"\x00\xff\x01\x03\x00")  # noise, then a broken frame
    bad = bytearray(build_read_request(1, 0, 2))
    bad[-1] ^= 1
    bus.port.write(bytes(bad))
    assert WindowSign(bus, 1).identify() == (SIGN_KIND, 1)


def test_unplug_and_replug(bus: RegisterBus, bus_sim: ModbusBusSimulator) -> None:
    sign = WindowSign(bus, 1)
    sign.show("A1", "serving")
    bus_sim.unplug()
    with pytest.raises(DeviceDisconnected):
        sign.show("A2", "serving")
    bus_sim.replug()
    sign.show("A3", "serving")
    assert sign.read_back().number == "A3"


def test_threads_share_the_bus_safely(bus_sim: ModbusBusSimulator) -> None:
    bus = RegisterBus(bus_sim.path, timeout=0.5, retries=0)
    failures: list[Exception] = []

    def worker(address: int, prefix: str) -> None:
        sign = WindowSign(bus, address)
        try:
            for i in range(15):
                number = f"{prefix}{i:03d}"
                sign.show(number, "serving", f"请{number}号")
                assert sign.read_back().number == number
        except Exception as exc:  # collected and asserted below
            failures.append(exc)

    threads = [threading.Thread(target=worker, args=(a, p)) for a, p in ((1, "A"), (2, "B"))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=20)
    bus.close()
    assert failures == []


def test_wrong_read_length_is_a_frame_error() -> None:
    class ShortCodec:
        name = "short"

        def build_read(self, unit: int, start: int, count: int) -> bytes:
            return build_read_request(unit, start, count)

        def build_write(self, unit: int, start: int, values: list[int]) -> bytes:
            return build_write_request(unit, start, values)

        def parse_reply(self, request: bytes, buf: bytes) -> list[int]:
            return [1]

    bus = RegisterBus("loop://", codec=ShortCodec(), timeout=0.1)
    with pytest.raises(FrameError, match="asked for 2 registers"):
        bus.read_registers(1, 0, 2)


def test_unknown_function_gets_an_illegal_function_exception(bus: RegisterBus) -> None:
    from devices.modbus_rtu import parse_response, with_crc

    bus.port.write(with_crc(bytes([1, 0x2B, 0x0E, 0x01, 0x00])))
    reply = parse_response(bus.port.read(5, 0.5), 1, 0x2B)
    assert reply.exception_code == 1


def test_adapter_echo_of_the_request_is_tolerated(
    bus: RegisterBus, bus_sim: ModbusBusSimulator
) -> None:
    bus_sim.control("echo")
    sign, ev = WindowSign(bus, 1), Evaluator(bus, 11)
    sign.show("A9", "serving", "回声测试")
    assert sign.read_back() == SignDisplay("A9", "serving", "回声测试")
    ev.request_rating("A9")
    bus_sim.press(3)
    assert ev.poll_rating() == 3
