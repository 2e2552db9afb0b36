"""Who holds a database file open: every open `Database` takes a shared `flock` on
`<db>.held`, and a restore takes it exclusively, so it cannot replace a file a centre (or a
command) is using, and a centre started during a restore waits for it to finish.

A separate file from `<db>.lock` (the write lock): flock locks belong to an open file, and a
process that holds the database open would otherwise block its own writes.
"""

from __future__ import annotations

import os

from devices.host_system import WINDOWS, system_of
from queue_server.storage.private_files import FILE_MODE


class DatabaseInUse(Exception):
    """A centre or a command holds the database open."""


def held_path(db_path: str) -> str:
    return f"{db_path}.held"


class Hold:
    """A shared (`exclusive=False`) or exclusive hold on a database file, until `release`."""

    def __init__(self, db_path: str, exclusive: bool = False, *, system: str | None = None) -> None:
        self._fd: int | None = os.open(held_path(db_path), os.O_RDWR | os.O_CREAT, FILE_MODE)
        if system_of(system) == WINDOWS:
            # msvcrt has no shared lock; Windows itself refuses to rename a database file
            # that a centre has open, which the restore says as DatabaseInUse.
            return
        import fcntl

        try:
            if exclusive:  # a restore: refuse at once rather than wait for a centre to stop
                fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            else:  # a centre or a command: wait while a restore runs
                fcntl.flock(self._fd, fcntl.LOCK_SH)
        except BlockingIOError:
            self.release()
            raise DatabaseInUse(db_path) from None
        except BaseException:
            self.release()
            raise

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def __del__(self) -> None:  # a Database never closed still frees its descriptor
        if getattr(self, "_fd", None) is not None:
            self.release()

    def __enter__(self) -> Hold:
        return self

    def __exit__(self, *_: object) -> None:
        self.release()
