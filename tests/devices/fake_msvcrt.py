"""A stand-in for Windows' ``msvcrt`` module, for the one thing that cannot run on Linux.

``msvcrt.locking(fd, mode, n)`` locks (or unlocks) ``n`` bytes from the file's current
position, and a lock another process holds makes LK_NBLCK fail with EACCES. This does the
same with POSIX byte-range locks (``lockf``), so a test of the Windows branch still has two
real processes contend for a real lock. Only what ``devices.host_system`` uses is here.
"""

from __future__ import annotations

import errno
import fcntl
import os

LK_UNLCK = 0
LK_LOCK = 1
LK_NBLCK = 2

calls: list[tuple[int, int]] = []  # (mode, nbytes) of every call, for tests to look at


def locking(fd: int, mode: int, nbytes: int) -> None:
    calls.append((mode, nbytes))
    if mode == LK_UNLCK:
        fcntl.lockf(fd, fcntl.LOCK_UN, nbytes, 0, os.SEEK_CUR)
        return
    if mode != LK_NBLCK:
        raise ValueError(f"mode {mode} is not used by hallqueue")
    try:
        fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB, nbytes, 0, os.SEEK_CUR)
    except OSError as exc:  # Windows' CRT says EACCES for "locked by someone else"
        raise OSError(errno.EACCES, "Permission denied") from exc
