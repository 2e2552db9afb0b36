"""The figures every report is made of, per group: counts, sums and time histograms.

A report over a year must not read a million tickets. Each finished month of a site is
therefore rolled up once per grouping dimension into `report_rollups` (a few hundred rows
per site and month); a report reads the rolled-up months its range covers and reads only
the days at its edges — and the current month — from the tickets themselves. Both paths
produce the same `Cell`s, so the figures are exact either way (a test compares them).

A month's roll-up is dropped when anything in it changes afterwards (a late rating, a
simulated history written over it) and when the site's target wait changes, and is rebuilt
on the next report that needs it.
"""

from __future__ import annotations

import calendar
import json
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from queue_server.engine import hours

BUCKET_SECONDS = 30
DEFAULT_TARGET_WAIT_MINUTES = 20

COUNT_FIELDS = (
    "issued",
    "done",
    "no_show",
    "cancelled",
    "unserved",
    "transfers",
    "recalls",
    "completed",
    "accepted",
    "referred",
    "incomplete",
    "rated",
    "r5",
    "r4",
    "r3",
    "r2",
    "r1",
)
COUNT_SQL = (
    "count(*)",
    "sum(t.status = 'done')",
    "sum(t.status = 'no_show')",
    "sum(t.status = 'cancelled')",
    "sum(t.status = 'unserved')",
    "sum(t.transfer_count)",
    "sum(t.recall_count)",
    "sum(t.outcome = 'completed')",
    "sum(t.outcome = 'accepted')",
    "sum(t.outcome = 'referred')",
    "sum(t.outcome = 'materials_incomplete')",
    "sum(t.rating IS NOT NULL)",
    "sum(t.rating = 5)",
    "sum(t.rating = 4)",
    "sum(t.rating = 3)",
    "sum(t.rating = 2)",
    "sum(t.rating = 1)",
)
# What is stored per site and month; the other groupings are derived from these.
STORED_DIMS = {
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


@dataclass
class Cell:
    counts: list[int] = field(default_factory=lambda: [0] * len(COUNT_FIELDS))
    waits: dict[int, int] = field(default_factory=dict)  # 30-second bucket → tickets
    services: dict[int, int] = field(default_factory=dict)
    wait_sum: float = 0.0
    service_sum: float = 0.0
    within: int = 0  # waits at or under the site's target

    def __getattr__(self, name: str) -> int:
        try:
            return self.counts[COUNT_FIELDS.index(name)]
        except ValueError:
            raise AttributeError(name) from None

    def add(self, other: Cell) -> None:
        self.counts = [a + b for a, b in zip(self.counts, other.counts, strict=True)]
        for mine, theirs in ((self.waits, other.waits), (self.services, other.services)):
            for bucket, count in theirs.items():
                mine[bucket] = mine.get(bucket, 0) + count
        self.wait_sum += other.wait_sum
        self.service_sum += other.service_sum
        self.within += other.within

    def to_json(self) -> str:
        return json.dumps(
            [self.counts, self.waits, self.services, self.wait_sum, self.service_sum, self.within],
            separators=(",", ":"),
        )

    @classmethod
    def from_json(cls, text: str) -> Cell:
        counts, waits, services, wait_sum, service_sum, within = json.loads(text)
        return cls(
            counts,
            {int(k): v for k, v in waits.items()},
            {int(k): v for k, v in services.items()},
            wait_sum,
            service_sum,
            within,
        )


Cells = dict[tuple[str, Any], Cell]  # (site, value of the stored dimension) → cell


def read_tickets(
    conn: sqlite3.Connection,
    sites: Iterable[str],
    start: str,
    end: str,
    dim: str,
    targets: dict[str, float],
) -> Cells:
    """Cells straight from the tickets of these sites and days (one grouped pass)."""
    sites = list(sites)
    if not sites:
        return {}
    marks = ", ".join("?" for _ in sites)
    cases = " ".join("WHEN ? THEN ?" for _ in sites)
    target_params: list[Any] = []
    for site in sites:
        target_params += [site, targets[site]]
    rows = conn.execute(
        f"""SELECT t.site_id, {STORED_DIMS[dim]} AS g,
                   CAST(t.wait_seconds / {BUCKET_SECONDS} AS INTEGER) AS wb,
                   CAST(t.service_seconds / {BUCKET_SECONDS} AS INTEGER) AS sb,
                   sum(t.wait_seconds), sum(t.service_seconds),
                   sum(t.wait_seconds <= (CASE t.site_id {cases} END)), {", ".join(COUNT_SQL)}
            FROM tickets t INDEXED BY tickets_report
            WHERE t.site_id IN ({marks}) AND t.day BETWEEN ? AND ?
            GROUP BY t.site_id, g, wb, sb""",
        [*target_params, *sites, start, end],
    )
    cells: Cells = {}
    for site, value, wb, sb, wait_sum, service_sum, within, *counts in rows:
        cell = cells.setdefault((site, value), Cell())
        cell.counts = [a + (b or 0) for a, b in zip(cell.counts, counts, strict=True)]
        if wb is not None:
            cell.waits[wb] = cell.waits.get(wb, 0) + counts[0]
            cell.wait_sum += wait_sum
            cell.within += within or 0
        if sb is not None:
            cell.services[sb] = cell.services.get(sb, 0) + counts[0]
            cell.service_sum += service_sum
    return cells


def _month_bounds(month: date) -> tuple[date, date]:
    last = calendar.monthrange(month.year, month.month)[1]
    return month.replace(day=1), month.replace(day=last)


def _months_inside(start: date, end: date) -> list[date]:
    """The calendar months wholly inside [start, end]."""
    months: list[date] = []
    cursor = (
        start.replace(day=1)
        if start.day == 1
        else (start.replace(day=28) + timedelta(days=4)).replace(day=1)
    )
    while True:
        first, last = _month_bounds(cursor)
        if last > end:
            return months
        months.append(first)
        cursor = last + timedelta(days=1)


def _finished(conn: sqlite3.Connection, site: str, month: date, now: datetime) -> bool:
    row = conn.execute("SELECT timezone FROM sites WHERE id = ?", (site,)).fetchone()
    today = date.fromisoformat(hours.local_day(now, row[0] if row else "Asia/Shanghai"))
    return _month_bounds(month)[1] < today


def _rolled_up(conn: sqlite3.Connection, site: str, month: date, target: float) -> bool:
    row = conn.execute(
        "SELECT target_seconds FROM report_rollup_months WHERE site_id = ? AND month = ?",
        (site, month.isoformat()[:7]),
    ).fetchone()
    return row is not None and row[0] == target


def build_month(conn: sqlite3.Connection, site: str, month: date, target: float) -> bool:
    """Roll one finished month of one site up, for every stored dimension.

    The tickets are read in a plain read transaction (a consistent snapshot, no write lock
    held while reading); the roll-up is then written in the same transaction. If anything
    was written meanwhile, the upgrade to a write fails and nothing is stored: the month is
    rolled up on a later try, never from a stale snapshot. Returns whether it was stored.
    """
    if conn.in_transaction:  # inside someone's transaction: just do it there
        _build_month(conn, site, month, target)
        return True
    conn.execute("BEGIN")
    try:
        _build_month(conn, site, month, target)
    except sqlite3.OperationalError:
        conn.execute("ROLLBACK")
        return False
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")
    return True


def _build_month(conn: sqlite3.Connection, site: str, month: date, target: float) -> None:
    first, last = _month_bounds(month)
    key = month.isoformat()[:7]
    rows = []
    for dim in STORED_DIMS:
        cells = read_tickets(conn, [site], first.isoformat(), last.isoformat(), dim, {site: target})
        rows += [
            (site, key, dim, json.dumps(value), cell.to_json())
            for (_, value), cell in cells.items()
        ]
    conn.execute("DELETE FROM report_rollups WHERE site_id = ? AND month = ?", (site, key))
    conn.executemany(
        "INSERT INTO report_rollups (site_id, month, dim, value, data) VALUES (?, ?, ?, ?, ?)", rows
    )
    conn.execute(
        """INSERT INTO report_rollup_months (site_id, month, target_seconds, built_at) VALUES (?, ?, ?, ?)
           ON CONFLICT (site_id, month) DO UPDATE SET target_seconds = excluded.target_seconds,
             built_at = excluded.built_at""",
        (site, key, target, datetime.now(UTC).isoformat()),
    )


def site_target_seconds(conn: sqlite3.Connection, site: str) -> float:
    row = conn.execute("SELECT settings FROM sites WHERE id = ?", (site,)).fetchone()
    settings = json.loads(row[0] or "{}") if row else {}
    return float(settings.get("target_wait_minutes") or DEFAULT_TARGET_WAIT_MINUTES) * 60


def roll_up_finished_months(
    conn: sqlite3.Connection, now: datetime | None = None, limit: int = 12
) -> int:
    """Roll up, in the background, finished months that have no roll-up yet.

    At most `limit` site-months a call, so a first run after an upgrade spreads its work
    over several sweeps. Returns how many were rolled up.
    """
    now = now or datetime.now(UTC)
    done = 0
    for (site,) in conn.execute("SELECT id FROM sites").fetchall():
        span = "SELECT min(day), max(day) FROM tickets WHERE site_id = ?"
        first, last = conn.execute(span, (site,)).fetchone()
        if first is None:
            continue
        built_sql = "SELECT month FROM report_rollup_months WHERE site_id = ?"
        built = {row[0] for row in conn.execute(built_sql, (site,))}
        month = date.fromisoformat(first[:7] + "-01")
        while (
            month.isoformat()[:7] <= last[:7] and _finished(conn, site, month, now) and done < limit
        ):
            key = month.isoformat()[:7]
            if key not in built and build_month(conn, site, month, site_target_seconds(conn, site)):
                done += 1
            month = _month_bounds(month)[1] + timedelta(days=1)
    return done


def forget_months(conn: sqlite3.Connection, site: str, days: Iterable[str]) -> None:
    """Drop the roll-ups of the months these days belong to (their tickets changed)."""
    for month in {day[:7] for day in days}:
        conn.execute("DELETE FROM report_rollups WHERE site_id = ? AND month = ?", (site, month))
        conn.execute(
            "DELETE FROM report_rollup_months WHERE site_id = ? AND month = ?", (site, month)
        )


def read_cells(
    conn: sqlite3.Connection,
    sites: Iterable[str],
    start: date,
    end: date,
    dim: str,
    targets: dict[str, float],
    now: datetime | None = None,
    build: bool = True,
) -> Cells:
    """Cells for the range: finished months from their roll-ups, every other day from tickets."""
    now = now or datetime.now(UTC)
    cells: Cells = {}

    def merge(more: Cells) -> None:
        for key, cell in more.items():
            cells.setdefault(key, Cell()).add(cell)

    months = _months_inside(start, end)
    for site in sites:
        rolled = []
        for month in months:
            if not _finished(conn, site, month, now):
                continue
            if not _rolled_up(conn, site, month, targets[site]):
                if not build:
                    continue
                build_month(conn, site, month, targets[site])
            rolled.append(month)
        for month in rolled:
            for value, data in conn.execute(
                "SELECT value, data FROM report_rollups WHERE site_id = ? AND month = ? AND dim = ?",
                (site, month.isoformat()[:7], dim),
            ):
                merge({(site, json.loads(value)): Cell.from_json(data)})
        # The days no roll-up covers, in as few stretches as possible.
        covered = {d for m in rolled for d in _days(*_month_bounds(m))}
        for first, last in _stretches([d for d in _days(start, end) if d not in covered]):
            merge(read_tickets(conn, [site], first.isoformat(), last.isoformat(), dim, targets))
    return cells


def _days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


def _stretches(days: list[date]) -> list[tuple[date, date]]:
    stretches: list[tuple[date, date]] = []
    for day in days:
        if stretches and stretches[-1][1] + timedelta(days=1) == day:
            stretches[-1] = (stretches[-1][0], day)
        else:
            stretches.append((day, day))
    return stretches
