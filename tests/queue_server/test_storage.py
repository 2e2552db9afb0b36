"""Storage: migrations, transactions, numbering under several processes."""
from __future__ import annotations

import multiprocessing
import sqlite3
import threading
import time
from pathlib import Path

import pytest

from queue_server.engine.errors import ProxyCapReached
from queue_server.people import proxies
from queue_server.storage import Database, migrations
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


# A hall's register as the release before the rename kept it: people who take tickets for
# others in `agents`, the tickets they took carrying `agent_id`, their audit rows of kind `agent`.
OLD_AGENTS = [
    ("ag-card", "city-hall", "司马**", "registered", None, "f" * 64, 2, 1, "2026-03-01T08:00:00+00:00"),
    ("ag-staff", "city-hall", "窗口代办", "staff", "clerk", None, 5, 1, "2026-03-01T08:05:00+00:00"),
    ("ag-off", "city-hall", "王*", "registered", None, "e" * 64, 9, 0, "2026-02-01T08:00:00+00:00"),
]
OLD_TICKETS = [  # (id, seq, taken by)
    ("t1", 1, "ag-card"), ("t2", 2, "ag-card"), ("t3", 3, "ag-staff"), ("t4", 4, None),
]


def _made_before_the_rename(db_path: Path, monkeypatch: pytest.MonkeyPatch) -> int:
    """A database at the schema version just before `proxies_not_agents`, holding OLD_*."""
    version = MIGRATIONS.index(migrations.proxies_not_agents)
    monkeypatch.setattr(migrations, "MIGRATIONS", MIGRATIONS[:version])
    old = Database(db_path)
    with old.transaction():
        conn = old.conn
        assert current_version(conn) == version
        conn.execute("INSERT INTO sites (id, name, kind) VALUES ('city-hall', '市政务服务中心', 'hall')")
        conn.executemany("INSERT INTO agents VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", OLD_AGENTS)
        conn.executemany(
            """INSERT INTO tickets (id, site_id, day, prefix, seq_no, number, service, channel, priority,
                                    status, issued_at, queued_at, agent_id)
               VALUES (?, 'city-hall', '2026-03-02', 'A', ?, 'A00' || ?, 'A101', 'staff', 'ordinary',
                       'waiting', '2026-03-02T01:00:00+00:00', '2026-03-02T01:00:00+00:00', ?)""",
            [(id_, seq, seq, by) for id_, seq, by in OLD_TICKETS],
        )
        conn.executemany(
            """INSERT INTO audit_log (id, at, actor, action, kind, target, site_id, after)
               VALUES (?, '2026-03-01T08:00:00+00:00', 'admin', 'create', ?, ?, 'city-hall', '{}')""",
            [("log-card", "agent", "ag-card"), ("log-staff", "agent", "ag-staff"), ("log-site", "site", "city-hall")],
        )
    old.close()
    monkeypatch.undo()
    return version


def test_an_upgrade_keeps_every_proxy_and_the_tickets_they_took(db_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    version = _made_before_the_rename(db_path, monkeypatch)
    db = Database(db_path)
    conn = db.conn
    assert version < current_version(conn) == len(MIGRATIONS)

    assert [tuple(row) for row in conn.execute("SELECT * FROM proxies ORDER BY created_at DESC")] == sorted(
        OLD_AGENTS, key=lambda row: row[-1], reverse=True
    )
    taken = {row["id"]: row["proxy_id"] for row in conn.execute("SELECT id, proxy_id FROM tickets")}
    assert taken == {id_: by for id_, _, by in OLD_TICKETS}
    assert {row[0]: row[1] for row in conn.execute("SELECT id, kind FROM audit_log")} == {
        "log-card": "proxy", "log-staff": "proxy", "log-site": "site",
    }

    # The old names are gone from the schema: tables, columns and indexes.
    schema = conn.execute("SELECT group_concat(name || ' ' || coalesce(sql, ''), ' ') FROM sqlite_master").fetchone()[0]
    assert "agent" not in schema.lower()
    indexes = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
    assert {"tickets_proxy_day", "proxies_person", "proxies_username"} <= indexes

    # And the register works as before: the staff member is found, the card holder's two
    # tickets of the day reach their cap of two, a ticket loads with who took it.
    store = db.store
    staff = proxies.proxy_for(store, "city-hall", username="clerk")
    assert staff is not None and staff.id == "ag-staff"
    proxies.check_cap(store, staff, "2026-03-02")
    card = proxies.proxy_for(store, "city-hall", proxy_id="ag-card")
    assert card is not None
    with pytest.raises(ProxyCapReached):
        proxies.check_cap(store, card, "2026-03-02")
    ticket = store.tickets.get("t3")
    assert ticket is not None and ticket.proxy_id == "ag-staff"
    db.close()


def test_failed_transaction_leaves_nothing(db_path: Path) -> None:
    db = Database(db_path)
    with pytest.raises(ZeroDivisionError), db.transaction():
        db.conn.execute("INSERT INTO sites (id, name, kind) VALUES ('x', 'x', 'hall')")
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
            with db.transaction():
                db.conn.execute("INSERT INTO sites (id, name, kind) VALUES ('x', 'x', 'hall')")
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


def test_a_new_database_knows_the_national_calendar_and_the_demo_market_day(tmp_path: Path) -> None:
    """Seeded from chinesecalendar at creation: the hall (open on Saturdays) is closed all
    Golden Week, Saturday included, and works the make-up Saturday; the demo village has
    its market day two weeks or more ahead."""
    from datetime import date, timedelta

    from queue_server.engine import hours
    from queue_server.tools.demo import MARKET_VILLAGE, add_market_day, load_demo

    db = Database(tmp_path / "calendar.db")
    load_demo(db)
    national = {d.day: d for d in db.store.opening_days.national(2026)}
    assert national[date(2026, 10, 3)].kind == "holiday"  # a Saturday inside the holiday
    assert national[date(2026, 10, 10)].kind == "workday" and national[date(2026, 10, 10)].hours_of == "mon"
    assert all(d.kind == "holiday" or d.day.weekday() >= 5 for d in national.values())
    assert len(db.store.opening_days.national(2025)) > 20
    hall = db.store.sites.get("city-hall")
    assert hall is not None
    assert [hours.day_spans(hall, date(2026, 10, d)) for d in range(1, 8)] == [[]] * 7
    assert hours.day_spans(hall, date(2026, 10, 10)) == hours.day_spans(hall, date(2026, 10, 12))
    today = date(2026, 11, 2)
    market = add_market_day(db, today)
    assert market is not None and market >= today + timedelta(days=14)
    village = db.store.sites.get(MARKET_VILLAGE)
    assert village is not None and hours.day_spans(village, market) == []
    assert market == date(2026, 11, 16)  # two weeks on is a Monday, open by its hours
