"""Exceptions raised by hallqueue's device drivers.

Every error carries a stable ``code`` string so that the kiosk can translate it (the
English message is for logs and installers). Catch :class:`DeviceError` to handle any
device failure; a failing device degrades one feature and never takes the kiosk down.
"""

from __future__ import annotations


class DeviceError(Exception):
    """Base class of every device failure."""

    code = "device_error"
    default_message = "device error"  # each subclass says what went wrong

    def __init__(self, message: str | None = None, *, device: str | None = None) -> None:
        self.device = device
        text = message or self.default_message
        if device:
            text = f"{device}: {text}"
        super().__init__(text)


class DeviceNotAnswering(DeviceError):
    """The port is open but the device sent nothing back in time."""

    code = "not_answering"
    default_message = "device does not answer (check power, cable, port and baud rate)"


class DeviceTimeout(DeviceNotAnswering):
    """A read or write did not finish within its timeout."""

    code = "timeout"
    default_message = "timed out talking to the device"


class DeviceDisconnected(DeviceError):
    """The port cannot be opened, or vanished while in use (unplugged)."""

    code = "disconnected"
    default_message = "device is disconnected (port missing or unplugged)"


class FrameError(DeviceError):
    """The device's reply could not be parsed as a frame of its protocol."""

    code = "bad_frame"
    default_message = "malformed reply from the device"


class ChecksumError(FrameError):
    """A frame arrived whole but its checksum (XOR or CRC) is wrong."""

    code = "bad_checksum"
    default_message = "reply from the device failed its checksum"


# --- printer -----------------------------------------------------------------------


class PrinterError(DeviceError):
    code = "printer_error"
    default_message = "printer error"


class PrinterOffline(PrinterError):
    """The printer answered but reports itself offline (or reports an error)."""

    code = "printer_offline"
    default_message = "printer is offline"


class PrinterPaperOut(PrinterError):
    code = "printer_paper_out"
    default_message = "printer is out of paper"


class PrinterCoverOpen(PrinterError):
    code = "printer_cover_open"
    default_message = "printer cover is open"


class PrinterCutterError(PrinterError):
    code = "printer_cutter_error"
    default_message = "printer autocutter error"


class PrintNotConfirmed(PrinterError):
    """A ticket's bytes went out but the printer said nothing afterwards, however long it
    was asked: it has most likely printed, so it must not be sent again by itself."""

    code = "print_unconfirmed"
    default_message = "the ticket was sent but the printer did not confirm it"


# --- ID card reader ----------------------------------------------------------------


class CardError(DeviceError):
    """The reader answered with a failure SW3 code (see ``sw3``)."""

    code = "card_error"
    default_message = "ID card reader error"

    def __init__(
        self, message: str | None = None, *, sw3: int | None = None, device: str | None = None
    ) -> None:
        self.sw3 = sw3
        if message is None and sw3 is not None:
            from devices.sam_frames import sw3_description

            message = f"reader reports SW3=0x{sw3:02X}: {sw3_description(sw3)}"
        super().__init__(message, device=device)


class NoCard(CardError):
    """No card is on the reader (SW3 0x80 to find-card)."""

    code = "no_card"
    default_message = "no card on the reader"


class CardReadFailed(CardError):
    """A card was found but could not be selected or read (moved away, unreadable)."""

    code = "card_read_failed"
    default_message = "the card could not be read; lift it and place it again"


class CardDataError(CardError):
    """The card's text block did not decode (corrupt or unknown layout)."""

    code = "card_data_error"
    default_message = "the card's data could not be decoded"


# --- RS-485 register devices (signs, evaluators) -----------------------------------


class ModbusException(DeviceError):
    """The slave answered with a Modbus exception response."""

    code = "modbus_exception"

    def __init__(
        self, exception_code: int, *, function: int = 0, device: str | None = None
    ) -> None:
        from devices.modbus_rtu import EXCEPTION_NAMES

        self.exception_code = exception_code
        self.function = function
        name = EXCEPTION_NAMES.get(exception_code, "unknown exception")
        super().__init__(
            f"device rejected function 0x{function:02X}: exception {exception_code} ({name})",
            device=device,
        )
