"""Reports for managers, computed in SQL over the tickets table.

Every report takes a date range (local days, inclusive) and a set of sites (a part of
the site tree, already expanded) and answers one table: `{"columns", "rows"}`. Times are
minutes. Medians and 90th percentiles come from a histogram of 30-second buckets built
in SQL (nearest-rank, exact to within 15 seconds), so a year of a city's tickets needs no sort in
Python and no per-ticket rows leave the database.
"""

from __future__ import annotations

import json
import math
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from .engine.errors import InvalidInput

BUCKET_SECONDS = 30
DEFAULT_TARGET_WAIT_MINUTES = 20
WEEKDAY_NAMES = ["周一", "周二", "周三", "周四", "周五", "周六", "周日"]
RATING_NAMES = {5: "非常满意", 4: "满意", 3: "基本满意", 2: "不满意", 1: "非常不满意"}

# How each grouping is expressed in SQL (`t` is tickets, `s` is services).
GROUPINGS = {
    "hour": ("t.local_hour", "小时"),
    "day": ("t.day", "日期"),
    "weekday": ("t.weekday", "星期"),
    "site": ("t.site_id", "网点"),
    "service": ("coalesce(t.service, t.bundle)", "事项"),
    "department": ("coalesce(s.department, '一件事')", "部门"),
    "counter": ("t.site_id || ' #' || t.counter", "窗口"),
    "clerk": ("t.clerk", "工作人员"),
    "channel": ("t.channel", "渠道"),
    "priority": ("t.priority", "类别"),
}
REPORTS = ("summary", "throughput", "times", "outcomes", "ratings", "channels", "heatmap")


@dataclass(frozen=True)
class ReportQuery:
    start: date
    end: date
    sites: tuple[str, ...]
    targets: dict[str, float]  # site → target wait in minutes

    def where(self) -> tuple[str, list[Any]]:
        marks = ", ".join("?" for _ in self.sites)
        return f"t.site_id IN ({marks}) AND t.day BETWEEN ? AND ?", [
            *self.sites,
            self.start.isoformat(),
            self.end.isoformat(),
        ]


def make_query(
    conn: sqlite3.Connection, start: date, end: date, sites: Iterable[str]
) -> ReportQuery:
    if end < start:
        raise InvalidInput("the range ends before it starts", field="to")
    if (end - start).days > 3660:
        raise InvalidInput("at most ten years at once", field="to")
    chosen = tuple(sorted(set(sites)))
    targets = {}
    for site_id in chosen:
        row = conn.execute("SELECT settings FROM sites WHERE id = ?", (site_id,)).fetchone()
        settings = json.loads(row[0]) if row else {}
        targets[site_id] = float(settings.get("target_wait_minutes") or DEFAULT_TARGET_WAIT_MINUTES)
    return ReportQuery(start, end, chosen, targets)


def _table(columns: list[str], rows: Iterable[Iterable[Any]]) -> dict[str, Any]:
    return {"columns": columns, "rows": [list(r) for r in rows]}


def _percentiles(
    histogram: dict[int, int], total: int, wanted: Iterable[float]
) -> list[float | None]:
    """Nearest-rank percentiles (in minutes) from counts per 30-second bucket.

    The nearest-rank value (the smallest time with at least that share of tickets at or
    below it; the median of an even count is the lower middle one) lies in the bucket
    where the running count reaches the rank; the bucket's midpoint is within 15 s of it.
    """
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


def _target_seconds(query: ReportQuery) -> tuple[str, list[Any]]:
    """Each ticket's site target as a CASE expression: cheaper per row than a join."""
    cases = " ".join("WHEN ? THEN ?" for _ in query.sites)
    params: list[Any] = []
    for site in query.sites:
        params += [site, query.targets[site] * 60]
    return f"(CASE t.site_id {cases} END)", params


def summary(conn: sqlite3.Connection, query: ReportQuery) -> dict[str, Any]:
    acc = _timings(conn, query, None, counts=True).get("全部") or _Timing(
        counts=[0] * len(SUMMARY_COUNTS)
    )
    issued, done, no_show, cancelled, unserved, transfers, recalls, completed, rated, satisfied = (
        acc.counts
    )
    called = sum(acc.waits.values())
    served = sum(acc.services.values())
    wait_median, wait_p90 = _percentiles(acc.waits, called, (0.5, 0.9))
    service_median, service_p90 = _percentiles(acc.services, served, (0.5, 0.9))
    wait_mean = _minutes(acc.wait_sum / called) if called else None
    service_mean = _minutes(acc.service_sum / served) if served else None
    within = _share(acc.within, called)
    return _table(
        ["指标", "值"],
        [
            ["issued", issued],
            ["served", done],
            ["no_show", no_show],
            ["cancelled", cancelled],
            ["unserved", unserved],
            ["transfers", transfers],
            ["recalls", recalls],
            ["no_show_rate", _share(no_show, called)],
            ["on_the_spot_share", _share(completed, done)],
            ["within_target_share", within],
            ["wait_mean_minutes", wait_mean],
            ["wait_median_minutes", wait_median],
            ["wait_p90_minutes", wait_p90],
            ["service_mean_minutes", service_mean],
            ["service_median_minutes", service_median],
            ["service_p90_minutes", service_p90],
            ["rated", rated],
            ["satisfaction_rate", _share(satisfied, rated)],
        ],
    )


def _share(part: float, whole: float) -> float | None:
    return round(part / whole, 4) if whole else None


def _minutes(seconds: float | None) -> float | None:
    return round(seconds / 60, 2) if seconds is not None else None


def _join(by: str | None) -> str:
    """The services table is joined only when grouping by department (a join per row costs)."""
    return "LEFT JOIN services s ON s.code = t.service" if by == "department" else ""


def _grouping(by: str | None) -> tuple[str, str]:
    if by is None:
        return "'全部'", "范围"
    if by not in GROUPINGS:
        raise InvalidInput("group by one of " + ", ".join(GROUPINGS), field="by")
    return GROUPINGS[by]


def throughput(conn: sqlite3.Connection, query: ReportQuery, by: str) -> dict[str, Any]:
    """Tickets issued, served, no-shows, transfers and recalls per group."""
    expression, label = _grouping(by)
    where, params = query.where()
    rows = conn.execute(
        f"""SELECT {expression} AS g, count(*), sum(t.status = 'done'), sum(t.status = 'no_show'),
                   sum(t.status = 'unserved'), sum(t.transfer_count), sum(t.recall_count),
                   sum(t.outcome = 'completed')
            FROM tickets t {_join(by)}
            WHERE {where} GROUP BY g ORDER BY g""",
        params,
    ).fetchall()
    return _table(
        [label, "取号", "办结", "过号", "未办", "转办", "重呼", "即办"],
        ([_label(by, r[0]), *(v or 0 for v in r[1:])] for r in rows),
    )


def _label(by: str | None, value: Any) -> Any:
    if by == "weekday" and value is not None:
        return WEEKDAY_NAMES[int(value)]
    return value


@dataclass
class _Timing:
    """Everything the times of one group need, folded from the cells of one pass."""

    waits: dict[int, int] = field(default_factory=dict)  # 30-second bucket → tickets
    services: dict[int, int] = field(default_factory=dict)
    wait_sum: float = 0.0
    service_sum: float = 0.0
    within: int = 0
    counts: list[int] = field(default_factory=list)  # the summary's status counts, when asked


SUMMARY_COUNTS = (
    "count(*)",
    "sum(t.status = 'done')",
    "sum(t.status = 'no_show')",
    "sum(t.status = 'cancelled')",
    "sum(t.status = 'unserved')",
    "sum(t.transfer_count)",
    "sum(t.recall_count)",
    "sum(t.outcome = 'completed')",
    "sum(t.rating IS NOT NULL)",
    "sum(t.rating >= 4)",
)


def _timings(
    conn: sqlite3.Connection, query: ReportQuery, by: str | None, counts: bool = False
) -> dict[Any, _Timing]:
    """One pass over the tickets, grouped by (group, wait bucket, service bucket).

    Each cell carries its count, the sums for the means and the count within the site's
    target (and, for the summary, the status counts), so medians, percentiles, means and
    shares all come from the same read of the covering index.
    """
    expression, _ = _grouping(by)
    where, params = query.where()
    target, target_params = _target_seconds(query)
    extra = ", " + ", ".join(SUMMARY_COUNTS) if counts else ""
    rows = conn.execute(
        f"""SELECT {expression} AS g, CAST(t.wait_seconds / {BUCKET_SECONDS} AS INTEGER) AS wb,
                   CAST(t.service_seconds / {BUCKET_SECONDS} AS INTEGER) AS sb, count(*),
                   sum(t.wait_seconds), sum(t.service_seconds), sum(t.wait_seconds <= {target}){extra}
            FROM tickets t {_join(by)}
            WHERE {where} {"" if counts else "AND t.wait_seconds IS NOT NULL"} GROUP BY g, wb, sb""",
        target_params + params,
    )
    groups: dict[Any, _Timing] = {}
    for g, wb, sb, count, wait_sum, service_sum, within, *status in rows:
        acc = groups.setdefault(g, _Timing(counts=[0] * len(status)))
        if wb is not None:
            acc.waits[wb] = acc.waits.get(wb, 0) + count
            acc.wait_sum += wait_sum
            acc.within += within or 0
        if sb is not None:
            acc.services[sb] = acc.services.get(sb, 0) + count
            acc.service_sum += service_sum
        acc.counts = [a + (b or 0) for a, b in zip(acc.counts, status, strict=True)]
    return groups


def times(conn: sqlite3.Connection, query: ReportQuery, by: str | None) -> dict[str, Any]:
    """Waiting and service times per group: mean, median, 90th percentile; share within target."""
    _, label = _grouping(by)
    stats = []
    for g, acc in sorted(
        _timings(conn, query, by).items(), key=lambda item: (item[0] is not None, item[0])
    ):
        called = sum(acc.waits.values())
        served = sum(acc.services.values())
        stats.append(
            (
                g,
                called,
                acc.wait_sum / called,
                acc.service_sum / served if served else None,
                acc.within,
                acc,
            )
        )
    rows = []
    for g, called, mean_wait, mean_service, within, acc in stats:
        wait_median, wait_p90 = _percentiles(acc.waits, called, (0.5, 0.9))
        service_median, service_p90 = _percentiles(
            acc.services, sum(acc.services.values()), (0.5, 0.9)
        )
        rows.append(
            [
                _label(by, g),
                _minutes(mean_wait),
                wait_median,
                wait_p90,
                _minutes(mean_service),
                service_median,
                service_p90,
                _share(within or 0, called),
                called,
            ]
        )
    return _table(
        [
            label,
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


def outcomes(conn: sqlite3.Connection, query: ReportQuery, by: str | None = None) -> dict[str, Any]:
    """Outcome mix of finished tickets and the on-the-spot share (即办件占比)."""
    expression, label = _grouping(by)
    where, params = query.where()
    rows = conn.execute(
        f"""SELECT {expression} AS g, sum(t.outcome = 'completed'), sum(t.outcome = 'accepted'),
                   sum(t.outcome = 'referred'), sum(t.outcome = 'materials_incomplete'), count(*)
            FROM tickets t {_join(by)}
            WHERE {where} AND t.status = 'done' GROUP BY g ORDER BY g""",
        params,
    ).fetchall()
    return _table(
        [label, "即办", "承诺件", "移交", "材料不全", "办结", "即办件占比"],
        ([_label(by, r[0]), *(v or 0 for v in r[1:6]), _share(r[1] or 0, r[5])] for r in rows),
    )


def ratings(conn: sqlite3.Connection, query: ReportQuery, by: str | None = None) -> dict[str, Any]:
    """好差评: ratings per level and the satisfaction rate (满意 and 非常满意 over all ratings)."""
    expression, label = _grouping(by)
    where, params = query.where()
    rows = conn.execute(
        f"""SELECT {expression} AS g, sum(t.rating = 5), sum(t.rating = 4), sum(t.rating = 3),
                   sum(t.rating = 2), sum(t.rating = 1), count(*)
            FROM tickets t {_join(by)}
            WHERE {where} AND t.rating IS NOT NULL GROUP BY g ORDER BY g""",
        params,
    ).fetchall()
    return _table(
        [label, *RATING_NAMES.values(), "评价数", "满意率"],
        (
            [_label(by, r[0]), *(v or 0 for v in r[1:7]), _share((r[1] or 0) + (r[2] or 0), r[6])]
            for r in rows
        ),
    )


def channels(conn: sqlite3.Connection, query: ReportQuery) -> dict[str, Any]:
    where, params = query.where()
    rows = conn.execute(
        f"SELECT t.channel, count(*) FROM tickets t WHERE {where} GROUP BY t.channel ORDER BY count(*) DESC",
        params,
    ).fetchall()
    total = sum(r[1] for r in rows)
    return _table(["渠道", "取号", "占比"], ([r[0], r[1], _share(r[1], total)] for r in rows))


def heatmap(conn: sqlite3.Connection, query: ReportQuery) -> dict[str, Any]:
    """Arrivals by local hour (rows) and weekday (columns)."""
    where, params = query.where()
    cells = {
        (hour, weekday): count
        for hour, weekday, count in conn.execute(
            f"SELECT t.local_hour, t.weekday, count(*) FROM tickets t WHERE {where} GROUP BY 1, 2",
            params,
        )
    }
    hours = sorted({h for h, _ in cells})
    return _table(
        ["小时", *WEEKDAY_NAMES], ([h, *(cells.get((h, d), 0) for d in range(7))] for h in hours)
    )


def run_report(
    conn: sqlite3.Connection, name: str, query: ReportQuery, by: str | None = None
) -> dict[str, Any]:
    if name == "summary":
        return summary(conn, query)
    if name == "throughput":
        return throughput(conn, query, by or "day")
    if name == "times":
        return times(conn, query, by)
    if name == "outcomes":
        return outcomes(conn, query, by)
    if name == "ratings":
        return ratings(conn, query, by)
    if name == "channels":
        return channels(conn, query)
    if name == "heatmap":
        return heatmap(conn, query)
    raise InvalidInput("report must be one of " + ", ".join(REPORTS), field="report")
