"""The `hallqueue` command: a thin client of the library.

Each command parses its options, calls the library and lets its exceptions through:
`command_grammar.run` says them as one `hallqueue: error: …` line with a documented exit
code. Changes go through the admin pages' operations (`administration/changes.py`), so the
command line checks what they check and writes the same audit rows, as `cli:<login>`.
Groups of other packages (`simulator`, the device diagnostics, `kiosk`) are registered in
`registered()`, importing only what they need, so a part that fails to import never breaks
the rest.
"""

from __future__ import annotations

import getpass
import json
import os
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import click

from queue_server.command_grammar import (
    DB_OPTION,
    PROG,
    CommandError,
    Exit,
    Grammar,
    run,
    version,
    warn,
)
from queue_server.engine.errors import QueueError

if TYPE_CHECKING:
    from queue_server.accounts.credentials import Principal
    from queue_server.administration.changes import Administration
    from queue_server.storage import Database

FORMAT_OPTION = click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json"]),
    default="table",
    show_default=True,
    help="A table for people, or JSON for programs.",
)


def open_db(db_path: str) -> Database:
    from queue_server.storage import Database, DatabaseError

    try:
        return Database(db_path)
    except (DatabaseError, OSError) as exc:
        raise CommandError(f"cannot open the database {db_path}: {exc}", Exit.STORAGE) from None


def operator() -> Principal:
    """Who runs a command holds the database file: the whole city is theirs. Their changes
    are audited as `cli:<login>`, as the admin pages audit an admin's."""
    from queue_server.accounts.credentials import Principal

    try:
        login = getpass.getuser()
    except (KeyError, OSError):  # no login name in the environment or the password file
        login = str(os.getuid()) if hasattr(os, "getuid") else "unknown"
    return Principal("staff", f"cli:{login}", "admin", all_sites=True)


def administration(db_path: str) -> Administration:
    """The admin pages' operations, on this database: the same checks, the same audit rows."""
    from queue_server.accounts.credentials import Accounts
    from queue_server.administration.changes import Administration
    from queue_server.settings import load, secret_for

    db = open_db(db_path)
    return Administration(db, Accounts(db, secret_for(load(overrides={"DB": db_path}))))


# Which extra of pyproject.toml brings a command's packages; the other commands are the
# centre's. A machine installs only its role's (docs/installation.md), so a command of another
# role meets a missing package: say which extra it needs instead of a traceback.
EXTRA_OF_COMMAND = {"kiosk": "kiosk", "simulator": "kiosk", "sim": "kiosk", "device": "kiosk", "devices": "kiosk", "sign": "sign"}
CENTRE_DEVICE_VERBS = frozenset({"add", "list", "revoke"})  # `device` enrols on the centre too
FIRST_PARTY = frozenset({"queue_server", "kiosk", "devices", "displays"})


def extra_of(words: Sequence[str]) -> str:
    """The extra a command line needs, from its first words (`device add` is the centre's,
    `device print-test` the kiosk PC's)."""
    noun, verb = (list(words) + ["", ""])[:2]
    if noun in ("device", "devices") and verb in CENTRE_DEVICE_VERBS:
        return "centre"
    return EXTRA_OF_COMMAND.get(noun, "centre")


class RoleGroup(Grammar):
    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        self.words = [a for a in args if not a.startswith("-")][:2]
        return super().parse_args(ctx, args)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except ModuleNotFoundError as exc:
            missing = (exc.name or "").partition(".")[0]
            if not missing or missing in FIRST_PARTY:
                raise  # a broken installation, not a role's choice
            words = getattr(self, "words", [])
            extra = extra_of(words)
            raise CommandError(
                f"`hallqueue {' '.join(words)}` needs the packages of hallqueue[{extra}] "
                f"({missing} is not installed on this machine): pip install 'hallqueue[{extra}]'"
            ) from None


@click.group(cls=RoleGroup)
@click.version_option(version(), "--version", prog_name=PROG, message="%(prog)s %(version)s")
def cli() -> None:
    """hallqueue: queue and self-service kiosk system.

    Commands read `hallqueue NOUN VERB`; `serve`, `gateway`, `kiosk` and `sign` run programs.
    Exit codes: 0 ok, 1 failed, 2 usage, 3 not found, 4 refused, 5 database, 130 interrupted.
    """


# --- the centre ------------------------------------------------------------------------


@cli.command()
@DB_OPTION
@click.option(
    "--host",
    default=None,
    envvar="HALLQUEUE_HOST",
    show_envvar=True,
    help="Address to listen on (default 127.0.0.1).",
)
@click.option(
    "--port",
    type=int,
    default=None,
    envvar="HALLQUEUE_PORT",
    show_envvar=True,
    help="HTTP port to listen on (default 8600).",
)
@click.option("--demo", is_flag=True, help="Load the demo city into an empty database.")
@click.option(
    "--config",
    "config_file",
    type=click.Path(exists=True, dir_okay=False),
    help="JSON settings file.",
)
@click.option(
    "--message-queue",
    default=None,
    envvar="HALLQUEUE_MESSAGE_QUEUE",
    show_envvar=True,
    help="Redis URL shared by several server processes.",
)
@click.option(
    "--edge-of",
    default=None,
    metavar="CITY_URL",
    envvar="HALLQUEUE_EDGE_OF",
    show_envvar=True,
    help="Run as a station's edge centre of this city centre.",
)
@click.option(
    "--token",
    default=None,
    envvar="HALLQUEUE_EDGE_TOKEN",
    show_envvar=True,
    help="The edge centre's token from `hallqueue device add --kind edge`.",
)
@click.option("--log-file", default=None, help="Also log to this file, rotated by size (env HALLQUEUE_LOG_FILE; docs/operations.md).")
def serve(
    db_path: str,
    host: str | None,
    port: int | None,
    demo: bool,
    config_file: str | None,
    message_queue: str | None,
    edge_of: str | None,
    token: str | None,
    log_file: str | None,
) -> None:
    """Run the centre on Werkzeug's development server (demo, tests, a station's edge centre
    on a small box); production in a hall runs gunicorn with queue_server.wsgi:app (see
    docs/deployment.md)."""
    from queue_server.server import run as run_centre

    if edge_of and not token:
        raise click.UsageError("--edge-of needs the edge centre's --token (hallqueue device add --kind edge)")
    extra = {"EDGE_OF": edge_of, "EDGE_TOKEN": token, "LOG_FILE": log_file}
    run_centre(db_path, host, port, demo, config_file, message_queue, extra)


@cli.command()
@DB_OPTION
@click.option("--host", default=None, envvar="HALLQUEUE_HOST", show_envvar=True, help="Address to listen on (default 127.0.0.1).")
@click.option(
    "--port",
    type=int,
    default=None,
    envvar="HALLQUEUE_GATEWAY_PORT",
    show_envvar=True,
    help="Port to listen on (default 8610).",
)
@click.option("--config", "config_file", type=click.Path(exists=True, dir_okay=False), help="JSON settings file.")
@click.option(
    "--message-queue",
    default=None,
    envvar="HALLQUEUE_MESSAGE_QUEUE",
    show_envvar=True,
    help="The Redis URL the centre's processes share (required).",
)
@click.option("--log-file", default=None, help="Also log to this file, rotated by size.")
def gateway(
    db_path: str, host: str | None, port: int | None, config_file: str | None, message_queue: str | None, log_file: str | None
) -> None:
    """Run a push gateway: the screens' and phones' sockets on one asyncio loop, hearing the
    centre's events through its message queue (docs/deployment.md, "Push gateway")."""
    from queue_server.gateway.socket_server import run as run_gateway

    if not message_queue:
        raise click.UsageError("a push gateway hears the centre through its message queue: give --message-queue redis://…")
    overrides = {"DB": db_path, "HOST": host, "GATEWAY_PORT": port, "MESSAGE_QUEUE": message_queue, "LOG_FILE": log_file}
    run_gateway(config_file, overrides)


# --- user: staff accounts ----------------------------------------------------------------


@cli.group(cls=Grammar)
def user() -> None:
    """Staff accounts: add, list, deactivate, reactivate, unlock (each change audited)."""


def read_password() -> str:
    if sys.stdin.isatty():
        password = getpass.getpass("Password: ")
        if getpass.getpass("Again: ") != password:
            raise CommandError("the passwords differ", Exit.USAGE)
        return password
    return sys.stdin.readline().rstrip("\n")


@user.command("add")
@click.argument("username")
@click.option("--role", type=click.Choice(["admin", "manager", "clerk"]), required=True)
@click.option(
    "--site",
    "sites",
    multiple=True,
    help="A site the user works for (repeatable; admins need none).",
)
@click.option("--name", "display_name", default=None, help="Display name.")
@DB_OPTION
def user_add(
    username: str, role: str, sites: tuple[str, ...], display_name: str | None, db_path: str
) -> None:
    """Add a staff member, or update one (role, sites, name and a new password); the
    password is read from stdin or a prompt."""
    from queue_server.accounts.passwords import check_password
    from queue_server.api.schemas.administration import NewStaff, StaffChange
    from queue_server.parsing import parse

    password = read_password()
    admin = administration(db_path)
    if admin.db.store.staff.get(username) is None:
        member = {"username": username, "password": password, "role": role, "sites": list(sites)}
        admin.add_staff(operator(), parse(NewStaff, {**member, "display_name": display_name or ""}))
        click.echo(f"user {username} ({role}) added")
        return
    check_password(password, username)  # before anything changes: all or nothing
    change: dict[str, Any] = {"role": role, "sites": list(sites)}
    if display_name is not None:
        change["display_name"] = display_name
    admin.update_staff(operator(), username, parse(StaffChange, change))
    admin.reset_password(operator(), username, password)
    click.echo(f"user {username} ({role}) updated, with a new password")


@user.command("list")
@click.option("--site", default=None, help="Only the staff of this site.")
@FORMAT_OPTION
@DB_OPTION
def user_list(site: str | None, fmt: str, db_path: str) -> None:
    """List staff accounts: role, sites, whether active or locked."""
    admin = administration(db_path)
    if site is not None:
        known_site(admin.db, site)
    found = [s for s in admin.list_staff(operator()) if site is None or site in s["sites"]]
    echo_found(
        found,
        fmt,
        ("USERNAME", "ROLE", "SITES", "STATE", "NAME"),
        lambda s: (
            s["username"],
            s["role"],
            ",".join(s["sites"]) or "(city)",
            "locked" if s["locked"] else "active" if s["active"] else "deactivated",
            s["display_name"],
        ),
    )


def account_command(name: str) -> Callable[[Callable[[str, str], None]], click.Command]:
    """A `user` subcommand on one account: `hallqueue user <name> USERNAME [--db PATH]`."""

    def declare(action: Callable[[str, str], None]) -> click.Command:
        return user.command(name)(click.argument("username")(DB_OPTION(action)))

    return declare


def set_active(db_path: str, username: str, active: bool) -> None:
    from queue_server.api.schemas.administration import StaffChange
    from queue_server.parsing import parse

    administration(db_path).update_staff(operator(), username, parse(StaffChange, {"active": active}))


@account_command("deactivate")
def user_deactivate(username: str, db_path: str) -> None:
    """Deactivate an account: it can no longer log in and its sessions end now. The last
    active admin is refused (exit 4)."""
    set_active(db_path, username, False)
    click.echo(f"user {username} is deactivated: its sessions have ended")


@account_command("reactivate")
def user_reactivate(username: str, db_path: str) -> None:
    """Let a deactivated account log in again (with the password it had)."""
    set_active(db_path, username, True)
    click.echo(f"user {username} is active again")


@account_command("unlock")
def user_unlock(username: str, db_path: str) -> None:
    """Unlock an account locked by failed logins."""
    administration(db_path).unlock_staff(operator(), username)
    click.echo(f"user {username} is unlocked: it may log in again")


# --- device: enrolled kiosks, displays, signs, edge centres; and the diagnostics -----------


@cli.group(cls=Grammar)
def device() -> None:
    """Enrolled devices (add, list, revoke) and installers' diagnostics that talk to a
    printer, ID reader, sign or evaluator."""


DEVICE_KINDS = ["kiosk", "display", "sign", "edge", "platform"]


@device.command("add")
@click.option("--kind", type=click.Choice(DEVICE_KINDS), required=True)
@click.option("--site", required=True, help="The site the device serves.")
@click.option("--name", default="", help="A name to recognise the device by.")
@click.option(
    "--counter",
    type=int,
    default=None,
    help="A window sign's window number: its evaluator rates only tickets served there.",
)
@DB_OPTION
def device_add(kind: str, site: str, name: str, counter: int | None, db_path: str) -> None:
    """Enrol a device; its token is printed once, alone on the last line."""
    from queue_server.api.schemas.administration import DeviceEnrolment
    from queue_server.parsing import parse

    enrolment = parse(DeviceEnrolment, {"kind": kind, "site": site, "name": name, "counter": counter})
    enrolled, token = administration(db_path).enrol_device(operator(), enrolment)
    click.echo(f"device {enrolled['id']} ({kind} at {site}) enrolled; its token (shown only now):")
    click.echo(token)


@device.command("list")
@click.option("--site", default=None, help="Only the devices of this site.")
@click.option("--kind", type=click.Choice(DEVICE_KINDS), default=None, help="Only this kind.")
@FORMAT_OPTION
@DB_OPTION
def device_list(site: str | None, kind: str | None, fmt: str, db_path: str) -> None:
    """List enrolled devices, revoked ones too: kind, site, window, last seen."""
    admin = administration(db_path)
    if site is not None:
        known_site(admin.db, site)
    found = [
        d
        for d in admin.list_devices(operator())
        if (site is None or d["site"] == site) and (kind is None or d["kind"] == kind)
    ]
    echo_found(
        found,
        fmt,
        ("ID", "KIND", "SITE", "WINDOW", "STATE", "LAST SEEN", "NAME"),
        lambda d: (
            d["id"],
            d["kind"],
            d["site"],
            "" if d["counter"] is None else str(d["counter"]),
            f"revoked {d['revoked_at']}" if d["revoked_at"] else "enrolled",
            d["last_seen"] or "never",
            d["name"],
        ),
    )


@device.command("revoke")
@click.argument("device_id")
@DB_OPTION
def device_revoke(device_id: str, db_path: str) -> None:
    """Revoke a device: its token stops working at once (a lost or replaced device)."""
    revoked = administration(db_path).revoke_device(operator(), device_id)
    click.echo(f"device {device_id} is revoked (since {revoked['revoked_at']}): its token no longer works")


# --- site: who serves a site's queues ----------------------------------------------------


@cli.group(cls=Grammar)
def site() -> None:
    """Who owns a site's queues: the city, or a station's edge centre."""


@site.command("hand-over")
@click.argument("site_id", metavar="SITE")
@click.option(
    "--to",
    "device_id",
    required=True,
    help="The edge centre's device id (from `device add --kind edge`).",
)
@DB_OPTION
def site_hand_over(site_id: str, device_id: str, db_path: str) -> None:
    """Give a site's queues to its edge centre (run on the city's database). From now on
    the city refuses the site's queue changes; the station takes the day's tickets with it
    at its next exchange."""
    from queue_server.edge.city import hand_over

    admin = administration(db_path)
    hand_over(admin.db, admin.accounts, operator().name, site_id, device_id)
    click.echo(f"site {site_id} is served by the edge centre {device_id} from its next exchange")


@site.command("take-back")
@click.argument("site_id", metavar="SITE")
@click.option(
    "--wait",
    type=float,
    default=60.0,
    show_default=True,
    help="Seconds to wait for the station's last events.",
)
@click.option(
    "--force",
    is_flag=True,
    help="The station will never come back: take the site now, losing what it did not send.",
)
@DB_OPTION
def site_take_back(site_id: str, wait: float, force: bool, db_path: str) -> None:
    """Return a site's queues to the city (run on the city's database): the station stops
    and sends what it still holds; the site is the city's once the city has it all."""
    from queue_server.edge.city import take_back

    db = open_db(db_path)
    owner = take_back(db, operator().name, site_id, force=force)
    deadline = time.monotonic() + wait
    while owner is not None and time.monotonic() < deadline:
        time.sleep(0.5)
        owner = db.store.replication.site_owner(site_id)
    if owner is not None:
        raise CommandError(
            f"site {site_id} is still {owner}: the station has not sent its last events yet; "
            "run again to keep waiting, or --force if the station will never come back"
        )
    click.echo(f"site {site_id} is served by the city again")


# --- catalog: the service catalogue ------------------------------------------------------


@cli.group(cls=Grammar)
def catalog() -> None:
    """The service catalogue."""


@catalog.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@DB_OPTION
def catalog_import(file: str, db_path: str) -> None:
    """Import services (JSON or CSV) and bundles (JSON), all or nothing."""
    from queue_server.command_grammar import exit_code_of, explain

    text = Path(file).read_text(encoding="utf-8-sig")
    fmt = "csv" if file.lower().endswith(".csv") else "json"
    try:
        summary = administration(db_path).import_catalog(operator(), fmt, text)
    except QueueError as exc:
        raise CommandError(f"{file}: {explain(exc)}", exit_code_of(exc)) from None
    click.echo(
        f"imported {summary['services']} services and {summary['bundles']} bundles "
        f"({len(summary['changed_services'])} and {len(summary['changed_bundles'])} changed)"
    )


@catalog.command("export")
@click.option(
    "--format", "fmt", type=click.Choice(["json", "csv"]), default="json", show_default=True
)
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False),
    default="-",
    help="File to write (default stdout).",
)
@DB_OPTION
def catalog_export(fmt: str, output: str, db_path: str) -> None:
    """Export the catalogue as JSON (services and bundles) or CSV (services)."""
    from queue_server.administration import catalog_import as catalog_module

    db = open_db(db_path)
    text = catalog_module.export_json(db) if fmt == "json" else catalog_module.export_csv(db)
    if output == "-":
        click.echo(text, nl=False)
    else:
        Path(output).write_text(text, encoding="utf-8")


# --- history: a simulated past for the reports --------------------------------------------


@cli.group(cls=Grammar)
def history() -> None:
    """The queues' history: fill a database with a simulated one for the reports."""


@history.command("simulate")
@DB_OPTION
@click.option("--days", type=click.IntRange(1, 3660), required=True, help="How many days of history.")
@click.option("--sites", default="", help="Comma-separated site ids (default: every site).")
@click.option(
    "--end",
    type=click.DateTime(["%Y-%m-%d"]),
    default=None,
    help="Last simulated day (default yesterday).",
)
@click.option(
    "--scale",
    type=click.FloatRange(0.01, 100),
    default=1.0,
    show_default=True,
    help="Multiply arrivals.",
)
@click.option("--seed", type=int, default=2026, show_default=True)
@click.option("--events/--no-events", default=True, show_default=True, help="Store the event log too.")
def history_simulate(
    db_path: str, days: int, sites: str, end: Any, scale: float, seed: int, events: bool
) -> None:
    """Fill a database with a realistic simulated history (loads the demo city if empty)."""
    from queue_server.tools.demo import add_demo_proxies, is_empty, load_demo
    from queue_server.tools.simulation import simulate as run_simulation

    db = open_db(db_path)
    if is_empty(db):
        load_demo(db)
        add_demo_proxies(db)
        click.echo("empty database: demo city loaded")
    started = time.monotonic()

    def progress(day: str, totals: Any) -> None:
        rate = totals.tickets / max(time.monotonic() - started, 1e-6)
        click.echo(
            f"\r{day}  day {totals.days}/{days}  {totals.tickets:,} tickets  {rate:,.0f}/s",
            nl=False,
            err=True,
        )

    totals = run_simulation(
        db,
        days,
        sites=[s for s in sites.split(",") if s] or None,
        end=end.date() if end else None,
        scale=scale,
        seed=seed,
        with_events=events,
        progress=progress,
    )
    click.echo("", err=True)
    click.echo(
        f"simulated {totals.days} days: {totals.tickets:,} tickets, {totals.served:,} served, "
        f"{totals.events:,} events"
    )
    # What the rules refused the simulated citizens (a kiosk's no), by the engine's code.
    refused = ", ".join(f"{code} {n:,}" for code, n in sorted(totals.refused.items()))
    click.echo(f"{totals.returned:,} missed tickets returned; refused: {refused or 'none'}")


# --- sign: a window's LED sign agent -------------------------------------------------------

SERIAL_HELP = "device path (/dev/ttyUSB0, COM3) or pyserial URL (socket://host:port, …)"


@cli.command("sign")
@click.option("--server", required=True, help="The centre, e.g. http://10.0.0.5:8600.")
@click.option(
    "--token",
    envvar="HALLQUEUE_SIGN_TOKEN",
    show_envvar=True,
    required=True,
    help="A sign device token of the site.",
)
@click.option("--site", required=True, help="The site id, e.g. city-hall.")
@click.option("--counter", type=int, required=True, help="The window number.")
@click.option("--serial-port", required=True, help=f"The RS-485 line: {SERIAL_HELP}.")
@click.option("--address", type=int, default=1, show_default=True, help="The sign's bus address.")
@click.option(
    "--evaluator",
    "evaluator_address",
    type=int,
    default=None,
    help="Bus address of the window's evaluator (好差评), if there is one.",
)
@click.option("--serial-baud", type=int, default=9600, show_default=True, help="The line's baud rate.")
@click.option(
    "--report-seconds",
    type=float,
    default=60.0,
    show_default=True,
    help="How often the agent reports the sign's and evaluator's health to the centre.",
)
def sign(
    server: str,
    token: str,
    site: str,
    counter: int,
    serial_port: str,
    address: int,
    evaluator_address: int | None,
    serial_baud: int,
    report_seconds: float,
) -> None:
    """Drive a window's LED sign (and evaluator) from the counter's events."""
    import logging

    from displays.sign_agent import run as run_sign

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    click.echo(f"sign agent: {site} window {counter} → {serial_port} address {address}", err=True)
    run_sign(
        server, token, site, counter, serial_port, address, evaluator_address, serial_baud, report_seconds
    )


# --- helpers ---------------------------------------------------------------------------------


def known_site(db: Database, site_id: str) -> None:
    from queue_server.engine.errors import UnknownSite

    if db.store.sites.get(site_id) is None:
        raise UnknownSite(site=site_id)


def echo_found(
    found: list[dict[str, Any]],
    fmt: str,
    header: Sequence[str],
    columns: Callable[[dict[str, Any]], Sequence[Any]],
) -> None:
    """What a list command found: as JSON (`--format json`), or a table of each one's columns."""
    if fmt == "json":
        click.echo(json.dumps(found, ensure_ascii=False, indent=2))
        return
    echo_table(header, [columns(item) for item in found])


def echo_table(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    widths = [max(len(str(cell)) for cell in column) for column in zip(header, *rows, strict=False)]
    for line in (header, *rows):
        click.echo("  ".join(str(cell).ljust(width) for cell, width in zip(line, widths, strict=True)).rstrip())


# --- the tree: other packages' commands and the spellings they replaced ---------------------

# Old spellings still accepted (hidden, with a warning): command → old option → new option.
cli.rename_command("sim", "simulator")
cli.rename_command("devices", "device")
cli.rename_command("simulate", "history simulate")
cli.rename_options("sign", {"--port": "--serial-port", "--baud": "--serial-baud"})

_registered = False


def registered() -> Grammar:
    """The whole tree, with the groups of the devices and kiosk packages added (once)."""
    global _registered
    if _registered:
        return cli
    _registered = True
    from queue_server.database_commands import db

    cli.add_command(db)
    try:
        from devices import device_commands
    except ImportError as exc:  # the devices part is optional for a bare centre
        warn(f"device commands unavailable ({exc})")
    else:
        cli.add_command(device_commands.sim, "simulator")
        # The diagnostics join `device`, whatever the package's group holds.
        devices = cast(Grammar, device)
        for name, command in device_commands.devices.commands.items():
            devices.add_command(command, name)
            devices.rename_options(name, device_commands.RENAMED_OPTIONS.get(name, {}))
    try:
        from kiosk import kiosk_command
    except ImportError as exc:  # the kiosk part is optional for a bare centre
        warn(f"kiosk command unavailable ({exc})")
    else:
        cli.add_command(kiosk_command.kiosk)
        cli.rename_options("kiosk", kiosk_command.RENAMED_OPTIONS)
    return cli


def main(args: list[str] | None = None) -> None:
    sys.exit(run(registered(), args))


if __name__ == "__main__":
    main()
