"""The engine is plain Python: importing it loads neither the web stack nor SQLite."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
FORBIDDEN = ("flask", "flask_socketio", "sqlite3", "_sqlite3", "sqlite_utils", "socketio")

PROBE = """
import json, sys
import queue_server.engine
from queue_server.engine import call_order, estimates, hours, ids, lifecycle, model, numbering, replay
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


# Chinese (and any other CJK) script: ideographs, radicals, CJK punctuation, full-width forms.
CJK = re.compile("[\u2e80-\u9fff\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef\U00020000-\U0003ffff]")


def test_the_engine_words_nothing() -> None:
    # The engine returns codes and parameters; the words, Chinese first, are the message
    # catalogue's (queue_server/wire/words.py). Not a Chinese character in its source,
    # comments included: a sentence there would be one the edges cannot translate.
    found = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for path in sorted((ROOT / "queue_server" / "engine").rglob("*.py"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if CJK.search(line)
    ]
    assert found == []


def test_the_cjk_probe_sees_chinese() -> None:
    assert CJK.search("过号") and CJK.search("（") and not CJK.search("Missed call — “end”")
