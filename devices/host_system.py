"""What differs between the systems hallqueue runs on (Linux, Windows 10/11), in one place:
replacing a file durably, owner-only files and directories, a lock other processes respect,
and the signals that ask a process to stop.

Every function takes the system as a keyword (``system=WINDOWS`` or ``POSIX``; by default
the one running, read from :data:`SYSTEM` at call time), so the Windows branches run in
the tests on Linux. The one thing that cannot run here, ``msvcrt``, is imported only when
a Windows branch needs it. Standard library only: the kiosk, the sign agent and the centre
all import it, none of them through a driver.
"""

from __future__ import annotations

import errno
import importlib
import logging
import os
import signal
import stat
import time
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

log = logging.getLogger("hallqueue.host")

POSIX, WINDOWS = "posix", "windows"
SYSTEM = WINDOWS if os.name == "nt" else POSIX

FILE_MODE = 0o600
DIRECTORY_MODE = 0o700

# Windows opens files in text mode unless told otherwise (os.write would turn \n into \r\n);
# the flag does not exist elsewhere, where every file is binary.
_BINARY = getattr(os, "O_BINARY", 0)

# A rename onto a file that another process holds open without FILE_SHARE_DELETE (an
# antivirus scan, the search indexer, a backup agent) fails on Windows with "access denied"
# for as long as that process keeps it, usually milliseconds.
REPLACE_TRIES = 20
REPLACE_PAUSE = 0.05


def system_of(system: str | None) -> str:
    """``system`` if given, else the running one; anything else is a programming error."""
    chosen = SYSTEM if system is None else system
    if chosen not in (POSIX, WINDOWS):
        raise ValueError(f"unknown system {chosen!r}")
    return chosen


# --- durable replacement ----------------------------------------------------------------


def replace_durably(
    path: str | Path, data: bytes, *, tmp: str | Path | None = None, system: str | None = None
) -> None:
    """Put ``data`` at ``path`` so that after a power cut the file holds either its old
    content or all of ``data``: write a temporary file, flush it to the disk, rename it
    over ``path``, and make the rename itself durable."""
    path = Path(path)
    tmp = Path(tmp) if tmp is not None else path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | _BINARY, FILE_MODE)
    try:
        view = memoryview(data)
        while view:  # os.write may take less than it is given
            view = view[os.write(fd, view) :]
        os.fsync(fd)  # Windows: _commit → FlushFileBuffers
    finally:
        os.close(fd)
    if system_of(system) == WINDOWS:
        _retrying(lambda: os.replace(tmp, path))
        # There is no fsync of a directory on Windows: os.open refuses a directory (it
        # takes CreateFile with FILE_FLAG_BACKUP_SEMANTICS), and it is not how NTFS works.
        # NTFS journals a rename as one metadata transaction, so after a crash the name
        # points at the old file or the new one, never at a torn one; what may be lost is
        # a rename whose log record had not reached the disk yet. Flushing the renamed
        # file (FlushFileBuffers needs a handle open for writing) makes NTFS write its log
        # up to that file's last change, which is the rename. The content is already safe:
        # a scanner that keeps the file from us only costs that last step, so it is logged.
        try:
            _retrying(lambda: _fsync_file(path, os.O_RDWR | _BINARY))
        except PermissionError as exc:
            log.warning("%s renamed but not flushed (held by another program): %s", path, exc)
    else:
        os.replace(tmp, path)
        # On Linux the new name lives in the directory: sync the directory too, or a
        # power cut can bring back the old name after save() returned.
        _fsync_file(path.parent, os.O_RDONLY)


def sync_directory(path: str | Path, *, system: str | None = None) -> None:
    """Make the names in a directory durable (a rename just made in it). POSIX: fsync the
    directory. Windows: nothing to do and nothing that could be done (see replace_durably)."""
    if system_of(system) == POSIX:
        _fsync_file(Path(path), os.O_RDONLY)


def _retrying(step: Callable[[], None]) -> None:
    """``step``, tried again while another program holds the file (Windows says "access
    denied" for that), for up to a second."""
    for attempt in range(REPLACE_TRIES):
        try:
            step()
            return
        except PermissionError:
            if attempt == REPLACE_TRIES - 1:
                raise
            time.sleep(REPLACE_PAUSE)


def _fsync_file(path: Path, flags: int) -> None:
    fd = os.open(path, flags)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


# --- owner-only files ---------------------------------------------------------------------
#
# POSIX: mode 0600 for files and 0700 for directories we create, and files found wider are
# tightened (and logged). Windows has no such bits: os.chmod only sets or clears the
# read-only attribute and st_mode says 0o666 for every writable file whoever may read it.
# Who may read a file is its ACL, inherited from the directory it is created in: the
# service installer (queue_server/deploy/windows/install-service.ps1) gives the data
# directory an ACL of SYSTEM and Administrators only, and what the centre or the kiosk
# creates inside inherits it. The runtime does not check ACLs (that needs the Win32
# security API, not in the standard library); docs/windows.md says so.


def private_directory(path: str | Path, *, system: str | None = None) -> None:
    """Create ``path`` and any missing parents, owner-only where the system has modes
    (existing ones are left as they are: ``/var/lib`` is not ours to change)."""
    windows = system_of(system) == WINDOWS
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
        if not windows:
            os.chmod(directory, DIRECTORY_MODE)  # mkdir's mode is filtered by the umask


def tighten(path: str | Path, *, system: str | None = None) -> None:
    """Make an existing file readable and writable by its owner only; log if it was not.
    On Windows the mode says nothing about readers (see above): nothing to do."""
    if system_of(system) == WINDOWS:
        return
    try:
        mode = stat.S_IMODE(os.stat(path).st_mode)
    except FileNotFoundError:
        return
    if mode & ~FILE_MODE:
        os.chmod(path, FILE_MODE)
        log.warning("%s was readable by others (mode %03o): set to %03o", path, mode, FILE_MODE)


def private_file(path: str | Path, *, system: str | None = None) -> None:
    """Create ``path`` empty and owner-only if it does not exist, else tighten it."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _BINARY, FILE_MODE)
    except FileExistsError:
        tighten(path, system=system)
    else:
        os.close(fd)


# --- a lock between processes ---------------------------------------------------------------

LOCK_POLL_FIRST = 0.001
LOCK_POLL_MAX = 0.02


class FileLock:
    """An exclusive, blocking lock on a file, respected by other processes (not by other
    threads of this one: callers hold a thread lock around it).

    POSIX: ``flock`` on the whole file; a waiter wakes the moment the holder lets go.
    Windows: ``msvcrt.locking`` on the file's first byte. Its blocking mode (LK_LOCK) tries
    once a second and gives up after ten, so the lock is polled without blocking instead,
    every 1 ms growing to 20 ms: a waiter starts at most 20 ms late.
    """

    def __init__(self, path: str | Path, *, system: str | None = None) -> None:
        self.path = str(path)
        self.system = system_of(system)
        self._fd: int | None = os.open(self.path, os.O_RDWR | os.O_CREAT | _BINARY, FILE_MODE)

    def _fileno(self) -> int:
        if self._fd is None:
            raise ValueError(f"lock {self.path} is closed")
        return self._fd

    def acquire(self) -> None:
        if self.system == POSIX:
            _flock(self._fileno(), hold=True)
        else:
            _windows_lock(self._fileno())

    def release(self) -> None:
        if self.system == POSIX:
            _flock(self._fileno(), hold=False)
        else:
            _windows_unlock(self._fileno())

    def close(self) -> None:
        fd, self._fd = self._fd, None
        if fd is not None:
            os.close(fd)  # the system lets go of a lock still held

    def __del__(self) -> None:  # a lock never closed (a Database left open) frees its descriptor
        if getattr(self, "_fd", None) is not None:
            self.close()


def _flock(fd: int, *, hold: bool) -> None:
    import fcntl  # POSIX only

    fcntl.flock(fd, fcntl.LOCK_EX if hold else fcntl.LOCK_UN)


def _windows_lock(fd: int) -> None:
    msvcrt = _msvcrt()
    pause = LOCK_POLL_FIRST
    while True:
        os.lseek(fd, 0, os.SEEK_SET)  # msvcrt locks from the file position
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
            return
        except OSError as exc:
            if exc.errno not in (errno.EACCES, errno.EDEADLK, errno.EAGAIN):
                raise
        time.sleep(pause)
        pause = min(pause * 2, LOCK_POLL_MAX)


def _windows_unlock(fd: int) -> None:
    msvcrt = _msvcrt()
    os.lseek(fd, 0, os.SEEK_SET)
    msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)


def _msvcrt() -> ModuleType:
    """The Windows C runtime's module (a test on Linux puts a stand-in in sys.modules)."""
    return importlib.import_module("msvcrt")


# --- asking a process to stop -------------------------------------------------------------


def stop_signals(*, system: str | None = None) -> tuple[str, ...]:
    """The signals that mean "stop cleanly".

    POSIX: SIGTERM (systemd's stop) and SIGINT (Ctrl-C). Windows has no SIGTERM from
    outside (only ``signal.raise_signal`` in the process itself): a service wrapper such
    as WinSW stops its process with a console Ctrl+C (SIGINT), some with Ctrl+Break
    (SIGBREAK, which Python's default would end without cleaning up).
    """
    if system_of(system) == WINDOWS:
        return ("SIGINT", "SIGBREAK", "SIGTERM")
    return ("SIGTERM", "SIGINT")


def on_stop(handler: Callable[[int, Any], None], *, system: str | None = None) -> list[str]:
    """Call ``handler`` on each stop signal this interpreter knows; returns their names."""
    installed = []
    for name in stop_signals(system=system):
        number = getattr(signal, name, None)
        if number is None:  # SIGBREAK exists only in Windows' Python
            continue
        signal.signal(number, handler)
        installed.append(name)
    return installed
