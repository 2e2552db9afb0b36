"""Personal data over time (PIPL): kept only as long as the site's rules need it.

Tickets keep a card's keyed hash and a masked name for the per-person limits and the
watch report, and a clerk's free-text transfer note; proxies (帮办代办) are known by a card
hash, a masked name or a user name; staff sessions leave token rows behind. Each site says
how long the personal part is kept (`personal_data_days`, default 180 days); the
background sweep then clears it, a bounded batch at a time so a first run over years of
history never holds the write lock for long. What the reports count stays exactly as it
was: statuses, times, outcomes, ratings, windows and clerks are not touched.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from queue_server.engine import hours
from queue_server.storage import Database
from queue_server.storage.records import to_text

log = logging.getLogger("hallqueue.retention")

DEFAULT_PERSONAL_DATA_DAYS = 180
MIN_PERSONAL_DATA_DAYS = 30  # a month of look-back for the watch report (黄牛监测)
MAX_PERSONAL_DATA_DAYS = 1095
BATCH = 5000  # tickets cleared per site and sweep


@dataclass(frozen=True)
class Purged:
    tickets: int = 0
    proxies: int = 0
    sessions: int = 0
    bookings: int = 0

    def __bool__(self) -> bool:
        return bool(self.tickets or self.proxies or self.sessions or self.bookings)


def personal_data_days(settings: dict[str, Any]) -> int:
    days = settings.get("personal_data_days")
    if isinstance(days, int) and not isinstance(days, bool) and days > 0:
        return days
    return DEFAULT_PERSONAL_DATA_DAYS


def purge(db: Database, now: datetime, batch: int = BATCH) -> Purged:
    """Clear what each site keeps past its limit, and drop finished staff sessions.

    A ticket's personal part goes once its local day is more than `personal_data_days`
    before the site's today (the per-day rules — per-person limits, one active ticket,
    proxies' caps — read only today's tickets, far inside the shortest limit allowed); a
    deactivated proxy's identity once nothing about the proxy was recorded within the
    limit. One transaction per site.
    """
    tickets = proxies = bookings = 0
    for site in db.store.sites.all():
        days = personal_data_days(site.settings)
        today = date.fromisoformat(hours.local_day(now, site.timezone))
        before_day = (today - timedelta(days=days)).isoformat()
        before_at = to_text(now - timedelta(days=days))
        assert before_at is not None
        with db.transaction() as store:
            tickets += store.purges.forget_ticket_persons(site.id, before_day, batch)
            proxies += len(store.purges.forget_proxies(site.id, before_day, before_at))
            bookings += store.purges.forget_booking_persons(site.id, before_day, batch)
    with db.transaction() as store:
        sessions = store.purges.delete_finished_sessions(to_text(now) or "")
    purged = Purged(tickets, proxies, sessions, bookings)
    if purged:
        log.info(
            "retention: personal data cleared from %d tickets, %d proxies and %d bookings; %d sessions deleted",
            tickets,
            proxies,
            bookings,
            sessions,
        )
    return purged
