"""The last ticket number given per site, local day and prefix (never reused that day)."""

from __future__ import annotations

from queue_server.storage.repository import Repository


class Numbers(Repository):
    def last(self, site_id: str, day: str, prefix: str) -> int:
        row = self._conn.execute(
            "SELECT last FROM number_sequences WHERE site_id = ? AND day = ? AND prefix = ?",
            (site_id, day, prefix),
        ).fetchone()
        return int(row[0]) if row else 0

    def set_last(self, site_id: str, day: str, prefix: str, last: int) -> None:
        self._conn.execute(
            """INSERT INTO number_sequences (site_id, day, prefix, last) VALUES (?, ?, ?, ?)
           ON CONFLICT (site_id, day, prefix) DO UPDATE SET last = excluded.last""",
            (site_id, day, prefix, last),
        )
