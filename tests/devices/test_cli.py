"""`hallqueue device …` diagnostics and `hallqueue simulator …` simulators."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from devices.device_commands import devices, sim
from devices.escpos_ticket import render_ticket, sample_ticket
from devices.sim.control import ControlClient
from devices.sim.id_reader_sim import IdReaderSimulator
from devices.sim.modbus_sim import ModbusBusSimulator
from devices.sim.printer_sim import PrinterSimulator

from .conftest import wait_until


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(devices, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_printer_status_and_print_test(printer_sim: PrinterSimulator) -> None:
    code, out, _ = run("printer-status", "--printer-port", printer_sim.path)
    assert code == 0
    assert json.loads(out) == {
        "online": True,
        "paper": "ok",
        "cover_open": False,
        "cutter_error": False,
        "error": None,
        "ok": True,
    }
    printer_sim.set_paper("out")
    code, out, _ = run("printer-status", "--printer-port", printer_sim.path)
    assert code == 0 and json.loads(out)["paper"] == "out"
    code, _, err = run("print-test", "--printer-port", printer_sim.path)
    assert code == 1 and "printer_paper_out" in err
    printer_sim.set_paper("ok")
    code, out, _ = run("print-test", "--printer-port", printer_sim.path, "--width", "58")
    assert code == 0 and f"{len(render_ticket(sample_ticket(), 58))} bytes" in out
    assert wait_until(lambda: len(printer_sim.tickets) == 1)


def test_printer_not_answering(printer_sim: PrinterSimulator) -> None:
    printer_sim.control("silent")
    code, out, err = run("printer-status", "--printer-port", printer_sim.path, "--timeout", "0.1")
    assert code == 1 and out == "" and "does not answer" in err
    code, _, err = run("printer-status", "--printer-port", "/dev/no-such-printer")
    assert code == 1 and "cannot open port" in err


def test_read_card_prints_masked_json(id_sim: IdReaderSimulator) -> None:
    id_sim.place_card("resident")
    code, out, _ = run("read-card", "--reader-port", id_sim.path, "--timeout", "2")
    assert code == 0
    data = json.loads(out)
    card = id_sim.card
    assert card is not None
    assert data["name"] == "张**" and data["id_number"] == card.masked_id()
    assert card.id_number not in out and card.name not in out and card.address not in out
    assert data["nation"] == "汉" and data["gender"] == "男" and data["birth_date"] == "1985-06-12"


def test_read_card_timeout_and_silence(id_sim: IdReaderSimulator) -> None:
    code, _, err = run("read-card", "--reader-port", id_sim.path, "--timeout", "0.3")
    assert code == 1 and "no card within" in err
    id_sim.control("silent")
    code, _, err = run("read-card", "--reader-port", id_sim.path, "--timeout", "0.3")
    assert code == 1 and "not_answering" in err


def test_sign_and_evaluator_tests(bus_sim: ModbusBusSimulator) -> None:
    code, out, _ = run("sign-test", "--serial-port", bus_sim.path, "--address", "2")
    assert code == 0 and json.loads(out)["read_back_matches"] is True
    assert bus_sim.sign(2).display().number == "A001"
    code, out, _ = run("evaluator-test", "--serial-port", bus_sim.path, "--address", "11", "--wait", "0.3")
    assert code == 0 and json.loads(out)["rating"] is None
    code, _, err = run("sign-test", "--serial-port", bus_sim.path, "--address", "7")
    assert code == 1 and "no reply" in err


def test_evaluator_test_with_a_key_press(bus_sim: ModbusBusSimulator) -> None:
    import threading

    def press_when_asked() -> None:
        wait_until(lambda: bus_sim.evaluator(11).describe()["status"] == "waiting", 3)
        bus_sim.press(4, 11)

    t = threading.Thread(target=press_when_asked)
    t.start()
    code, out, _ = run("evaluator-test", "--serial-port", bus_sim.path, "--address", "11", "--wait", "3")
    t.join()
    assert code == 0 and json.loads(out)["level"] == "满意"


SIM_MAIN = "from devices.device_commands import sim; sim(prog_name='hallqueue simulator')"


@pytest.mark.parametrize(
    ("args", "verb", "verb_args"),
    [
        (["id-reader", "--card", "Y"], "state", {}),
        (["rs485", "--sign", "1", "--evaluator", "11"], "press", {"rating": 5}),
    ],
)
def test_sim_commands_start_and_stop(
    tmp_path: Path, args: list[str], verb: str, verb_args: dict
) -> None:  # type: ignore[type-arg]
    proc = subprocess.Popen(
        [sys.executable, "-c", SIM_MAIN, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        path = proc.stdout.readline().strip()
        control = proc.stdout.readline().split()[1]
        assert path.startswith("/dev/pts/") and os.path.exists(path)
        with ControlClient(control) as client:
            client.call(verb, **verb_args)
            assert client.call("path") == path
    finally:
        proc.send_signal(signal.SIGINT)
        assert proc.wait(5) == 0


def test_sim_printer_process_end_to_end(tmp_path: Path) -> None:
    link = tmp_path / "printer"
    out_dir = tmp_path / "tickets"
    proc = subprocess.Popen(
        [sys.executable, "-c", SIM_MAIN, "printer", "--link", str(link), "--out", str(out_dir)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == str(link)
        control = proc.stdout.readline().split()[1]
        code, _, _ = run("print-test", "--printer-port", str(link))
        assert code == 0
        control_cli = CliRunner().invoke(sim, ["control", control, "paper", "state=near_end"])
        assert control_cli.exit_code == 0
        code, out, _ = run("printer-status", "--printer-port", str(link))
        assert json.loads(out)["paper"] == "near_end"
        tickets = json.loads(CliRunner().invoke(sim, ["control", control, "tickets"]).stdout)
        assert len(tickets) == 1 and tickets[0]["qr"] == ["https://hall.example.invalid/t/7Q2KX"]
        assert (out_dir / "ticket-0001.png").exists() and (out_dir / "ticket-0001.txt").exists()
        bad = CliRunner().invoke(sim, ["control", control, "paper", "state=wet"])
        assert bad.exit_code != 0 and "paper state" in bad.output
    finally:
        t0 = time.monotonic()
        proc.terminate()
        assert proc.wait(5) == 0
        assert time.monotonic() - t0 < 3
    assert not link.exists()  # the simulator removed its link on exit


def test_devices_package_imports_nothing_from_the_rest() -> None:
    code = (
        "import sys, devices.device_commands, devices.printer, devices.id_reader, devices.window_sign, "
        "devices.evaluator, devices.sim.printer_sim, devices.sim.id_reader_sim, "
        "devices.sim.modbus_sim, devices.sim.control; "
        "bad = [m for m in sys.modules if m.split('.')[0] in "
        "('queue_server', 'kiosk', 'displays', 'flask')]; print(bad); assert not bad"
    )
    subprocess.run([sys.executable, "-c", code], check=True, capture_output=True)


def test_render_samples(tmp_path: Path) -> None:
    from devices.sim.render_samples import render_samples

    sizes = render_samples(str(tmp_path))
    assert sizes["ticket-80mm-zh"] <= 600
    for name in sizes:
        assert (tmp_path / f"{name}.png").stat().st_size > 5000


def test_sim_all_runs_a_whole_hall(tmp_path: Path) -> None:
    proc = subprocess.Popen(
        [
            sys.executable,
            "-c",
            SIM_MAIN,
            "all",
            "--dir",
            str(tmp_path),
            "--signs",
            "1-2",
            "--evaluators",
            "11",
            "--card",
            "J",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        info = json.loads(proc.stdout.readline())
        assert info["printer"]["path"] == str(tmp_path / "printer")
        assert info["rs485"]["signs"] == [1, 2] and info["rs485"]["evaluators"] == [11]
        code, out, _ = run("read-card", "--reader-port", info["id_reader"]["path"], "--timeout", "2")
        assert code == 0 and json.loads(out)["card_type"] == "hmt_residence"
        code, _, _ = run("sign-test", "--serial-port", info["rs485"]["path"], "--address", "2")
        assert code == 0
        with ControlClient(info["rs485"]["control"]) as client:
            assert client.call("sign", address=2)["number"] == "A001"
        code, out, _ = run("printer-status", "--printer-port", info["printer"]["path"])
        assert code == 0 and json.loads(out)["ok"]
    finally:
        proc.terminate()
        assert proc.wait(5) == 0


def test_suite_in_process(tmp_path: Path) -> None:
    from devices.printer import TicketPrinter
    from devices.sim.suite import SimulatorSuite

    with SimulatorSuite(str(tmp_path), signs=[1], evaluators=[]) as info:
        printer = TicketPrinter(info["printer"]["path"])
        assert printer.status().ok
        printer.close()
    with pytest.raises(ValueError):
        SimulatorSuite(str(tmp_path), signs=[1], evaluators=[1])
