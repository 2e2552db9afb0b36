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
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from queue_server.engine import hours
from queue_server.storage import Store
from queue_server.storage.rollups import COUNTS
from queue_server.storage.rollups import DIMENSIONS as STORED_DIMS

DEFAULT_TARGET_WAIT_MINUTES = 20

COUNT_FIELDS = tuple(COUNTS)


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
    store: Store,
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
    cells: Cells = {}
    figures = store.rollups.ticket_figures(sites, start, end, dim, targets)
    for site, value, wb, sb, wait_sum, service_sum, within, *counts in figures:
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


def _finished(store: Store, site: str, month: date, now: datetime) -> bool:
    today = date.fromisoformat(hours.local_day(now, store.sites.timezone(site) or "Asia/Shanghai"))
    return _month_bounds(month)[1] < today


def _rolled_up(store: Store, site: str, month: date, target: float) -> bool:
    return store.rollups.target_of(site, month.isoformat()[:7]) == target


def build_month(store: Store, site: str, month: date, target: float) -> bool:
    """Roll one finished month of one site up, for every stored dimension.

    Read and written in one transaction of its own (see `storage.rollups.Rollups.build`):
    a month that changed while it was read is not stored, and is rolled up on a later
    try. Returns whether it was stored.
    """
    first, last = _month_bounds(month)

    def figures() -> Iterator[tuple[str, Any, str]]:
        for dim in STORED_DIMS:
            cells = read_tickets(
                store, [site], first.isoformat(), last.isoformat(), dim, {site: target}
            )
            for (_, value), cell in cells.items():
                yield dim, value, cell.to_json()

    return store.rollups.build(site, month.isoformat()[:7], target, figures)


def site_target_seconds(store: Store, site: str) -> float:
    settings = store.sites.settings([site]).get(site, {})
    return float(settings.get("target_wait_minutes") or DEFAULT_TARGET_WAIT_MINUTES) * 60


def roll_up_finished_months(store: Store, now: datetime | None = None, limit: int = 12) -> int:
    """Roll up, in the background, finished months that have no roll-up yet.

    At most `limit` site-months a call, so a first run after an upgrade spreads its work
    over several sweeps. Returns how many were rolled up.
    """
    now = now or datetime.now(UTC)
    done = 0
    for site in store.sites.ids():
        first, last = store.tickets.day_span(site)
        if first is None or last is None:
            continue
        built = store.rollups.months(site)
        month = date.fromisoformat(first[:7] + "-01")
        while (
            month.isoformat()[:7] <= last[:7]
            and _finished(store, site, month, now)
            and done < limit
        ):
            key = month.isoformat()[:7]
            if key not in built and build_month(
                store, site, month, site_target_seconds(store, site)
            ):
                done += 1
            month = _month_bounds(month)[1] + timedelta(days=1)
    return done


def read_cells(
    store: Store,
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
            if not _finished(store, site, month, now):
                continue
            if not _rolled_up(store, site, month, targets[site]):
                if not build:
                    continue
                build_month(store, site, month, targets[site])
            rolled.append(month)
        for month in rolled:
            for value, data in store.rollups.stored(site, month.isoformat()[:7], dim):
                merge({(site, value): Cell.from_json(data)})
        # The days no roll-up covers, in as few stretches as possible.
        covered = {d for m in rolled for d in _days(*_month_bounds(m))}
        for first, last in _stretches([d for d in _days(start, end) if d not in covered]):
            merge(read_tickets(store, [site], first.isoformat(), last.isoformat(), dim, targets))
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
