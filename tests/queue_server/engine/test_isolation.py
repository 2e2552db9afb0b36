"""The engine is plain Python: importing it loads neither the web stack nor SQLite."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
FORBIDDEN = ("flask", "flask_socketio", "sqlite3", "_sqlite3", "sqlite_utils", "socketio")

PROBE = """
import json, sys
import queue_server.engine
from queue_server.engine import calling, estimates, hours, ids, lifecycle, model, numbering, replay
print(json.dumps(sorted(sys.modules)))
"""


def loaded_modules(code: str) -> set[str]:
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return set(json.loads(result.stdout))


def test_engine_imports_neither_flask_nor_sqlite() -> None:
    modules = loaded_modules(PROBE)
    assert "queue_server.engine.lifecycle" in modules  # the probe really imported the engine
    leaked = sorted(name for name in modules if name.split(".")[0] in FORBIDDEN)
    assert leaked == []


def test_probe_would_notice_sqlite() -> None:
    # The same probe sees a forbidden module when one is imported, so the check above can fail.
    modules = loaded_modules("import sqlite3\n" + PROBE)
    assert "sqlite3" in modules
