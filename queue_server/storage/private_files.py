"""Files only the centre's own user may read: the database with its WAL, shared-memory
and lock files, and the server secret (mode 0600), in directories we create 0700.

SQLite creates `<db>-wal` and `<db>-shm` with the mode of the database file, so the
database file is created 0600 before SQLite opens it. Files found with wider modes (an
older install, a copy made under a loose umask) are tightened when the centre opens them,
and the change is logged.

How each system keeps a file private lives in `devices.host_system` (on Windows: the ACL
of the data directory, set by the service installer; file modes mean nothing there).
"""

from __future__ import annotations

from pathlib import Path

from devices.host_system import (
    DIRECTORY_MODE,
    FILE_MODE,
    private_directory,
    private_file,
    tighten,
)

__all__ = [
    "DIRECTORY_MODE",
    "FILE_MODE",
    "database_files",
    "private_directory",
    "private_file",
    "tighten",
]


def database_files(path: str | Path) -> list[str]:
    """The database file and the files SQLite and the write lock keep beside it."""
    return [str(path), f"{path}-wal", f"{path}-shm", f"{path}-journal", f"{path}.lock", f"{path}.held"]
