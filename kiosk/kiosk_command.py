"""`hallqueue kiosk`: run the kiosk agent and its touch UI on this PC.

The kiosk serves the site its token was enrolled at, as the centre tells it
(`GET /api/v1/devices/me`); `--site` (or `HALLQUEUE_KIOSK_SITE`) only checks it. A token
of another site, of another kind of device, or unknown to the centre stops the command
with a message and exit 4 ("refused", as every `hallqueue` command that is refused): at
once when the centre answers at start, else as soon as it does.

Serial ports are `--printer-port` and `--reader-port`, each with its baud rate; `--port` is
the touch UI's HTTP port, as it is the centre's in `hallqueue serve`. `RENAMED_OPTIONS` are
the spellings they replaced, still accepted by the command line.
"""

from __future__ import annotations

import logging

import click

# The spellings this command replaced: old option → new option.
RENAMED_OPTIONS = {
    "--printer": "--printer-port",
    "--id-reader": "--reader-port",
    "--id-reader-baud": "--reader-baud",
    "--paper": "--width",
}
SERIAL_HELP = "a device path (/dev/ttyUSB0, COM3) or a pyserial URL"


class Refused(click.ClickException):
    """The centre refuses this kiosk's token (another site's, another kind's, unknown)."""

    exit_code = 4  # "refused" in docs/commands.md, as every hallqueue command

@click.command("kiosk")
@click.option(
    "--server", required=True, envvar="HALLQUEUE_KIOSK_SERVER", show_envvar=True, help="The centre's URL."
)
@click.option(
    "--token",
    required=True,
    envvar="HALLQUEUE_KIOSK_TOKEN",
    show_envvar=True,
    help="This kiosk's device token.",
)
@click.option(
    "--site",
    default=None,
    envvar="HALLQUEUE_KIOSK_SITE",
    show_envvar=True,
    help="The site it stands in, checked against its token's (the token says which site it serves).",
)
@click.option("--printer-port", required=True, help=f"The ticket printer: {SERIAL_HELP}.")
@click.option("--printer-baud", type=int, default=9600, show_default=True)
@click.option("--width", "width_mm", type=click.Choice(["58", "80"]), default="80", show_default=True, help="Paper width in mm.")
@click.option("--reader-port", default=None, help=f"The ID card reader: {SERIAL_HELP} (none: no identification).")
@click.option("--reader-baud", type=int, default=115200, show_default=True)
@click.option("--host", default="127.0.0.1", show_default=True, help="Address of the touch UI (keep it local).")
@click.option("--port", type=int, default=8700, show_default=True, help="HTTP port of the touch UI.")
@click.option("--spool", default="var/kiosk-spool", show_default=True, help="Directory of the print spool.")
@click.option("--return-seconds", type=int, default=20, show_default=True, help="The ticket screen returns home after this long.")
@click.option("--idle-seconds", type=int, default=60, show_default=True, help="Untouched screens reset after this long.")
@click.option("--log-level", default="INFO", show_default=True)
def kiosk(
    server: str,
    token: str,
    site: str | None,
    printer_port: str,
    printer_baud: int,
    width_mm: str,
    reader_port: str | None,
    reader_baud: int,
    host: str,
    port: int,
    spool: str,
    return_seconds: int,
    idle_seconds: int,
    log_level: str,
) -> None:
    """Run the kiosk agent: touch UI on localhost, printer, ID reader, link to the centre."""
    from kiosk.agent import Kiosk, KioskConfig, KioskMisconfigured
    from kiosk.web import KioskServer

    logging.basicConfig(
        level=log_level.upper(),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        force=True,  # an imported library may have configured the root logger already
    )
    config = KioskConfig(
        server=server,
        token=token,
        site=site,
        printer=printer_port,
        printer_baud=printer_baud,
        width_mm=int(width_mm),
        id_reader=reader_port,
        id_reader_baud=reader_baud,
        host=host,
        port=port,
        spool=spool,
        return_seconds=return_seconds,
        idle_seconds=idle_seconds,
    )
    agent = Kiosk(config)
    try:
        serves = agent.learn_site()
    except KioskMisconfigured as exc:
        raise Refused(str(exc)) from None
    runner = KioskServer(agent)
    agent.on_refused = lambda exc: runner.end_serving()
    where = serves or "the site of its token, once the centre answers"
    click.echo(f"hallqueue kiosk for {where} on {runner.url} (centre {server})")
    try:
        runner.serve_forever()
    except KeyboardInterrupt:
        pass
    if agent.refused is not None:
        raise Refused(str(agent.refused))
