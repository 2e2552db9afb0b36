"""`hallqueue device list-ports`: the ports of Linux and Windows PCs as pyserial reports
them, classified; COM port names; and every option that takes a port taking COM3 and
pyserial URLs as they are.

The Windows records are pyserial's own ListPortInfo, filled the way its Windows backend
(list_ports_windows) fills them: description "USB-SERIAL CH340 (COM3)", the USB id, a
serial number Windows makes up when the chip has none ("5&2C9E1D3&0&2"), and for a PC's own
port the ACPI hardware id.
"""

from __future__ import annotations

import json
import subprocess
import sys

import click
import pytest
import serial
from click.testing import CliRunner
from serial.tools.list_ports_common import ListPortInfo

from devices import port_finder
from devices.device_commands import devices
from devices.device_errors import DeviceDisconnected
from devices.port import SerialPort
from devices.port_finder import ID_READER, PRINTER, RS485, classify, com_number, list_ports


def usb(
    device: str,
    vid: int,
    pid: int,
    description: str,
    serial_number: str | None = None,
    manufacturer: str | None = None,
    product: str | None = None,
) -> ListPortInfo:
    info = ListPortInfo(device, skip_link_detection=True)
    info.vid, info.pid, info.serial_number = vid, pid, serial_number
    info.manufacturer, info.product = manufacturer, product
    info.location = "1-2"
    info.description = description
    info.hwid = info.usb_info()
    return info


def plain(device: str, description: str, hwid: str) -> ListPortInfo:
    info = ListPortInfo(device, skip_link_detection=True)
    info.description, info.hwid = description, hwid
    return info


def roles(record: ListPortInfo) -> list[str]:
    return [g.role for g in classify(record).guesses]


# --- Windows -----------------------------------------------------------------------------


def test_windows_ch340_is_an_rs485_adapter_or_a_reader() -> None:
    found = classify(
        usb("COM3", 0x1A86, 0x7523, "USB-SERIAL CH340 (COM3)", "5&2C9E1D3&0&2", "wch.cn")
    )
    assert found.usb_id == "1A86:7523" and found.part == "WCH CH340"
    assert [g.role for g in found.guesses] == [RS485, ID_READER]
    assert "RS-485" in found.guesses[0].why


def test_windows_printers_by_usb_id_or_vendor() -> None:
    assert roles(usb("COM5", 0x0416, 0x5011, "USB 串行设备 (COM5)")) == [PRINTER]
    # Epson: any product of the vendor (with Epson's virtual port driver)
    assert roles(usb("COM6", 0x04B8, 0x0E28, "EPSON TM Virtual Port (COM6)")) == [PRINTER]
    assert roles(usb("COM9", 0x154F, 0x154F, "USB Serial Device (COM9)")) == [PRINTER]


def test_windows_onboard_port_and_bluetooth() -> None:
    onboard = plain("COM1", "Communications Port (COM1)", "ACPI\\PNP0501\\1")
    assert roles(onboard) == [PRINTER]
    bluetooth = plain(
        "COM7",
        "Standard Serial over Bluetooth link (COM7)",
        "BTHENUM\\{00001101-0000-1000-8000-00805F9B34FB}_LOCALMFG&0000\\7&1A2B3C4D&0&000000000000_00000000",
    )
    assert roles(bluetooth) == []


def test_names_say_more_than_chips() -> None:
    rs485 = usb("COM4", 0x0403, 0x6001, "USB-RS485 Cable (COM4)", "FT9XYZ12", "FTDI")
    assert roles(rs485) == [RS485, ID_READER]
    assert classify(rs485).guesses[0].why == "its name says RS-485"
    reader = usb("COM8", 0x1A86, 0x7523, "身份证阅读器 (COM8)")
    assert roles(reader) == [ID_READER, RS485]
    unknown = usb("COM11", 0x1234, 0x5678, "USB Serial Device (COM11)")
    assert roles(unknown) == [] and classify(unknown).part is None


def test_windows_stable_names_and_order() -> None:
    ports = list_ports(
        [
            usb("COM10", 0x1A86, 0x7523, "USB-SERIAL CH340 (COM10)", "5&2C9E1D3&0&2"),
            usb("COM4", 0x0403, 0x6001, "USB Serial Port (COM4)", "A50285BI", "FTDI"),
            usb("COM3", 0x1A86, 0x7523, "USB-SERIAL CH340 (COM3)", "5&11AA&0&1"),
            usb("COM5", 0x0416, 0x5011, "USB 串行设备 (COM5)"),
            plain("COM1", "Communications Port (COM1)", "ACPI\\PNP0501\\1"),
        ],
        links={},
    )
    assert [p.device for p in ports] == ["COM1", "COM3", "COM4", "COM5", "COM10"]
    stable = {p.device: p.stable_name for p in ports}
    assert stable == {
        "COM1": None,
        "COM3": None,  # two CH340s, serials made up by Windows: nothing tells them apart
        "COM10": None,
        "COM4": "hwgrep://SER=A50285BI",
        "COM5": "hwgrep://0416:5011",
    }


# --- Linux ---------------------------------------------------------------------------------


def test_linux_ports_with_by_id_links() -> None:
    ports = list_ports(
        [
            usb(
                "/dev/ttyUSB0",
                0x067B,
                0x2303,
                "USB-Serial Controller",
                None,
                "Prolific Technology Inc.",
            ),
            usb(
                "/dev/ttyACM0",
                0x0483,
                0x5740,
                "Thermal Receipt Printer",
                "0001",
                "STMicroelectronics",
            ),
            plain("/dev/ttyS0", "ttyS0", "PNP0501"),
        ],
        links={"/dev/ttyUSB0": "/dev/serial/by-id/usb-Prolific_USB-Serial_Controller-if00-port0"},
    )
    by_device = {p.device: p for p in ports}
    assert [p.device for p in ports] == ["/dev/ttyACM0", "/dev/ttyS0", "/dev/ttyUSB0"]
    assert [g.role for g in by_device["/dev/ttyUSB0"].guesses] == [RS485, ID_READER]
    assert by_device["/dev/ttyUSB0"].stable_name.startswith("/dev/serial/by-id/")  # type: ignore[union-attr]
    assert [g.role for g in by_device["/dev/ttyACM0"].guesses] == [PRINTER]
    assert by_device["/dev/ttyACM0"].stable_name == "hwgrep://SER=0001"
    assert [g.role for g in by_device["/dev/ttyS0"].guesses] == [PRINTER]
    assert json.loads(json.dumps([p.as_dict() for p in ports]))[0]["guesses"][0]["role"] == PRINTER


def test_the_table_for_people() -> None:
    table = port_finder.render_table(
        list_ports([usb("COM3", 0x1A86, 0x7523, "USB-SERIAL CH340 (COM3)")], links={})
    )
    assert "COM3  USB-SERIAL CH340 (COM3)  [USB 1A86:7523]" in table
    assert "stable name: hwgrep://1A86:7523" in table
    assert "hallqueue device sign-test --serial-port COM3 --address N" in table
    assert "check them" in table
    assert "no serial ports found" in port_finder.render_table([])


# --- COM names and ports given on the command line ------------------------------------------


@pytest.mark.parametrize(
    ("name", "number"),
    [
        ("COM3", 3),
        ("com12", 12),
        ("\\\\.\\COM12", 12),
        (" COM256 ", 256),
        ("COM0", None),
        ("COM257", None),
        ("COM3x", None),
        ("/dev/ttyUSB0", None),
        ("hwgrep://1A86:7523", None),
    ],
)
def test_com_port_names(name: str, number: int | None) -> None:
    assert com_number(name) == number


def test_every_port_option_takes_com3_and_urls_as_they_are() -> None:
    """No option that names a port converts or checks it as a path: `COM3`, `hwgrep://…` and
    `socket://…` reach pyserial unchanged (it opens COM ports on Windows itself)."""
    from kiosk.kiosk_command import kiosk
    from queue_server.cli import cli

    port_options = [
        (command.name, param)
        for command in [kiosk, cli.commands["sign"], *devices.commands.values()]
        for param in command.params
        if isinstance(param, click.Option)
        and {"--serial-port", "--printer-port", "--reader-port"} & set(param.opts)
    ]
    assert len(port_options) >= 7
    for name, param in port_options:
        assert param.type is click.STRING, (name, param.name)


def test_a_com_port_goes_to_pyserial_unchanged(monkeypatch: pytest.MonkeyPatch) -> None:
    asked: list[str] = []

    def serial_for_url(url: str, *args: object, **kwargs: object) -> serial.Serial:
        asked.append(url)
        raise serial.SerialException(f"could not open port '{url}': FileNotFoundError")

    monkeypatch.setattr(serial, "serial_for_url", serial_for_url)
    result = CliRunner().invoke(devices, ["printer-status", "--printer-port", "COM3"])
    assert result.exit_code == 1 and "disconnected" in result.output
    assert asked == ["COM3"]


def test_a_hwgrep_url_is_looked_up_by_pyserial() -> None:
    port = SerialPort("hwgrep://NO-SUCH-DEVICE-4711")
    with pytest.raises(DeviceDisconnected, match="no ports found"):
        port.open()


def test_list_ports_command_on_this_machine() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "queue_server", "device", "list-ports", "--json"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout)
    assert isinstance(found, list)
    for port in found:
        assert set(port) >= {"device", "stable_name", "usb_id", "guesses"}
        assert all(g["role"] in port_finder.ROLES for g in port["guesses"])
    table = subprocess.run(
        [sys.executable, "-m", "queue_server", "devices", "list-ports"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert table.returncode == 0 and (
        "check them" in table.stdout or "no serial ports" in table.stdout
    )
