"""SerialPort: paths and pyserial URLs, timeouts, reconnecting."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator

import pytest
import serial

from devices.device_errors import DeviceDisconnected
from devices.port import SerialPort
from devices.printer import TicketPrinter
from devices.register_bus import RegisterBus
from devices.sim.modbus_sim import ModbusBusSimulator
from devices.sim.printer_sim import PrinterSimulator
from devices.window_sign import WindowSign


def test_loop_url_echoes_and_read_times_out() -> None:
    port = SerialPort("loop://", timeout=0.1)
    port.write(b"abc")
    assert port.read(3) == b"abc"
    t0 = time.monotonic()
    assert port.read(1, 0.15) == b""
    assert 0.1 <= time.monotonic() - t0 < 0.5
    assert port.read_available() == b""
    port.close()
    assert not port.is_open


def test_infinite_timeouts_are_refused() -> None:
    with pytest.raises(ValueError):
        SerialPort("loop://", timeout=None)  # type: ignore[arg-type]


def test_open_failure_then_success(tmp_path) -> None:  # type: ignore[no-untyped-def]
    link = tmp_path / "later"
    port = SerialPort(str(link), timeout=0.1)
    with pytest.raises(DeviceDisconnected, match="cannot open"):
        port.write(b"x")
    sim = PrinterSimulator(str(link))
    sim.start()
    try:
        port.write(bytes.fromhex("100401"))
        assert port.read(1, 1.0) == b"\x12"
        assert port.reconnects == 0  # first successful open is not a reconnect
    finally:
        port.close()
        sim.stop()


@pytest.fixture
def tcp_bridge(printer_sim: PrinterSimulator) -> Iterator[str]:
    """A tiny 'serial device server': TCP on one side, the simulator's pty on the other."""
    server = socket.create_server(("127.0.0.1", 0))
    stop = threading.Event()

    def pump(src, dst) -> None:  # type: ignore[no-untyped-def]
        while not stop.is_set():
            try:
                data = src()
            except (OSError, serial.SerialException):
                return
            if data:
                dst(data)

    def serve() -> None:
        conn, _ = server.accept()
        conn.settimeout(0.05)
        tty = serial.Serial(printer_sim.path, timeout=0.05)

        def from_tcp() -> bytes:
            try:
                return conn.recv(4096)
            except TimeoutError:
                return b""

        threads = [
            threading.Thread(target=pump, args=(from_tcp, tty.write), daemon=True),
            threading.Thread(target=pump, args=(lambda: tty.read(4096), conn.sendall), daemon=True),
        ]
        for t in threads:
            t.start()
        stop.wait()
        for t in threads:  # the pumps notice `stop` within one 50 ms read
            t.join(timeout=2)
        conn.close()
        tty.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield f"socket://127.0.0.1:{server.getsockname()[1]}"
    stop.set()
    server.close()
    thread.join(timeout=2)


def test_printer_over_a_socket_url(tcp_bridge: str, printer_sim: PrinterSimulator) -> None:
    printer = TicketPrinter(tcp_bridge, status_timeout=0.5)
    try:
        assert printer.status().ok
        printer_sim.set_paper("near_end")
        assert printer.status().paper == "near_end"
    finally:
        printer.close()


def test_bus_handles_many_devices_in_sequence(bus_sim: ModbusBusSimulator) -> None:
    for address in (3, 4, 5, 6):
        bus_sim.control("add", kind="sign", address=address)
    bus = RegisterBus(bus_sim.path, timeout=0.3)
    try:
        for address in (1, 2, 3, 4, 5, 6):
            WindowSign(bus, address).show(f"A{address:03d}", "serving", f"{address}号窗口")
        for address in (1, 2, 3, 4, 5, 6):
            assert bus_sim.sign(address).display().text == f"{address}号窗口"
    finally:
        bus.close()
