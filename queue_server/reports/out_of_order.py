"""Out-of-order calls per clerk (点名叫号 / 插号) over a range of local days.

A clerk may call a waiting ticket out of its turn only with a reason from
`lifecycle.OUT_OF_ORDER_REASONS`; the call's `ticket.called` event records it
(`data: {"reason": "out_of_order", "out_of_order_reason": …}`). Two tables:

- **clerks**: per site and clerk, all calls (the comparison), the out-of-order calls, their
  share, and the out-of-order calls per reason; most out-of-order calls first.
- **latest**: the latest out-of-order calls, newest first: local time, site, number,
  window, clerk and reason.

Who made a call: the event's own `clerk` (recorded since issue 8's rules); for older
events the ticket's clerk when the call is the ticket's latest (its `called_at` is the
event's time), otherwise the clerk the window was opened by (the event's counter). Calls are those of tickets of the range's days (a ticket is
called on the day it was taken; a missed ticket comes back the same day only).
"""

from __future__ import annotations

import heapq
from typing import Any
from zoneinfo import ZoneInfo

from queue_server.engine.lifecycle import OUT_OF_ORDER_REASONS
from queue_server.reports.registry import ReportQuery
from queue_server.storage import Row, Store
from queue_server.storage.records import from_text
from queue_server.wire import words

DEFAULT_LATEST = 20
MAX_LATEST = 500
# The reasons' columns and cells are named by the catalogue's words (in Chinese, as every
# report column is); "other": a reason no longer on the list (older history).
REASON_NAMES = {reason: words.WORDS[f"ooo_{reason}"][0] for reason in OUT_OF_ORDER_REASONS}
OTHER_REASON = words.WORDS["ooo_other"][0]
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


def _clerk_rows(counts: dict[tuple[str, str | None], dict[str | None, int]]) -> list[list[Any]]:
    found: list[list[Any]] = []
    for (site, clerk), by_why in counts.items():
        total = sum(by_why.values())
        by_reason = {r: by_why.get(r, 0) for r in OUT_OF_ORDER_REASONS}
        other = sum(n for why, n in by_why.items() if why is not None and why not in by_reason)
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
    return found


def _latest_rows(store: Store, calls: list[Row]) -> list[list[Any]]:
    zones: dict[str, ZoneInfo] = {}
    found: list[list[Any]] = []
    for row in calls:
        if row["site"] not in zones:
            site = store.sites.get(row["site"])
            zones[row["site"]] = ZoneInfo(site.timezone if site else "Asia/Shanghai")
        moment = from_text(row["at"])
        assert moment is not None
        found.append(
            [
                moment.astimezone(zones[row["site"]]).strftime("%Y-%m-%d %H:%M:%S"),
                row["site"],
                row["number"],
                row["counter"],
                row["clerk"],
                row["why"] if row["why"] in REASON_NAMES else "other",
            ]
        )
    return found


def out_of_order_calls(
    store: Store, query: ReportQuery, latest_limit: int = DEFAULT_LATEST
) -> dict[str, Any]:
    """Both tables from one pass over the calls (the join is most of the cost)."""
    counts: dict[tuple[str, str | None], dict[str | None, int]] = {}
    newest: list[tuple[str, str, int, Row]] = []  # a heap of the latest out-of-order calls
    for n, row in enumerate(store.reports.calls(query.sites, query.start, query.end)):
        by_why = counts.setdefault((row["site"], row["clerk"]), {})
        by_why[row["why"]] = by_why.get(row["why"], 0) + 1
        if row["why"] is not None:
            entry = (row["at"], row["number"], n, row)
            if len(newest) < latest_limit:
                heapq.heappush(newest, entry)
            elif entry[:3] > newest[0][:3]:
                heapq.heapreplace(newest, entry)
    latest = [entry[3] for entry in sorted(newest, key=lambda e: e[:3], reverse=True)]
    return {
        # The reason columns' codes, in column order (JSON objects lose their order).
        "reasons": list(OUT_OF_ORDER_REASONS),
        "clerks": {"columns": CLERK_COLUMNS, "rows": _clerk_rows(counts)},
        "latest": {"columns": LATEST_COLUMNS, "rows": _latest_rows(store, latest)},
    }
