"""Each system's way with files, locks and stop signals (devices.host_system), both branches
run here on Linux by passing the system.

What stands in for Windows, and only where the real thing cannot run on Linux:
- ``os.open`` refusing a directory, as Windows' does (PermissionError), to show the spool
  of issue 17 failed there and no longer does;
- ``os.replace`` failing with PermissionError while "another process" holds the target,
  as an antivirus scan does on Windows;
- ``msvcrt`` (tests/devices/fake_msvcrt.py, backed by POSIX byte-range locks).
Everything else is the real file system, real fsyncs and real processes.
"""

from __future__ import annotations

import json
import logging
import os
import signal
import stat
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from devices import host_system
from devices.host_system import POSIX, WINDOWS
from kiosk.spool import PRINTING, Spool
from queue_server.storage import Database
from tests.conftest import ROOT
from tests.devices import fake_msvcrt

REAL_OPEN = os.open


def mode(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.fixture
def opened(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, int]]:
    """os.open as on Windows: a directory cannot be opened. Records (path, flags)."""
    calls: list[tuple[str, int]] = []

    def windows_open(path: Any, flags: int, mode: int = 0o777) -> int:
        calls.append((str(path), flags))
        if os.path.isdir(path):
            raise PermissionError(13, "Permission denied", str(path))
        return REAL_OPEN(path, flags, mode)

    monkeypatch.setattr(os, "open", windows_open)
    return calls


@pytest.fixture
def fake_windows_crt(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setitem(sys.modules, "msvcrt", fake_msvcrt)
    fake_msvcrt.calls.clear()
    yield


@pytest.fixture
def loose_umask() -> Iterator[None]:
    old = os.umask(0o022)
    yield
    os.umask(old)


# --- durable replacement ---------------------------------------------------------------


def test_a_spool_on_windows_never_opens_its_directory(
    tmp_path: Path, opened: list[tuple[str, int]]
) -> None:
    spool = Spool(tmp_path / "spool", system=WINDOWS)
    job = spool.create(kind="service", code="A", language="zh", help=False)
    spool.update(job["id"], state=PRINTING)
    again = Spool(tmp_path / "spool", system=WINDOWS)  # as after a restart
    assert again.get(job["id"])["state"] == PRINTING  # type: ignore[index]
    assert not list((tmp_path / "spool").glob("*.tmp"))
    path = str(tmp_path / "spool" / f"{job['id']}.json")
    # Each save: the temporary file written, then the renamed file opened to be flushed.
    assert [p for p, _ in opened[-2:]] == [path[: -len(".json")] + ".tmp", path]
    assert opened[-1][1] & os.O_RDWR  # FlushFileBuffers needs a handle that may write


def test_the_posix_way_on_windows_is_the_bug_of_issue_17(
    tmp_path: Path, opened: list[tuple[str, int]]
) -> None:
    spool = Spool(tmp_path, system=POSIX)
    with pytest.raises(PermissionError):
        spool.create(kind="service", code="A", language="zh", help=False)
    assert (str(tmp_path), os.O_RDONLY) in opened  # the directory fsync Windows refuses


def test_posix_syncs_the_directory_after_the_rename(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    synced: list[str] = []
    real_fsync = os.fsync

    def fsync(fd: int) -> None:
        synced.append(os.readlink(f"/proc/self/fd/{fd}"))
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", fsync)
    host_system.replace_durably(tmp_path / "a.json", b"{}", system=POSIX)
    assert synced == [str(tmp_path / "a.json.tmp"), str(tmp_path)]
    synced.clear()
    host_system.replace_durably(tmp_path / "a.json", b"{}", system=WINDOWS)
    assert synced == [str(tmp_path / "a.json.tmp"), str(tmp_path / "a.json")]


def test_windows_waits_out_a_scanner_holding_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "job.json"
    target.write_bytes(b"old")
    real_replace = os.replace
    refusals = {"left": 3}

    def scanned_replace(source: Any, destination: Any) -> None:
        if refusals["left"]:
            refusals["left"] -= 1
            raise PermissionError(13, "Access is denied", str(destination))
        real_replace(source, destination)

    monkeypatch.setattr(os, "replace", scanned_replace)
    monkeypatch.setattr(host_system, "REPLACE_PAUSE", 0.001)
    host_system.replace_durably(target, b"new", system=WINDOWS)
    assert target.read_bytes() == b"new" and refusals["left"] == 0

    refusals["left"] = host_system.REPLACE_TRIES  # held for good: the error comes out
    with pytest.raises(PermissionError):
        host_system.replace_durably(target, b"newer", system=WINDOWS)
    assert target.read_bytes() == b"new"  # the old content, whole


def test_windows_saves_even_when_the_renamed_file_cannot_be_flushed(
    tmp_path: Path,
    opened: list[tuple[str, int]],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    target = tmp_path / "job.json"
    held = {"left": 2}
    windows_open = os.open  # the fixture's: refuses directories, records the calls

    def scanned_open(path: Any, flags: int, mode: int = 0o777) -> int:
        if str(path) == str(target) and held["left"]:
            held["left"] -= 1
            raise PermissionError(32, "The process cannot access the file", str(path))
        return windows_open(path, flags, mode)

    monkeypatch.setattr(os, "open", scanned_open)
    monkeypatch.setattr(host_system, "REPLACE_PAUSE", 0.001)
    host_system.replace_durably(target, b"1", system=WINDOWS)
    assert held["left"] == 0 and opened[-1] == (str(target), os.O_RDWR)  # flushed at last

    held["left"] = host_system.REPLACE_TRIES  # held for good: saved, flushed not, and said
    with caplog.at_level(logging.WARNING, logger="hallqueue.host"):
        host_system.replace_durably(target, b"2", system=WINDOWS)
    assert target.read_bytes() == b"2" and "not flushed" in caplog.text


def test_posix_does_not_retry_a_refused_rename(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    tries: list[object] = []

    def refused(source: Any, destination: Any) -> None:
        tries.append(destination)
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(os, "replace", refused)
    with pytest.raises(PermissionError):
        host_system.replace_durably(tmp_path / "x", b"1", system=POSIX)
    assert len(tries) == 1  # on Linux a refusal is a real one (permissions), not a scanner


def test_every_byte_is_written_when_the_system_takes_a_few_at_a_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_write = os.write
    monkeypatch.setattr(os, "write", lambda fd, data: real_write(fd, bytes(data[:7])))
    data = json.dumps({"id": "k-1", "name": "张*" * 50}, ensure_ascii=False).encode()
    host_system.replace_durably(tmp_path / "k-1.json", data, system=WINDOWS)
    assert (tmp_path / "k-1.json").read_bytes() == data


def test_an_unknown_system_is_refused() -> None:
    with pytest.raises(ValueError):
        host_system.system_of("beos")
    assert host_system.system_of(None) == (WINDOWS if os.name == "nt" else POSIX)


# --- owner-only files ----------------------------------------------------------------------


def test_private_files_posix_and_windows(
    tmp_path: Path,
    loose_umask: None,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    changed: list[str] = []
    real_chmod = os.chmod
    monkeypatch.setattr(
        os, "chmod", lambda path, mode: (changed.append(str(path)), real_chmod(path, mode))
    )
    posix, windows = tmp_path / "posix" / "lib", tmp_path / "windows" / "lib"
    host_system.private_directory(posix, system=POSIX)
    host_system.private_directory(windows, system=WINDOWS)
    assert mode(posix) == mode(posix.parent) == 0o700
    # Windows: no chmod, which there would only toggle the read-only attribute.
    assert changed == [str(posix.parent), str(posix)]

    for directory in (posix, windows):
        (directory / "db").write_text("x")  # found with 0644, as an older install left it
    with caplog.at_level(logging.WARNING, logger="hallqueue.host"):
        host_system.private_file(posix / "db", system=POSIX)
        host_system.private_file(windows / "db", system=WINDOWS)
    assert mode(posix / "db") == 0o600 and mode(windows / "db") == 0o644
    assert changed[2:] == [str(posix / "db")]
    assert str(posix / "db") in caplog.text and str(windows / "db") not in caplog.text

    host_system.private_file(windows / "new", system=WINDOWS)
    assert (windows / "new").read_bytes() == b""


# --- the lock between processes ---------------------------------------------------------

HOLDER = """
import sys
sys.path.insert(0, {root!r})
from tests.devices import fake_msvcrt
sys.modules["msvcrt"] = fake_msvcrt
from devices.host_system import FileLock
lock = FileLock({path!r}, system="windows")
lock.acquire()
print("held", flush=True)
sys.stdin.readline()
lock.release()
print("released", flush=True)
sys.stdin.readline()
"""


def test_windows_lock_holds_another_process_off_until_released(
    tmp_path: Path, fake_windows_crt: None
) -> None:
    path = tmp_path / "hallqueue.db.lock"
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER.format(root=str(ROOT), path=str(path))],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdin is not None and holder.stdout is not None
    try:
        assert holder.stdout.readline().strip() == "held"
        lock = host_system.FileLock(path, system=WINDOWS)
        got = threading.Event()
        waiter = threading.Thread(target=lambda: (lock.acquire(), got.set()), daemon=True)
        waiter.start()
        assert not got.wait(0.3)  # the other process has it
        released_at = time.monotonic()
        holder.stdin.write("\n")
        holder.stdin.flush()
        assert holder.stdout.readline().strip() == "released"
        assert got.wait(2.0)
        assert time.monotonic() - released_at < 0.5  # polled, not LK_LOCK's once a second
        assert (fake_msvcrt.LK_NBLCK, 1) in fake_msvcrt.calls
        lock.release()
        assert fake_msvcrt.calls[-1] == (fake_msvcrt.LK_UNLCK, 1)
        lock.close()
        with pytest.raises(ValueError):
            lock.acquire()
    finally:
        holder.stdin.write("\n")
        holder.stdin.flush()
        holder.wait(timeout=5)


def test_the_centre_writes_with_the_windows_lock(
    tmp_path: Path, fake_windows_crt: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(host_system, "SYSTEM", WINDOWS)
    db = Database(tmp_path / "hallqueue.db")
    with db.transaction():
        db.conn.execute(
            "INSERT INTO staff (username, password_hash, role, created_at) VALUES ('x', 'y', 'admin', 'z')"
        )
    db.close()
    locked, unlocked = (fake_msvcrt.LK_NBLCK, 1), (fake_msvcrt.LK_UNLCK, 1)
    assert locked in fake_msvcrt.calls and unlocked in fake_msvcrt.calls


# --- stop signals -----------------------------------------------------------------------


def test_stop_signals_per_system() -> None:
    assert host_system.stop_signals(system=POSIX) == ("SIGTERM", "SIGINT")
    assert host_system.stop_signals(system=WINDOWS)[:2] == ("SIGINT", "SIGBREAK")


def test_on_stop_installs_what_this_python_has_and_hears_it() -> None:
    heard: list[int] = []
    before = {n: signal.getsignal(n) for n in (signal.SIGINT, signal.SIGTERM)}
    try:
        # SIGBREAK exists only in Windows' Python: skipped here, the others installed.
        assert host_system.on_stop(lambda n, f: heard.append(n), system=WINDOWS) == [
            "SIGINT",
            "SIGTERM",
        ]
        signal.raise_signal(signal.SIGINT)  # a service wrapper's Ctrl+C
        assert heard == [signal.SIGINT]
    finally:
        for number, handler in before.items():
            signal.signal(number, handler)
