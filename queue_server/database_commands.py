"""`hallqueue db …`: backup, check and restore of the database file.

A thin client of `storage/backup.py` and `storage/inspection.py`: each command parses,
calls the library and says its failures in the command line's one style
(`command_grammar`): 3 no such file, 4 refused (the database in use), 5 `db check` found a
problem in the database, 1 anything else that could not be done.
"""

from __future__ import annotations

import json
from typing import NoReturn

import click

from queue_server.command_grammar import DB_OPTION, CommandError, Exit


def error(message: str, code: Exit = Exit.FAILED) -> NoReturn:
    raise CommandError(message, code)


@click.group("db")
def db() -> None:
    """Back up, check and restore the database (docs/operations.md)."""


@db.command("backup")
@DB_OPTION
@click.option("--output", "-o", "target", required=True, type=click.Path(dir_okay=False), help="The backup file to write (never overwritten).")
@click.option(
    "--secrets-to",
    type=click.Path(file_okay=False),
    default=None,
    help="Also write the secrets (the centre's secret, an edge centre's site keys) to a private file in this directory: keep it on another medium than the backups.",
)
@click.option("--config", "config_file", type=click.Path(exists=True, dir_okay=False), help="The centre's JSON settings file (where SECRET may be).")
def backup_command(db_path: str, target: str, secrets_to: str | None, config_file: str | None) -> None:
    """An online, consistent backup, safe while the centre serves: SQLite's backup API,
    never a file copy. The secret is not in it: the output says where it lives."""
    from queue_server.settings import load, secret_source
    from queue_server.storage.backup import BackupError, NoDatabase, backup, write_secrets

    try:
        result = backup(db_path, target)
    except NoDatabase as exc:
        error(str(exc), Exit.NOT_FOUND)
    except BackupError as exc:
        error(str(exc))
    click.echo(
        f"backed up {db_path} (schema version {result.schema_version}, {result.size_bytes:,} bytes) to {result.path}"
    )
    where, secret = secret_source(load(config_file, {"DB": db_path}))
    if secret is None:
        click.echo(f"the backup holds no secret; this centre has {where}")
    else:
        click.echo(f"the secret is not in the backup: it is in {where}; back it up separately, on another medium")
    for site in result.stripped.get("edge_site_keys", {}):
        click.echo(
            f"the site keys of {site} (from the city) were left out: a station restored from this backup "
            "fetches them from the city at its first exchange"
        )
    if secrets_to is not None:
        try:
            path = write_secrets(
                secrets_to, result.path.name, {"source": where, "value": secret} if secret else None, result.stripped
            )
        except BackupError as exc:
            error(str(exc))
        click.echo(f"secrets written to {path} (mode 0600): keep it apart from the backups")


@db.command("check")
@DB_OPTION
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON (for monitoring).")
def check_command(db_path: str, as_json: bool) -> None:
    """Integrity, references, schema version, size, free pages, WAL and rows per table.
    Exit code 5 when a problem is found."""
    from queue_server.storage.inspection import NotADatabase, inspect

    try:
        report = inspect(db_path)
    except FileNotFoundError as exc:
        error(str(exc), Exit.NOT_FOUND)
    except NotADatabase as exc:
        if as_json:
            click.echo(json.dumps({"path": db_path, "ok": False, "problems": [str(exc)]}, indent=2))
        error(f"{exc}", Exit.STORAGE)
    found = report.as_dict()
    if as_json:
        click.echo(json.dumps(found, indent=2, ensure_ascii=False))
    else:
        click.echo(f"database      {report.path}")
        click.echo(f"integrity     {'ok' if report.integrity == ['ok'] else 'FAILED'}")
        click.echo(f"references    {'ok' if not report.foreign_key_problems else 'FAILED'}")
        schema = {"current": "current", "older": "older: the centre backs it up and migrates it at start",
                  "newer": "NEWER than this hallqueue"}[report.schema]  # fmt: skip
        click.echo(f"schema        version {report.schema_version}, this hallqueue {report.code_version} ({schema})")
        click.echo(f"size          {report.size_bytes:,} bytes, {report.free_pages:,} free pages of {report.page_count:,} ({report.page_size} bytes each)")
        click.echo(f"wal           {report.wal_bytes:,} bytes (journal mode {report.journal_mode})")
        for table, count in report.rows.items():
            click.echo(f"  {table:<24}{count:>12,}")
    for problem in report.problems:
        click.echo(f"hallqueue: problem: {problem}", err=True)
    if report.problems:
        error(f"{len(report.problems)} problem(s) found in {db_path}", Exit.STORAGE)


@db.command("restore")
@click.option("--from", "backup_file", required=True, type=click.Path(dir_okay=False), help="The backup file.")
@DB_OPTION
@click.option(
    "--secrets-from",
    type=click.Path(exists=True, dir_okay=False),
    default=None,
    help="The secrets file written with the backup (`db backup --secrets-to`): puts an edge centre's site keys back, and the secret if this centre has none.",
)
def restore_command(backup_file: str, db_path: str, secrets_from: str | None) -> None:
    """Replace the database by a backup: the backup is checked first, the centre must be
    stopped, the replaced database is kept aside, and the swap is one rename."""
    from queue_server.settings import load, secret_source
    from queue_server.storage.backup import BackupError, put_back_secret, restore
    from queue_server.storage.holding import DatabaseInUse

    try:
        done = restore(backup_file, db_path, secrets_from)
    except DatabaseInUse:
        error(
            f"{db_path} is in use by a running centre or command: stop it first (e.g. systemctl stop 'hallqueue@*'), then restore",
            Exit.REFUSED,
        )
    except BackupError as exc:
        error(f"{exc}; {db_path} was not changed")
    click.echo(f"restored {db_path} from {backup_file} (schema version {done.schema_version})")
    if done.aside is not None:
        click.echo(f"the database it replaced is kept as {done.aside}")
    where, secret = secret_source(load(None, {"DB": db_path}))
    if secret is None and secrets_from is not None:
        written = put_back_secret(db_path, secrets_from)
        if written is not None:
            click.echo(f"the secret from {secrets_from} is back in {written} (mode 0600)")
            where, secret = secret_source(load(None, {"DB": db_path}))
    if secret is None:
        click.echo(
            f"note: this centre has no secret yet: set HALLQUEUE_SECRET, or put the one backed up with the "
            f"database in {db_path}.secret, before starting the centre (else sessions, device tokens and "
            "ID-card hashes no longer match)"
        )
    else:
        click.echo(f"the secret it will use: {where}")
