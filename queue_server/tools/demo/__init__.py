"""The demo city: a hall, a 商圈 station, a township centre and two villages below it.

`load_demo` fills an empty database from `catalog.json` and `city.json` (data
written for hallqueue from the city's own report, see ../shared/DOMAIN.md): the sites
with their offerings and windows, and each site's bookable slots (`slot_plans`: a handful
of the hall's items and a bundle, and the township centre's); the 商圈 station takes
remote tickets (`remote_tickets`). Every site with hours follows the national holidays the
database was seeded with; one village station closes for its market day (赶集日) in the
coming weeks.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from importlib import resources

from queue_server.administration.catalog_import import (
    import_catalog,
    load_sites,
    parse_catalog_json,
)
from queue_server.engine import hours
from queue_server.engine.booking import SlotPlan
from queue_server.engine.opening_days import SiteDay
from queue_server.storage import Database

MARKET_VILLAGE = "village-jinqiu"

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
