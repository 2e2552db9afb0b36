"""The `hallqueue` command: a thin client of the library.

Each command parses its options, calls the library and turns its exceptions into a
clean message. Groups of other packages (`sim`, `devices`, …) are registered in
`main`, importing only what they need, so a part that fails to import never breaks the rest.
"""

from __future__ import annotations

import getpass
import os
import sys
import time
from pathlib import Path

import click

from queue_server.engine.errors import QueueError

DB_OPTION = click.option(
    "--db",
    "db_path",
    envvar="HALLQUEUE_DB",
    default="var/hallqueue.db",
    show_default=True,
    help="SQLite database file.",
)


def fail(message: str) -> None:
    click.echo(f"hallqueue: {message}", err=True)
    sys.exit(2)


def explain(exc: QueueError) -> str:
    """The message for people, in the terminal's language (Chinese unless LANG says English)."""
    import os

    from queue_server.wire.words import say

    language = "en" if os.environ.get("LANG", "").lower().startswith("en") else "zh"
    params = dict(exc.params)
    params.setdefault("detail", exc.detail)
    return say(exc.code, language, **params)


def open_db(db_path: str):
    from queue_server.storage import Database

    return Database(db_path)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def cli() -> None:
    """hallqueue: queue and self-service kiosk system."""


@cli.command()
@DB_OPTION
@click.option("--host", default=None, help="Address to listen on (default 127.0.0.1).")
@click.option("--port", type=int, default=None, help="Port to listen on (default 8600).")
@click.option("--demo", is_flag=True, help="Load the demo city into an empty database.")
@click.option(
    "--config",
    "config_file",
    type=click.Path(exists=True, dir_okay=False),
    help="JSON settings file.",
)
@click.option("--message-queue", default=None, help="Redis URL shared by several server processes.")
@click.option(
    "--edge-of",
    default=None,
    metavar="CITY_URL",
    help="Run as a station's edge centre of this city centre (env HALLQUEUE_EDGE_OF).",
)
@click.option(
    "--token",
    default=None,
    help="The edge centre's token from `hallqueue device add --kind edge` (env HALLQUEUE_EDGE_TOKEN).",
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
    from queue_server.server import run

    if edge_of and not (token or os.environ.get("HALLQUEUE_EDGE_TOKEN")):
        fail("--edge-of needs the edge centre's --token (hallqueue device add --kind edge)")
    run(
        db_path=db_path,
        host=host,
        port=port,
        demo=demo,
        config_file=config_file,
        message_queue=message_queue,
        extra={"EDGE_OF": edge_of, "EDGE_TOKEN": token, "LOG_FILE": log_file},
    )


@cli.group()
def user() -> None:
    """Staff accounts."""


@user.command("add")
@click.argument("username")
@click.option("--role", type=click.Choice(["admin", "manager", "clerk"]), required=True)
@click.option(
    "--site",
    "sites",
    multiple=True,
    help="A site the user works for (repeatable; admins need none).",
)
@click.option("--name", "display_name", default="", help="Display name.")
@DB_OPTION
def user_add(
    username: str, role: str, sites: tuple[str, ...], display_name: str, db_path: str
) -> None:
    """Add or update a staff member; the password is read from stdin or a prompt."""
    from queue_server.accounts.store import Accounts
    from queue_server.settings import load, secret_for

    if sys.stdin.isatty():
        password = getpass.getpass("Password: ")
        if getpass.getpass("Again: ") != password:
            fail("the passwords differ")
    else:
        password = sys.stdin.readline().rstrip("\n")
    db = open_db(db_path)
    try:
        Accounts(db, secret_for(load(overrides={"DB": db_path}))).add_user(
            username, password, role, list(sites), display_name
        )
    except QueueError as exc:
        fail(explain(exc))
    click.echo(f"user {username} ({role}) saved")


@user.command("unlock")
@click.argument("username")
@DB_OPTION
def user_unlock(username: str, db_path: str) -> None:
    """Unlock an account locked by failed logins (audited, as `cli:<your login>`)."""
    from queue_server.accounts.store import Accounts, Principal
    from queue_server.administration.changes import Administration
    from queue_server.settings import load, secret_for

    db = open_db(db_path)
    administration = Administration(db, Accounts(db, secret_for(load(overrides={"DB": db_path}))))
    # Who runs the command holds the database file: the whole city is theirs.
    operator = Principal("staff", f"cli:{getpass.getuser()}", "admin", all_sites=True)
    try:
        administration.unlock_staff(operator, username)
    except QueueError as exc:
        fail(explain(exc))
    click.echo(f"user {username} is unlocked: it may log in again")


@cli.group()
def device() -> None:
    """Enrolled kiosks, displays and signs."""


@device.command("add")
@click.option("--kind", type=click.Choice(["kiosk", "display", "sign", "edge"]), required=True)
@click.option("--site", required=True)
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
    from queue_server.accounts.store import Accounts
    from queue_server.settings import load, secret_for

    db = open_db(db_path)
    try:
        device_id, token = Accounts(db, secret_for(load(overrides={"DB": db_path}))).add_device(
            kind, site, name, counter
        )
    except QueueError as exc:
        fail(explain(exc))
    click.echo(f"device {device_id} ({kind} at {site}) enrolled; its token (shown only now):")
    click.echo(token)


@cli.group()
def site() -> None:
    """Who owns a site's queues: the city, or a station's edge centre."""


@site.command("hand-over")
@click.argument("site_id", metavar="SITE")
@click.option("--to", "device_id", required=True, help="The edge centre's device id (from `device add --kind edge`).")
@DB_OPTION
def site_hand_over(site_id: str, device_id: str, db_path: str) -> None:
    """Give a site's queues to its edge centre (run on the city's database). From now on
    the city refuses the site's queue changes; the station takes the day's tickets with it
    at its next exchange."""
    from queue_server.accounts.store import Accounts
    from queue_server.edge.city import hand_over
    from queue_server.settings import load, secret_for

    db = open_db(db_path)
    try:
        hand_over(db, Accounts(db, secret_for(load(overrides={"DB": db_path}))), f"cli:{getpass.getuser()}", site_id, device_id)
    except QueueError as exc:
        fail(explain(exc))
    click.echo(f"site {site_id} is served by the edge centre {device_id} from its next exchange")


@site.command("take-back")
@click.argument("site_id", metavar="SITE")
@click.option("--wait", type=float, default=60.0, show_default=True, help="Seconds to wait for the station's last events.")
@click.option("--force", is_flag=True, help="The station will never come back: take the site now, losing what it did not send.")
@DB_OPTION
def site_take_back(site_id: str, wait: float, force: bool, db_path: str) -> None:
    """Return a site's queues to the city (run on the city's database): the station stops
    and sends what it still holds; the site is the city's once the city has it all."""
    from queue_server.edge.city import take_back

    db = open_db(db_path)
    owner = take_back(db, f"cli:{getpass.getuser()}", site_id, force=force)
    deadline = time.monotonic() + wait
    while owner is not None and time.monotonic() < deadline:
        time.sleep(0.5)
        owner = db.store.replication.site_owner(site_id)
    if owner is not None:
        fail(f"site {site_id} is still {owner}: the station has not sent its last events yet; "
             "run again to keep waiting, or --force if the station will never come back")
    click.echo(f"site {site_id} is served by the city again")


@cli.group()
def catalog() -> None:
    """The service catalogue."""


@catalog.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@DB_OPTION
def catalog_import(file: str, db_path: str) -> None:
    """Import services (JSON or CSV) and bundles (JSON)."""
    from queue_server.administration import catalog_import as catalog_module
    from queue_server.engine.model import Bundle

    text = Path(file).read_text(encoding="utf-8-sig")
    db = open_db(db_path)
    try:
        bundles: list[Bundle] = []
        if file.lower().endswith(".csv"):
            services = catalog_module.parse_catalog_csv(text)
        else:
            known = [s.code for s in db.store.catalogue.services()]
            services, bundles = catalog_module.parse_catalog_json(text, known)
        catalog_module.import_catalog(db, services, bundles)
    except QueueError as exc:
        fail(f"{file}: {explain(exc)}")
    click.echo(f"imported {len(services)} services and {len(bundles)} bundles")


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


@cli.command("sign")
@click.option("--server", required=True, help="The centre, e.g. http://10.0.0.5:8600.")
@click.option(
    "--token",
    envvar="HALLQUEUE_SIGN_TOKEN",
    required=True,
    help="A sign device token of the site (or env HALLQUEUE_SIGN_TOKEN).",
)
@click.option("--site", required=True, help="The site id, e.g. city-hall.")
@click.option("--counter", type=int, required=True, help="The window number.")
@click.option("--port", required=True, help="RS-485 port: device path or pyserial URL.")
@click.option("--address", type=int, default=1, show_default=True, help="The sign's bus address.")
@click.option(
    "--evaluator",
    "evaluator_address",
    type=int,
    default=None,
    help="Bus address of the window's evaluator (好差评), if there is one.",
)
@click.option("--baud", type=int, default=9600, show_default=True)
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
    port: str,
    address: int,
    evaluator_address: int | None,
    baud: int,
    report_seconds: float,
) -> None:
    """Drive a window's LED sign (and evaluator) from the counter's events."""
    import logging

    from displays.sign_agent import run

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    click.echo(f"sign agent: {site} window {counter} → {port} address {address}", err=True)
    run(server, token, site, counter, port, address, evaluator_address, baud, report_seconds)


@cli.command()
@DB_OPTION
@click.option("--days", type=click.IntRange(1, 3660), required=True, help="How many days of history.")
@click.option("--sites", default="", help="Comma-separated site ids (default: every site).")
@click.option("--end", type=click.DateTime(["%Y-%m-%d"]), default=None, help="Last simulated day (default yesterday).")
@click.option("--scale", type=click.FloatRange(0.01, 100), default=1.0, show_default=True, help="Multiply arrivals.")
@click.option("--seed", type=int, default=2026, show_default=True)
@click.option("--events/--no-events", default=True, show_default=True, help="Store the event log too.")
def simulate(db_path: str, days: int, sites: str, end, scale: float, seed: int, events: bool) -> None:
    """Fill a database with a realistic simulated history (loads the demo city if empty)."""
    import time

    from queue_server.tools.demo import is_empty, load_demo
    from queue_server.tools.simulation import simulate as run_simulation

    db = open_db(db_path)
    if is_empty(db):
        load_demo(db)
        click.echo("empty database: demo city loaded")
    started = time.monotonic()

    def progress(day: str, totals) -> None:
        rate = totals.tickets / max(time.monotonic() - started, 1e-6)
        click.echo(f"\r{day}  day {totals.days}/{days}  {totals.tickets:,} tickets  {rate:,.0f}/s", nl=False, err=True)

    try:
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
    except QueueError as exc:
        fail(explain(exc))
    click.echo("", err=True)
    click.echo(f"simulated {totals.days} days: {totals.tickets:,} tickets, {totals.served:,} served, {totals.events:,} events")


def _register_groups() -> None:
    from queue_server.database_commands import db

    cli.add_command(db)
    try:
        from devices import device_commands as devices_cli
    except ImportError as exc:  # the devices part is optional for a bare centre
        click.echo(f"hallqueue: device commands unavailable ({exc})", err=True)
        return
    cli.add_command(devices_cli.sim)
    cli.add_command(devices_cli.devices)
    try:
        from kiosk import kiosk_command as kiosk_cli
    except ImportError as exc:  # the kiosk part is optional for a bare centre
        click.echo(f"hallqueue: kiosk command unavailable ({exc})", err=True)
        return
    cli.add_command(kiosk_cli.kiosk)


def main() -> None:
    _register_groups()
    cli(prog_name="hallqueue")


if __name__ == "__main__":
    main()
