"""Reports for managers.

Every report takes a date range (local days, inclusive) and a set of sites (a part of the
site tree, already expanded) and answers one table: `{"columns", "rows"}`. Times are
minutes. The figures come from `rollups`: finished months from their roll-ups, the
other days straight from the tickets. Medians and 90th percentiles are nearest-rank (the
median of an even count is the lower middle value), read from histograms of 30-second
buckets, so they are exact to within 15 seconds.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from queue_server import wire
from queue_server.engine import ratings as rating_rules
from queue_server.engine.errors import InvalidInput
from queue_server.reports import bookings, estimate_accuracy, one_thing
from queue_server.reports.rollups import Cell, read_cells, site_target_seconds
from queue_server.storage import Store
from queue_server.storage.rollups import BUCKET_SECONDS
from queue_server.wire import words

# Report columns and labels are the catalogue's words, in Chinese (as every report column is).
WEEKDAY_NAMES = [words.WORDS[f"report_weekday_{day}"][0] for day in range(7)]
RATING_NAMES = {level: words.WORDS[f"rate_{level}"][0] for level in wire.RATING_LEVELS}
BUNDLE_DEPARTMENT = words.WORDS["report_bundle_department"][0]

# Each grouping and the stored dimension its groups come from (its column title is the
# catalogue's `report_by_<grouping>`).
GROUPINGS: dict[str, str] = {
    "hour": "hour", "day": "day", "week": "day", "weekday": "day",  # when
    "site": "all", "service": "service", "department": "service",  # where and what
    "counter": "counter", "clerk": "clerk", "channel": "channel", "priority": "priority",
}  # fmt: skip
REPORTS = (
    "summary", "throughput", "times", "outcomes", "ratings", "channels", "heatmap",
    *bookings.BOOKING_REPORTS, "estimate_accuracy", "bundle_stages",
)  # fmt: skip
# The groupings a report takes where it does not take them all: none for the reports that
# are one table whatever is asked (`by` is ignored); some for the booking reports.
_ONLY: dict[str, tuple[str, ...]] = {
    "summary": (), "channels": (), "heatmap": (), **bookings.GROUPINGS,
    "estimate_accuracy": (),  # per site, item and hour of issue, always
    "bundle_stages": (),
}  # fmt: skip


def groupings_of(report: str) -> tuple[str, ...]:
    """The `by` values a report takes (besides none)."""
    return _ONLY.get(report, tuple(GROUPINGS))


@dataclass(frozen=True)
class ReportQuery:
    start: date
    end: date
    sites: tuple[str, ...]
    targets: dict[str, float]  # site → target wait in minutes


def make_query(store: Store, start: date, end: date, sites: Iterable[str]) -> ReportQuery:
    if end < start:
        raise InvalidInput("the range ends before it starts", field="to")
    if (end - start).days > 3660:
        raise InvalidInput("at most ten years at once", field="to")
    chosen = tuple(sorted(set(sites)))
    targets = {site_id: site_target_seconds(store, site_id) / 60 for site_id in chosen}
    return ReportQuery(start, end, chosen, targets)


def groups(
    store: Store, query: ReportQuery, by: str | None, now: datetime | None = None
) -> list[tuple[Any, Cell]]:
    """The cells of the range merged per group, in group order (one group when `by` is None)."""
    _check_grouping(by)
    dim = GROUPINGS[by] if by else "all"
    seconds = {site: minutes * 60 for site, minutes in query.targets.items()}
    cells = read_cells(store, query.sites, query.start, query.end, dim, seconds, now)
    key = _group_key(store, by)
    merged: dict[Any, Cell] = {}
    for (site, value), cell in cells.items():
        merged.setdefault(key(site, value), Cell()).add(cell)
    return sorted(merged.items(), key=lambda item: (item[0] is not None, item[0]))


def _check_grouping(by: str | None) -> None:
    if by is not None and by not in GROUPINGS:
        raise InvalidInput("group by one of " + ", ".join(GROUPINGS), field="by")


def _group_key(store: Store, by: str | None) -> Callable[[str, Any], Any]:
    if by is None:
        return lambda site, value: "全部"
    if by == "site":
        return lambda site, value: site
    if by == "weekday":
        return lambda site, value: date.fromisoformat(value).weekday()
    if by == "week":  # the week's Monday
        return lambda site, value: bookings.week_of(value)
    if by == "counter":
        return lambda site, value: f"{site} #{value}" if value is not None else None
    if by == "department":
        departments = store.catalogue.departments()
        return lambda site, value: departments.get(value, BUNDLE_DEPARTMENT)
    return lambda site, value: value


def _table(columns: list[str], rows: Iterable[Iterable[Any]]) -> dict[str, Any]:
    return {"columns": columns, "rows": [list(r) for r in rows]}


def _percentiles(histogram: dict[int, int], wanted: Iterable[float]) -> list[float | None]:
    """Nearest-rank percentiles (in minutes) from counts per 30-second bucket.

    The nearest-rank value (the smallest time with at least that share of tickets at or
    below it) lies in the bucket where the running count reaches the rank; the bucket's
    midpoint is within 15 s of it.
    """
    total = sum(histogram.values())
    if total == 0:
        return [None for _ in wanted]
    results: list[float | None] = []
    ordered = sorted(histogram.items())
    for fraction in wanted:
        rank = max(1, math.ceil(fraction * total))
        seen = 0
        found = ordered[-1][0]
        for bucket, count in ordered:
            seen += count
            if seen >= rank:
                found = bucket
                break
        results.append(round((found + 0.5) * BUCKET_SECONDS / 60, 2))
    return results


def _share(part: float, whole: float) -> float | None:
    return round(part / whole, 4) if whole else None


def _satisfaction(cell: Cell) -> float | None:
    """满意率 by the one rule (`engine.ratings`): the share rated 基本满意 or better."""
    counts = {5: cell.r5, 4: cell.r4, 3: cell.r3, 2: cell.r2, 1: cell.r1}
    return rating_rules.satisfaction_rate(counts)


def _minutes(seconds: float | None) -> float | None:
    return round(seconds / 60, 2) if seconds is not None else None


def _called(cell: Cell) -> int:
    return sum(cell.waits.values())


def _label(by: str | None, value: Any) -> Any:
    if by == "weekday" and value is not None:
        return WEEKDAY_NAMES[int(value)]
    return value


def _title(by: str | None) -> str:
    return words.WORDS[f"report_by_{by or 'range'}"][0]


def summary(store: Store, query: ReportQuery) -> dict[str, Any]:
    found = groups(store, query, None)
    cell = found[0][1] if found else Cell()
    called, served = _called(cell), sum(cell.services.values())
    wait_median, wait_p90 = _percentiles(cell.waits, (0.5, 0.9))
    service_median, service_p90 = _percentiles(cell.services, (0.5, 0.9))
    return _table(
        ["指标", "值"],
        [
            ["issued", cell.issued],
            ["served", cell.done],
            ["no_show", cell.no_show],
            ["cancelled", cell.cancelled],
            ["unserved", cell.unserved],
            ["transfers", cell.transfers],
            ["recalls", cell.recalls],
            ["no_show_rate", _share(cell.no_show, called)],
            ["on_the_spot_share", _share(cell.completed, cell.done)],
            ["within_target_share", _share(cell.within, called)],
            ["wait_mean_minutes", _minutes(cell.wait_sum / called) if called else None],
            ["wait_median_minutes", wait_median],
            ["wait_p90_minutes", wait_p90],
            ["service_mean_minutes", _minutes(cell.service_sum / served) if served else None],
            ["service_median_minutes", service_median],
            ["service_p90_minutes", service_p90],
            ["rated", cell.rated],
            ["satisfaction_rate", _satisfaction(cell)],
        ],
    )


def throughput(store: Store, query: ReportQuery, by: str) -> dict[str, Any]:
    """Tickets issued, served, no-shows, unserved, transfers, recalls, on the spot, per group."""
    return _table(
        [_title(by), "取号", "办结", "过号", "未办", "转办", "重呼", "即办"],
        (
            [
                _label(by, g),
                c.issued,
                c.done,
                c.no_show,
                c.unserved,
                c.transfers,
                c.recalls,
                c.completed,
            ]
            for g, c in groups(store, query, by)
        ),
    )


def times(store: Store, query: ReportQuery, by: str | None) -> dict[str, Any]:
    """Waiting and service times per group: mean, median, 90th percentile; share within target."""
    rows = []
    for g, cell in groups(store, query, by):
        called, served = _called(cell), sum(cell.services.values())
        if not called:
            continue
        wait_median, wait_p90 = _percentiles(cell.waits, (0.5, 0.9))
        service_median, service_p90 = _percentiles(cell.services, (0.5, 0.9))
        rows.append(
            [
                _label(by, g),
                _minutes(cell.wait_sum / called),
                wait_median,
                wait_p90,
                _minutes(cell.service_sum / served) if served else None,
                service_median,
                service_p90,
                _share(cell.within, called),
                called,
            ]
        )
    return _table(
        [
            _title(by),
            "平均等候",
            "等候中位数",
            "等候P90",
            "平均办理",
            "办理中位数",
            "办理P90",
            "目标内占比",
            "叫号数",
        ],
        rows,
    )


def outcomes(store: Store, query: ReportQuery, by: str | None = None) -> dict[str, Any]:
    """Outcome mix of finished tickets and the on-the-spot share (即办件占比)."""
    return _table(
        [_title(by), "即办", "承诺件", "移交", "材料不全", "办结", "即办件占比"],
        (
            [
                _label(by, g),
                c.completed,
                c.accepted,
                c.referred,
                c.incomplete,
                c.done,
                _share(c.completed, c.done),
            ]
            for g, c in groups(store, query, by)
            if c.done
        ),
    )


def ratings(store: Store, query: ReportQuery, by: str | None = None) -> dict[str, Any]:
    """好差评: ratings per level and 满意率 (`engine.ratings.satisfaction_rate`: 基本满意 or better)."""
    return _table(
        [_title(by), *RATING_NAMES.values(), "评价数", "满意率"],
        (
            [_label(by, g), c.r5, c.r4, c.r3, c.r2, c.r1, c.rated, _satisfaction(c)]
            for g, c in groups(store, query, by)
            if c.rated
        ),
    )


def channels(store: Store, query: ReportQuery) -> dict[str, Any]:
    found = sorted(groups(store, query, "channel"), key=lambda item: -item[1].issued)
    total = sum(c.issued for _, c in found)
    return _table(
        ["渠道", "取号", "占比"], ([g, c.issued, _share(c.issued, total)] for g, c in found)
    )


def heatmap(store: Store, query: ReportQuery) -> dict[str, Any]:
    """Arrivals by local hour (rows) and weekday (columns)."""
    seconds = {site: minutes * 60 for site, minutes in query.targets.items()}
    counts: dict[tuple[int, int], int] = {}
    for (_, value), cell in read_cells(
        store, query.sites, query.start, query.end, "heat", seconds
    ).items():
        hour, weekday = (int(part) for part in value.split(":"))
        counts[(hour, weekday)] = counts.get((hour, weekday), 0) + cell.issued
    hours = sorted({h for h, _ in counts})
    return _table(
        ["小时", *WEEKDAY_NAMES], ([h, *(counts.get((h, d), 0) for d in range(7))] for h in hours)
    )


def run_report(
    store: Store, name: str, query: ReportQuery, by: str | None = None
) -> dict[str, Any]:
    _check_grouping(by)
    if name == "summary":
        return summary(store, query)
    if name == "throughput":
        return throughput(store, query, by or "day")
    if name == "times":
        return times(store, query, by)
    if name == "outcomes":
        return outcomes(store, query, by)
    if name == "ratings":
        return ratings(store, query, by)
    if name == "channels":
        return channels(store, query)
    if name == "heatmap":
        return heatmap(store, query)
    if name == "bundle_stages":  # “一件事”: per bundle and stage, and each bundle as a whole
        return one_thing.report(
            store, query.sites, query.start.isoformat(), query.end.isoformat()
        )
    if name in bookings.BOOKING_REPORTS:
        return bookings.run(store, name, query, by)
    if name == "estimate_accuracy":
        return estimate_accuracy.estimate_accuracy(store, query)
    raise InvalidInput("report must be one of " + ", ".join(REPORTS), field="report")
