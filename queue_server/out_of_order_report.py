"""Out-of-order calls per clerk (点名叫号 / 插号) over a range of local days.

A clerk may call a waiting ticket out of its turn only with a reason from
`lifecycle.OUT_OF_ORDER_REASONS`; the call's `ticket.called` event records it
(`data: {"reason": "out_of_order", "out_of_order_reason": …}`). Two tables:

- **clerks**: per site and clerk, all calls (the comparison), the out-of-order calls, their
  share, and the out-of-order calls per reason; most out-of-order calls first.
- **latest**: the latest out-of-order calls, newest first: local time, site, number,
  window, clerk and reason.

Who made a call: the ticket's clerk when the call is the ticket's latest (its `called_at`
is the event's time: exact, whoever pressed), otherwise the clerk the window was opened by
(the event's counter). Calls are those of tickets of the range's days (a ticket is
called on the day it was taken; a missed ticket comes back the same day only).
"""

from __future__ import annotations

import sqlite3
from typing import Any
from zoneinfo import ZoneInfo

from .engine.lifecycle import OUT_OF_ORDER_REASONS
from .reports import ReportQuery
from .storage import repository as repo
from .storage.records import from_text

DEFAULT_LATEST = 20
MAX_LATEST = 500
REASON_NAMES = {
    "returned_with_materials": "补齐材料返回",
    "appointment_on_time": "预约准时到达",
    "special_need": "特殊困难",
    "joint_handling": "联办转办衔接",
    "system_fault": "系统故障补叫",
    "manager_instruction": "现场负责人安排",
}
OTHER_REASON = "其他"  # a reason no longer on the list (older history)
CLERK_COLUMNS = [
    "网点",
    "工作人员",
    "叫号总数",
    "点名叫号",
    "点名占比",
    *(REASON_NAMES[r] for r in OUT_OF_ORDER_REASONS),
    OTHER_REASON,
]
LATEST_COLUMNS = ["时间", "网点", "号码", "窗口", "工作人员", "原因"]

# One row per call of a ticket of the range: its site, clerk and, when out of order, why.
_CALLS = """
    SELECT t.site_id AS site, e.at AS at, t.number AS number, e.counter AS counter,
           CASE WHEN t.called_at = e.at AND t.clerk IS NOT NULL THEN t.clerk
                ELSE coalesce(json_extract(e.payload, '$.counter.clerk'), t.clerk) END AS clerk,
           CASE WHEN json_extract(e.payload, '$.data.reason') = 'out_of_order'
                THEN coalesce(json_extract(e.payload, '$.data.out_of_order_reason'), '')
           END AS why
    FROM tickets t JOIN events e ON e.ticket_id = t.id
    WHERE t.site_id IN ({sites}) AND t.day BETWEEN ? AND ? AND e.type = 'ticket.called'
"""


def _calls(query: ReportQuery) -> tuple[str, tuple[Any, ...]]:
    sites = ",".join("?" for _ in query.sites) or "NULL"
    return _CALLS.format(sites=sites), (*query.sites, str(query.start), str(query.end))


def clerks(conn: sqlite3.Connection, query: ReportQuery) -> dict[str, Any]:
    calls, params = _calls(query)
    rows = conn.execute(
        f"SELECT site, clerk, why, count(*) AS n FROM ({calls}) GROUP BY site, clerk, why",
        params,
    ).fetchall()
    per_clerk: dict[tuple[str, str | None], dict[str | None, int]] = {}
    for row in rows:
        per_clerk.setdefault((row["site"], row["clerk"]), {})[row["why"]] = row["n"]
    found = []
    for (site, clerk), counts in per_clerk.items():
        total = sum(counts.values())
        by_reason = {r: counts.get(r, 0) for r in OUT_OF_ORDER_REASONS}
        other = sum(n for why, n in counts.items() if why is not None and why not in by_reason)
        out_of_order = sum(by_reason.values()) + other
        found.append(
            [
                site,
                clerk,
                total,
                out_of_order,
                round(out_of_order / total, 4) if total else None,
                *by_reason.values(),
                other,
            ]
        )
    found.sort(key=lambda r: (-r[3], -r[2], r[0], r[1] or ""))
    return {"columns": CLERK_COLUMNS, "rows": found}


def latest(conn: sqlite3.Connection, query: ReportQuery, limit: int) -> dict[str, Any]:
    calls, params = _calls(query)
    rows = conn.execute(
        f"""SELECT * FROM ({calls}) WHERE why IS NOT NULL
            ORDER BY at DESC, number DESC LIMIT ?""",
        (*params, limit),
    ).fetchall()
    zones: dict[str, str] = {}
    found = []
    for row in rows:
        if row["site"] not in zones:
            site = repo.get_site(conn, row["site"])
            zones[row["site"]] = site.timezone if site else "Asia/Shanghai"
        moment = from_text(row["at"])
        assert moment is not None
        local = moment.astimezone(ZoneInfo(zones[row["site"]]))
        found.append(
            [
                local.strftime("%Y-%m-%d %H:%M:%S"),
                row["site"],
                row["number"],
                row["counter"],
                row["clerk"],
                row["why"] if row["why"] in REASON_NAMES else "other",
            ]
        )
    return {"columns": LATEST_COLUMNS, "rows": found}


def out_of_order_calls(
    conn: sqlite3.Connection, query: ReportQuery, latest_limit: int = DEFAULT_LATEST
) -> dict[str, Any]:
    return {
        # The reason columns' codes, in column order (JSON objects lose their order).
        "reasons": list(OUT_OF_ORDER_REASONS),
        "clerks": clerks(conn, query),
        "latest": latest(conn, query, latest_limit),
    }
