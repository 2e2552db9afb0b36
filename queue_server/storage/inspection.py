"""What `hallqueue db check` reports of a database file: integrity, references, schema
version against this code's, size, free pages, the WAL, rows per table.

Read through sqlite-utils (`table_names`, `count`): inspection is where its catalogue of
tables serves; the centre's hot paths keep raw sqlite3. Nothing here writes.
"""

from __future__ import annotations

import sqlite3
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import sqlite_utils

from queue_server.storage.migrations import MIGRATIONS

FOREIGN_KEY_PROBLEMS_SHOWN = 20


class NotADatabase(Exception):
    """The file cannot be read as an SQLite database (damaged, or something else)."""


@dataclass
class Inspection:
    path: str
    size_bytes: int
    wal_bytes: int
    page_size: int
    page_count: int
    free_pages: int
    journal_mode: str
    schema_version: int
    code_version: int
    integrity: list[str]  # ["ok"], or SQLite's messages
    foreign_key_problems: list[dict[str, Any]]
    rows: dict[str, int] = field(default_factory=dict)

    @property
    def schema(self) -> str:
        """'current', 'older' (the centre migrates it at start, after a backup) or 'newer'."""
        if self.schema_version < self.code_version:
            return "older"
        return "newer" if self.schema_version > self.code_version else "current"

    @property
    def problems(self) -> list[str]:
        found = []
        if self.integrity != ["ok"]:
            found.append(f"integrity check: {'; '.join(self.integrity[:5])}")
        if self.foreign_key_problems:
            found.append(f"{len(self.foreign_key_problems)} row(s) refer to rows that do not exist")
        if self.schema == "newer":
            found.append(
                f"schema version {self.schema_version} is newer than this hallqueue's {self.code_version}: "
                "run the release that wrote it"
            )
        return found

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "schema": self.schema, "problems": self.problems, "ok": not self.problems}


def inspect(db_path: str | Path) -> Inspection:
    """Inspect the database at `db_path` (a serving one too: it reads one snapshot's worth
    of pragmas and counts, and writes nothing)."""
    path = Path(db_path)
    if not path.is_file():
        raise FileNotFoundError(f"no database at {path}")
    conn = sqlite3.connect(path, isolation_level=None, timeout=10)
    try:
        db = sqlite_utils.Database(conn)

        def pragma(name: str) -> Any:
            return db.execute(f"PRAGMA {name}").fetchone()[0]

        integrity = [row[0] for row in db.execute("PRAGMA integrity_check")]
        references = [
            {"table": row[0], "rowid": row[1], "parent": row[2]}
            for row in db.execute("PRAGMA foreign_key_check").fetchmany(FOREIGN_KEY_PROBLEMS_SHOWN)
        ]
        rows = {name: db.table(name).count for name in sorted(db.table_names())}
        wal = Path(f"{path}-wal")
        return Inspection(
            path=str(path),
            size_bytes=path.stat().st_size,
            wal_bytes=wal.stat().st_size if wal.exists() else 0,
            page_size=int(pragma("page_size")),
            page_count=int(pragma("page_count")),
            free_pages=int(pragma("freelist_count")),
            journal_mode=str(pragma("journal_mode")),
            schema_version=int(pragma("user_version")),
            code_version=len(MIGRATIONS),
            integrity=integrity,
            foreign_key_problems=references,
            rows=rows,
        )
    except sqlite3.DatabaseError as exc:
        raise NotADatabase(f"{path}: {exc}") from exc
    finally:
        conn.close()
