"""The demo city: a hall, a 商圈 station, a township centre and two villages below it.

`load_demo` fills an empty database from `catalog.json` and `city.json` (data
written for hallqueue from the city's own report, see ../shared/DOMAIN.md): the sites
with their offerings and windows, and each site's bookable slots (`slot_plans`: a handful
of the hall's items and a bundle, and the township centre's); the 商圈 station takes
remote tickets (`remote_tickets`). `add_demo_proxies` registers proxies at the hall and the
township centre (代办: an agency's runner by ID card, the assisted area's staff), whom the
simulated history sees take tickets for others (`make demo`, `history simulate` on an
empty database); `load_demo` alone leaves them out, so tests start without any. Every site with hours follows the national holidays the
database was seeded with; one village station closes for its market day (赶集日) in the
coming weeks.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, date, datetime, timedelta
from importlib import resources

from queue_server.administration.catalog_import import (
    import_catalog,
    load_sites,
    parse_catalog_json,
)
from queue_server.engine import hours
from queue_server.engine.booking import SlotPlan
from queue_server.engine.ids import new_id
from queue_server.engine.opening_days import SiteDay
from queue_server.people.proxies import add_proxy
from queue_server.storage import Database

MARKET_VILLAGE = "village-jinqiu"
DEMO_HALL = "city-hall"

# site, name, kind, daily cap, user name (staff) or a seed of the card's hash (registered)
DEMO_PROXIES = [
    ("city-hall", "顺达代办 刘**", "registered", 15, "demo-proxy-liu"),
    ("city-hall", "企业服务代办 陈**", "registered", 10, "demo-proxy-chen"),
    ("city-hall", "帮代办专区", "staff", 25, "daiban"),
    ("town-gutang", "村级代办员 赵**", "registered", 8, "demo-proxy-zhao"),
]

DEMO_USERS = [
    # username, password, role, sites
    ("admin", "Demo-City-1", "admin", []),
    ("manager", "Demo-Hall-2", "manager", ["city-hall"]),
    ("clerk", "Demo-Desk-3", "clerk", ["city-hall"]),
    ("town", "Demo-Gutang-4", "manager", ["town-gutang"]),
]


def _read(name: str) -> str:
    return resources.files(__package__).joinpath(name).read_text(encoding="utf-8")


def demo_catalog_text() -> str:
    return _read("catalog.json")


def demo_sites() -> list[dict]:
    return json.loads(_read("city.json"))["sites"]


def is_empty(db: Database) -> bool:
    return not db.store.sites.all()


def load_demo(db: Database) -> None:
    services, bundles = parse_catalog_json(demo_catalog_text())
    import_catalog(db, services, bundles)
    sites = demo_sites()
    load_sites(db, sites)
    with db.transaction() as store:
        for site in sites:
            for plan in site.get("slot_plans", []):
                store.appointments.save_plan(SlotPlan(site_id=site["id"], **plan))
    add_market_day(db)


def add_demo_proxies(db: Database) -> None:
    with db.transaction() as store:
        for site_id, name, kind, cap, who in DEMO_PROXIES:
            # A card's hash has the keyed hash's shape; the demo has no real card behind it.
            card = hashlib.sha256(who.encode()).hexdigest() if kind == "registered" else None
            username = who if kind == "staff" else None
            add_proxy(store, site_id, name, kind, cap, datetime.now(UTC), username, card)


def add_demo_window_plans(db: Database) -> int:
    """Two drafts for the hall's managers to replay (窗口方案推演): comprehensive windows 1
    and 2 merged into one, and window 6 opened on Monday mornings only. Returns how many."""
    from queue_server.administration.plan_drafts import current_windows

    with db.transaction() as store:
        windows = current_windows(store.counters.of_site(DEMO_HALL))
        if len(windows) < 6:
            return 0
        by_number = {w["number"]: w for w in windows}
        first, second = by_number[1], by_number[2]
        merged_profile = first["profile"] + [
            line for line in second["profile"] if line not in first["profile"]
        ]
        merged = [
            {**w, "profile": merged_profile} if w["number"] == 1 else w
            for w in windows
            if w["number"] != 2
        ]
        monday_morning = [
            {**w, "hours": {"mon": [["08:30", "12:00"]]}} if w["number"] == 6 else w
            for w in windows
        ]
        now = datetime.now(UTC)
        for name, plan in (
            ("合并1、2号综合窗口 (windows 1 and 2 merged)", merged),
            ("6号窗仅周一上午开放 (window 6 on Monday mornings only)", monday_morning),
        ):
            store.window_plans.add(new_id(), DEMO_HALL, name, {"windows": plan}, "manager", now)
    return 2


def add_market_day(db: Database, today: date | None = None) -> date | None:
    """The market village's own closure: its first open day at least two weeks ahead."""
    start = today or date.today()
    with db.transaction() as store:
        village = store.sites.get(MARKET_VILLAGE)
        if village is None:
            return None
        day = start + timedelta(days=14)
        while not hours.day_spans(village, day):  # a weekend or a holiday: the next day
            day += timedelta(days=1)
        store.opening_days.set_site_day(MARKET_VILLAGE, SiteDay(day, [], "赶集日 market day"))
        store.opening_days.resolve([MARKET_VILLAGE])
    return day
