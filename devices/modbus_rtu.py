"""Modbus RTU frames: CRC-16/MODBUS, function 0x03 and 0x10, exceptions. Pure, no I/O.

Window signs and evaluators on hallqueue's RS-485 bus speak Modbus RTU (DEVICES.md 4):
``unit | function | data… | CRC lo | CRC hi``. Only what hallqueue uses is here: read
holding registers (0x03), write multiple registers (0x10) and exception replies
(function | 0x80, one exception code).
"""

from __future__ import annotations

from dataclasses import dataclass

from devices.device_errors import ChecksumError, FrameError, ModbusException

READ_HOLDING = 0x03
WRITE_MULTIPLE = 0x10
MAX_READ = 125
MAX_WRITE = 123

EXCEPTION_NAMES = {
    1: "illegal function",
    2: "illegal data address",
    3: "illegal data value",
    4: "server device failure",
    5: "acknowledge",
    6: "server device busy",
}
ILLEGAL_FUNCTION, ILLEGAL_ADDRESS, ILLEGAL_VALUE, DEVICE_FAILURE = 1, 2, 3, 4


class IncompleteFrame(FrameError):
    """Not enough bytes yet for a whole frame (read more, or time out)."""

    code = "incomplete_frame"


def crc16(data: bytes) -> int:
    """CRC-16/MODBUS (poly 0xA001 reflected, init 0xFFFF)."""
    crc = 0xFFFF
    for b in data:
        crc ^= b
        for _ in range(8):
            crc = (crc >> 1) ^ 0xA001 if crc & 1 else crc >> 1
    return crc


def with_crc(body: bytes) -> bytes:
    return body + crc16(body).to_bytes(2, "little")


def crc_ok(frame: bytes) -> bool:
    return len(frame) >= 4 and crc16(frame[:-2]) == int.from_bytes(frame[-2:], "little")


def _check_unit(unit: int) -> None:
    if not 1 <= unit <= 247:
        raise ValueError("Modbus unit address must be 1..247")


def _regs(values: list[int] | tuple[int, ...]) -> bytes:
    for v in values:
        if not 0 <= v <= 0xFFFF:
            raise ValueError(f"register value {v} out of 0..65535")
    return b"".join(v.to_bytes(2, "big") for v in values)


def _values(data: bytes) -> list[int]:
    return [int.from_bytes(data[k : k + 2], "big") for k in range(0, len(data), 2)]


# --- requests ----------------------------------------------------------------------


def build_read_request(unit: int, start: int, count: int) -> bytes:
    _check_unit(unit)
    if not 1 <= count <= MAX_READ or not 0 <= start <= 0xFFFF:
        raise ValueError("bad register range")
    return with_crc(
        bytes([unit, READ_HOLDING]) + start.to_bytes(2, "big") + count.to_bytes(2, "big")
    )


def build_write_request(unit: int, start: int, values: list[int] | tuple[int, ...]) -> bytes:
    _check_unit(unit)
    if not 1 <= len(values) <= MAX_WRITE or not 0 <= start <= 0xFFFF:
        raise ValueError("bad register range")
    return with_crc(
        bytes([unit, WRITE_MULTIPLE])
        + start.to_bytes(2, "big")
        + len(values).to_bytes(2, "big")
        + bytes([2 * len(values)])
        + _regs(values)
    )


@dataclass(frozen=True)
class ModbusRequest:
    unit: int
    function: int
    start: int = 0
    count: int = 0
    values: tuple[int, ...] = ()


def request_length(buf: bytes) -> int | None:
    """Length of the request at the start of ``buf``; None if unknowable yet/at all."""
    if len(buf) < 2:
        return None
    if buf[1] in (READ_HOLDING, 0x04, 0x06, 0x05):
        return 8
    if buf[1] == WRITE_MULTIPLE:
        return 9 + buf[6] if len(buf) >= 7 else None
    return None


def parse_request(frame: bytes) -> ModbusRequest:
    """Decode one whole request frame (the simulator's side)."""
    if len(frame) < 4:
        raise IncompleteFrame("Modbus request too short")
    if not crc_ok(frame):
        raise ChecksumError("Modbus request CRC mismatch")
    unit, fn = frame[0], frame[1]
    if fn == READ_HOLDING:
        if len(frame) != 8:
            raise FrameError("bad length for function 0x03")
        return ModbusRequest(
            unit, fn, int.from_bytes(frame[2:4], "big"), int.from_bytes(frame[4:6], "big")
        )
    if fn == WRITE_MULTIPLE:
        if len(frame) < 9 or frame[6] != len(frame) - 9 or frame[6] % 2:
            raise FrameError("bad byte count for function 0x10")
        count = int.from_bytes(frame[4:6], "big")
        values = tuple(_values(frame[7:-2]))
        if count != len(values):
            raise FrameError("register count does not match the data")
        return ModbusRequest(unit, fn, int.from_bytes(frame[2:4], "big"), count, values)
    return ModbusRequest(unit, fn)


# --- responses ---------------------------------------------------------------------


def build_read_response(unit: int, values: list[int] | tuple[int, ...]) -> bytes:
    data = _regs(values)
    return with_crc(bytes([unit, READ_HOLDING, len(data)]) + data)


def build_write_response(unit: int, start: int, count: int) -> bytes:
    return with_crc(
        bytes([unit, WRITE_MULTIPLE]) + start.to_bytes(2, "big") + count.to_bytes(2, "big")
    )


def build_exception(unit: int, function: int, code: int) -> bytes:
    return with_crc(bytes([unit, (function | 0x80) & 0xFF, code & 0xFF]))


@dataclass(frozen=True)
class ModbusResponse:
    unit: int
    function: int
    values: tuple[int, ...] = ()
    start: int = 0
    count: int = 0
    exception_code: int = 0

    @property
    def is_exception(self) -> bool:
        return self.exception_code != 0

    def raise_for_exception(self, device: str | None = None) -> ModbusResponse:
        if self.is_exception:
            raise ModbusException(self.exception_code, function=self.function, device=device)
        return self


def parse_response(buf: bytes, unit: int, function: int, count: int = 0) -> ModbusResponse:
    """Find the reply of ``unit`` to ``function`` in ``buf`` (garbage is skipped).

    ``count`` is the number of registers asked for (function 0x03). Raises
    :class:`IncompleteFrame` while a candidate frame still lacks bytes,
    :class:`ChecksumError` if the only whole candidates fail their CRC, and
    :class:`FrameError` if nothing in ``buf`` can be the reply.
    """
    bad_crc = False
    for i in range(len(buf)):
        if buf[i] != unit:
            continue
        if i + 1 >= len(buf):
            raise IncompleteFrame("reply header incomplete")
        fn = buf[i + 1]
        if fn == (function | 0x80):
            length = 5
        elif fn == function == READ_HOLDING:
            length = 5 + 2 * count
        elif fn == function == WRITE_MULTIPLE:
            length = 8
        else:
            continue
        if len(buf) < i + length:
            raise IncompleteFrame(f"reply needs {length} bytes, have {len(buf) - i}")
        frame = buf[i : i + length]
        if not crc_ok(frame):
            bad_crc = True
            continue
        if fn & 0x80:
            return ModbusResponse(unit, function, exception_code=frame[2] or 0xFF)
        if fn == READ_HOLDING:
            if frame[2] != 2 * count:
                continue
            return ModbusResponse(unit, fn, tuple(_values(frame[3:-2])))
        return ModbusResponse(
            unit,
            fn,
            start=int.from_bytes(frame[2:4], "big"),
            count=int.from_bytes(frame[4:6], "big"),
        )
    if bad_crc:
        raise ChecksumError(f"reply from unit {unit} failed its CRC")
    raise FrameError(f"no reply from unit {unit} in {len(buf)} bytes")


# --- register packing helpers (text in registers, two bytes each, high byte first) ----


def pack_bytes(data: bytes, registers: int) -> list[int]:
    """``data`` NUL-padded into ``registers`` registers (raises if too long)."""
    if len(data) > 2 * registers:
        raise ValueError(f"{len(data)} bytes do not fit in {registers} registers")
    data = data.ljust(2 * registers, b"\x00")
    return _values(data)


def unpack_bytes(values: list[int] | tuple[int, ...]) -> bytes:
    return _regs(values).rstrip(b"\x00")
