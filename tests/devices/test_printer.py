"""The printer driver against the printer simulator through a real pty."""

from __future__ import annotations

import os
import time

import pytest

from devices.device_errors import (
    DeviceDisconnected,
    DeviceNotAnswering,
    DeviceTimeout,
    FrameError,
    PrinterCoverOpen,
    PrinterOffline,
    PrinterPaperOut,
    PrintNotConfirmed,
)
from devices.escpos_parse import decode_stream
from devices.escpos_ticket import render_ticket, sample_ticket
from devices.printer import TicketPrinter, decode_status
from devices.sim.printer_sim import PrinterSimulator

from .conftest import wait_until


def test_decode_status_canonical_replies() -> None:
    ok = decode_status(0x12, 0x12, 0x12, 0x12)
    assert ok.ok and ok.online and ok.paper == "ok"
    assert decode_status(0x12, 0x12, 0x12, 0x1E).paper == "near_end"
    assert decode_status(0x12, 0x12, 0x12, 0x1E).ok
    out = decode_status(0x1A, 0x32, 0x12, 0x72)
    assert out.paper == "out" and not out.online and not out.ok
    cover = decode_status(0x1E, 0x16, 0x12, 0x12)
    assert cover.cover_open and not cover.ok
    assert decode_status(0x12, 0x12, 0x1A, 0x12).cutter_error
    assert decode_status(0x12, 0x12, 0x32, 0x12).error == "unrecoverable error"
    assert decode_status(0x12, 0x12, 0x52, 0x12).error.startswith("recoverable")
    with pytest.raises(FrameError):
        decode_status(0x00, 0x12, 0x12, 0x12)


@pytest.fixture
def printer(printer_sim: PrinterSimulator) -> TicketPrinter:
    p = TicketPrinter(printer_sim.path, 115200, status_timeout=0.2, write_timeout=1.0)
    yield p
    p.close()


def test_status_round_trip_is_fast(printer: TicketPrinter, printer_sim: PrinterSimulator) -> None:
    t0 = time.monotonic()
    status = printer.status()
    assert time.monotonic() - t0 < 1.0
    assert status.ok and status.raw == b"\x12\x12\x12\x12"
    assert printer_sim.received.endswith(bytes.fromhex("100401 100402 100403 100404"))


@pytest.mark.parametrize(
    ("verb", "args", "check"),
    [
        ("paper", {"state": "near_end"}, lambda s: s.paper == "near_end" and s.ok),
        ("paper", {"state": "out"}, lambda s: s.paper == "out" and not s.ok),
        ("cover", {"open": True}, lambda s: s.cover_open and not s.online),
        ("offline", {"on": True}, lambda s: not s.online and not s.ok),
        ("cutter_error", {"on": True}, lambda s: s.cutter_error and not s.ok),
    ],
)
def test_state_changes_seen_within_2_s(
    printer: TicketPrinter, printer_sim: PrinterSimulator, verb: str, args: dict, check
) -> None:  # type: ignore[no-untyped-def,type-arg]
    assert printer.status().ok
    printer_sim.control(verb, **args)
    t0 = time.monotonic()
    assert wait_until(lambda: check(printer.status()), timeout=2.0)
    assert time.monotonic() - t0 < 2.0


def test_print_ticket_reaches_the_printer(
    printer: TicketPrinter, printer_sim: PrinterSimulator
) -> None:
    content = sample_ticket()
    written = printer.print_ticket(content)
    expected = render_ticket(content, 80)
    assert written == len(expected) == printer.last_ticket_bytes
    assert wait_until(lambda: len(printer_sim.tickets) == 1)
    ticket = printer_sim.tickets[0]
    assert ticket.raw == expected
    assert ticket.qr_payloads == [content.qr_url]
    assert "市民中心政务服务大厅" in ticket.text and "5.婚姻状况证明" in ticket.text
    assert ticket.png_path and os.path.getsize(ticket.png_path) > 1000
    assert decode_stream(ticket.raw).lines[0] == content.site_name


@pytest.mark.parametrize(
    ("verb", "args", "error"),
    [
        ("paper", {"state": "out"}, PrinterPaperOut),
        ("cover", {"open": True}, PrinterCoverOpen),
        ("offline", {"on": True}, PrinterOffline),
    ],
)
def test_print_refused_with_a_clear_error(
    printer: TicketPrinter, printer_sim: PrinterSimulator, verb: str, args: dict, error: type
) -> None:  # type: ignore[type-arg]
    printer_sim.control(verb, **args)
    with pytest.raises(error) as info:
        printer.print_ticket(sample_ticket())
    assert info.value.code.startswith("printer_")
    assert printer_sim.tickets == []


def test_silent_printer_is_not_answering_not_paper_ok(
    printer: TicketPrinter, printer_sim: PrinterSimulator
) -> None:
    printer_sim.control("silent")
    t0 = time.monotonic()
    status = printer.status()
    assert time.monotonic() - t0 < 1.0  # one short timeout, not 4 x 1 s
    assert not status.answering and not status.ok and status.paper == "unknown"
    with pytest.raises(DeviceNotAnswering):
        printer.print_ticket(sample_ticket())
    printer_sim.control("silent", on=False)
    assert printer.status().ok


def test_garbage_before_status_bytes_is_skipped(
    printer: TicketPrinter, printer_sim: PrinterSimulator
) -> None:
    printer_sim.control("garbage", data="ff 00 11 13")
    assert printer.status().ok


def test_unplug_and_replug(printer: TicketPrinter, printer_sim: PrinterSimulator) -> None:
    assert printer.status().ok
    old = printer_sim.endpoint.slave_name
    printer_sim.unplug()
    with pytest.raises(DeviceDisconnected):
        printer.status()
    with pytest.raises(DeviceDisconnected):
        printer.print_ticket(sample_ticket())
    printer_sim.replug()
    assert printer_sim.endpoint.slave_name is not None and os.path.islink(printer_sim.path)
    status = printer.status()  # same link path, new pty behind it
    assert status.ok
    assert printer.port.reconnects >= 1
    assert printer.print_ticket(sample_ticket()) > 0
    assert wait_until(lambda: len(printer_sim.tickets) == 1)
    del old


def test_write_times_out_when_the_printer_stops_reading(printer_sim: PrinterSimulator) -> None:
    printer = TicketPrinter(printer_sim.path, write_timeout=0.3, check_status_before_print=False)
    printer_sim.control("stall")
    t0 = time.monotonic()
    with pytest.raises(DeviceTimeout):
        printer.print_raw(b"\n" * 300_000)
    assert time.monotonic() - t0 < 2.0
    printer_sim.control("stall", on=False)
    printer.close()


def test_missing_port_is_a_clear_error() -> None:
    printer = TicketPrinter("/dev/does-not-exist-tty")
    with pytest.raises(DeviceDisconnected, match="cannot open port"):
        printer.status()


def test_status_over_a_pyserial_url() -> None:
    # loop:// echoes our own query back: 0x10 is not a status byte, so it stays silent.
    printer = TicketPrinter("loop://", status_timeout=0.1)
    assert not printer.status().answering


def test_confirm_catches_a_job_lost_to_paper_out(printer_sim: PrinterSimulator) -> None:
    printer = TicketPrinter(printer_sim.path, status_timeout=0.2, check_status_before_print=False)
    printer_sim.set_paper("out")
    with pytest.raises(PrinterPaperOut):
        printer.print_ticket(sample_ticket(), confirm=True)
    assert printer_sim.tickets == [] and printer_sim.dropped_bytes > 0
    printer_sim.set_paper("ok")
    assert printer.print_ticket(sample_ticket(), confirm=True) > 0
    assert wait_until(lambda: len(printer_sim.tickets) == 1)
    printer.close()


def test_confirm_waits_for_a_printer_busy_after_the_cut(
    printer_sim: PrinterSimulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The simulator answers nothing for 1 s after it cuts, more than three status timeouts.
    store = printer_sim._store
    monkeypatch.setattr(printer_sim, "_store", lambda page: (store(page), time.sleep(1.0)))
    printer = TicketPrinter(printer_sim.path, status_timeout=0.2)
    started = time.monotonic()
    assert printer.print_ticket(sample_ticket(), confirm=True) > 0
    assert time.monotonic() - started >= 0.8  # it waited for the answer, not re-sent
    assert len(printer_sim.tickets) == 1
    printer.close()


def test_confirm_of_a_printer_silent_after_the_job_is_print_not_confirmed(
    printer_sim: PrinterSimulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = printer_sim._store

    def store_and_fall_silent(page: object) -> None:
        store(page)  # type: ignore[arg-type]
        printer_sim.silent = True

    monkeypatch.setattr(printer_sim, "_store", store_and_fall_silent)
    printer = TicketPrinter(printer_sim.path, status_timeout=0.2, confirm_seconds=1.0)
    started = time.monotonic()
    with pytest.raises(PrintNotConfirmed) as raised:
        printer.print_ticket(sample_ticket(), confirm=True)
    assert raised.value.code == "print_unconfirmed"
    assert time.monotonic() - started >= 1.0
    assert len(printer_sim.tickets) == 1  # the ticket was printed all the same
    printer.close()


def test_monitor_reports_changes_within_2_s(printer_sim: PrinterSimulator) -> None:
    from devices.monitor import PrinterMonitor
    from devices.printer import PrinterStatus

    printer = TicketPrinter(printer_sim.path, status_timeout=0.2)
    changes: list[PrinterStatus] = []
    monitor = PrinterMonitor(printer, interval=0.1, on_change=changes.append).start()
    try:
        assert monitor.wait_for(lambda s: s.ok, 2)
        printer_sim.set_paper("out")
        t0 = time.monotonic()
        assert monitor.wait_for(lambda s: s.paper == "out", 2)
        assert time.monotonic() - t0 < 2
        printer_sim.unplug()
        assert monitor.wait_for(lambda s: not s.answering and "disconnected" in (s.error or ""), 2)
        printer_sim.replug()
        printer_sim.set_paper("ok")
        assert monitor.wait_for(lambda s: s.ok, 3)
    finally:
        monitor.stop()
        printer.close()
    assert [c.paper for c in changes][:2] == ["ok", "out"]


def test_simulator_answers_dle_eot_anywhere(printer_sim: PrinterSimulator) -> None:
    from devices.port import SerialPort

    port = SerialPort(printer_sim.path, timeout=0.3)
    try:
        # Split across writes, and inside a QR payload: both answered, once each.
        port.write(b"\x10")
        port.write(b"\x04\x04")
        assert port.read(1) == b"\x12"
        url = b"https://q.invalid/\x10\x04\x01"
        port.write(b"\x1d\x28\x6b" + (len(url) + 3).to_bytes(2, "little") + b"\x31\x50\x30" + url)
        assert port.read(2, 0.3) == b"\x12"
    finally:
        port.close()
