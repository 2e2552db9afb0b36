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
from collections.abc import Callable
from dataclasses import MISSING, fields
from typing import Any

import click

from kiosk.config import CommandOption, KioskConfig

# The spellings this command replaced: old option → new option.
RENAMED_OPTIONS = {
    "--printer": "--printer-port",
    "--id-reader": "--reader-port",
    "--id-reader-baud": "--reader-baud",
    "--paper": "--width",
}


class Refused(click.ClickException):
    """The centre refuses this kiosk's token (another site's, another kind's, unknown)."""

    exit_code = 4  # "refused" in docs/commands.md, as every hallqueue command


def _setting_options(command: Callable[..., None]) -> Callable[..., None]:
    """Give ``command`` an option per `KioskConfig` setting that has one, in their order."""
    for setting in reversed(fields(KioskConfig)):
        spelling: CommandOption | None = setting.metadata.get("option")
        if spelling is None:
            continue
        default = None if setting.default is MISSING else setting.default
        if spelling.choices:
            kind: click.ParamType = click.Choice(spelling.choices)
        else:
            kind = click.STRING if default is None else click.types.convert_type(type(default))
        command = click.option(
            spelling.flag,
            setting.name,
            type=kind,
            required=setting.default is MISSING,
            default=default,
            show_default=default is not None,
            envvar=spelling.envvar,
            show_envvar=spelling.envvar is not None,
            help=spelling.help,
        )(command)
    return command


@click.command("kiosk")
@_setting_options
@click.option("--log-level", default="INFO", show_default=True)
def kiosk(log_level: str, **settings: Any) -> None:
    """Run the kiosk agent: touch UI on localhost, printer, ID reader, link to the centre."""
    from kiosk.agent import Kiosk, KioskMisconfigured
    from kiosk.web import KioskServer

    logging.basicConfig(
        level=log_level.upper(),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        force=True,  # an imported library may have configured the root logger already
    )
    config = KioskConfig(**settings)
    agent = Kiosk(config)
    try:
        serves = agent.learn_site()
    except KioskMisconfigured as exc:
        raise Refused(str(exc)) from None
    runner = KioskServer(agent)
    agent.on_refused = lambda exc: runner.end_serving()
    where = serves or "the site of its token, once the centre answers"
    click.echo(f"hallqueue kiosk for {where} on {runner.url} (centre {config.server})")
    try:
        runner.serve_forever()
    except KeyboardInterrupt:
        pass
    if agent.refused is not None:
        raise Refused(str(agent.refused))
