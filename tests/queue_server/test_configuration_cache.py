"""Sites, the catalogue and the offerings kept in memory between changes
(storage/configuration.py): never stale after a change by any writer, never a change that
was rolled back, and no reading of them on an issue once they are kept."""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from pathlib import Path

import pytest

from queue_server.calling.operations import Operations
from queue_server.engine.errors import NotOffered, UnknownService
from queue_server.storage import Database
from queue_server.storage.migrations import CONFIGURATION_TABLES, SITE_CONFIGURATION_COLUMNS
from queue_server.tools.demo import load_demo


@pytest.fixture
def ops(db_path: Path) -> Operations:
    db = Database(db_path)
    load_demo(db)
    return Operations(db, ignore_hours=True)


def token(conn: sqlite3.Connection) -> int:
    return int(conn.execute("SELECT token FROM configuration_token").fetchone()[0])


def test_every_column_of_a_site_but_its_event_count_renews_the_token(db_path: Path) -> None:
    db = Database(db_path)
    load_demo(db)
    conn = sqlite3.connect(db_path, isolation_level=None)
    columns = [row[1] for row in conn.execute("PRAGMA table_info(sites)")]
    # A column added to `sites` later must be added to the trigger too (or named here).
    assert sorted(set(columns) - {"last_seq"}) == sorted(SITE_CONFIGURATION_COLUMNS)
    for column in SITE_CONFIGURATION_COLUMNS:
        before = token(conn)
        conn.execute(f"UPDATE sites SET {column} = {column} WHERE id = 'city-hall'")
        assert token(conn) != before, column
    before = token(conn)
    conn.execute("UPDATE sites SET last_seq = last_seq + 1 WHERE id = 'city-hall'")
    assert token(conn) == before  # every event does this: it is no change of configuration
    conn.close()
    db.close()


@pytest.mark.parametrize("table", CONFIGURATION_TABLES)
def test_any_insert_update_or_delete_of_a_configuration_table_renews_the_token(
    db_path: Path, table: str
) -> None:
    db = Database(db_path)
    load_demo(db)
    conn = sqlite3.connect(db_path, isolation_level=None)
    conn.execute("PRAGMA foreign_keys=OFF")  # a site deleted here alone, with its tickets' rows left
    conn.execute("BEGIN")
    rowid = conn.execute(f"SELECT max(rowid) FROM {table}").fetchone()[0]
    first = conn.execute(f"PRAGMA table_info({table})").fetchone()[1]
    for statement in (
        f"UPDATE {table} SET {first} = {first} WHERE rowid = {rowid}",
        f"CREATE TEMP TABLE copied AS SELECT * FROM {table} WHERE rowid = {rowid}",
        f"DELETE FROM {table} WHERE rowid = {rowid}",
        f"INSERT INTO {table} SELECT * FROM copied",
    ):
        before = token(conn)
        conn.execute(statement)
        if not statement.startswith("CREATE"):
            assert token(conn) != before, statement
    conn.execute("ROLLBACK")
    conn.close()
    db.close()


def test_a_change_by_another_process_is_seen_by_the_next_issue(ops: Operations, db_path: Path) -> None:
    assert ops.issue_ticket("city-hall", service="A101", request_id="1").ticket.number == "A001"
    other = Database(db_path)  # its own connections and its own cache: as another process
    with other.transaction() as store:
        service = store.catalogue.service("A101")
        assert service is not None
        store.catalogue.save_service(replace(service, prefix="Z"))
    assert ops.issue_ticket("city-hall", service="A101", request_id="2").ticket.number == "Z001"

    with other.transaction() as store:
        services, bundles = store.offerings.of("city-hall")
        store.offerings.set("city-hall", [c for c in services if c != "A101"], bundles)
    with pytest.raises(NotOffered):
        ops.issue_ticket("city-hall", service="A101", request_id="3")
    with other.transaction() as store:
        store.offerings.set("city-hall", services, bundles)
    assert ops.issue_ticket("city-hall", service="A101", request_id="4").ticket.number == "Z002"

    with other.transaction() as store:
        site = store.sites.get("city-hall")
        assert site is not None
        store.sites.save(replace(site, timezone="UTC"))
    assert ops.issue_ticket("city-hall", service="A101", request_id="5").site.timezone == "UTC"  # type: ignore[union-attr]
    other.close()


def test_a_change_rolled_back_is_never_taken_for_current(ops: Operations) -> None:
    ops.issue_ticket("city-hall", service="A101", request_id="1")
    with pytest.raises(RuntimeError), ops.db.transaction() as store:
        service = store.catalogue.service("A101")
        assert service is not None
        store.catalogue.save_service(replace(service, prefix="Z"))
        # Read (and kept) inside the transaction, under that transaction's token …
        assert store.configuration.current().service("A101").prefix == "Z"  # type: ignore[union-attr]
        raise RuntimeError("rolled back")
    # … which no later state has: the prefix is the stored one again.
    assert ops.db.store.configuration.current().service("A101").prefix == "A"  # type: ignore[union-attr]
    assert ops.issue_ticket("city-hall", service="A101", request_id="2").ticket.number == "A002"


def test_a_service_added_after_a_miss_is_found(ops: Operations) -> None:
    with pytest.raises(UnknownService):
        ops.issue_ticket("city-hall", service="NEW1", request_id="1")
    with ops.db.transaction() as store:
        service = store.catalogue.service("A101")
        assert service is not None
        store.catalogue.save_service(replace(service, code="NEW1", prefix="N"))
        services, bundles = store.offerings.of("city-hall")
        store.offerings.set("city-hall", [*services, "NEW1"], bundles)
    assert ops.issue_ticket("city-hall", service="NEW1", request_id="2").ticket.number == "N001"


def test_an_issue_reads_neither_site_nor_catalogue_nor_offerings_once_kept(ops: Operations) -> None:
    ops.issue_ticket("city-hall", service="A101", request_id="warm")
    statements: list[str] = []
    ops.db.conn.set_trace_callback(statements.append)
    try:
        ops.issue_ticket("city-hall", service="A101", request_id="measured")
    finally:
        ops.db.conn.set_trace_callback(None)
    reads = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    assert not [s for s in reads if "FROM sites" in s or "FROM services" in s or "site_offerings" in s]
    assert sum("configuration_token" in s for s in reads) == 1
