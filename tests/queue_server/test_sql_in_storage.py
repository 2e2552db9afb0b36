"""SQL lives in `queue_server/storage/`: every other module calls operations or a store.

Read from the source tree with `ast`, outside `queue_server/storage/` (the centre, its tools,
the kiosk, the displays and the devices), none may

- import `sqlite3` (type hints included) or `sqlite_utils`;
- reach a connection: `.conn`, `.execute`, `.executemany`, `.executescript`, nor the
  database's raw read `.query_one`;
- hold a string that reads as SQL (a statement, or a `FROM … WHERE` / `INSERT INTO` /
  `DELETE FROM` / `UPDATE … SET` inside one), f-strings included.

A failure lists every place as `path:line: what`, so the fix is where it says.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

from tests.conftest import ROOT

SOURCES = ("queue_server", "kiosk", "displays", "devices")
STORAGE = ROOT / "queue_server" / "storage"
FORBIDDEN_MODULES = {"sqlite3", "_sqlite3", "sqlite_utils"}
CONNECTION_ATTRIBUTES = {"conn", "execute", "executemany", "executescript", "query_one"}
_VERBS = "SELECT|INSERT|UPDATE|DELETE|REPLACE|CREATE|DROP|ALTER|PRAGMA|BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE|WITH|EXPLAIN|VACUUM"
SQL = re.compile(
    rf"^\s*(?:{_VERBS})\b(?!-)|\bFROM\s+\w+(?:\s+\w+)?\s+WHERE\b|\bINSERT\s+INTO\b|\bDELETE\s+FROM\b"
    r"|\bUPDATE\s+\w+\s+SET\b"
)

def python_files() -> Iterator[Path]:
    for top in SOURCES:
        for path in sorted((ROOT / top).rglob("*.py")):
            if STORAGE not in path.parents:
                yield path


def _text(node: ast.JoinedStr) -> str:
    """An f-string's literal parts, each placeholder read as a name."""
    return "".join(
        str(part.value) if isinstance(part, ast.Constant) else "x" for part in node.values
    )


def findings(path: Path, root: Path = ROOT) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    in_fstring = {
        id(part) for node in ast.walk(tree) if isinstance(node, ast.JoinedStr) for part in node.values
    }
    found = []
    for node in ast.walk(tree):
        line = getattr(node, "lineno", 0)
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] in FORBIDDEN_MODULES:
                    found.append((line, f"imports {alias.name}"))
        elif isinstance(node, ast.ImportFrom):
            if (node.module or "").split(".")[0] in FORBIDDEN_MODULES:
                found.append((line, f"imports from {node.module}"))
        elif isinstance(node, ast.Attribute) and node.attr in CONNECTION_ATTRIBUTES:
            found.append((line, f"reaches a connection: .{node.attr}"))
        elif isinstance(node, ast.JoinedStr) and SQL.search(_text(node)):
            found.append((line, f"SQL in an f-string: {_text(node).strip()[:60]!r}"))
        elif (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and id(node) not in docstrings
            and id(node) not in in_fstring
            and SQL.search(node.value)
        ):
            found.append((line, f"SQL in a string: {node.value.strip()[:60]!r}"))
    relative = path.relative_to(root)
    return [f"{relative}:{line}: {what}" for line, what in sorted(found)]


def test_no_sql_outside_storage() -> None:
    everywhere = {str(path.relative_to(ROOT)): findings(path) for path in python_files()}
    offending = [place for places in everywhere.values() for place in places]
    assert not offending, "SQL outside queue_server/storage/ (move it into a repository):\n" + "\n".join(offending)


def test_the_check_sees_what_it_looks_for(tmp_path: Path) -> None:
    """Each kind of place is found (so the test above cannot pass by looking at nothing)."""
    sample = tmp_path / "sample.py"
    sample.write_text(
        '"""SELECT * FROM docstrings WHERE they_explain = 1 is fine."""\n'
        "import sqlite3\n"
        "from sqlite_utils import Database\n"
        "def f(db, site):\n"
        "    rows = db.conn.execute('SELECT * FROM tickets WHERE site_id = ?', (site,))\n"
        "    db.query_one(f'UPDATE sites SET x = 1 WHERE id = {site}')\n"
        "    return 'Select a service from the list'  # words for people: not SQL\n",
        encoding="utf-8",
    )
    assert findings(sample, tmp_path) == [
        "sample.py:2: imports sqlite3",
        "sample.py:3: imports from sqlite_utils",
        "sample.py:5: SQL in a string: 'SELECT * FROM tickets WHERE site_id = ?'",
        "sample.py:5: reaches a connection: .conn",
        "sample.py:5: reaches a connection: .execute",
        "sample.py:6: SQL in an f-string: 'UPDATE sites SET x = 1 WHERE id = x'",
        "sample.py:6: reaches a connection: .query_one",
    ]
