"""A shared RS-485 bus of register devices (window signs, evaluators).

:class:`RegisterBus` owns one :class:`SerialPort` and serializes whole request/reply
exchanges, so several devices (each with its own address) and several threads can
share the wire. The framing is a pluggable :class:`RegisterCodec`; hallqueue's
reference framing is Modbus RTU (:class:`ModbusRtuCodec`). A vendor's own protocol is
added by writing another codec with the same three methods.
"""

from __future__ import annotations

import time
from typing import Protocol

from devices import modbus_rtu as mb
from devices.device_errors import DeviceNotAnswering, FrameError
from devices.port import SerialPort, serial_port


class RegisterCodec(Protocol):
    """Framing of register reads and writes for one device family."""

    name: str

    def build_read(self, unit: int, start: int, count: int) -> bytes: ...

    def build_write(self, unit: int, start: int, values: list[int]) -> bytes: ...

    def parse_reply(self, request: bytes, buf: bytes) -> list[int]:
        """Registers read (or ``[]`` for a write ack) from ``buf``.

        Raises ``IncompleteFrame`` while more bytes are needed, ``ChecksumError`` /
        ``FrameError`` for a bad reply and ``ModbusException`` (or another
        ``DeviceError``) when the device refuses.
        """
        ...


class ModbusRtuCodec:
    name = "modbus-rtu"

    def build_read(self, unit: int, start: int, count: int) -> bytes:
        return mb.build_read_request(unit, start, count)

    def build_write(self, unit: int, start: int, values: list[int]) -> bytes:
        return mb.build_write_request(unit, start, values)

    def parse_reply(self, request: bytes, buf: bytes) -> list[int]:
        unit, function = request[0], request[1]
        count = int.from_bytes(request[4:6], "big") if function == mb.READ_HOLDING else 0
        try:
            response = mb.parse_response(buf, unit, function, count)
        except mb.IncompleteFrame:
            raise
        except FrameError as exc:
            raise type(exc)(str(exc), device=f"unit {unit}") from exc
        response.raise_for_exception(device=f"unit {unit}")
        return list(response.values)


CODECS: dict[str, type] = {"modbus-rtu": ModbusRtuCodec}


class RegisterBus:
    """One RS-485 line (default 9600 8N1) shared by devices at different addresses."""

    def __init__(
        self,
        port: str | SerialPort,
        baudrate: int = 9600,
        *,
        codec: RegisterCodec | None = None,
        timeout: float = 0.3,
        retries: int = 1,
        turnaround: float = 0.0,
    ) -> None:
        self.port = serial_port(port, baudrate, timeout=timeout, name="rs485")
        self.codec: RegisterCodec = codec or ModbusRtuCodec()
        self.timeout = timeout
        self.retries = retries
        self.turnaround = turnaround  # pause between exchanges some RS-485 adapters need

    def close(self) -> None:
        self.port.close()

    def _transact(self, request: bytes, what: str) -> list[int]:
        def once(port: SerialPort) -> list[int]:
            port.reset_input()
            port.write(request)
            deadline = time.monotonic() + self.timeout
            buf = b""
            last_error: FrameError | None = None
            while True:
                remaining = deadline - time.monotonic()
                if buf:
                    try:
                        return self.codec.parse_reply(request, buf)
                    except mb.IncompleteFrame:
                        last_error = None
                    except FrameError as exc:
                        # A whole but bad frame: wait briefly in case the real reply
                        # follows the garbage, then give up with the clear error.
                        last_error = exc
                        remaining = min(remaining, 0.05)
                if remaining <= 0:
                    break
                more = port.read_available(remaining)
                if not more:
                    if last_error is not None:
                        raise last_error
                    if time.monotonic() >= deadline:
                        break
                buf += more
            if last_error is not None:
                raise last_error
            if buf:
                raise FrameError(
                    f"incomplete reply to {what}: {buf[:32].hex(' ')}", device=f"unit {request[0]}"
                )
            raise DeviceNotAnswering(
                f"no reply to {what} within {self.timeout:g} s", device=f"unit {request[0]}"
            )

        attempts = max(1, self.retries + 1)
        for attempt in range(attempts):
            try:
                result = self.port.exchange(once)
                if self.turnaround:
                    time.sleep(self.turnaround)
                return result
            except (DeviceNotAnswering, FrameError):
                # A refusal (ModbusException) is an answer and is never retried.
                if attempt == attempts - 1:
                    raise
        raise AssertionError("unreachable")

    def read_registers(self, unit: int, start: int, count: int) -> list[int]:
        request = self.codec.build_read(unit, start, count)
        values = self._transact(request, f"read {count} registers at 0x{start:04X}")
        if len(values) != count:
            raise FrameError(
                f"asked for {count} registers, got {len(values)}", device=f"unit {unit}"
            )
        return values

    def write_registers(self, unit: int, start: int, values: list[int]) -> None:
        request = self.codec.build_write(unit, start, values)
        self._transact(request, f"write {len(values)} registers at 0x{start:04X}")
