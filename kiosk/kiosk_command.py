"""`hallqueue kiosk`: run the kiosk agent and its touch UI on this PC.

The kiosk serves the site its token was enrolled at, as the centre tells it
(`GET /api/v1/devices/me`); `--site` (or `HALLQUEUE_KIOSK_SITE`) only checks it. A token
of another site, of another kind of device, or unknown to the centre stops the command
with a message and a non-zero exit: at once when the centre answers at start, else as
soon as it does.
"""

from __future__ import annotations

import logging

import click


@click.command("kiosk")
@click.option("--server", required=True, envvar="HALLQUEUE_KIOSK_SERVER", help="The centre's URL.")
@click.option("--token", required=True, envvar="HALLQUEUE_KIOSK_TOKEN", help="This kiosk's device token.")
@click.option(
    "--site",
    default=None,
    envvar="HALLQUEUE_KIOSK_SITE",
    help="The site it stands in, checked against its token's (the token says which site it serves).",
)
@click.option("--printer", required=True, help="Printer port: /dev/ttyUSB0, COM3 or a pyserial URL.")
@click.option("--printer-baud", type=int, default=9600, show_default=True)
@click.option("--paper", "width_mm", type=click.Choice(["58", "80"]), default="80", show_default=True, help="Paper width in mm.")
@click.option("--id-reader", default=None, help="ID card reader port (none: no identification).")
@click.option("--id-reader-baud", type=int, default=115200, show_default=True)
@click.option("--host", default="127.0.0.1", show_default=True, help="Address of the touch UI (keep it local).")
@click.option("--port", type=int, default=8700, show_default=True, help="Port of the touch UI.")
@click.option("--spool", default="var/kiosk-spool", show_default=True, help="Directory of the print spool.")
@click.option("--return-seconds", type=int, default=20, show_default=True, help="The ticket screen returns home after this long.")
@click.option("--idle-seconds", type=int, default=60, show_default=True, help="Untouched screens reset after this long.")
@click.option("--log-level", default="INFO", show_default=True)
def kiosk(
    server: str,
    token: str,
    site: str | None,
    printer: str,
    printer_baud: int,
    width_mm: str,
    id_reader: str | None,
    id_reader_baud: int,
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
        printer=printer,
        printer_baud=printer_baud,
        width_mm=int(width_mm),
        id_reader=id_reader,
        id_reader_baud=id_reader_baud,
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
        raise click.ClickException(str(exc)) from None
    runner = KioskServer(agent)
    agent.on_refused = lambda exc: runner.end_serving()
    where = serves or "the site of its token, once the centre answers"
    click.echo(f"hallqueue kiosk for {where} on {runner.url} (centre {server})")
    try:
        runner.serve_forever()
    except KeyboardInterrupt:
        pass
    if agent.refused is not None:
        raise click.ClickException(str(agent.refused))
