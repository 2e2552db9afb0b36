"""`hallqueue db backup | check | restore`, run as an operator runs them."""
from __future__ import annotations

import json
import os
import shutil
import sqlite3
import stat
from contextlib import closing
from pathlib import Path

import pytest

from queue_server.storage import Database
from queue_server.storage.migrations import MIGRATIONS
from tests.queue_server.test_backup import make_old_database
from tests.queue_server.test_cli import hallqueue


@pytest.fixture
def hall_db(tmp_path: Path) -> Path:
    """The demo city with a few tickets, closed (nothing holds it), and its secret beside it."""
    from queue_server.calling.operations import Operations
    from queue_server.settings import load, secret_for
    from queue_server.tools.demo import load_demo

    path = tmp_path / "var" / "hallqueue.db"
    db = Database(path)
    load_demo(db)
    ops = Operations(db, ignore_hours=True)
    for i in range(12):
        ops.issue_ticket("city-hall", service="A101", request_id=f"c-{i}")
    db.close()
    secret_for(load(overrides={"DB": str(path)}))  # writes <db>.secret, as a first start does
    return path


def tickets(path: Path) -> int:
    with closing(sqlite3.connect(path, isolation_level=None)) as conn:
        return int(conn.execute("SELECT count(*) FROM tickets").fetchone()[0])


def test_backup_says_where_the_secret_is_and_writes_it_apart_only_when_asked(hall_db: Path, tmp_path: Path) -> None:
    secret = Path(f"{hall_db}.secret").read_text().strip()
    target = tmp_path / "backups" / "hall-1.db"

    done = hallqueue("db", "backup", "--db", str(hall_db), "--output", str(target), "--secrets-to", str(tmp_path / "vault"))

    assert done.returncode == 0, done.stderr
    assert f"the secret is not in the backup: it is in the file {hall_db}.secret" in done.stdout
    assert secret.encode() not in target.read_bytes()
    assert tickets(target) == 12
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    written = tmp_path / "vault" / "hall-1.db.secrets.json"
    assert f"secrets written to {written}" in done.stdout
    assert json.loads(written.read_text())["secret"]["value"] == secret
    assert stat.S_IMODE(written.stat().st_mode) == 0o600
    assert list((tmp_path / "backups").iterdir()) == [target]  # the secret is not beside the backups

    again = hallqueue("db", "backup", "--db", str(hall_db), "--output", str(target))
    assert again.returncode == 1
    assert again.stderr.startswith("hallqueue: error: ") and "exists" in again.stderr


def test_backup_of_a_missing_database_is_an_error(tmp_path: Path) -> None:
    done = hallqueue("db", "backup", "--db", str(tmp_path / "none.db"), "--output", str(tmp_path / "b.db"))
    assert done.returncode == 3  # not found
    assert done.stderr == f"hallqueue: error: no database at {tmp_path / 'none.db'}\n"
    assert not (tmp_path / "none.db").exists()  # nothing created by looking


def test_check_reports_a_sound_database_as_json(hall_db: Path) -> None:
    done = hallqueue("db", "check", "--db", str(hall_db), "--json")

    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["ok"] is True and report["problems"] == []
    assert report["integrity"] == ["ok"] and report["foreign_key_problems"] == []
    assert report["schema_version"] == report["code_version"] == len(MIGRATIONS)
    assert report["schema"] == "current"
    assert report["rows"]["tickets"] == 12 and report["rows"]["sites"] >= 1
    assert report["size_bytes"] == hall_db.stat().st_size
    assert report["page_count"] * report["page_size"] == report["size_bytes"]
    assert report["free_pages"] >= 0 and report["wal_bytes"] >= 0


def test_check_in_words_while_a_centre_holds_it(hall_db: Path) -> None:
    db = Database(hall_db)  # a serving centre's hold: checking does not need it released
    try:
        done = hallqueue("db", "check", "--db", str(hall_db))
    finally:
        db.close()
    assert done.returncode == 0, done.stderr
    assert "integrity     ok" in done.stdout
    assert f"version {len(MIGRATIONS)}, this hallqueue {len(MIGRATIONS)} (current)" in done.stdout
    assert "tickets" in done.stdout


def test_check_finds_broken_references_and_exits_5(hall_db: Path) -> None:
    with closing(sqlite3.connect(hall_db, isolation_level=None)) as conn:
        conn.execute("UPDATE tickets SET site_id = 'nowhere' WHERE rowid = 1")  # foreign_keys is off here

    done = hallqueue("db", "check", "--db", str(hall_db), "--json")

    assert done.returncode == 5  # the database
    report = json.loads(done.stdout)
    assert report["ok"] is False
    assert report["foreign_key_problems"] == [{"table": "tickets", "rowid": 1, "parent": "sites"}]
    assert "hallqueue: problem: 1 row(s) refer to rows that do not exist" in done.stderr


def test_check_of_a_damaged_file_exits_5_and_of_a_missing_one_3(tmp_path: Path) -> None:
    damaged = tmp_path / "damaged.db"
    damaged.write_bytes(b"SQLite format 3\x00" + os.urandom(8000))
    done = hallqueue("db", "check", "--db", str(damaged))
    assert done.returncode == 5 and done.stderr.startswith("hallqueue: error: ")

    missing = hallqueue("db", "check", "--db", str(tmp_path / "none.db"))
    assert missing.returncode == 3 and "no database at" in missing.stderr


def test_check_says_an_older_schema_will_be_migrated(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    make_old_database(path, 9)
    done = hallqueue("db", "check", "--db", str(path))
    assert done.returncode == 0  # older is not a problem: the centre migrates it, after a backup
    assert f"version 9, this hallqueue {len(MIGRATIONS)} (older: the centre backs it up and migrates it at start)" in done.stdout
    assert not list(tmp_path.glob("*.bak"))  # checking does not migrate


def test_restore_refuses_while_held_then_restores_and_keeps_the_old_one(hall_db: Path, tmp_path: Path) -> None:
    copy = tmp_path / "copy.db"
    assert hallqueue("db", "backup", "--db", str(hall_db), "--output", str(copy)).returncode == 0
    with closing(sqlite3.connect(hall_db, isolation_level=None)) as conn:
        conn.execute("DELETE FROM events")
        conn.execute("DELETE FROM tickets")

    db = Database(hall_db)  # as a running centre holds it
    try:
        refused = hallqueue("db", "restore", "--from", str(copy), "--db", str(hall_db))
    finally:
        db.close()
    assert refused.returncode == 4  # refused
    assert "is in use by a running centre or command: stop it first" in refused.stderr
    assert tickets(hall_db) == 0

    done = hallqueue("db", "restore", "--from", str(copy), "--db", str(hall_db))

    assert done.returncode == 0, done.stderr
    assert tickets(hall_db) == 12
    aside = list(hall_db.parent.glob("hallqueue.db.replaced-*"))
    assert len(aside) == 1 and tickets(aside[0]) == 0
    assert f"the database it replaced is kept as {aside[0]}" in done.stdout
    assert f"the secret it will use: the file {hall_db}.secret" in done.stdout


def test_restore_from_a_file_that_is_not_a_backup_changes_nothing(hall_db: Path, tmp_path: Path) -> None:
    junk = tmp_path / "junk.db"
    junk.write_text("not a database at all\n" * 400)
    before = hall_db.read_bytes()

    done = hallqueue("db", "restore", "--from", str(junk), "--db", str(hall_db))

    assert done.returncode == 1
    assert done.stderr.startswith(f"hallqueue: error: {junk}: ") and f"{hall_db} was not changed" in done.stderr
    assert hall_db.read_bytes() == before
    assert sorted(p.name for p in hall_db.parent.iterdir() if "restor" in p.name or "replaced" in p.name) == []


def test_a_machine_rebuilt_from_its_backup_and_secrets_file_gets_both_back(hall_db: Path, tmp_path: Path) -> None:
    secret = Path(f"{hall_db}.secret").read_text().strip()
    copy, vault = tmp_path / "backups" / "hall.db", tmp_path / "vault"
    assert hallqueue("db", "backup", "--db", str(hall_db), "--output", str(copy), "--secrets-to", str(vault)).returncode == 0
    shutil.rmtree(hall_db.parent)  # the machine is lost: database and secret alike
    secrets_file = vault / "hall.db.secrets.json"

    done = hallqueue("db", "restore", "--from", str(copy), "--db", str(hall_db), "--secrets-from", str(secrets_file))

    assert done.returncode == 0, done.stderr
    assert tickets(hall_db) == 12
    restored_secret = Path(f"{hall_db}.secret")
    assert restored_secret.read_text() == secret and stat.S_IMODE(restored_secret.stat().st_mode) == 0o600
    assert f"the secret from {secrets_file} is back in {restored_secret}" in done.stdout
    assert "kept as" not in done.stdout  # there was nothing to keep aside

    # Restored again over it, the secret already there is left alone.
    again = hallqueue("db", "restore", "--from", str(copy), "--db", str(hall_db), "--secrets-from", str(secrets_file))
    assert again.returncode == 0 and "is back in" not in again.stdout


def test_restore_with_a_file_that_is_not_a_secrets_file_changes_nothing(hall_db: Path, tmp_path: Path) -> None:
    copy = tmp_path / "copy.db"
    assert hallqueue("db", "backup", "--db", str(hall_db), "--output", str(copy)).returncode == 0
    (tmp_path / "notes.txt").write_text("not json")
    before = hall_db.read_bytes()
    done = hallqueue("db", "restore", "--from", str(copy), "--db", str(hall_db), "--secrets-from", str(tmp_path / "notes.txt"))
    assert done.returncode == 1 and "is not a secrets file" in done.stderr
    assert hall_db.read_bytes() == before
