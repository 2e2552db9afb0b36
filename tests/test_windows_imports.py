"""Every module of the kiosk, the devices, the sign agent and the centre imports with the
Windows branch selected, and the kiosk's spool and the centre's database then work.

Run in a fresh interpreter where:
- `devices.host_system.SYSTEM` is "windows" (every platform branch of ours reads it);
- our own packages cannot import a POSIX-only module (fcntl, termios, tty, pty, pwd, grp,
  resource …), as on Windows. Third-party libraries still load their Linux backends
  (pyserial picks its backend by `os.name`, which cannot be faked without breaking the
  interpreter): this proves our code, not theirs;
- `msvcrt`, which exists only in Windows' Python, is the stand-in of
  tests/devices/fake_msvcrt.py — the one fake.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT

# The centre's WSGI module builds an app (opening var/hallqueue.db) when imported: it is
# imported by gunicorn only, which does not run on Windows anyway (docs/windows.md).
NOT_ON_WINDOWS = {"queue_server.wsgi"}

PROBE = r"""
import builtins, importlib, json, pkgutil, sys, tempfile
from pathlib import Path

sys.path.insert(0, ROOT)
# The standard library tells Windows by trying `import msvcrt` (subprocess, getpass): they
# are loaded before the stand-in exists, so they keep their Linux selves.
import getpass, subprocess
from tests.devices import fake_msvcrt
sys.modules["msvcrt"] = fake_msvcrt

POSIX_ONLY = {"fcntl", "termios", "tty", "pty", "pwd", "grp", "resource", "posix", "syslog",
              "crypt", "spwd", "nis", "readline", "curses"}
OURS = {"kiosk", "devices", "displays", "queue_server"}
blocked = []
real_import = builtins.__import__

def windows_import(name, globals=None, locals=None, fromlist=(), level=0):
    importer = (globals or {}).get("__name__", "") or ""
    if level == 0 and name.split(".")[0] in POSIX_ONLY and importer.split(".")[0] in OURS:
        blocked.append((importer, name))
        raise ModuleNotFoundError(f"No module named {name!r}", name=name)
    return real_import(name, globals, locals, fromlist, level)

builtins.__import__ = windows_import
from devices import host_system
host_system.SYSTEM = "windows"

failed, imported = {}, []
for package in ("devices", "kiosk", "displays", "queue_server"):
    root = importlib.import_module(package)
    for info in pkgutil.walk_packages(root.__path__, package + "."):
        if info.name in NOT_ON_WINDOWS or info.name.endswith(".__main__"):  # runs the CLI
            continue
        try:
            importlib.import_module(info.name)
            imported.append(info.name)
        except Exception as exc:
            failed[info.name] = f"{type(exc).__name__}: {exc}"

from devices import port
from kiosk.spool import Spool
from queue_server.storage import Database

with tempfile.TemporaryDirectory() as tmp:
    spool = Spool(Path(tmp) / "spool")
    job = spool.create(kind="service", code="A", language="zh", help=False)
    reread = Spool(Path(tmp) / "spool").get(job["id"]) is not None
    db = Database(Path(tmp) / "data" / "hallqueue.db")
    with db.transaction():
        db.conn.execute("INSERT INTO staff (username, password_hash, role, created_at) VALUES ('x', 'y', 'admin', 'z')")
    db.close()

print(json.dumps({
    "failed": failed,
    "imported": imported,
    "blocked": blocked,
    "spool_system": spool.system,
    "spool_reread": reread,
    "lost_errors": [e.__name__ for e in port._LOST],
    "crt_calls": len(fake_msvcrt.calls),
}))
"""


def test_our_modules_import_and_work_with_the_windows_branch(tmp_path: Path) -> None:
    script = f"ROOT = {str(ROOT)!r}\nNOT_ON_WINDOWS = {sorted(NOT_ON_WINDOWS)!r}\n" + PROBE
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr[-3000:]
    found = json.loads(result.stdout.strip().splitlines()[-1])
    assert found["failed"] == {}
    modules = set(found["imported"])
    for name in (
        "kiosk.agent",
        "kiosk.kiosk_command",
        "kiosk.spool",
        "devices.port",
        "devices.port_finder",
        "devices.device_commands",
        "devices.sim.pty_endpoint",
        "displays.sign_agent",
        "queue_server.cli",
        "queue_server.server",
        "queue_server.storage.database",
    ):
        assert name in modules, name
    # The guard did bite: devices.port asked for termios, as on Windows, and took the other
    # branch; nothing else of ours asked for a POSIX-only module at import.
    assert [importer for importer, _ in found["blocked"]] == ["devices.port"]
    assert found["lost_errors"] == ["SerialException", "OSError"]
    assert found["spool_system"] == "windows" and found["spool_reread"]
    assert found["crt_calls"] >= 4  # the database's write lock went through msvcrt
