"""The simulated history exercises what the rules do, so that every report shows something:
cards (some of the same citizens on other days), ticket touts (黄牛) and registered proxies
(代办) within their caps, and missed calls (过号) under each site's policy, some returned."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from queue_server.reports import reading, registry
from queue_server.storage import Database
from queue_server.tools.demo import DEMO_PROXIES, add_demo_proxies, load_demo
from queue_server.tools.simulation import simulate

START, END = date(2026, 11, 23), date(2026, 11, 29)  # Monday to Sunday
# Reports (and groupings) allowed to be empty on a simulated week, with the reason. None
# today: each report of the registry has a row with a figure in it.
EMPTY_ALLOWED: dict[tuple[str, str | None], str] = {}


@pytest.fixture(scope="module")
def week(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    db = Database(tmp_path_factory.mktemp("week") / "week.db")
    load_demo(db)
    add_demo_proxies(db)
    simulate(db, days=7, end=END, seed=5)
    yield db
    db.close()


def _sites(db: Database) -> set[str]:
    return {site.id for site in db.store.sites.all()}


def test_every_report_shows_something_on_a_simulated_week(week: Database) -> None:
    empty = []
    for name in registry.REPORTS:
        for by in (None, *registry.groupings_of(name)):
            _, table = reading.report(week, name, START, END, _sites(week), by)
            figures = [
                value
                for row in table["rows"]
                for value in row[1:]
                if isinstance(value, int | float) and not isinstance(value, bool) and value
            ]
            if not figures and (name, by) not in EMPTY_ALLOWED:
                empty.append((name, by))
    assert not empty


def test_the_watch_report_lists_touts_and_proxies(week: Database) -> None:
    _, found = reading.watch(week, START, END, _sites(week), 5)
    cards = found["identities"]["rows"]
    # Touts: over the hall's limit of 3 a day, across several items, on several days.
    touts = [r for r in cards if r[0] == "city-hall" and "day" in r[8] and r[6] >= 5]
    assert touts and all(r[5] >= 3 for r in touts), cards
    proxies = {r[1]: r for r in found["proxies"]["rows"]}
    assert {name for _, name, *_ in DEMO_PROXIES} <= set(proxies), proxies
    for row in proxies.values():
        assert row[6] <= row[7]  # never more in a day than the proxy's cap


def test_clerks_call_out_of_order_now_and_then(week: Database) -> None:
    _, found = reading.calls_out_of_order(week, START, END, _sites(week), 20)
    clerks = found["clerks"]["rows"]
    assert clerks and found["latest"]["rows"]
    calls, out_of_order = sum(r[2] for r in clerks), sum(r[3] for r in clerks)
    assert 0 < out_of_order < 0.05 * calls
    reasons = {r[5] for r in found["latest"]["rows"]}
    assert reasons <= {"appointment_on_time", "special_need"}, reasons


def test_proxies_and_cards_keep_the_rules(week: Database) -> None:
    q = week.query
    caps = {r[0]: r[1] for r in q("SELECT id, daily_cap FROM proxies")}
    taken = q("SELECT proxy_id, day, count(*) FROM tickets WHERE proxy_id IS NOT NULL GROUP BY 1, 2")
    assert len(taken) >= 10
    assert all(n <= caps[proxy] for proxy, _, n in taken)
    # A registered proxy's tickets carry their card; a staff proxy's were issued at a window.
    assert q(
        """SELECT count(*) FROM tickets t JOIN proxies p ON p.id = t.proxy_id
           WHERE p.kind = 'registered' AND t.person_hash IS NOT p.person_hash"""
    )[0][0] == 0
    assert {r[0] for r in q(
        "SELECT DISTINCT t.channel FROM tickets t JOIN proxies p ON p.id = t.proxy_id WHERE p.kind = 'staff'"
    )} == {"staff"}  # fmt: skip
    # Anyone else with a card: at most the hall's 3 tickets of an item a day.
    most = q(
        """SELECT max(n) FROM (SELECT count(*) AS n FROM tickets
           WHERE site_id = 'city-hall' AND person_hash IS NOT NULL AND proxy_id IS NULL
           GROUP BY person_hash, day, coalesce(service, bundle))"""
    )[0][0]
    assert most <= 3
    # A good share of walk-ins tapped a card, and some citizens came back on another day.
    identified, walk_ins = q(
        """SELECT sum(person_hash IS NOT NULL), count(*) FROM tickets
           WHERE proxy_id IS NULL AND channel != 'appointment'"""
    )[0]
    assert 0.2 < identified / walk_ins < 0.6
    assert q(
        """SELECT count(*) FROM (SELECT person_hash FROM tickets WHERE person_hash IS NOT NULL
           AND proxy_id IS NULL GROUP BY person_hash HAVING count(DISTINCT day) > 1)"""
    )[0][0] > 20


def test_missed_calls_follow_the_policy_and_some_come_back(week: Database) -> None:
    q = week.query
    returned = q("SELECT site_id, status FROM tickets WHERE return_count = 1")
    assert len(returned) > 10 and any(status == "done" for _, status in returned)
    assert q("SELECT max(return_count) FROM tickets")[0][0] == 1  # only once
    assert q("SELECT count(*) FROM events WHERE type = 'ticket.returned'")[0][0] == len(returned)
    # The hall calls twice before a no-show (no_show_calls: 2): one recall at least.
    assert q(
        "SELECT count(*) FROM tickets WHERE site_id = 'city-hall' AND status = 'no_show' AND recall_count < 1"
    )[0][0] == 0
    assert q("SELECT count(*) FROM tickets WHERE status = 'no_show'")[0][0] > 10


def test_the_same_seed_makes_the_same_history(tmp_path: Path) -> None:
    found = []
    for name in ("a.db", "b.db"):
        db = Database(tmp_path / name)
        load_demo(db)
        add_demo_proxies(db)
        totals = simulate(
            db, days=2, end=date(2026, 11, 24), sites=["city-hall"], seed=3, with_events=False
        )
        rows = db.query(
            """SELECT t.day, t.number, coalesce(t.service, t.bundle), t.status, t.person_hash,
                      p.name, t.return_count, t.recall_count, t.issued_at, t.finished_at
               FROM tickets t LEFT JOIN proxies p ON p.id = t.proxy_id ORDER BY 1, 2"""
        )
        found.append((totals.tickets, totals.returned, totals.refused, [tuple(r) for r in rows]))
        db.close()
    assert found[0] == found[1]
    assert found[0][0] > 300 and found[0][1] > 0
