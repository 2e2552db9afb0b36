"""Files only the centre's own user may read: the database with its WAL, shared-memory
and lock files, and the server secret (mode 0600), in directories we create 0700.

SQLite creates `<db>-wal` and `<db>-shm` with the mode of the database file, so the
database file is created 0600 before SQLite opens it. Files found with wider modes (an
older install, a copy made under a loose umask) are tightened when the centre opens them,
and the change is logged.
"""

from __future__ import annotations

import logging
import os
import stat
from pathlib import Path

log = logging.getLogger("hallqueue.storage")

FILE_MODE = 0o600
DIRECTORY_MODE = 0o700


def private_directory(path: str | Path) -> None:
    """Create `path` and any missing parents with mode 0700 (existing ones are left as
    they are: `/var/lib` is not ours to change)."""
    path = Path(path)
    missing = []
    while not path.exists():
        missing.append(path)
        if path.parent == path:
            break
        path = path.parent
    for directory in reversed(missing):
        try:
            directory.mkdir(mode=DIRECTORY_MODE)
        except FileExistsError:  # another process made it first
            continue
        os.chmod(directory, DIRECTORY_MODE)  # mkdir's mode is filtered by the umask


def tighten(path: str | Path) -> None:
    """Make an existing file readable and writable by its owner only; log if it was not."""
    try:
        mode = stat.S_IMODE(os.stat(path).st_mode)
    except FileNotFoundError:
        return
    if mode & ~FILE_MODE:
        os.chmod(path, FILE_MODE)
        log.warning("%s was readable by others (mode %03o): set to %03o", path, mode, FILE_MODE)


def private_file(path: str | Path) -> None:
    """Create `path` empty with mode 0600 if it does not exist, else tighten it."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    except FileExistsError:
        tighten(path)
    else:
        os.close(fd)


def database_files(path: str | Path) -> list[str]:
    """The database file and the files SQLite and the write lock keep beside it."""
    return [str(path), f"{path}-wal", f"{path}-shm", f"{path}-journal", f"{path}.lock", f"{path}.held"]
