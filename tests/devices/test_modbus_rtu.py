"""Modbus RTU frames: CRC vectors, golden frames, hypothesis properties."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from devices import modbus_rtu as mb
from devices.device_errors import ChecksumError, FrameError, ModbusException


def test_crc_vectors() -> None:
    assert mb.crc16(b"123456789") == 0x4B37  # CRC-16/MODBUS check value
    assert mb.build_read_request(1, 0, 10) == bytes.fromhex("01030000000AC5CD")
    assert mb.build_read_request(17, 0x006B, 3) == bytes.fromhex("1103006B00037687")


def test_golden_frames() -> None:
    assert mb.build_write_request(1, 0x0010, [1, 0x4130]) == bytes.fromhex(
        "0110 0010 0002 04 0001 4130"
    ) + mb.crc16(bytes.fromhex("0110001000020400014130")).to_bytes(2, "little")
    assert mb.build_read_response(1, [0x5347, 1]) == mb.with_crc(bytes.fromhex("0103045347 0001"))
    assert mb.build_write_response(2, 0x10, 38) == mb.with_crc(bytes.fromhex("0210 0010 0026"))
    assert mb.build_exception(1, 0x10, 2) == bytes.fromhex("019002") + mb.crc16(
        bytes.fromhex("019002")
    ).to_bytes(2, "little")


def test_parse_replies() -> None:
    r = mb.parse_response(mb.build_read_response(5, [1, 2, 3]), 5, 3, 3)
    assert r.values == (1, 2, 3) and not r.is_exception
    w = mb.parse_response(mb.build_write_response(5, 0x10, 38), 5, 0x10)
    assert (w.start, w.count) == (0x10, 38)
    e = mb.parse_response(mb.build_exception(5, 3, 2), 5, 3, 1)
    assert e.exception_code == 2
    with pytest.raises(ModbusException, match="illegal data address") as info:
        e.raise_for_exception()
    assert info.value.code == "modbus_exception" and info.value.exception_code == 2


def test_reply_of_another_unit_or_garbage_is_skipped() -> None:
    other = mb.build_read_response(2, [9])
    mine = mb.build_read_response(1, [7])
    assert mb.parse_response(b"\x01\x03\xff" + other + mine, 1, 3, 1).values == (7,)


def test_bad_crc_and_incomplete() -> None:
    frame = bytearray(mb.build_read_response(1, [7]))
    with pytest.raises(mb.IncompleteFrame):
        mb.parse_response(bytes(frame[:-1]), 1, 3, 1)
    frame[-1] ^= 0x55
    with pytest.raises(ChecksumError):
        mb.parse_response(bytes(frame), 1, 3, 1)
    with pytest.raises(FrameError):
        mb.parse_response(b"", 1, 3, 1)


def test_request_validation() -> None:
    with pytest.raises(ValueError):
        mb.build_read_request(0, 0, 1)
    with pytest.raises(ValueError):
        mb.build_read_request(1, 0, 126)
    with pytest.raises(ValueError):
        mb.build_write_request(1, 0, [70000])
    with pytest.raises(ValueError):
        mb.build_write_request(1, 0, [0] * 124)


def test_pack_bytes() -> None:
    assert mb.pack_bytes(b"A023", 4) == [0x4130, 0x3233, 0, 0]
    assert mb.unpack_bytes([0x4130, 0x3233, 0, 0]) == b"A023"
    with pytest.raises(ValueError):
        mb.pack_bytes(b"123456789", 4)


units = st.integers(min_value=1, max_value=247)
regs = st.lists(st.integers(min_value=0, max_value=0xFFFF), min_size=1, max_size=40)


@settings(max_examples=300, deadline=None)
@given(
    st.binary(max_size=120),
    units,
    st.sampled_from([3, 0x10]),
    st.integers(min_value=1, max_value=40),
)
def test_any_bytes_give_a_reply_or_a_clean_error(
    data: bytes, unit: int, fn: int, count: int
) -> None:
    try:
        reply = mb.parse_response(data, unit, fn, count)
    except FrameError:
        return
    assert reply.unit == unit
    if not reply.is_exception and fn == 3:
        assert len(reply.values) == count


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=80))
def test_any_bytes_as_request_give_a_request_or_a_clean_error(data: bytes) -> None:
    try:
        mb.parse_request(data)
    except FrameError:
        pass


@settings(max_examples=200, deadline=None)
@given(units, regs, st.binary(max_size=20))
def test_read_round_trip_through_garbage(unit: int, values: list[int], garbage: bytes) -> None:
    frame = mb.build_read_response(unit, values)
    try:
        got = mb.parse_response(garbage + frame, unit, 3, len(values))
    except ChecksumError:
        # Garbage can itself look like the start of a frame for this unit; a driver then
        # sees a clean error, never a wrong value. Without garbage it must parse.
        got = mb.parse_response(frame, unit, 3, len(values))
    assert got.values == tuple(values)


@settings(max_examples=200, deadline=None)
@given(units, st.integers(min_value=0, max_value=0xFF00), regs)
def test_request_round_trips(unit: int, start: int, values: list[int]) -> None:
    write = mb.parse_request(mb.build_write_request(unit, start, values))
    assert (write.unit, write.function, write.start, write.values) == (
        unit,
        0x10,
        start,
        tuple(values),
    )
    read = mb.parse_request(mb.build_read_request(unit, start, len(values)))
    assert (read.unit, read.function, read.start, read.count) == (unit, 3, start, len(values))
    assert mb.request_length(mb.build_write_request(unit, start, values)) == 9 + 2 * len(values)
    ack = mb.parse_response(mb.build_write_response(unit, start, len(values)), unit, 0x10)
    assert (ack.start, ack.count) == (start, len(values))
