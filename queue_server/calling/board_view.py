"""What a hall display shows (`GET /sites/{site}/board`): the windows and the number each
calls now, the last calls of the day, the waiting counts, the notice and how to announce.

A display reads this once, then follows the site's events from `last_seq`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from queue_server import wire
from queue_server.calling import rules_view
from queue_server.calling.counter_view import day_start_utc, item_names, known_site
from queue_server.engine import hours
from queue_server.engine.model import Site
from queue_server.storage import Database
from queue_server.wire import words

RECENT_CALLS = 12


def board(db: Database, site_id: str, now: datetime) -> dict[str, Any]:
    store = db.store
    site = known_site(store, site_id)
    counters = store.counters.of_site(site_id)
    on_show = store.calling_reads.tickets_on_show(
        [c.current_ticket_id for c in counters if c.current_ticket_id]
    )
    day = hours.local_day(now, site.timezone)
    names = item_names(store)
    waiting = []
    for line in store.calling_reads.waiting_per_item(site_id):
        key = f"S:{line['service']}" if line["service"] else f"B:{line['bundle']}"
        name, name_en, prefix = names.get(key, ("", "", ""))
        waiting.append(
            {
                "service": line["service"],
                "bundle": line["bundle"],
                "name": name,
                "name_en": name_en,
                "prefix": prefix,
                "waiting": line["waiting"],
            }
        )
    return {
        "site": _site_and_announcements(site),
        "counters": [
            {
                "number": c.number,
                "name": c.name,
                "state": c.state.value,
                "pause_reason": c.pause_reason,
                "ticket": on_show.get(c.current_ticket_id or ""),
            }
            for c in counters
        ],
        "recent_calls": store.calling_reads.recent_calls(
            site_id, day_start_utc(day, site.timezone), RECENT_CALLS
        ),
        "waiting": waiting,
        "waiting_total": sum(w["waiting"] for w in waiting),
        # The rules in one sentence each (both languages) and what is left of capped items.
        "rules": rules_view.all_sentences(site),
        "quotas": rules_view.site_quotas(store, site, now),
        "last_seq": store.events.last_seq(site_id),
        "server_time": wire.iso(now),
    }


def _site_and_announcements(site: Site) -> dict[str, Any]:
    settings = site.settings
    return {
        "id": site.id,
        "name": site.name,
        "name_en": site.name_en,
        "timezone": site.timezone,
        "notice": settings.get("notice", ""),
        "notice_en": settings.get("notice_en", ""),
        # The site's announcement, else the catalogue's: the display says what it is told.
        "announce_template": settings.get("announce_template") or words.WORDS["announce_call"][0],
        "announce_template_en": settings.get("announce_template_en") or words.WORDS["announce_call"][1],
        "announce_english": bool(settings.get("announce_english", False)),
        "announce_times": int(settings.get("announce_times", 1) or 1),
    }
