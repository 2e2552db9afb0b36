"""The “一件事” report: each bundle's stages and the bundle as a whole.

One row per bundle and item: the stages served, their mean minutes (timed stages only:
items served together at a finish, their time not split, are counted but not timed), the
stage ratings and their satisfaction share; then one row for the bundle as a whole: its
tickets with stages, and the ticket's own (overall) ratings. The satisfaction share is the
ratings report's (`registry.ratings`): 满意 and 非常满意 over all ratings.

Read straight from `ticket_stages` (not rolled up): a bundle ticket is a small share of
a hall's tickets.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from typing import Any

from queue_server.engine import ratings
from queue_server.storage import Store
from queue_server.storage.records import from_text
from queue_server.wire import words

COLUMNS = ["一件事", "环节", "办理次数", "计时次数", "平均环节用时", "评价数", "满意率"]
WHOLE = words.WORDS["report_bundle_whole"][0]


def satisfied_share(levels: Iterable[int]) -> float | None:
    """满意率 of these ratings, by the one national rule (`ratings.satisfaction_rate`)."""
    return ratings.satisfaction_rate(Counter(levels))


class _Tally:
    def __init__(self) -> None:
        self.served = 0
        self.minutes: list[float] = []
        self.ratings: list[int] = []


def _minutes(started: str | None, finished: str | None) -> float | None:
    start, end = from_text(started), from_text(finished)
    if start is None or end is None:
        return None
    return max(0.0, (end - start).total_seconds() / 60)


def report(store: Store, sites: Iterable[str], first_day: str, last_day: str) -> dict[str, Any]:
    stages: dict[tuple[str, str], _Tally] = defaultdict(_Tally)
    whole: dict[str, dict[str, int | None]] = defaultdict(dict)  # bundle → ticket → rating
    for site in sites:
        for row in store.ticket_stages.report_rows(site, first_day, last_day):
            tally = stages[(row["bundle"], row["service"])]
            tally.served += 1
            minutes = _minutes(row["started_at"], row["finished_at"]) if row["timed"] else None
            if minutes is not None:
                tally.minutes.append(minutes)
            if row["rating"] is not None:
                tally.ratings.append(row["rating"])
            whole[row["bundle"]][row["ticket_id"]] = row["ticket_rating"]
    rows: list[list[Any]] = []
    for code in sorted(whole):
        bundle = store.catalogue.bundle(code)
        name = bundle.name if bundle else code
        order = list(bundle.services) if bundle else []
        items = sorted(
            (service for b, service in stages if b == code),
            key=lambda s: (order.index(s) if s in order else len(order), s),
        )
        for service in items:
            tally = stages[(code, service)]
            item = store.catalogue.service(service)
            rows.append(
                [
                    name,
                    item.name if item else service,
                    tally.served,
                    len(tally.minutes),
                    round(sum(tally.minutes) / len(tally.minutes), 2) if tally.minutes else None,
                    len(tally.ratings),
                    satisfied_share(tally.ratings),
                ]
            )
        overall = [r for r in whole[code].values() if r is not None]
        rows.append(
            [name, WHOLE, len(whole[code]), None, None, len(overall), satisfied_share(overall)]
        )
    return {"columns": COLUMNS, "rows": rows}
