"""The database file: connections, pragmas and write transactions.

sqlite-utils' `db.atomic()` begins a plain deferred `BEGIN`; under several writers
that fails with "database is locked" (../shared/STACK.md). So connections are opened
here with `isolation_level=None` and every change runs in an explicit
`BEGIN IMMEDIATE … COMMIT`, serialised within the process by one lock and across
processes by SQLite's own write lock.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

import sqlite_utils

from .migrations import migrate

T = TypeVar("T")


class Database:
    def __init__(
        self, path: str | Path, synchronous: str = "FULL", busy_timeout_s: float = 10.0
    ) -> None:
        self.path = str(path)
        self.synchronous = synchronous.upper()
        self.busy_timeout_s = busy_timeout_s
        self._local = threading.local()
        self._all: list[sqlite3.Connection] = []
        self._all_lock = threading.Lock()
        # Held from BEGIN IMMEDIATE through COMMIT *and* the push that follows, so
        # events leave this process in sequence order.
        self.write_lock = threading.RLock()
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        with self.write_lock:
            migrate(self.conn)

    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(
            self.path, isolation_level=None, timeout=self.busy_timeout_s, check_same_thread=False
        )
        conn.row_factory = sqlite3.Row
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute(f"PRAGMA synchronous={self.synchronous}")
        conn.execute("PRAGMA foreign_keys=ON")
        conn.execute(f"PRAGMA busy_timeout={int(self.busy_timeout_s * 1000)}")
        return conn

    @property
    def conn(self) -> sqlite3.Connection:
        """This thread's connection (sqlite3 connections are not shared between threads)."""
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._connect()
            self._local.conn = conn
            with self._all_lock:
                self._all.append(conn)
        return conn

    @property
    def utils(self) -> sqlite_utils.Database:
        """sqlite-utils over this thread's connection, for table helpers and queries."""
        wrapped = getattr(self._local, "utils", None)
        if wrapped is None:
            wrapped = sqlite_utils.Database(self.conn)
            self._local.utils = wrapped
        return wrapped

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One `BEGIN IMMEDIATE` transaction: commit on success, roll back on any error."""
        conn = self.conn
        with self.write_lock:
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")

    def write(self, work: Callable[[sqlite3.Connection], T]) -> T:
        with self.transaction() as conn:
            return work(conn)

    def query(self, sql: str, params: tuple | dict = ()) -> list[sqlite3.Row]:
        return self.conn.execute(sql, params).fetchall()

    def query_one(self, sql: str, params: tuple | dict = ()) -> sqlite3.Row | None:
        return self.conn.execute(sql, params).fetchone()

    def close(self) -> None:
        with self._all_lock:
            for conn in self._all:
                try:
                    conn.close()
                except sqlite3.Error:
                    pass
            self._all.clear()
        self._local = threading.local()
