"""Which serial port is which: the ports this PC has (``COM3`` on Windows, ``/dev/ttyUSB0``
on Linux), and a guess at which is the receipt printer, the ID-card reader, or the RS-485
adapter of the window signs and evaluators.

The guess is read from what the port says about itself (its USB vendor and product id,
its description and maker) against a short table of common parts. It is a guess: the same
CH340 chip sits in a 20-yuan RS-485 dongle and inside an ID-card reader, a printer on the
PC's own RS-232 port says nothing about itself, and a USB printer without its "virtual
COM" driver is no serial port at all. `hallqueue device printer-status`, `read-card` and
`sign-test` on the guessed port tell for sure.

Pure apart from :func:`list_ports`, which asks pyserial; :func:`classify` takes any record
with pyserial's ``ListPortInfo`` attributes, so it is tested with records of both systems.
"""

from __future__ import annotations

import os
import re
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any, Protocol

PRINTER, ID_READER, RS485 = "printer", "id_reader", "rs485"
ROLES = (PRINTER, ID_READER, RS485)


class PortRecord(Protocol):
    """What pyserial's ``ListPortInfo`` tells of a port (any of it may be missing)."""

    device: str
    description: str
    hwid: str
    vid: int | None
    pid: int | None
    serial_number: str | None
    manufacturer: str | None
    product: str | None


@dataclass(frozen=True)
class Guess:
    role: str  # PRINTER, ID_READER or RS485
    why: str


@dataclass(frozen=True)
class FoundPort:
    device: str  # what to pass as --printer-port / --reader-port / --serial-port
    description: str
    usb_id: str | None  # "1A86:7523"
    serial_number: str | None
    manufacturer: str | None
    part: str | None  # the table's name for the USB id, if it knows it
    guesses: tuple[Guess, ...] = ()
    # A name that survives a replug or a reboot: Linux's /dev/serial/by-id/… link, or a
    # pyserial hwgrep:// URL (Windows gives COM numbers by USB socket, and may renumber).
    stable_name: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)  # guesses too, each as {"role", "why"}


@dataclass(frozen=True)
class Part:
    name: str
    roles: tuple[tuple[str, str], ...]  # (role, why), best first


_CHIP = (
    (RS485, "a USB-serial chip: most often an RS-485 adapter for the signs and evaluators"),
    (ID_READER, "ID-card readers often carry this chip inside"),
)
_BRIDGE = _CHIP[:1]  # several ports on one chip: adapters, not readers
_PRINTER = ((PRINTER, "a receipt printer's USB id"),)

# USB ids, "VID:PID" or a vendor alone ("VID"), upper-case hex: parts common in Chinese
# halls' kiosks and on RS-485 adapters; the list is short on purpose. ID-card readers are
# known by their descriptions only (below): their USB ids are those of the chip inside,
# which they share with adapters.
KNOWN_PARTS: dict[str, Part] = {
    # USB-serial chips
    "0403:6001": Part("FTDI FT232R", _CHIP),
    "0403:6010": Part("FTDI FT2232", _BRIDGE),
    "0403:6011": Part("FTDI FT4232", _BRIDGE),
    "0403:6014": Part("FTDI FT232H", _CHIP),
    "0403:6015": Part("FTDI FT-X", _CHIP),
    "1A86:7523": Part("WCH CH340", _CHIP),
    "1A86:5523": Part("WCH CH341", _CHIP),
    "1A86:55D3": Part("WCH CH343", _CHIP),
    "1A86:55D4": Part("WCH CH9102", _CHIP),
    "10C4:EA60": Part("Silicon Labs CP210x", _CHIP),
    "10C4:EA70": Part("Silicon Labs CP2105", _BRIDGE),
    "067B:2303": Part("Prolific PL2303", _CHIP),
    "067B:23A3": Part("Prolific PL2303GC", _CHIP),
    # Receipt printers with a virtual COM port (vendors, or one product of a generic chip)
    "0416:5011": Part("Winbond virtual COM (many 58 mm POS printers)", _PRINTER),
    "0FE6:811E": Part("ICS Advent (Xprinter-type POS printers)", _PRINTER),
    "04B8": Part("Seiko Epson (TM printers: a COM port only with Epson's driver)", _PRINTER),
    "0519": Part("Star Micronics", _PRINTER),
    "1504": Part("Bixolon", _PRINTER),
    "154F": Part("SNBC (新北洋)", _PRINTER),
    "1D90": Part("Citizen", _PRINTER),
    "0DD4": Part("Custom (kiosk printers)", _PRINTER),
}

# Words in a port's description, maker or product name, and what they suggest.
_WORDS: tuple[tuple[re.Pattern[str], str, str], ...] = (
    (re.compile(r"485", re.I), RS485, "its name says RS-485"),
    (
        re.compile(r"身份证|id[ -]?card|identity|\bsam\b|二代证", re.I),
        ID_READER,
        "its name says ID card",
    ),
    (
        re.compile(r"printer|打印|receipt|thermal|\bpos[ -]?(58|80)?\b|\btm-", re.I),
        PRINTER,
        "its name says printer",
    ),
)
_BLUETOOTH = re.compile(r"bluetooth|BTHENUM", re.I)
# A PC's own UART: Windows' "Communications Port (COM1)" (ACPI\PNP0501), Linux's ttyS*.
_ONBOARD = re.compile(r"PNP0501|communications port|^/dev/ttyS\d+$|^ttyS\d+$", re.I)

COM_NAME = re.compile(r"^(?:\\\\\.\\)?COM(\d{1,3})$", re.I)


def com_number(name: str) -> int | None:
    """3 for ``COM3``, ``com3`` or ``\\\\.\\COM12`` → 12; None if ``name`` is not a COM port."""
    match = COM_NAME.match(name.strip())
    return int(match.group(1)) if match and 1 <= int(match.group(1)) <= 256 else None


def usb_id(vid: int | None, pid: int | None) -> str | None:
    return f"{vid:04X}:{pid:04X}" if vid is not None and pid is not None else None


def _known(value: object) -> str:
    """A field as text; pyserial says "n/a" for what Linux does not know."""
    text = str(value or "").strip()
    return "" if text == "n/a" else text


def classify(port: PortRecord) -> FoundPort:
    """What ``port`` is likely to be, with the reason for each guess (best first)."""
    found = usb_id(getattr(port, "vid", None), getattr(port, "pid", None))
    part = None
    if found:
        part = KNOWN_PARTS.get(found) or KNOWN_PARTS.get(found.split(":")[0])
    text = " ".join(
        v
        for v in (
            _known(getattr(port, "description", None)),
            _known(getattr(port, "manufacturer", None)),
            _known(getattr(port, "product", None)),
        )
        if v
    )
    hwid = getattr(port, "hwid", "") or ""
    guesses: list[Guess] = []

    def guess(role: str, why: str) -> None:
        if all(g.role != role for g in guesses):
            guesses.append(Guess(role, why))

    if not _BLUETOOTH.search(f"{text} {hwid}"):  # a phone or headset, never a hall device
        for pattern, role, why in _WORDS:
            if pattern.search(text):
                guess(role, why)
        if part is not None:
            for role, why in part.roles:
                guess(role, f"{part.name}: {why}")
        elif found is None and any(_ONBOARD.search(x) for x in (hwid, text, port.device)):
            guess(PRINTER, "the PC's own RS-232 port: kiosk printers are often wired to it")
    return FoundPort(
        device=port.device,
        description=_known(getattr(port, "description", None)) or port.device,
        usb_id=found,
        serial_number=getattr(port, "serial_number", None) or None,
        manufacturer=getattr(port, "manufacturer", None) or None,
        part=part.name if part else None,
        guesses=tuple(guesses),
    )


def by_id_links(directory: str | Path = "/dev/serial/by-id") -> dict[str, str]:
    """Linux: each device's stable link (``/dev/ttyUSB0`` → ``/dev/serial/by-id/usb-…``)."""
    names: dict[str, str] = {}
    try:
        entries = sorted(Path(directory).iterdir())
    except OSError:  # Windows, or no USB-serial device plugged in
        return names
    for link in entries:
        names.setdefault(os.path.realpath(link), str(link))
    return names


def hwgrep_url(port: FoundPort, others: list[FoundPort]) -> str | None:
    """A pyserial URL that finds this port again by what it is, not by its number: its
    serial number if it has a real one, else its USB id if no other port shares it.
    (Windows makes up a serial with ``&`` in it for chips that have none; ``&`` separates
    hwgrep's options, and such a serial changes with the USB socket anyway.)"""
    serial = port.serial_number
    if serial and "&" not in serial and sum(p.serial_number == serial for p in others) == 1:
        return f"hwgrep://SER={re.escape(serial)}"
    if port.usb_id and sum(p.usb_id == port.usb_id for p in others) == 1:
        return f"hwgrep://{port.usb_id}"
    return None


def list_ports(
    records: list[Any] | None = None, links: dict[str, str] | None = None
) -> list[FoundPort]:
    """This PC's serial ports, classified, with a stable name where one can be given,
    sorted by device (COM2 before COM10)."""
    if records is None:
        from serial.tools.list_ports import comports

        records = list(comports())
    links = by_id_links() if links is None else links
    found = [classify(r) for r in records]
    found = [
        replace(p, stable_name=links.get(os.path.realpath(p.device)) or hwgrep_url(p, found))
        for p in found
    ]

    def order(port: FoundPort) -> tuple[str, int, str]:
        number = com_number(port.device)
        return ("", number, "") if number is not None else ("~", 0, port.device)

    return sorted(found, key=order)


ROLE_NAMES = {
    PRINTER: "receipt printer",
    ID_READER: "ID-card reader",
    RS485: "RS-485 line (signs, evaluators)",
}
CONFIRM = {
    PRINTER: "hallqueue device printer-status --printer-port {port}",
    ID_READER: "hallqueue device read-card --reader-port {port}",
    RS485: "hallqueue device sign-test --serial-port {port} --address N",
}


def render_table(ports: list[FoundPort]) -> str:
    """The ports for people: one block each, the guesses with their reasons."""
    if not ports:
        return (
            "no serial ports found. A USB printer without its virtual-COM driver is not a "
            "serial port (docs/windows.md, docs/devices.md)."
        )
    lines = []
    for port in ports:
        ids = ", ".join(
            x
            for x in (
                port.usb_id and f"USB {port.usb_id}",
                port.serial_number and f"serial {port.serial_number}",
            )
            if x
        )
        lines.append(f"{port.device}  {port.description}" + (f"  [{ids}]" if ids else ""))
        if port.stable_name:
            lines.append(f"    stable name: {port.stable_name}")
        for guess in port.guesses:
            lines.append(f"    maybe the {ROLE_NAMES[guess.role]}: {guess.why}")
            lines.append(f"      check: {CONFIRM[guess.role].format(port=port.device)}")
        if not port.guesses:
            lines.append("    no guess")
    lines.append("")
    lines.append("Guesses from USB ids and names, not from talking to the devices: check them.")
    return "\n".join(lines)
