"""Backups of the database file and restores from them.

- `backup` is SQLite's online backup: one read snapshot copied page by page while the
  centre keeps writing (in WAL mode the newest transactions are in `<db>-wal`, so a file
  copy of a live database is not a backup). The copy is a standalone file (rollback journal,
  no `-wal`), private (0600), and written under a temporary name then renamed, so a
  backup file is either whole or absent.
- Secrets stay out of it. The centre's secret is never in the database (it is
  `HALLQUEUE_SECRET` or `<db>.secret`); the one secret the database can hold is an edge
  centre's site keys (from the city, in `edge_state`): they are wiped from the copy with
  `secure_delete`, so their bytes do not linger in free pages. `write_secrets` puts them,
  with the centre's secret, in a separate private file when asked.
- `restore` checks the backup first, refuses while anything holds the database
  (`holding.py`), keeps the replaced database aside and swaps the file in with one rename.
- `before_migrating` is the backup a centre takes before it migrates an older schema.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import sqlite3
from contextlib import closing
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from devices.host_system import sync_directory
from queue_server.storage.holding import DatabaseInUse, Hold
from queue_server.storage.migrations import MIGRATIONS, current_version
from queue_server.storage.private_files import database_files, private_directory, private_file

log = logging.getLogger("hallqueue.storage")

# The tables without which a file is not a hallqueue database.
REQUIRED_TABLES = ("sites", "tickets", "events")


class BackupError(Exception):
    """A backup or a restore could not be done; the message says why, for people."""


class NoDatabase(BackupError):
    """There is no database file where one was named."""


class TargetExists(BackupError):
    """The backup would overwrite a file."""


class NotABackup(BackupError):
    """The file is not a whole hallqueue database this code can open."""


@dataclass
class BackupResult:
    path: Path
    schema_version: int
    size_bytes: int
    # What was taken out of the copy: {"edge_site_keys": {site: {purpose: hex}}} or {}.
    stripped: dict[str, Any] = field(default_factory=dict)


@dataclass
class Restored:
    db: Path
    schema_version: int
    aside: Path | None  # the database that was replaced, kept under this name


def stamp(moment: datetime | None = None) -> str:
    return (moment or datetime.now(UTC)).strftime("%Y%m%dT%H%M%SZ")


# --- backup -----------------------------------------------------------------------------


def backup(db_path: str | Path, target: str | Path, overwrite: bool = False) -> BackupResult:
    """A consistent copy of the database at `db_path` (which may be serving) into `target`."""
    source, target = Path(db_path), Path(target)
    if not source.is_file():
        raise NoDatabase(f"no database at {source}")
    if target.exists() and not overwrite:
        raise TargetExists(f"{target} exists: choose another name (backups are never overwritten)")
    private_directory(target.parent)
    partial = target.with_name(target.name + ".partial")
    _remove(partial)  # a previous attempt that died
    private_file(partial)  # 0600 before SQLite writes a byte
    try:
        with closing(sqlite3.connect(source, timeout=30, isolation_level=None)) as src, \
                closing(sqlite3.connect(partial, isolation_level=None)) as dst:  # fmt: skip
            # All pages in one step: one read transaction, so one snapshot, however many
            # commits the centre makes meanwhile (WAL readers do not block writers).
            src.backup(dst)
            dst.execute("PRAGMA journal_mode=DELETE")  # a standalone file: no -wal beside it
            _check_is_ours(dst, str(source))
            stripped = _strip_secrets(dst)
            version = current_version(dst)
        _fsync(partial)
        os.replace(partial, target)
        sync_directory(target.parent)
    except sqlite3.DatabaseError as exc:
        _remove(partial)
        raise NotABackup(f"{source}: {exc}") from exc
    except BaseException:
        _remove(partial)
        raise
    return BackupResult(target, version, target.stat().st_size, stripped)


def _strip_secrets(conn: sqlite3.Connection) -> dict[str, Any]:
    """Take an edge centre's site keys out of the copy. Its configuration digest goes too,
    so a station restored from the copy asks the city for its configuration and keys at its
    first exchange."""
    if not _has_table(conn, "edge_state"):
        return {}
    state = {row[0]: json.loads(row[1]) for row in conn.execute("SELECT key, value FROM edge_state")}
    if "keys" not in state:
        return {}
    conn.execute("PRAGMA journal_mode=MEMORY")  # the pages with the keys never reach a journal file
    conn.execute("PRAGMA secure_delete=ON")  # deleted bytes are zeroed, not left in free pages
    conn.execute("BEGIN")
    conn.execute("DELETE FROM edge_state WHERE key IN ('keys', 'digest')")
    conn.execute("COMMIT")
    conn.execute("PRAGMA journal_mode=DELETE")
    return {"edge_site_keys": {str(state.get("site")): state["keys"]}}


def write_secrets(directory: str | Path, backup_name: str, secret: dict[str, str] | None, stripped: dict[str, Any]) -> Path:
    """The secrets that belong with a backup, in their own private file in `directory`
    (keep it on another medium than the backups): the centre's secret (`{"source": …,
    "value": …}`) and what was stripped from the copy."""
    private_directory(directory)
    path = Path(directory) / f"{backup_name}.secrets.json"
    if path.exists():
        raise TargetExists(f"{path} exists: choose another name")
    private_file(path)
    content = {"backup": backup_name, "secret": secret, **stripped}
    path.write_text(json.dumps(content, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    _fsync(path)
    return path


def read_secrets(path: str | Path) -> dict[str, Any]:
    try:
        content = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise BackupError(f"{path} is not a secrets file written by `db backup --secrets-to`: {exc}") from exc
    if not isinstance(content, dict):
        raise BackupError(f"{path} is not a secrets file written by `db backup --secrets-to`")
    return content


# --- restore ----------------------------------------------------------------------------


def verify(path: str | Path, name: str | Path | None = None) -> int:
    """Check that `path` is a whole hallqueue database this code can open; its schema version.
    `name` is what messages call it (the backup a copy at `path` was made from)."""
    if not Path(path).is_file():
        raise NoDatabase(f"no backup at {path}")
    shown = name or path
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        problems = [row[0] for row in conn.execute("PRAGMA integrity_check")]
        if problems != ["ok"]:
            raise NotABackup(f"{shown} fails its integrity check: {'; '.join(problems[:5])}")
        if conn.execute("PRAGMA foreign_key_check").fetchone() is not None:
            raise NotABackup(f"{shown} has rows whose references are missing (PRAGMA foreign_key_check)")
        _check_is_ours(conn, str(shown))
        version = current_version(conn)
        if version > len(MIGRATIONS):
            raise NotABackup(
                f"{shown} has schema version {version}, newer than this hallqueue's "
                f"{len(MIGRATIONS)}: restore it with the release that wrote it"
            )
        return version
    except sqlite3.DatabaseError as exc:
        raise NotABackup(f"{shown}: {exc}") from exc
    finally:
        conn.close()


def restore(backup_file: str | Path, db_path: str | Path, secrets_file: str | Path | None = None) -> Restored:
    """Replace the database at `db_path` by the backup, once the backup is checked and while
    nothing holds the database. The database replaced is kept as `<db>.replaced-<time>`
    (with its `-wal` and `-shm`, if it had them)."""
    db = Path(db_path)
    private_directory(db.parent)
    with Hold(str(db), exclusive=True):  # DatabaseInUse while a centre or a command has it
        incoming = db.with_name(db.name + ".restoring")
        _remove(incoming)
        private_file(incoming)
        try:
            if not Path(backup_file).is_file():
                raise NoDatabase(f"no backup at {backup_file}")
            shutil.copyfile(backup_file, incoming)
            version = verify(incoming, backup_file)
            if secrets_file is not None:
                _put_back_site_keys(incoming, secrets_file)
            _fsync(incoming)
            try:
                aside = _set_aside(db)
                os.replace(incoming, db)  # the one moment the database changes: atomic
            except PermissionError:  # Windows: a process that has the file open keeps it
                raise DatabaseInUse(str(db)) from None
            sync_directory(db.parent)
        except BaseException:
            _remove(incoming)
            raise
    return Restored(db, version, aside)


def put_back_secret(db_path: str | Path, secrets_file: str | Path) -> Path | None:
    """The centre's secret from the secrets file, as `<db>.secret` (0600), for a centre that
    has none (a machine rebuilt from its backups); None if the file holds no secret or the
    database already has a secret file beside it (never replaced)."""
    secret = (read_secrets(secrets_file).get("secret") or {}).get("value")
    path = Path(f"{db_path}.secret")
    if not secret or path.exists():
        return None
    private_file(path)
    path.write_text(secret)
    _fsync(path)
    return path


def _set_aside(db: Path) -> Path | None:
    """Keep the database about to be replaced: its WAL folded into it where SQLite can,
    then the file (a hard link, so `db` is whole until the rename) and its companions."""
    if not db.exists():
        return None
    try:
        conn = sqlite3.connect(db, isolation_level=None)
        try:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            conn.close()
    except sqlite3.DatabaseError:
        pass  # a damaged file is kept as it is, its -wal beside it
    aside = db.with_name(f"{db.name}.replaced-{stamp()}")
    try:
        os.link(db, aside)
    except OSError:  # a file system without hard links
        shutil.copy2(db, aside)
    for suffix in ("-wal", "-shm", "-journal"):
        companion = Path(f"{db}{suffix}")
        if companion.exists():
            # Never leave a -wal beside the restored file: SQLite would replay it into it.
            os.replace(companion, Path(f"{aside}{suffix}"))
    return aside


def _put_back_site_keys(path: Path, secrets_file: str | Path) -> None:
    """An edge centre's site keys from the secrets file written with its backup."""
    keys = read_secrets(secrets_file).get("edge_site_keys") or {}
    if not keys:
        return
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("BEGIN")
        for site, site_keys in keys.items():
            for key, value in (("site", site), ("keys", site_keys)):
                conn.execute(
                    "INSERT INTO edge_state (key, value) VALUES (?, ?) "
                    "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                    (key, json.dumps(value)),
                )
        conn.execute("COMMIT")
    finally:
        conn.close()


# --- before a migration -----------------------------------------------------------------


def backup_name_before_migrating(db_path: str, moment: datetime | None = None) -> Path:
    return Path(f"{db_path}.before-v{len(MIGRATIONS)}-{stamp(moment)}.bak")


def before_migrating(db_path: str, conn: sqlite3.Connection) -> Path | None:
    """If the schema is older than this code's (and not a fresh file), a backup beside the
    database before the migration runs; the caller holds the write lock."""
    version = current_version(conn)
    if version == 0 or version >= len(MIGRATIONS):
        return None
    target = backup_name_before_migrating(db_path)
    backup(db_path, target)
    log.warning(
        "database %s has schema version %d, this hallqueue %d: backed up to %s before migrating",
        db_path, version, len(MIGRATIONS), target,
    )  # fmt: skip
    return target


# --- files ------------------------------------------------------------------------------


def _has_table(conn: sqlite3.Connection, name: str) -> bool:
    return conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (name,)).fetchone() is not None


def _check_is_ours(conn: sqlite3.Connection, name: str) -> None:
    missing = [table for table in REQUIRED_TABLES if not _has_table(conn, table)]
    if missing:
        raise NotABackup(f"{name} is not a hallqueue database (no {', '.join(missing)} table)")


def _remove(path: Path) -> None:
    for name in database_files(path):
        Path(name).unlink(missing_ok=True)


def _fsync(path: Path) -> None:
    """The file on disk before we say it is done (a directory: `sync_directory`). Opened for
    writing: Windows flushes only through a handle that may write."""
    fd = os.open(path, os.O_RDWR | getattr(os, "O_BINARY", 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
