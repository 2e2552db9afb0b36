"""The tables behind the reports: tickets grouped per dimension, and their monthly roll-ups.

`reports.rollups` decides what a figure is (`Cell`) and when a month is rolled up; this
reads the grouped tickets (one pass through the `tickets_report` index) and keeps the
rolled-up months (`report_rollups`, one row per site, month, dimension and value, and
`report_rollup_months`, which months are built and for which target wait).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any

from queue_server.storage.repository import Repository, marks

BUCKET_SECONDS = 30

# The counts of a group, in the order a `Cell` keeps them.
COUNTS = {
    "issued": "count(*)",
    "done": "sum(t.status = 'done')",
    "no_show": "sum(t.status = 'no_show')",
    "cancelled": "sum(t.status = 'cancelled')",
    "unserved": "sum(t.status = 'unserved')",
    "transfers": "sum(t.transfer_count)",
    "recalls": "sum(t.recall_count)",
    "completed": "sum(t.outcome = 'completed')",
    "accepted": "sum(t.outcome = 'accepted')",
    "referred": "sum(t.outcome = 'referred')",
    "incomplete": "sum(t.outcome = 'materials_incomplete')",
    "rated": "sum(t.rating IS NOT NULL)",
    "r5": "sum(t.rating = 5)",
    "r4": "sum(t.rating = 4)",
    "r3": "sum(t.rating = 3)",
    "r2": "sum(t.rating = 2)",
    "r1": "sum(t.rating = 1)",
}
# What is stored per site and month; the other groupings are derived from these.
DIMENSIONS = {
    "all": "''",
    "day": "t.day",
    "hour": "t.local_hour",
    "service": "coalesce(t.service, t.bundle)",
    "counter": "t.counter",
    "clerk": "t.clerk",
    "channel": "t.channel",
    "priority": "t.priority",
    "heat": "t.local_hour || ':' || t.weekday",
}

# (dimension, value, the cell as JSON) of a month being rolled up
Figures = Callable[[], Iterable[tuple[str, Any, str]]]


class Rollups(Repository):
    def ticket_figures(
        self, sites: list[str], start: str, end: str, dim: str, targets: dict[str, float]
    ) -> Iterable[tuple[Any, ...]]:
        """The tickets of these sites and days in one grouped pass, per site, value of the
        dimension and 30-second buckets of wait (`wb`) and service time (`sb`): `site, value,
        wb, sb, wait sum, service sum, waits within the site's target (seconds), *COUNTS`."""
        cases = " ".join("WHEN ? THEN ?" for _ in sites)
        target_params: list[Any] = []
        for site in sites:
            target_params += [site, targets[site]]
        return self._conn.execute(
            f"""SELECT t.site_id, {DIMENSIONS[dim]} AS g,
                   CAST(t.wait_seconds / {BUCKET_SECONDS} AS INTEGER) AS wb,
                   CAST(t.service_seconds / {BUCKET_SECONDS} AS INTEGER) AS sb,
                   sum(t.wait_seconds), sum(t.service_seconds),
                   sum(t.wait_seconds <= (CASE t.site_id {cases} END)), {", ".join(COUNTS.values())}
            FROM tickets t INDEXED BY tickets_report
            WHERE t.site_id IN ({marks(sites)}) AND t.day BETWEEN ? AND ?
            GROUP BY t.site_id, g, wb, sb""",
            [*target_params, *sites, start, end],
        )

    def target_of(self, site: str, month: str) -> float | None:
        """The target wait (seconds) the site's month (`YYYY-MM`) was rolled up for; None if it is not."""
        row = self._conn.execute(
            "SELECT target_seconds FROM report_rollup_months WHERE site_id = ? AND month = ?",
            (site, month),
        ).fetchone()
        return row[0] if row is not None else None

    def months(self, site: str) -> set[str]:
        """The site's rolled-up months."""
        rows = self._conn.execute(
            "SELECT month FROM report_rollup_months WHERE site_id = ?", (site,)
        )
        return {row[0] for row in rows}

    def stored(self, site: str, month: str, dim: str) -> list[tuple[Any, str]]:
        """The rolled-up month's (value, cell as JSON) of one dimension."""
        rows = self._conn.execute(
            "SELECT value, data FROM report_rollups WHERE site_id = ? AND month = ? AND dim = ?",
            (site, month, dim),
        )
        return [(json.loads(value), data) for value, data in rows]

    def build(self, site: str, month: str, target: float, figures: Figures) -> bool:
        """Store a month's roll-up, computed by `figures` over this same connection.

        The tickets are read in a plain read transaction (a consistent snapshot, no write
        lock held while reading); the roll-up is then written in the same transaction. If
        anything was written meanwhile, the upgrade to a write fails and nothing is stored:
        the month is rolled up on a later try, never from a stale snapshot. Returns whether
        it was stored. Inside someone's transaction it is just done there.
        """
        if self._conn.in_transaction:
            self._write(site, month, target, figures)
            return True
        self._conn.execute("BEGIN")
        try:
            self._write(site, month, target, figures)
        except sqlite3.OperationalError:
            self._conn.execute("ROLLBACK")
            return False
        except BaseException:
            self._conn.execute("ROLLBACK")
            raise
        self._conn.execute("COMMIT")
        return True

    def _write(self, site: str, month: str, target: float, figures: Figures) -> None:
        rows = [(site, month, dim, json.dumps(value), data) for dim, value, data in figures()]
        self._conn.execute(
            "DELETE FROM report_rollups WHERE site_id = ? AND month = ?", (site, month)
        )
        self._conn.executemany(
            "INSERT INTO report_rollups (site_id, month, dim, value, data) VALUES (?, ?, ?, ?, ?)",
            rows,
        )
        self._conn.execute(
            """INSERT INTO report_rollup_months (site_id, month, target_seconds, built_at) VALUES (?, ?, ?, ?)
           ON CONFLICT (site_id, month) DO UPDATE SET target_seconds = excluded.target_seconds,
             built_at = excluded.built_at""",
            (site, month, target, datetime.now(UTC).isoformat()),
        )

    def forget_months(self, site: str, days: Iterable[str]) -> None:
        """Drop the roll-ups of the months these days belong to (their tickets changed)."""
        for month in {day[:7] for day in days}:
            self._conn.execute(
                "DELETE FROM report_rollups WHERE site_id = ? AND month = ?", (site, month)
            )
            self._conn.execute(
                "DELETE FROM report_rollup_months WHERE site_id = ? AND month = ?", (site, month)
            )
