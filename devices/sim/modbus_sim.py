"""Simulated RS-485 register devices (window signs, evaluators) on one pty.

One :class:`ModbusBusSimulator` stands for the wire; it hosts any number of device
models by address, and answers Modbus RTU requests addressed to them (silence for other
addresses and for frames with a bad CRC, as real slaves do). The register maps are those
documented in :mod:`devices.window_sign` and :mod:`devices.evaluator`.
"""

from __future__ import annotations

import time
from typing import Any, TypeVar

from devices import evaluator as ev
from devices import modbus_rtu as mb
from devices import window_sign as ws
from devices.device_errors import DeviceError
from devices.sim.simulator import Simulator


class RegisterModel:
    """A device with holding registers 0x0000…0x003F."""

    kind = "register-device"
    size = 0x40

    def __init__(self) -> None:
        self.registers = [0] * self.size
        self.writes = 0

    def read(self, start: int, count: int) -> list[int] | int:
        """Register values, or a Modbus exception code."""
        if start + count > self.size:
            return mb.ILLEGAL_ADDRESS
        return self.registers[start : start + count]

    def write(self, start: int, values: tuple[int, ...]) -> int:
        """0 on success, else a Modbus exception code."""
        raise NotImplementedError

    def describe(self) -> dict[str, Any]:
        return {"kind": self.kind}


class SignModel(RegisterModel):
    kind = "sign"

    def __init__(self) -> None:
        super().__init__()
        self.registers[ws.REG_KIND] = ws.SIGN_KIND
        self.registers[ws.REG_VERSION] = ws.MAP_VERSION
        self.history: list[ws.SignDisplay] = []

    def write(self, start: int, values: tuple[int, ...]) -> int:
        lo, count = ws.DISPLAY_BLOCK
        if start < lo or start + len(values) > lo + count:
            return mb.ILLEGAL_ADDRESS
        block = self.registers[lo : lo + count]
        block[start - lo : start - lo + len(values)] = values
        if block[0] not in ws.STATE_NAMES or block[1 + ws.NUMBER_REGS] > 2 * ws.TEXT_REGS:
            return mb.ILLEGAL_VALUE
        self.registers[lo : lo + count] = block
        self.writes += 1
        self.history.append(self.display())
        return 0

    def display(self) -> ws.SignDisplay:
        lo, count = ws.DISPLAY_BLOCK
        return ws.decode_display(self.registers[lo : lo + count])

    def describe(self) -> dict[str, Any]:
        d = self.display()
        return {
            "kind": self.kind,
            "number": d.number,
            "state": d.state,
            "text": d.text,
            "writes": self.writes,
        }


class EvaluatorModel(RegisterModel):
    kind = "evaluator"

    def __init__(self) -> None:
        super().__init__()
        self.registers[ev.REG_KIND] = ev.EVALUATOR_KIND
        self.registers[1] = ev.MAP_VERSION
        self.ratings: list[tuple[str, int]] = []

    @property
    def status(self) -> int:
        return self.registers[ev.REG_STATUS]

    def write(self, start: int, values: tuple[int, ...]) -> int:
        lo, hi = ev.REG_REQUEST_SEQ, ev.REG_TICKET_REF + ev.TICKET_REF_REGS
        if start < lo or start + len(values) > hi:
            return mb.ILLEGAL_ADDRESS
        self.registers[start : start + len(values)] = values
        self.writes += 1
        seq = self.registers[ev.REG_REQUEST_SEQ]
        if start == ev.REG_REQUEST_SEQ:
            self.registers[ev.REG_STATUS] = ev.STATUS_WAITING if seq else ev.STATUS_IDLE
            self.registers[ev.REG_STATUS + 1] = 0
            self.registers[ev.REG_STATUS + 2] = 0
        return 0

    @property
    def ticket_ref(self) -> str:
        regs = self.registers[ev.REG_TICKET_REF : ev.REG_TICKET_REF + ev.TICKET_REF_REGS]
        return mb.unpack_bytes(regs).decode("ascii", "replace")

    def press(self, rating: int) -> bool:
        """A key press; True if it was taken as the rating of the pending request."""
        if rating not in ev.RATING_LEVELS:
            raise ValueError("rating must be 1..5")
        if self.status != ev.STATUS_WAITING:
            return False
        self.registers[ev.REG_STATUS : ev.REG_STATUS + 3] = [
            ev.STATUS_RATED,
            rating,
            self.registers[ev.REG_REQUEST_SEQ],
        ]
        self.ratings.append((self.ticket_ref, rating))
        return True

    def describe(self) -> dict[str, Any]:
        names = {0: "idle", 1: "waiting", 2: "rated"}
        return {
            "kind": self.kind,
            "status": names.get(self.status, "?"),
            "ticket_ref": self.ticket_ref,
            "rating": self.registers[ev.REG_STATUS + 1],
            "ratings": self.ratings,
        }


M = TypeVar("M", bound=RegisterModel)


class ModbusBusSimulator(Simulator):
    """The RS-485 line with its devices: ``{address: SignModel() | EvaluatorModel()}``."""

    kind = "rs485"
    frame_gap = 0.1  # drop a partial request after this much silence (Modbus t3.5)

    def __init__(
        self, devices: dict[int, RegisterModel] | None = None, link: str | None = None
    ) -> None:
        super().__init__(link)
        self.devices: dict[int, RegisterModel] = dict(devices or {})
        self.echo = False  # half-duplex adapters that hear their own transmission
        self.ignored_frames = 0
        self._buf = b""
        self._last_rx = 0.0

    def handle(self, data: bytes) -> bytes:
        self._buf += data
        self._last_rx = time.monotonic()
        out = bytearray(data if self.echo else b"")
        while self._buf:
            length = self._frame_at(self._buf)
            if length > 0:
                frame, self._buf = self._buf[:length], self._buf[length:]
                out += self._dispatch(frame)
                continue
            if length < 0:  # cannot be a frame: resync byte by byte
                self._buf = self._buf[1:]
                self.ignored_frames += 1
                continue
            # Incomplete, or noise in front of a whole frame that follows it.
            later = next(
                (k for k in range(1, len(self._buf)) if self._frame_at(self._buf[k:]) > 0), None
            )
            if later is None:
                break
            self._buf = self._buf[later:]
            self.ignored_frames += 1
        return bytes(out)

    @staticmethod
    def _frame_at(buf: bytes) -> int:
        """Length of a whole CRC-valid frame at the start, 0 if undecided, -1 if none."""
        if len(buf) < 2:
            return 0
        length = mb.request_length(buf)
        if length is None:
            if buf[1] == mb.WRITE_MULTIPLE:
                return 0
            # Unknown function: a frame ends where a CRC matches (RTU has no length).
            for end in range(4, min(len(buf), 256) + 1):
                if mb.crc_ok(buf[:end]):
                    return end
            return -1 if len(buf) > 256 else 0
        if len(buf) < length:
            return 0
        return length if mb.crc_ok(buf[:length]) else -1

    def _dispatch(self, frame: bytes) -> bytes:
        try:
            request = mb.parse_request(frame)
        except DeviceError:
            self.ignored_frames += 1
            return b""
        return self._answer(request)

    def idle(self) -> bytes:
        if self._buf and time.monotonic() - self._last_rx > self.frame_gap:
            self.ignored_frames += 1
            self._buf = b""
        return b""

    def _answer(self, request: mb.ModbusRequest) -> bytes:
        device = self.devices.get(request.unit)
        if device is None:
            return b""  # another device's frame, or nobody there
        if request.function == mb.READ_HOLDING:
            result = device.read(request.start, request.count)
            if isinstance(result, int):
                return self.spoiled(mb.build_exception(request.unit, request.function, result))
            return self.spoiled(mb.build_read_response(request.unit, result))
        if request.function == mb.WRITE_MULTIPLE:
            code = device.write(request.start, request.values)
            if code:
                return self.spoiled(mb.build_exception(request.unit, request.function, code))
            return self.spoiled(mb.build_write_response(request.unit, request.start, request.count))
        return self.spoiled(mb.build_exception(request.unit, request.function, mb.ILLEGAL_FUNCTION))

    # --- control verbs --------------------------------------------------------------

    def _model(self, address: int, kind: type[M]) -> M:
        device = self.devices.get(int(address))
        if not isinstance(device, kind):
            raise ValueError(f"no {kind.kind} at address {address}")
        return device

    def ctl_add(self, kind: str, address: int) -> None:
        """Attach a device: kind sign | evaluator."""
        models: dict[str, type[RegisterModel]] = {"sign": SignModel, "evaluator": EvaluatorModel}
        self.devices[int(address)] = models[kind]()

    def ctl_sign(self, address: int = 1) -> dict[str, Any]:
        """What the sign at ``address`` shows."""
        return dict(self._model(address, SignModel).describe())

    def ctl_evaluator(self, address: int = 1) -> dict[str, Any]:
        return dict(self._model(address, EvaluatorModel).describe())

    def ctl_press(self, rating: int, address: int | None = None) -> bool:
        """Press key ``rating`` (5 = 非常满意 … 1 = 非常不满意) on an evaluator."""
        if address is None:
            evaluators = [a for a, d in self.devices.items() if isinstance(d, EvaluatorModel)]
            if not evaluators:
                raise ValueError("no evaluator on this bus")
            address = evaluators[0]
        return bool(self._model(address, EvaluatorModel).press(int(rating)))

    def ctl_echo(self, on: bool = True) -> None:
        """Echo every byte the host sends before the reply (RS-485 adapter loopback)."""
        self.echo = bool(on)

    ctl_bad_crc = Simulator.spoil_next_reply

    def ctl_state(self) -> dict[str, Any]:
        state = super().ctl_state()
        state["devices"] = {str(a): d.describe() for a, d in sorted(self.devices.items())}
        state["ignored_frames"] = self.ignored_frames
        return state

    # In-process conveniences.
    def sign(self, address: int) -> SignModel:
        return self._model(address, SignModel)

    def evaluator(self, address: int) -> EvaluatorModel:
        return self._model(address, EvaluatorModel)

    def press(self, rating: int, address: int | None = None) -> bool:
        return bool(self.control("press", rating=rating, address=address))
