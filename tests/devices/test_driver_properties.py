"""Whatever a device sends back, each driver returns a result or raises a DeviceError."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from devices import sam_frames as sf
from devices.device_errors import DeviceError
from devices.id_reader import IdCardReader
from devices.modbus_rtu import build_read_response
from devices.port import SerialPort
from devices.printer import PrinterStatus, TicketPrinter
from devices.register_bus import RegisterBus
from devices.window_sign import WindowSign


class ScriptedPort(SerialPort):
    """A port whose device answers every request with the same scripted bytes."""

    def __init__(self, reply: bytes) -> None:
        super().__init__("scripted://", timeout=0.01)
        self.reply = reply
        self.pending = b""

    def open(self) -> None:
        pass

    @property
    def is_open(self) -> bool:
        return True

    def write(self, data: bytes) -> int:
        self.pending = self.reply
        return len(data)

    def reset_input(self) -> None:
        self.pending = b""

    def read(self, size: int, timeout: float | None = None) -> bytes:
        out, self.pending = self.pending[:size], self.pending[size:]
        return out

    def read_available(self, timeout: float = 0.0) -> bytes:
        out, self.pending = self.pending, b""
        return out


replies = st.one_of(
    st.binary(max_size=120),
    st.binary(max_size=30).map(lambda b: b + sf.build_response(0x9F, bytes(4))),
    st.binary(max_size=30).map(lambda b: sf.PREAMBLE + b),
    st.binary(max_size=30).map(lambda b: b + build_read_response(1, [0x5347, 1])),
    st.binary(max_size=30).map(lambda b: bytes([1, 3]) + b),
)


@settings(max_examples=100, deadline=None)
@given(replies)
def test_id_reader_never_crashes(reply: bytes) -> None:
    reader = IdCardReader(ScriptedPort(reply), timeout_scale=0.02)
    try:
        assert isinstance(reader.find(), bool)
    except DeviceError:
        pass
    try:
        reader.read_once()
    except DeviceError:
        pass


@settings(max_examples=100, deadline=None)
@given(replies)
def test_register_bus_never_crashes(reply: bytes) -> None:
    bus = RegisterBus(ScriptedPort(reply), timeout=0.01, retries=0)
    try:
        kind, version = WindowSign(bus, 1).identify()
        assert 0 <= kind <= 0xFFFF and 0 <= version <= 0xFFFF
    except DeviceError:
        pass
    try:
        WindowSign(bus, 1).read_back()
    except DeviceError:
        pass


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=8))
def test_printer_status_never_crashes(reply: bytes) -> None:
    printer = TicketPrinter(ScriptedPort(reply), status_timeout=0.01)
    try:
        assert isinstance(printer.status(), PrinterStatus)
    except DeviceError:
        pass
