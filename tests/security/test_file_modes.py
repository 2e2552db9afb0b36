"""The database, its WAL, shared memory and lock files and the server secret are readable
by the centre's user only (0600), in directories we create 0700 — also when they were
found with wider modes (issue 12, personal data: the files hold keyed hashes and masked
names)."""

from __future__ import annotations

import logging
import os
import sqlite3
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from queue_server.settings import secret_for
from queue_server.storage import Database


@pytest.fixture(autouse=True)
def loose_umask() -> Iterator[None]:
    """The usual umask, under which files are created world-readable unless we say so."""
    old = os.umask(0o022)
    yield
    os.umask(old)


def mode(path: Path | str) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def write_something(db: Database) -> None:
    with db.transaction():
        db.conn.execute("INSERT INTO staff (username, password_hash, role, created_at) VALUES ('x', 'y', 'admin', 'z')")


def test_new_files_are_the_owners_only(tmp_path: Path) -> None:
    path = tmp_path / "var" / "lib" / "hallqueue.db"
    db = Database(path)
    write_something(db)  # the WAL and the shared memory exist now
    secret_for({"DB": str(path)})
    for name in ("hallqueue.db", "hallqueue.db-wal", "hallqueue.db-shm", "hallqueue.db.lock", "hallqueue.db.secret"):
        assert (path.parent / name).exists(), name
        assert mode(path.parent / name) == 0o600, name
    assert mode(tmp_path / "var") == 0o700 and mode(tmp_path / "var" / "lib") == 0o700
    assert mode(tmp_path) == 0o755 or mode(tmp_path) == 0o700  # not ours: left as it was
    db.close()


def test_files_found_with_wider_modes_are_tightened_and_logged(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "hallqueue.db"
    older = sqlite3.connect(path)  # an older install: SQLite's default 0644, WAL and SHM alike
    older.execute("PRAGMA journal_mode=WAL")
    older.execute("CREATE TABLE t (x)")
    older.execute("INSERT INTO t VALUES (1)")
    older.commit()  # kept open, so its WAL and SHM stay
    secret = Path(f"{path}.secret")
    secret.write_text("s" * 64)
    Path(f"{path}.lock").touch()
    loose = [path, Path(f"{path}-wal"), Path(f"{path}-shm"), Path(f"{path}.lock"), secret]
    assert all(mode(p) == 0o644 for p in loose)

    with caplog.at_level(logging.WARNING, logger="hallqueue"):
        db = Database(path)
        assert secret_for({"DB": str(path)}) == b"s" * 64
    assert {p.name: mode(p) for p in loose} == {p.name: 0o600 for p in loose}
    logged = caplog.text
    for p in loose:
        assert str(p) in logged and "644" in logged, p.name
    older.close()
    db.close()
