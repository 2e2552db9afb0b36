"""Storage: migrations, transactions, numbering under several processes."""
from __future__ import annotations

import multiprocessing
import sqlite3
import threading
import time
from pathlib import Path

import pytest

from queue_server.storage import Database
from queue_server.storage.migrations import MIGRATIONS, current_version


def test_schema_created_and_versioned(db_path: Path) -> None:
    db = Database(db_path)
    assert current_version(db.conn) == len(MIGRATIONS)
    assert db.query_one("PRAGMA journal_mode")[0] == "wal"
    tables = {r[0] for r in db.query("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"sites", "services", "bundles", "counters", "tickets", "events", "staff", "devices", "tokens"} <= tables
    db.close()
    # Opening again applies nothing twice.
    assert current_version(Database(db_path).conn) == len(MIGRATIONS)


def test_newer_schema_is_refused(db_path: Path) -> None:
    with sqlite3.connect(db_path) as conn:
        conn.execute(f"PRAGMA user_version={len(MIGRATIONS) + 1}")
    with pytest.raises(RuntimeError, match="newer"):
        Database(db_path)


def test_failed_transaction_leaves_nothing(db_path: Path) -> None:
    db = Database(db_path)
    with pytest.raises(ZeroDivisionError), db.transaction() as conn:
        conn.execute("INSERT INTO sites (id, name, kind) VALUES ('x', 'x', 'hall')")
        raise ZeroDivisionError
    assert db.query_one("SELECT count(*) FROM sites")[0] == 0


def _issue_many(path: str, count: int, worker: int) -> list[str]:
    from queue_server.calling.operations import Operations

    ops = Operations(Database(path), ignore_hours=True)
    return [ops.issue_ticket("city-hall", service="A101", request_id=f"w{worker}-{i}").ticket.number for i in range(count)]


def test_numbers_unique_across_processes(db_path: Path) -> None:
    from queue_server.tools.demo import load_demo

    load_demo(Database(db_path))
    with multiprocessing.get_context("spawn").Pool(4) as pool:
        results = pool.starmap(_issue_many, [(str(db_path), 40, w) for w in range(4)])
    numbers = [n for batch in results for n in batch]
    assert sorted(numbers) == [f"A{i:03d}" for i in range(1, 161)]
    db = Database(db_path)
    seqs = [r[0] for r in db.query("SELECT seq FROM events WHERE site_id = 'city-hall' ORDER BY seq")]
    assert seqs == list(range(1, 161))


def _hold_the_write_lock(path: str, held, release) -> None:  # type: ignore[no-untyped-def]
    db = Database(path)
    with db.write_lock:
        held.set()
        release.wait(10)
    db.close()


def test_the_write_lock_excludes_other_processes_and_wakes_at_once(db_path: Path) -> None:
    # Another process holds the writer's lock: this one waits for it, not for SQLite's
    # busy handler (which sleeps up to 100 ms between tries), and gets it the moment it goes.
    db = Database(db_path)
    ctx = multiprocessing.get_context("spawn")
    held, release = ctx.Event(), ctx.Event()
    other = ctx.Process(target=_hold_the_write_lock, args=(str(db_path), held, release))
    other.start()
    try:
        assert held.wait(20)
        got = threading.Event()

        def write() -> None:
            with db.transaction() as conn:
                conn.execute("INSERT INTO sites (id, name, kind) VALUES ('x', 'x', 'hall')")
            got.set()

        writer = threading.Thread(target=write)
        writer.start()
        time.sleep(0.5)
        assert not got.is_set()  # still waiting for the other process
        released_at = time.monotonic()
        release.set()
        writer.join(10)
        assert got.is_set() and time.monotonic() - released_at < 0.2
        assert db.query_one("SELECT count(*) FROM sites")[0] == 1
        # Re-entrant within a thread, as the push backlog read under a batch needs.
        with db.write_lock, db.write_lock:
            pass
    finally:
        release.set()
        other.join(10)
        db.close()
