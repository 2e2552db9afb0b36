"""The database file: connections, pragmas, write transactions, and each thread's `Store`.

sqlite-utils' `db.atomic()` begins a plain deferred `BEGIN`; under several writers
that fails with "database is locked" (../shared/STACK.md). So connections are opened
here with `isolation_level=None` and every change runs in an explicit
`BEGIN IMMEDIATE … COMMIT`, serialised within the process and across processes by
one `WriteLock` (a thread lock and a file lock on `<database>.lock`: `flock` on Linux,
`msvcrt.locking` on Windows, see `devices.host_system.FileLock`).
"""

from __future__ import annotations

import sqlite3
import threading
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlite_utils

from devices.host_system import FileLock
from queue_server.storage.backup import before_migrating
from queue_server.storage.configuration import ConfigurationCache
from queue_server.storage.holding import Hold
from queue_server.storage.migrations import migrate
from queue_server.storage.private_files import (
    database_files,
    private_directory,
    private_file,
    tighten,
)
from queue_server.storage.store import Store

POOL_SIZE = 32


class WriteLock:
    """The one writer: a re-entrant lock for this process's threads, and while it is held
    an exclusive file lock on `<database>.lock` for the other processes on the same file.

    Without the file lock a second process waiting for SQLite's own write lock sleeps in
    SQLite's busy handler (1, 2, 5, 10 … ms between tries) and two processes issued no more
    than one; a blocked `flock` wakes the moment the holder lets go (on Windows the lock is
    polled, at most 20 ms late: `FileLock`).
    """

    def __init__(self, path: str | None) -> None:
        self._threads = threading.RLock()
        self._depth = 0
        self._file = FileLock(path) if path else None

    def __enter__(self) -> WriteLock:
        self._threads.acquire()
        if self._depth == 0 and self._file is not None:
            try:
                self._file.acquire()
            except BaseException:
                self._threads.release()
                raise
        self._depth += 1
        return self

    def __exit__(self, *_: object) -> None:
        self._depth -= 1
        if self._depth == 0 and self._file is not None:
            self._file.release()
        self._threads.release()

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None


class _Lease:
    """A thread's hold on a pooled connection; handed back when the thread ends.

    Web servers start a thread per request or per connection: opening (and leaking)
    a connection for each would cost a millisecond and a few hundred kilobytes every time.
    """

    def __init__(self, db: Database, conn: sqlite3.Connection, store: Store) -> None:
        self.db = db
        self.conn = conn
        self.store = store
        self.utils: sqlite_utils.Database | None = None

    def __del__(self) -> None:
        self.db._give_back(self.conn, self.store)


class Database:
    def __init__(
        self, path: str | Path, synchronous: str = "FULL", busy_timeout_s: float = 10.0
    ) -> None:
        self.path = str(path)
        self.synchronous = synchronous.upper()
        self.busy_timeout_s = busy_timeout_s
        self._local = threading.local()
        # Each pooled connection with its store, which is made once, with the connection.
        self._pool: list[tuple[sqlite3.Connection, Store]] = []
        self._pool_lock = threading.Lock()
        # What the stores keep of the sites and the catalogue, shared by this process's threads.
        self._configuration = ConfigurationCache()
        self._open: weakref.WeakSet[_Lease] = weakref.WeakSet()
        self._closed = False
        self._before_closing: list[Callable[[], None]] = []
        # Held from BEGIN IMMEDIATE through COMMIT *and* the push that follows, so
        # events leave this process in sequence order.
        self._hold: Hold | None = None
        if self.path != ":memory:":
            private_directory(Path(self.path).parent)
            # Held until close: a restore refuses while it is; made while a restore runs, it
            # waits (before the file is touched: the restore is swapping it).
            self._hold = Hold(self.path)
            self._make_private()
        self.write_lock = WriteLock(self.path + ".lock" if self.path != ":memory:" else None)
        with self.write_lock:
            if self.path != ":memory:":
                before_migrating(self.path, self.conn)
            migrate(self.conn)
        if self.path != ":memory:":
            for path in database_files(self.path):  # the WAL and SHM SQLite just made
                tighten(path)

    def _make_private(self) -> None:
        """The database and the files beside it readable by the owner only (PIPL: the
        file holds keyed hashes and masked names): created 0600 before SQLite opens it,
        so its WAL and SHM inherit the mode; wider modes found are tightened and logged."""
        private_directory(Path(self.path).parent)
        private_file(self.path)
        for path in database_files(self.path)[1:]:
            tighten(path)

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

    def _lease(self) -> _Lease:
        lease: _Lease | None = getattr(self._local, "lease", None)
        if lease is None:
            if self._closed:  # a worker left behind must not hold the file open again
                raise sqlite3.ProgrammingError(f"the database {self.path} was closed")
            with self._pool_lock:
                pooled = self._pool.pop() if self._pool else None
            if pooled is None:
                conn = self._connect()
                pooled = conn, Store(conn, self._configuration)
            lease = _Lease(self, *pooled)
            self._local.lease = lease
            self._open.add(lease)
        return lease

    def _give_back(self, conn: sqlite3.Connection, store: Store) -> None:
        with self._pool_lock:
            if not self._closed and len(self._pool) < POOL_SIZE:
                self._pool.append((conn, store))
                return
        conn.close()

    @property
    def conn(self) -> sqlite3.Connection:
        """This thread's connection (sqlite3 connections are not shared between threads)."""
        return self._lease().conn

    @property
    def store(self) -> Store:
        """The repositories over this thread's connection: reads see what is committed;
        changes go through `transaction()` (or `Operations.commit`)."""
        return self._lease().store

    @property
    def utils(self) -> sqlite_utils.Database:
        """sqlite-utils over this thread's connection, for table helpers and queries."""
        lease = self._lease()
        if lease.utils is None:
            lease.utils = sqlite_utils.Database(lease.conn)
        return lease.utils

    @contextmanager
    def transaction(self) -> Iterator[Store]:
        """One `BEGIN IMMEDIATE` transaction over this thread's store: commit on success,
        roll back on any error."""
        store = self.store
        with self.write_lock:
            store.begin()
            try:
                yield store
            except BaseException:
                store.rollback()
                raise
            store.commit()

    @contextmanager
    def reading(self) -> Iterator[Store]:
        """One read snapshot (a deferred `BEGIN`, no write lock): every read through the
        store inside sees the same committed state, while writers go on."""
        store = self.store
        store.begin_read()
        try:
            yield store
        finally:
            store.commit()

    def query(self, sql: str, params: tuple | dict = ()) -> list[sqlite3.Row]:
        return self.conn.execute(sql, params).fetchall()

    def answers(self) -> bool:
        """The liveness check: the file opens and a statement runs."""
        return self.conn.execute("SELECT 1").fetchone() is not None

    def query_one(self, sql: str, params: tuple | dict = ()) -> sqlite3.Row | None:
        return self.conn.execute(sql, params).fetchone()

    @property
    def closed(self) -> bool:
        """Whether `close` was called: a worker still running stops instead of reopening it."""
        return self._closed

    def before_closing(self, stop: Callable[[], None]) -> None:
        """Have `close` call `stop` first: a worker's thread ends before its connection does
        (a connection closed under a statement running on another thread can crash SQLite)."""
        self._before_closing.append(stop)

    def close(self) -> None:
        if self._closed:
            return
        for stop in self._before_closing:
            stop()
        with self._pool_lock:
            self._closed = True
            pooled, self._pool = self._pool, []
        for conn in [conn for conn, _ in pooled] + [lease.conn for lease in list(self._open)]:
            try:
                conn.close()
            except sqlite3.Error:
                pass
        self.write_lock.close()
        if self._hold is not None:
            self._hold.release()
        self._local = threading.local()
