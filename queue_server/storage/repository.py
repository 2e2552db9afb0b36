"""What every repository shares: the one connection it works on, and the row type it reads.

A repository is a small class over one connection, one per aggregate or concern
(`sites`, `tickets`, `events` …). It holds every statement about its tables and answers
engine records (`Site`, `Ticket`), plain values, or rows; it never opens or ends a
transaction: whoever holds the `Store` it belongs to does.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Collection
from typing import Any, TypeVar

from queue_server.storage.records import Layout

Connection = sqlite3.Connection
# A row read by name (`row["site_id"]`): what a repository answers where no record type fits.
Row = sqlite3.Row
R = TypeVar("R")


class Repository:
    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def _row(self, sql: str, *params: Any) -> Row | None:
        """The first row the query answers, if any."""
        return self._conn.execute(sql, params).fetchone()

    def _rows(self, sql: str, *params: Any) -> list[Row]:
        return self._conn.execute(sql, params).fetchall()

    def _record(self, layout: Layout[R], sql: str, *params: Any) -> R | None:
        """The record in the first row the query answers, if any."""
        row = self._conn.execute(sql, params).fetchone()
        return layout.from_row(row) if row else None

    def _records(self, layout: Layout[R], sql: str, *params: Any) -> list[R]:
        return [layout.from_row(row) for row in self._conn.execute(sql, params)]


def marks(values: Collection[object]) -> str:
    """`?, ?, ?` for an `IN (…)` of these values (`NULL` for none, which matches nothing)."""
    return ", ".join("?" for _ in values) or "NULL"


def upsert(conn: Connection, table: str, key: str, row: dict[str, Any]) -> None:
    """Insert the row, or update every other column of the row with the same `key`.

    Written out rather than sqlite-utils' `upsert`: that one inspects the schema on each
    call and, once per connection, creates and drops a table to learn what SQLite can do,
    inside the caller's transaction; this is one statement."""
    columns = ", ".join(row)
    names = ", ".join(f":{k}" for k in row)
    updates = ", ".join(f"{k}=:{k}" for k in row if k != key)
    conn.execute(
        f"INSERT INTO {table} ({columns}) VALUES ({names}) ON CONFLICT ({key}) DO UPDATE SET {updates}",
        row,
    )
