"""``hallqueue simulator …`` and the diagnostics of ``hallqueue device …``: thin shells
over the library (the centre's command line registers both groups under those names).

``sim`` runs a simulator until SIGTERM/SIGINT. Its first stdout line is the path a
driver should open (the ``--link`` path if given, else the pty slave such as
``/dev/pts/5``), the second is ``control HOST:PORT`` (the JSON-lines control channel,
see ``hallqueue simulator control --help``). ``devices`` holds installers' diagnostics;
each fails (exit 1) with a clear message when the device does not answer. Serial ports are
named after the device on them (``--printer-port``, ``--reader-port``; ``--serial-port`` for
the RS-485 line) with a baud rate to match; ``RENAMED_OPTIONS`` are the spellings they
replaced, which the command line still accepts.
"""

from __future__ import annotations

import json
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, Protocol

import click

from devices.device_errors import DeviceError
from devices.host_system import on_stop

PORT_HELP = "port: /dev/ttyUSB0, COM3 (Windows) or a pyserial URL (hwgrep://1A86:7523, socket://host:port, …)"


# --- sim -----------------------------------------------------------------------------


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def sim() -> None:
    """Run a device simulator on a pty (prints the path to open, then `control H:P`)."""


def _common_sim_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    fn = click.option(
        "--link",
        type=click.Path(dir_okay=False),
        help="also make a stable symlink here (survives unplug/replug)",
    )(fn)
    fn = click.option(
        "--control",
        "control_port",
        type=int,
        default=0,
        show_default=True,
        help="loopback TCP port of the control channel (0 = any free port)",
    )(fn)
    return fn


def _serve(simulator: Any, control_port: int) -> None:
    from devices.sim.control import ControlServer

    stop = threading.Event()

    def on_signal(signum: int, frame: object) -> None:
        stop.set()

    on_stop(on_signal)
    path = simulator.start()
    server = ControlServer(simulator, control_port)
    address = server.start()
    click.echo(path)
    click.echo(f"control {address}")
    sys.stdout.flush()
    click.echo(
        f"{simulator.kind} simulator on {path}; control {address}; "
        f"commands: {', '.join(simulator.commands())}",
        err=True,
    )
    try:
        while not stop.wait(0.5):
            pass
    finally:
        server.stop()
        simulator.stop()


@sim.command("printer")
@_common_sim_options
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False),
    default="var/sim-tickets",
    show_default=True,
    help="directory for received tickets (.txt and .png)",
)
@click.option("--width", type=click.Choice(["58", "80"]), default="80", show_default=True)
@click.option("--paper", type=click.Choice(["ok", "near_end", "out"]), default="ok")
def sim_printer(link: str | None, control_port: int, out_dir: str, width: str, paper: str) -> None:
    """An ESC/POS ticket printer. Verbs: paper, cover, offline, cutter_error, tickets…"""
    from devices.sim.printer_sim import PrinterSimulator

    simulator = PrinterSimulator(link, out_dir=out_dir, width_mm=int(width))
    simulator.paper = paper
    _serve(simulator, control_port)


@sim.command("id-reader")
@_common_sim_options
@click.option(
    "--card",
    default="none",
    show_default=True,
    type=click.Choice(["none", "resident", "J", "I", "Y", "corrupt", "unreadable"]),
    help="card on the reader at start",
)
@click.option(
    "--no-retap-rule",
    is_flag=True,
    help="keep answering find-card while a read card stays on the reader",
)
def sim_id_reader(link: str | None, control_port: int, card: str, no_retap_rule: bool) -> None:
    """A SAM ID-card reader (115200 8N1). Verbs: place, remove, bad_checksum…"""
    from devices.sim.id_reader_sim import IdReaderSimulator

    simulator = IdReaderSimulator(link, retap_rule=not no_retap_rule)
    if card != "none":
        simulator.ctl_place(card)
    _serve(simulator, control_port)


def _bus(signs: tuple[int, ...], evaluators: tuple[int, ...], link: str | None) -> Any:
    from devices.sim.modbus_sim import EvaluatorModel, ModbusBusSimulator, SignModel

    devices: dict[int, Any] = {a: SignModel() for a in signs}
    for a in evaluators:
        if a in devices:
            raise click.BadParameter(f"address {a} used twice")
        devices[a] = EvaluatorModel()
    return ModbusBusSimulator(devices, link)


def _one_kind_on_a_line(kind: str, summary: str) -> click.Command:
    """`simulator sign` and `simulator evaluator`: devices of one kind on an RS-485 line."""

    @sim.command(kind, help=summary)
    @_common_sim_options
    @click.option(
        "--address",
        "addresses",
        type=click.IntRange(1, 247),
        multiple=True,
        default=(1,),
        show_default=True,
        help=f"{kind} address (repeat for several)",
    )
    def command(link: str | None, control_port: int, addresses: tuple[int, ...]) -> None:
        signs = addresses if kind == "sign" else ()
        evaluators = addresses if kind == "evaluator" else ()
        _serve(_bus(signs, evaluators, link), control_port)

    return command


sim_sign = _one_kind_on_a_line(
    "sign", "Window signs on an RS-485 line (Modbus RTU). Verb `sign --address N` reads one."
)
sim_evaluator = _one_kind_on_a_line(
    "evaluator", "Evaluators on an RS-485 line (Modbus RTU). Verb `press rating=5` presses a key."
)


@sim.command("rs485")
@_common_sim_options
@click.option("--sign", "signs", type=click.IntRange(1, 247), multiple=True)
@click.option("--evaluator", "evaluators", type=click.IntRange(1, 247), multiple=True)
def sim_rs485(
    link: str | None, control_port: int, signs: tuple[int, ...], evaluators: tuple[int, ...]
) -> None:
    """Signs and evaluators sharing one RS-485 line, e.g. --sign 1 --sign 2 --evaluator 11."""
    _serve(_bus(signs, evaluators, link), control_port)


def _addresses(text: str) -> list[int]:
    """``1-3,7`` → [1, 2, 3, 7]."""
    out: list[int] = []
    for part in filter(None, (p.strip() for p in text.split(","))):
        lo, _, hi = part.partition("-")
        out.extend(range(int(lo), int(hi or lo) + 1))
    if any(not 1 <= a <= 247 for a in out):
        raise click.BadParameter("addresses must be 1..247")
    return out


@sim.command("all")
@click.option(
    "--dir",
    "directory",
    default="var/sim",
    show_default=True,
    type=click.Path(file_okay=False),
    help="links printer, id-reader, rs485 here",
)
@click.option("--signs", default="1-3", show_default=True, help="sign addresses, e.g. 1-6")
@click.option("--evaluators", default="11-13", show_default=True)
@click.option("--width", type=click.Choice(["58", "80"]), default="80", show_default=True)
@click.option(
    "--card", default=None, type=click.Choice(["resident", "J", "I", "Y", "corrupt", "unreadable"])
)
def sim_all(directory: str, signs: str, evaluators: str, width: str, card: str | None) -> None:
    """A whole hall: printer, ID reader and an RS-485 bus with signs and evaluators.

    Prints one JSON line with each simulator's path and control address.
    """
    from devices.sim.suite import SimulatorSuite

    try:
        suite = SimulatorSuite(
            directory, _addresses(signs), _addresses(evaluators), int(width), card
        )
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from exc
    stop = threading.Event()
    on_stop(lambda *_: stop.set())
    info = suite.start()
    try:
        click.echo(json.dumps(info))
        sys.stdout.flush()
        while not stop.wait(0.5):
            pass
    finally:
        suite.stop()


@sim.command("control")
@click.argument("address")
@click.argument("verb")
@click.argument("args", nargs=-1)
def sim_control(address: str, verb: str, args: tuple[str, ...]) -> None:
    """Send VERB with key=value ARGS to a running simulator's control ADDRESS (H:P).

    Values are parsed as JSON when possible: `paper state=out`, `cover open=true`,
    `place card=Y`, `remove`, `press rating=5`, `sign address=1`, `unplug`, `replug`,
    `silent on=true`, `garbage data="00 ff"`, `tickets`, `state`, `help`.
    """
    from devices.sim.control import ControlClient

    kwargs: dict[str, Any] = {}
    for item in args:
        key, sep, value = item.partition("=")
        if not sep:
            raise click.BadParameter(f"expected key=value, got {item!r}")
        try:
            kwargs[key] = json.loads(value)
        except json.JSONDecodeError:
            kwargs[key] = value
    try:
        with ControlClient(address) as client:
            result = client.call(verb, **kwargs)
    except (OSError, RuntimeError) as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(json.dumps(result, ensure_ascii=False, indent=2, default=str))


# --- devices (diagnostics) ------------------------------------------------------------


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def devices() -> None:
    """Diagnostics for installers: talk to a printer, ID reader, sign or evaluator."""


class _Closable(Protocol):
    def close(self) -> None: ...


@contextmanager
def _talking_to(device: _Closable) -> Iterator[None]:
    """Close ``device`` at the end; its failure ends the command with its code."""
    try:
        yield
    except DeviceError as exc:
        raise click.ClickException(f"[{exc.code}] {exc}") from exc  # exit 1: tried, failed
    finally:
        device.close()


# The spellings each diagnostic replaced: old option → new option.
RENAMED_OPTIONS = {
    "print-test": {"--printer": "--printer-port", "--baud": "--printer-baud"},
    "printer-status": {"--printer": "--printer-port", "--baud": "--printer-baud"},
    "read-card": {"--id-reader": "--reader-port", "--baud": "--reader-baud"},
    "sign-test": {"--port": "--serial-port", "--baud": "--serial-baud"},
    "evaluator-test": {"--port": "--serial-port", "--baud": "--serial-baud"},
}


def _emit(data: dict[str, Any] | list[Any]) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


@devices.command("print-test")
@click.option("--printer-port", "port", required=True, help=PORT_HELP)
@click.option("--printer-baud", "baud", default=9600, show_default=True)
@click.option("--width", type=click.Choice(["58", "80"]), default="80", show_default=True)
@click.option("--language", type=click.Choice(["zh", "en"]), default="zh", show_default=True)
def print_test(port: str, baud: int, width: str, language: str) -> None:
    """Print a sample Chinese ticket with a QR code."""
    from devices.escpos_ticket import sample_ticket
    from devices.printer import TicketPrinter

    printer = TicketPrinter(port, baud, width_mm=int(width))
    with _talking_to(printer):
        written = printer.print_ticket(sample_ticket(language))
    seconds = written * 10 / baud
    click.echo(
        f"printed a {width} mm test ticket: {written} bytes "
        f"(~{seconds:.2f} s on the wire at {baud} baud)"
    )


@devices.command("printer-status")
@click.option("--printer-port", "port", required=True, help=PORT_HELP)
@click.option("--printer-baud", "baud", default=9600, show_default=True)
@click.option("--timeout", default=0.5, show_default=True, help="seconds per status byte")
def printer_status(port: str, baud: int, timeout: float) -> None:
    """Print the printer's state as JSON (online, paper ok|near_end|out, cover_open, error)."""
    from devices.device_errors import DeviceNotAnswering
    from devices.printer import TicketPrinter

    printer = TicketPrinter(port, baud, status_timeout=timeout)
    with _talking_to(printer):
        status = printer.status()
        if not status.answering:
            raise DeviceNotAnswering(
                "printer does not answer DLE EOT status queries "
                "(check power, cable, port and baud rate)",
                device="printer",
            )
    _emit(status.as_dict())


@devices.command("read-card")
@click.option("--reader-port", "port", required=True, help=PORT_HELP)
@click.option("--reader-baud", "baud", default=115200, show_default=True)
@click.option("--timeout", default=15.0, show_default=True, help="seconds to wait for a card")
def read_card(port: str, baud: int, timeout: float) -> None:
    """Wait for one card and print it as masked JSON (never the full name or number)."""
    from devices.device_errors import NoCard
    from devices.id_reader import IdCardReader

    reader = IdCardReader(port, baud)
    deadline = time.monotonic() + timeout
    with _talking_to(reader):
        if not reader.sam_status():
            click.echo("warning: the reader's SAM reports a problem", err=True)
        click.echo("place a card on the reader…", err=True)
        while True:
            try:
                identity = reader.read_once()
                break
            except NoCard:
                if time.monotonic() >= deadline:
                    raise click.ClickException(f"[no_card] no card within {timeout:g} s") from None
                time.sleep(0.2)
    _emit(identity.masked_summary())


@devices.command("sign-test")
@click.option("--serial-port", "port", required=True, help=PORT_HELP)
@click.option("--serial-baud", "baud", default=9600, show_default=True)
@click.option("--address", default=1, show_default=True, type=click.IntRange(1, 247))
@click.option("--number", default="A001", show_default=True)
@click.option("--text", default="请A001号到本窗口办理", show_default=True)
def sign_test(port: str, baud: int, address: int, number: str, text: str) -> None:
    """Show a number and text on a sign and read it back."""
    from devices.register_bus import RegisterBus
    from devices.window_sign import SIGN_KIND, WindowSign

    bus = RegisterBus(port, baud)
    sign = WindowSign(bus, address)
    with _talking_to(bus):
        kind, version = sign.identify()
        if kind != SIGN_KIND:
            click.echo(f"warning: device kind 0x{kind:04X} is not a window sign", err=True)
        sign.show(number, "serving", text)
        shown = sign.read_back()
    match = shown.number == number and shown.text == text and shown.state == "serving"
    _emit(
        {
            "address": address,
            "map_version": version,
            "number": shown.number,
            "state": shown.state,
            "text": shown.text,
            "read_back_matches": match,
        }
    )
    if not match:
        raise click.ClickException("the sign shows something else than it was sent")


@devices.command("evaluator-test")
@click.option("--serial-port", "port", required=True, help=PORT_HELP)
@click.option("--serial-baud", "baud", default=9600, show_default=True)
@click.option("--address", default=1, show_default=True, type=click.IntRange(1, 247))
@click.option("--wait", default=15.0, show_default=True, help="seconds to wait for a key")
def evaluator_test(port: str, baud: int, address: int, wait: float) -> None:
    """Ask the evaluator for a rating and wait for a key press."""
    from devices.evaluator import EVALUATOR_KIND, Evaluator, rating_name
    from devices.register_bus import RegisterBus

    bus = RegisterBus(port, baud)
    evaluator = Evaluator(bus, address)
    rating = None
    with _talking_to(bus):
        kind, version = evaluator.identify()
        if kind != EVALUATOR_KIND:
            click.echo(f"warning: device kind 0x{kind:04X} is not an evaluator", err=True)
        evaluator.request_rating("TEST")
        click.echo("press a key on the evaluator…", err=True)
        deadline = time.monotonic() + wait
        while rating is None and time.monotonic() < deadline:
            rating = evaluator.poll_rating()
            if rating is None:
                time.sleep(0.2)
        if rating is None:
            evaluator.cancel()
    _emit(
        {
            "address": address,
            "map_version": version,
            "rating": rating,
            "level": rating_name(rating) if rating else None,
            "level_en": rating_name(rating, "en") if rating else None,
        }
    )
    if rating is None:
        click.echo(f"no key pressed within {wait:g} s (the device answers)", err=True)


@devices.command("list-ports")
@click.option("--json", "as_json", is_flag=True, help="one JSON array instead of a table")
def list_ports_command(as_json: bool) -> None:
    """List this PC's serial ports and guess which is the printer, ID reader or RS-485 line."""
    from devices.port_finder import list_ports, render_table

    found = list_ports()
    if as_json:
        _emit([p.as_dict() for p in found])
    else:
        click.echo(render_table(found))
