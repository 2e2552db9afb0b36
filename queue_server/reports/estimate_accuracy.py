"""How good the promised waits are: the `estimate_accuracy` report.

A ticket is promised a band of minutes at issue (`estimates.wait_band`, stored with it);
its real wait runs from issue to its first call. Per site, item and local hour of issue,
over the called tickets that were promised a band (older tickets were not: left out):

- 测量数: how many were measured;
- 平均绝对误差: the mean of |real wait − the band's midpoint|, minutes;
- 偏差: the mean of (real wait − the band's midpoint), minutes: above 0, waits were longer
  than promised;
- 区间内占比: the share whose real wait fell inside the band (both ends included).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from queue_server.storage import Store
from queue_server.wire import words

if TYPE_CHECKING:
    from queue_server.reports.registry import ReportQuery

COLUMNS = ("report_by_site", "report_by_service", "report_by_hour", "report_col_measured",
           "report_col_abs_error", "report_col_bias", "report_col_in_band")  # fmt: skip


@dataclass
class Accuracy:
    """Running sums of one group's promises against their waits (minutes)."""

    measured: int = 0
    abs_error: float = 0.0
    error: float = 0.0
    inside: int = 0

    def add(self, low: float, high: float, waited: float) -> None:
        error = waited - (low + high) / 2
        self.measured += 1
        self.abs_error += abs(error)
        self.error += error
        self.inside += low <= waited <= high

    def figures(self) -> list[Any]:
        n = self.measured
        return [
            n,
            round(self.abs_error / n, 1),
            round(self.error / n, 1),
            round(self.inside / n, 4),
        ]


def measure(rows: list[tuple[float, float, float]]) -> Accuracy:
    """The accuracy of (low, high, waited) promises, all in minutes."""
    found = Accuracy()
    for low, high, waited in rows:
        found.add(low, high, waited)
    return found


def estimate_accuracy(store: Store, query: ReportQuery) -> dict[str, Any]:
    groups: dict[tuple[str, str, int], Accuracy] = {}
    rows = store.tickets.promises(query.sites, query.start.isoformat(), query.end.isoformat())
    for row in rows:
        key = (row["site_id"], row["service"] or row["bundle"], row["local_hour"])
        groups.setdefault(key, Accuracy()).add(
            row["promised_low"], row["promised_high"], row["wait_seconds"] / 60
        )
    return {
        "columns": [words.WORDS[code][0] for code in COLUMNS],
        "rows": [[*key, *found.figures()] for key, found in groups.items()],
    }
