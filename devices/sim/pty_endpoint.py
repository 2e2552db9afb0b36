"""The device end of a pseudo-terminal, which can be "unplugged" and "plugged" again.

The driver opens the slave side by path; the simulator reads and writes the master.
With ``link`` the slave is also reachable through a stable symlink that survives a
replug (the new pty gets a new ``/dev/pts/N``; the link is re-pointed atomically), the
way a udev ``/dev/serial/by-id/…`` name survives a USB replug.
"""

from __future__ import annotations

import contextlib
import errno
import os
import select
import threading


class PtyEndpoint:
    def __init__(self, link: str | None = None) -> None:
        self.link = link
        self.master: int | None = None
        self._slave: int | None = None
        self.slave_name: str | None = None
        # Reads and close() exclude each other, so a read never lands on a descriptor
        # number that was closed and reused by an unrelated file meanwhile.
        self._io_lock = threading.Lock()

    @property
    def path(self) -> str:
        """The path a driver should open: the link if any, else the slave."""
        if self.link:
            return self.link
        if self.slave_name is None:
            raise RuntimeError("pty is not open")
        return self.slave_name

    @property
    def is_open(self) -> bool:
        return self.master is not None

    def open(self) -> str:
        if self.master is not None:
            return self.path
        if not hasattr(os, "openpty"):  # Windows: no ptys (docs/windows.md)
            raise OSError("the device simulators need a pty: run them on Linux or macOS")
        import tty  # POSIX only (termios): imported here so this module imports on Windows

        master, slave = os.openpty()
        # Raw on both sides: no echo, no CR/LF translation, bytes pass through as-is.
        tty.setraw(master)
        tty.setraw(slave)
        os.set_blocking(master, False)
        self.master, self._slave = master, slave
        self.slave_name = os.ttyname(slave)
        if self.link:
            tmp = f"{self.link}.tmp{os.getpid()}"
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
            os.symlink(self.slave_name, tmp)
            os.replace(tmp, self.link)
        return self.path

    def close(self, remove_link: bool = True) -> None:
        """Close both ends: the driver's next read or write fails as on an unplug."""
        with self._io_lock:
            for fd in (self.master, self._slave):
                if fd is not None:
                    with contextlib.suppress(OSError):
                        os.close(fd)
            self.master = self._slave = None
        if remove_link and self.link:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(self.link)

    def read(self, timeout: float) -> bytes:
        """Bytes the driver wrote, waiting up to ``timeout``; ``b""`` if none."""
        with self._io_lock:
            fd = self.master
            if fd is None:
                return b""
            try:
                # poll, not select: a long-running process may hold descriptors past 1,024
                poller = select.poll()
                poller.register(fd, select.POLLIN)
                if not poller.poll(timeout * 1000):
                    return b""
                return os.read(fd, 65536)
            except BlockingIOError:
                return b""
            except (OSError, ValueError) as exc:
                if isinstance(exc, OSError) and exc.errno not in (errno.EIO, errno.EBADF):
                    raise
                return b""

    def write(self, data: bytes) -> int:
        """Send bytes to the driver; what does not fit in the pty buffer is dropped."""
        fd = self.master
        if fd is None:
            return 0
        sent = 0
        while sent < len(data):
            try:
                sent += os.write(fd, data[sent:])
            except BlockingIOError:
                break
            except OSError:
                break
        return sent
