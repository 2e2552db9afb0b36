"""Managers' reports of appointments (预约) and of tickets by channel.

Four reports, each one table like the others of `registry` (which runs them):

- `slots`: per slot (site, day, start, item) the places open to booking under the
  item's slot plan now, the bookings made, and what became of them: checked in, no-show,
  cancelled, still to come; `by=hour` sums them per time of day over the range;
- `punctuality`: per site, the bookings that came due (checked in or no-show): on time,
  late, no-show, their shares, and the median minutes from the slot's start to the
  check-in; `checkin_minutes`: how early or late check-ins were, in 5-minute steps;
- `booking_no_shows`: per site and item, bookings, cancellations, check-ins, no-shows
  and the no-show rate (no-shows over the bookings that came due);
- `channel_days`: tickets per site and local day (`by=week`: per week from Monday;
  `by=site`: over the range) and channel (kiosk, appointment, online, staff, phone).

Times of slots are the site's local time. A remote ticket's row in `appointments` (channel
`remote`) is not a booking and is not counted; its ticket is, under the online channel.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from queue_server.engine import booking, hours
from queue_server.engine.errors import InvalidInput
from queue_server.engine.model import Channel
from queue_server.storage import Store
from queue_server.wire import words

if TYPE_CHECKING:
    from queue_server.reports.registry import ReportQuery

BOOKING_REPORTS = ("slots", "punctuality", "checkin_minutes", "booking_no_shows", "channel_days")
# The groupings each takes (`registry.groupings_of`); the others are one table.
GROUPINGS: dict[str, tuple[str, ...]] = {
    "slots": ("hour",),
    "punctuality": (),
    "checkin_minutes": (),
    "booking_no_shows": (),
    "channel_days": ("day", "week", "site"),
}
MINUTES_STEP = 5  # the check-in distribution's buckets
CHANNELS = tuple(Channel)
_STATUSES = ("checked_in", "no_show", "cancelled", "booked")


def _word(code: str) -> str:
    return words.WORDS[code][0]


def _table(columns: list[str], rows: Iterable[Iterable[Any]]) -> dict[str, Any]:
    return {"columns": columns, "rows": [list(r) for r in rows]}


def _share(part: float, whole: float) -> float | None:
    return round(part / whole, 4) if whole else None


def _days(start: date, end: date) -> Iterable[date]:
    for offset in range((end - start).days + 1):
        yield start + timedelta(days=offset)


def _utc(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def slots(store: Store, query: ReportQuery, by: str | None = None) -> dict[str, Any]:
    """Bookings per slot; `by=hour`: per local time of day, summed over the range."""
    if by not in (None, "hour"):
        raise InvalidInput("slots: by is none or hour", field="by")
    sites = {s.id: s for s in store.sites.all() if s.id in query.sites}
    # (site, local day, local hh:mm, kind, code) → [places, booked, per status…]
    found: dict[tuple[str, str, str, str, str], list[int | None]] = {}

    def entry(site_id: str, start: datetime, kind: str, code: str) -> list[int | None]:
        local = hours.local_time(start, sites[site_id].timezone)
        key = (site_id, local.date().isoformat(), local.strftime("%H:%M"), kind, code)
        return found.setdefault(key, [None, 0, 0, 0, 0, 0])

    for site_id, site in sites.items():
        for plan in store.appointments.plans(site_id):
            for day in _days(query.start, query.end):
                for start in booking.slot_starts(site, plan, day):
                    entry(site_id, start, plan.item_kind, plan.item_code)[0] = plan.bookable
    for row in store.booking_reports.per_slot(query.sites, query.start, query.end):
        counts = entry(row["site_id"], _utc(row["start"]), row["item_kind"], row["item_code"])
        counts[1] = (counts[1] or 0) + row["n"]
        if row["status"] in _STATUSES:
            at = 2 + _STATUSES.index(row["status"])
            counts[at] = (counts[at] or 0) + row["n"]
    figures = [
        _word(c)
        for c in (
            "report_col_places", "report_col_booked", "report_col_checked_in",
            "report_col_no_show", "report_col_cancelled", "report_col_to_come",
        )
    ]  # fmt: skip
    if by == "hour":
        per_time: dict[str, list[int]] = {}
        for (_, _, clock, _, _), counts in found.items():
            sums = per_time.setdefault(clock, [0] * 6)
            for i, n in enumerate(counts):
                sums[i] += n or 0
        return _table(
            [_word("report_col_slot"), *figures],
            ([clock, *sums] for clock, sums in sorted(per_time.items())),
        )
    return _table(
        [
            _word("report_by_site"), _word("report_by_day"), _word("report_col_slot"),
            _word("report_by_service"), *figures,
        ],
        ([site, day, clock, code, *counts] for (site, day, clock, _, code), counts in sorted(found.items())),
    )  # fmt: skip


def _due(counts: dict[str, int]) -> int:
    return counts.get("on_time", 0) + counts.get("late", 0) + counts.get("no_show", 0)


def _outcomes_by(store: Store, query: ReportQuery, key: str) -> dict[Any, dict[str, int]]:
    """Per site (`key` = "site") or per site and item ("item"): bookings by what became of them."""
    found: dict[Any, dict[str, int]] = {}
    for row in store.booking_reports.per_item(query.sites, query.start, query.end):
        group = row["site_id"] if key == "site" else (row["site_id"], row["item_code"])
        counts = found.setdefault(group, {})
        status = row["status"]
        if status == "checked_in":
            status = "late" if row["late"] else "on_time"
        counts[status] = counts.get(status, 0) + row["n"]
        counts["all"] = counts.get("all", 0) + row["n"]
    return found


def _median_minutes(seconds: dict[int, int]) -> float | None:
    """The nearest-rank median, in minutes to one decimal."""
    total = sum(seconds.values())
    if not total:
        return None
    rank, seen = max(1, math.ceil(total / 2)), 0
    for value, n in sorted(seconds.items()):
        seen += n
        if seen >= rank:
            return round(value / 60, 1)
    return None  # pragma: no cover - the ranks always reach the total


def punctuality(store: Store, query: ReportQuery) -> dict[str, Any]:
    """Per site: bookings come due, on time, late, no-show, shares, median check-in minutes."""
    seconds: dict[str, dict[int, int]] = {}
    for row in store.booking_reports.check_in_seconds(query.sites, query.start, query.end):
        per_site = seconds.setdefault(row["site_id"], {})
        per_site[row["seconds"]] = per_site.get(row["seconds"], 0) + row["n"]
    rows = []
    for site, counts in sorted(_outcomes_by(store, query, "site").items()):
        due = _due(counts)
        if not due:
            continue
        on_time, late, no_show = (
            counts.get("on_time", 0),
            counts.get("late", 0),
            counts.get("no_show", 0),
        )
        rows.append(
            [
                site, due, on_time, late, no_show,
                _share(on_time, due), _share(late, due), _share(no_show, due),
                _median_minutes(seconds.get(site, {})),
            ]
        )  # fmt: skip
    return _table(
        [
            _word("report_by_site"), _word("report_col_due"), _word("report_col_on_time"),
            _word("report_col_late"), _word("report_col_no_show"), _word("report_col_on_time_share"),
            _word("report_col_late_share"), _word("report_col_no_show_rate"),
            _word("report_col_median_minutes"),
        ],
        rows,
    )  # fmt: skip


def checkin_minutes(store: Store, query: ReportQuery) -> dict[str, Any]:
    """Check-ins per 5 minutes from their slot's start: -10 holds those from 10 to 5 minutes early."""
    buckets: dict[int, list[int]] = {}
    for row in store.booking_reports.check_in_seconds(query.sites, query.start, query.end):
        bucket = math.floor(row["seconds"] / 60 / MINUTES_STEP) * MINUTES_STEP
        buckets.setdefault(bucket, [0, 0])[1 if row["late"] else 0] += row["n"]
    total = sum(sum(pair) for pair in buckets.values())
    return _table(
        [
            _word("report_col_minutes_from_start"), _word("report_col_on_time"),
            _word("report_col_late"), _word("report_col_share"),
        ],
        ([b, on_time, late, _share(on_time + late, total)] for b, (on_time, late) in sorted(buckets.items())),
    )  # fmt: skip


def booking_no_shows(store: Store, query: ReportQuery) -> dict[str, Any]:
    """Per site and item: bookings, cancelled, checked in, no-shows and the no-show rate."""
    rows = []
    for (site, code), counts in sorted(_outcomes_by(store, query, "item").items()):
        checked = counts.get("on_time", 0) + counts.get("late", 0)
        no_show = counts.get("no_show", 0)
        rows.append(
            [
                site, code, counts["all"], counts.get("cancelled", 0), checked, no_show,
                _share(no_show, checked + no_show),
            ]
        )  # fmt: skip
    return _table(
        [
            _word("report_by_site"), _word("report_by_service"), _word("report_col_booked"),
            _word("report_col_cancelled"), _word("report_col_checked_in"),
            _word("report_col_no_show"), _word("report_col_no_show_rate"),
        ],
        rows,
    )  # fmt: skip


def week_of(day: str) -> str:
    """The local date of the Monday of the week of `day`."""
    value = date.fromisoformat(day)
    return (value - timedelta(days=value.weekday())).isoformat()


def channel_days(store: Store, query: ReportQuery, by: str | None = None) -> dict[str, Any]:
    """Tickets per site, day (or week from Monday, or the whole range) and channel."""
    by = by or "day"
    if by not in ("day", "week", "site"):
        raise InvalidInput("channel_days: by is day, week or site", field="by")
    found: dict[tuple[str, ...], dict[str, int]] = {}
    for row in store.booking_reports.tickets_by_channel(query.sites, query.start, query.end):
        key: tuple[str, ...] = (row["site_id"],)
        if by != "site":
            key += (row["day"] if by == "day" else week_of(row["day"]),)
        counts = found.setdefault(key, {})
        counts[row["channel"]] = counts.get(row["channel"], 0) + row["n"]
    when = [] if by == "site" else [_word(f"report_by_{by}")]
    return _table(
        [
            _word("report_by_site"), *when,
            *(_word(f"channel_{c.value}") for c in CHANNELS), _word("report_col_total"),
            _word("report_col_appointment_share"),
        ],
        (
            [
                *key, *(counts.get(c.value, 0) for c in CHANNELS), sum(counts.values()),
                _share(counts.get(Channel.APPOINTMENT.value, 0), sum(counts.values())),
            ]
            for key, counts in sorted(found.items())
        ),
    )  # fmt: skip


def run(store: Store, name: str, query: ReportQuery, by: str | None) -> dict[str, Any]:
    if name == "slots":
        return slots(store, query, by)
    if name == "punctuality":
        return punctuality(store, query)
    if name == "checkin_minutes":
        return checkin_minutes(store, query)
    if name == "booking_no_shows":
        return booking_no_shows(store, query)
    return channel_days(store, query, by)
