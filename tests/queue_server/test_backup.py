"""Backups and restores of the database file (`storage/backup.py`), on real SQLite files."""
from __future__ import annotations

import hashlib
import json
import logging
import os
import sqlite3
import stat
import threading
from contextlib import closing
from pathlib import Path

import pytest

from queue_server.calling.operations import Operations
from queue_server.storage import Database
from queue_server.storage.backup import NotABackup, TargetExists, backup, restore
from queue_server.storage.holding import DatabaseInUse
from queue_server.storage.migrations import MIGRATIONS
from queue_server.tools.demo import load_demo

# An edge centre's site keys, as the city sends them: distinctive bytes to look for.
SITE_KEYS = {"devices": "d1" * 32, "persons": "e2" * 32, "tickets": "f3" * 32}


def count(path: Path, sql: str = "SELECT count(*) FROM tickets") -> int:
    with closing(sqlite3.connect(path, isolation_level=None)) as conn:
        return int(conn.execute(sql).fetchone()[0])


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def ops(db_path: Path) -> Operations:
    db = Database(db_path)
    load_demo(db)
    return Operations(db, ignore_hours=True)


def test_a_backup_taken_while_tickets_are_issued_is_one_consistent_private_file(ops: Operations, tmp_path: Path) -> None:
    issued: list[str] = []
    stop = threading.Event()

    def kiosk() -> None:
        i = 0
        while not stop.is_set():
            issued.append(ops.issue_ticket("city-hall", service="A101", request_id=f"b-{i}").ticket.id)
            i += 1

    writer = threading.Thread(target=kiosk)
    writer.start()
    while len(issued) < 50:
        threading.Event().wait(0.005)
    before = len(issued)
    result = backup(ops.db.path, tmp_path / "copies" / "hall.db")
    during = len(issued)
    while len(issued) < during + 20:  # the centre kept issuing meanwhile
        threading.Event().wait(0.005)
    stop.set()
    writer.join()

    copy = result.path
    assert stat.S_IMODE(copy.stat().st_mode) == 0o600
    assert stat.S_IMODE(copy.parent.stat().st_mode) == 0o700
    assert sorted(p.name for p in copy.parent.iterdir()) == ["hall.db"]  # no -wal, no .partial
    with closing(sqlite3.connect(copy, isolation_level=None)) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
        tickets = [row[0] for row in conn.execute("SELECT id FROM tickets")]
        logged = {row[0] for row in conn.execute("SELECT ticket_id FROM events WHERE type = 'ticket.issued'")}
        last_seq = conn.execute("SELECT last_seq FROM sites WHERE id = 'city-hall'").fetchone()[0]
        seqs = [row[0] for row in conn.execute("SELECT seq FROM events WHERE site_id = 'city-hall' ORDER BY seq")]
    # One snapshot: every ticket issued before it, none issued after, each with its event.
    assert before <= len(tickets) <= during
    assert set(issued[: len(tickets)]) == set(tickets) == logged
    assert seqs == list(range(1, last_seq + 1))
    assert result.schema_version == len(MIGRATIONS) and result.stripped == {}


def test_a_backup_never_overwrites(ops: Operations, tmp_path: Path) -> None:
    target = tmp_path / "hall.db"
    backup(ops.db.path, target)
    before = digest(target)
    with pytest.raises(TargetExists):
        backup(ops.db.path, target)
    assert digest(target) == before


def test_an_edge_centres_site_keys_stay_out_of_the_backup(ops: Operations, tmp_path: Path) -> None:
    with ops.db.transaction() as store:
        store.replication.set_edge_state(site="village-1", keys=SITE_KEYS, digest="abc", acked_seq=7)
    ops.db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # the keys are in the main file too
    assert SITE_KEYS["persons"].encode() in Path(ops.db.path).read_bytes()

    result = backup(ops.db.path, tmp_path / "edge.db")

    raw = result.path.read_bytes()
    assert all(key.encode() not in raw for key in SITE_KEYS.values())  # nor in free pages
    assert result.stripped == {"edge_site_keys": {"village-1": SITE_KEYS}}
    with closing(sqlite3.connect(result.path, isolation_level=None)) as conn:
        state = {k: json.loads(v) for k, v in conn.execute("SELECT key, value FROM edge_state")}
    # Without its digest the station asks the city for its configuration and keys again.
    assert state == {"site": "village-1", "acked_seq": 7}


def test_restore_puts_the_site_keys_back_from_the_secrets_file(ops: Operations, tmp_path: Path) -> None:
    from queue_server.storage.backup import write_secrets

    with ops.db.transaction() as store:
        store.replication.set_edge_state(site="village-1", keys=SITE_KEYS, digest="abc")
    result = backup(ops.db.path, tmp_path / "edge.db")
    secrets = write_secrets(tmp_path / "vault", result.path.name, {"source": "test", "value": "s"}, result.stripped)
    assert stat.S_IMODE(secrets.stat().st_mode) == 0o600
    ops.db.close()

    restore(result.path, ops.db.path, secrets)

    with closing(sqlite3.connect(ops.db.path, isolation_level=None)) as conn:
        state = {k: json.loads(v) for k, v in conn.execute("SELECT key, value FROM edge_state")}
    assert state["keys"] == SITE_KEYS and state["site"] == "village-1"


def test_restore_refuses_while_the_database_is_held_and_keeps_the_replaced_one(ops: Operations, tmp_path: Path) -> None:
    for i in range(5):
        ops.issue_ticket("city-hall", service="A101", request_id=f"r-{i}")
    copy = backup(ops.db.path, tmp_path / "five.db").path
    for i in range(5, 8):
        ops.issue_ticket("city-hall", service="A101", request_id=f"r-{i}")
    db = Path(ops.db.path)

    with pytest.raises(DatabaseInUse):
        restore(copy, db)  # the Database of `ops` holds it
    assert count(db) == 8

    ops.db.close()
    done = restore(copy, db)

    assert count(db) == 5
    assert done.aside is not None and count(done.aside) == 8  # the three newer tickets are kept
    assert not Path(f"{db}-wal").exists()  # never a stale WAL beside the restored file
    assert not Path(f"{db}.restoring").exists()
    reopened = Database(db)  # the centre opens it as usual
    assert reopened.query_one("SELECT count(*) FROM tickets")[0] == 5
    reopened.close()


def test_a_damaged_backup_is_refused_and_nothing_changes(ops: Operations, tmp_path: Path) -> None:
    for i in range(30):
        ops.issue_ticket("city-hall", service="A101", request_id=f"d-{i}")
    copy = backup(ops.db.path, tmp_path / "copy.db").path
    ops.db.close()
    damaged = bytearray(copy.read_bytes())
    page = 4096
    damaged[page * 3 : page * 3 + 200] = os.urandom(200)  # a b-tree page overwritten
    copy.write_bytes(bytes(damaged))
    db = Path(ops.db.path)
    before = digest(db)

    with pytest.raises(NotABackup):
        restore(copy, db)

    assert digest(db) == before
    assert not Path(f"{db}.restoring").exists()
    assert not list(tmp_path.glob("*.replaced-*"))


def test_a_file_that_is_not_a_hallqueue_database_is_refused(ops: Operations, tmp_path: Path) -> None:
    other = tmp_path / "other.db"
    with closing(sqlite3.connect(other, isolation_level=None)) as conn:
        conn.execute("CREATE TABLE notes (text TEXT)")
    ops.db.close()
    with pytest.raises(NotABackup, match="not a hallqueue database"):
        restore(other, ops.db.path)


def make_old_database(path: Path, version: int) -> None:
    """A database as an older hallqueue left it: the first `version` migrations only."""
    conn = sqlite3.connect(path, isolation_level=None)
    for number, step in enumerate(MIGRATIONS[:version], start=1):
        step(conn)
        conn.execute(f"PRAGMA user_version={number}")
    conn.execute(
        "INSERT INTO sites (id, name, kind) VALUES ('old-hall', 'Old hall', 'hall')"
    )
    conn.close()


def test_an_older_schema_is_backed_up_before_it_is_migrated(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "old.db"
    make_old_database(path, 9)

    with caplog.at_level(logging.WARNING, logger="hallqueue.storage"):
        db = Database(path)

    copies = list(tmp_path.glob(f"old.db.before-v{len(MIGRATIONS)}-*.bak"))
    assert len(copies) == 1
    assert count(copies[0], "PRAGMA user_version") == 9  # the schema as it was
    assert count(copies[0], "SELECT count(*) FROM sites") == 1
    assert stat.S_IMODE(copies[0].stat().st_mode) == 0o600
    assert db.query_one("PRAGMA user_version")[0] == len(MIGRATIONS)
    assert any(str(copies[0]) in record.getMessage() and "before migrating" in record.getMessage() for record in caplog.records)
    db.close()

    Database(path).close()  # now current: no second backup
    assert len(list(tmp_path.glob("old.db.before-*"))) == 1


def test_a_fresh_database_needs_no_backup(tmp_path: Path) -> None:
    Database(tmp_path / "new.db").close()
    assert not list(tmp_path.glob("*.bak"))
