"""The kiosk agent's settings, each with the `hallqueue kiosk` option that sets it.

`KioskConfig` is the one list: `kiosk.kiosk_command` makes the command's options from the
fields declared with :func:`option`, so a setting's name, default and help are written
once. The others (how often to refresh, to poll the printer) are for tests and tuning.
"""

from __future__ import annotations

from dataclasses import MISSING, dataclass, field
from typing import Any

SERIAL_HELP = "a device path (/dev/ttyUSB0, COM3) or a pyserial URL"


@dataclass(frozen=True)
class CommandOption:
    """How `hallqueue kiosk` spells a setting; required when the setting has no default."""

    flag: str
    help: str | None = None
    envvar: str | None = None
    choices: tuple[int, ...] | None = None


def option(flag: str, default: Any = MISSING, **spelling: Any) -> Any:
    """A setting the command line sets as ``flag`` (see :class:`CommandOption`)."""
    return field(default=default, metadata={"option": CommandOption(flag, **spelling)})


@dataclass(kw_only=True)
class KioskConfig:
    server: str = option("--server", envvar="HALLQUEUE_KIOSK_SERVER", help="The centre's URL.")
    token: str = option(
        "--token", envvar="HALLQUEUE_KIOSK_TOKEN", help="This kiosk's device token."
    )
    # The site the kiosk was set up for: only checked. The site it serves is the one its
    # token was enrolled at, as the centre says.
    site: str | None = option(
        "--site",
        None,
        envvar="HALLQUEUE_KIOSK_SITE",
        help="The site it stands in, checked against its token's (the token says which site it serves).",
    )
    printer: str = option("--printer-port", help=f"The ticket printer: {SERIAL_HELP}.")
    printer_baud: int = option("--printer-baud", 9600)
    width_mm: int = option("--width", 80, choices=(58, 80), help="Paper width in mm.")
    id_reader: str | None = option(
        "--reader-port",
        None,
        help=f"The ID card reader: {SERIAL_HELP} (none: no identification).",
    )
    id_reader_baud: int = option("--reader-baud", 115200)
    host: str = option("--host", "127.0.0.1", help="Address of the touch UI (keep it local).")
    port: int = option("--port", 8700, help="HTTP port of the touch UI.")
    spool: str = option("--spool", "var/kiosk-spool", help="Directory of the print spool.")
    return_seconds: int = option(
        "--return-seconds", 20, help="The ticket screen returns home after this long."
    )
    idle_seconds: int = option(
        "--idle-seconds", 60, help="Untouched screens reset after this long."
    )
    refresh_seconds: float = 5.0
    printer_interval: float = 0.5
