"""Ratings (好差评) as they are read: one ticket's, and a site's day per level and window."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from queue_server import wire
from queue_server.calling.counter_view import known_site
from queue_server.calling.operations import Rating
from queue_server.engine import hours, ratings
from queue_server.storage import Database
from queue_server.wire import words


def rating_payload(rating: Rating | None) -> dict[str, Any] | None:
    if rating is None:
        return None
    zh, en = words.WORDS[f"rate_{rating.level}"]
    reason = words.WORDS[f"bad_reason_{rating.reason}"] if rating.reason else None
    return {
        "ticket": rating.ticket_id,
        "level": rating.level,
        "name": zh,
        "name_en": en,
        "channel": rating.channel,
        "at": rating.at,
        "reason": rating.reason,
        "reason_name": reason[0] if reason else None,
        "reason_name_en": reason[1] if reason else None,
    }


def day_ratings(db: Database, site_id: str, day: date | None, now: datetime) -> dict[str, Any]:
    """A site's ratings of `day` (default: its local today): how many at each level, the
    average, 满意率, and per window."""
    site = known_site(db.store, site_id)
    day_text = day.isoformat() if day else hours.local_day(now, site.timezone)
    levels = {str(level): 0 for level in sorted(wire.RATING_LEVELS, reverse=True)}
    per_counter: dict[int | None, dict[str, Any]] = {}
    total = 0
    for counter, level, n in db.store.calling_reads.ratings_of_day(site_id, day_text):
        levels[str(level)] += n
        total += n
        entry = per_counter.setdefault(counter, {"counter": counter, "count": 0, "sum": 0})
        entry["count"] += n
        entry["sum"] += level * n
    counters = [
        {"counter": e["counter"], "count": e["count"], "average": round(e["sum"] / e["count"], 2)}
        for e in sorted(per_counter.values(), key=lambda e: e["counter"] or 0)
    ]
    weighted = sum(int(level) * n for level, n in levels.items())
    return {
        "site": site_id,
        "day": day_text,
        "count": total,
        "average": round(weighted / total, 2) if total else None,
        "satisfied_share": ratings.satisfaction_rate({int(k): n for k, n in levels.items()}),
        "levels": levels,
        "counters": counters,
    }
