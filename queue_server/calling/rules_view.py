"""The site's queue rules and daily quotas, as screens and tickets show them.

The engine decides (`engine.rules`, `engine.caps`) and describes each rule by a code of
the message catalogue; this says them, one sentence per rule, in Chinese and English
(`wire.words`), and counts what is left of each capped item today with the time the next
tickets can be taken.
"""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from typing import Any

from queue_server import wire
from queue_server.engine import caps, hours, rules
from queue_server.engine.call_order import CallingPolicy
from queue_server.engine.model import Bundle, Service, Site
from queue_server.storage import Store
from queue_server.wire import words

LANGUAGES = words.LANGUAGES


def sentences(site: Site, lang: str = "zh") -> dict[str, str]:
    """The site's rules, one plain sentence each (the counter overrides are not shown)."""
    said = _said_rules(
        rules.calling_policy(site), rules.no_show_policy(site), rules.appointment_window(site), lang
    )
    return dict(said)


# Every ticket issued carries its site's rules: said once per distinct set of policies (a
# handful in a city), not formatted again for each ticket.
@lru_cache(maxsize=256)
def _said_rules(
    mixing: CallingPolicy, no_show: rules.NoShowPolicy, window: rules.AppointmentWindow, lang: str
) -> tuple[tuple[str, str], ...]:
    described = {
        "mixing": rules.describe_mixing(mixing),
        "no_show": rules.describe_no_show(no_show),
        "no_show_line": rules.describe_no_show_line(no_show),  # for tickets
        "appointment": rules.describe_appointments(window),
    }
    return tuple(
        (rule, words.say(code, lang, **params)) for rule, (code, params) in described.items()
    )


def all_sentences(site: Site) -> dict[str, dict[str, str]]:
    return {lang: sentences(site, lang) for lang in LANGUAGES}


def item_quota(
    store: Store,
    site: Site,
    service: str | None,
    bundle: str | None,
    cap: int | None,
    now: datetime,
) -> dict[str, Any] | None:
    """What is left today of an item with a daily cap `cap`; None when it has none."""
    if cap is None:
        return None
    day = hours.local_day(now, site.timezone)
    taken = store.tickets.issued_on(site.id, day, service, bundle)
    quota = caps.quota(cap, taken, rules.walk_in_share(site))
    assert quota is not None
    return {
        "cap": quota.cap,
        "taken": quota.taken,
        "remaining": quota.remaining,
        "reserved_for_walk_ins": quota.reserved,
        "next_issue_at": wire.iso(caps.next_issue_time(site, now)) if not quota.remaining else None,
    }


def ticket_quota(
    store: Store,
    site: Site,
    service: str | None,
    bundle: str | None,
    now: datetime,
    item: Service | Bundle | None = None,
) -> dict[str, Any] | None:
    """The ticket's item's quota; `item`, where the caller already read it, saves a read."""
    if item is None:
        item = store.catalogue.service(service) if service else store.catalogue.bundle(bundle or "")
    if item is None:
        return None
    return item_quota(store, site, service, bundle, item.daily_cap, now)


def site_quotas(store: Store, site: Site, now: datetime) -> list[dict[str, Any]]:
    """Every capped item the site offers, with what is left today (for displays)."""
    found = []
    services, bundles = store.offerings.of(site.id)
    items: list[Service | Bundle | None] = [store.catalogue.service(c) for c in services]
    items += [store.catalogue.bundle(c) for c in bundles]
    for item in items:
        if item is None or item.daily_cap is None:
            continue
        service, bundle = (item.code, None) if isinstance(item, Service) else (None, item.code)
        quota = item_quota(store, site, service, bundle, item.daily_cap, now)
        assert quota is not None
        quota.update(
            service=service,
            bundle=bundle,
            name=item.name,
            name_en=item.name_en,
            prefix=item.prefix,
        )
        found.append(quota)
    return found
