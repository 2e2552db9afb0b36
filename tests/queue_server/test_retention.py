"""Personal data over time (issue 12, PIPL): a database aged past the sites' retention is
swept, and exactly the personal part is gone — the cards' keyed hashes, masked names and
clerks' notes of old tickets, the identity of proxies deactivated long ago, finished staff
sessions — while every report over the past gives the same figures as before."""

from __future__ import annotations

import json
import sqlite3
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from queue_server.engine.hours import local_day
from queue_server.people import retention
from queue_server.reports import heavy_holders as holders_report
from queue_server.reports import registry as reports
from queue_server.storage import Database, Store, purges
from queue_server.storage.purges import FORGOTTEN_PROXY_NAME
from queue_server.storage.records import to_text
from queue_server.tools.demo import load_demo
from queue_server.tools.simulation import simulate
from tests.conftest import Centre

NOW = datetime.now(UTC).replace(microsecond=0)
OLD = NOW - timedelta(days=200)  # past the default 180 days
RECENT = NOW - timedelta(days=20)
SITES = ["city-hall", "town-gutang"]
PERSONAL = ("person_hash", "person_mask", "note", "request_hash", "rating_note")


def _at(moment: datetime) -> str:
    text = to_text(moment)
    assert text is not None
    return text


@pytest.fixture
def aged(db_path: Path) -> Database:
    """Two blocks of simulated history (with transfer notes) 200 and 20 days ago, a third of
    the tickets identified by card, proxies, audit rows and sessions of both ages."""
    db = Database(db_path)
    load_demo(db)
    for end in (OLD.date(), RECENT.date()):
        simulate(db, days=3, sites=SITES, end=end, scale=0.15, with_events=False)
    with db.transaction():
        conn = db.conn
        conn.execute(
            """UPDATE tickets SET person_hash = 'h' || substr(id, -12), person_mask = '张*',
                      request_hash = 'r' || substr(id, -12)
               WHERE rowid % 3 = 0"""
        )
        _proxies(conn)
        _sessions(conn)
    return db


def _proxies(conn: sqlite3.Connection) -> None:
    def proxy(proxy_id: str, kind: str, active: int, created: datetime, username: str | None = None) -> None:
        conn.execute(
            """INSERT INTO proxies (id, site_id, name, kind, username, person_hash, daily_cap, active, created_at)
               VALUES (?, 'city-hall', ?, ?, ?, ?, 20, ?, ?)""",
            (proxy_id, f"代办{proxy_id}", kind, username, None if username else f"card-{proxy_id}", active, _at(created)),
        )

    proxy("gone", "registered", 0, OLD - timedelta(days=5))  # deactivated long ago: forgotten
    proxy("staffgone", "staff", 0, OLD - timedelta(days=5), username="clerk")  # the same for a staff proxy
    proxy("active", "registered", 1, OLD - timedelta(days=5))  # still active: kept
    proxy("lately", "registered", 0, OLD - timedelta(days=5))  # deactivated 20 days ago: kept
    proxy("busy", "registered", 0, OLD - timedelta(days=5))  # took a ticket 20 days ago: kept
    for proxy_id, at, action in (
        ("gone", OLD - timedelta(days=5), "create"),
        ("gone", OLD, "deactivate"),
        ("lately", OLD - timedelta(days=5), "create"),
        ("lately", RECENT, "deactivate"),
    ):
        payload = {"id": proxy_id, "name": f"代办{proxy_id}", "card": f"card-{proxy_id}"[:8], "username": None}
        before = None if action == "create" else json.dumps({**payload, "active": True}, ensure_ascii=False)
        conn.execute(
            """INSERT INTO audit_log (id, at, actor, action, kind, target, site_id, before, after)
               VALUES (?, ?, 'admin', ?, 'proxy', ?, 'city-hall', ?, ?)""",
            (f"{proxy_id}-{action}", _at(at), action, proxy_id, before, json.dumps({**payload, "active": action == "create"}, ensure_ascii=False)),
        )
    # The last open day of each block: a block may end on a weekend, when the hall is closed.
    old_day, recent_day = (
        conn.execute("SELECT max(day) FROM tickets WHERE site_id = 'city-hall' AND day <= ?", (end.date().isoformat(),)).fetchone()[0]
        for end in (OLD, RECENT)
    )
    for proxy_id, day in (("gone", old_day), ("staffgone", old_day), ("busy", old_day), ("busy", recent_day)):
        conn.execute(
            "UPDATE tickets SET proxy_id = ? WHERE id = (SELECT id FROM tickets WHERE site_id = 'city-hall' AND day = ? AND proxy_id IS NULL LIMIT 1)",
            (proxy_id, day),
        )


def _sessions(conn: sqlite3.Connection) -> None:
    future = _at(NOW + timedelta(hours=6))
    for token_hash, kind, expires, revoked in (
        ("expired", "session", _at(OLD), 0),
        ("logged-out", "session", future, 1),
        ("live", "session", future, 0),
        ("device", "device", None, 0),
        ("revoked-device", "device", None, 1),
    ):
        conn.execute(
            "INSERT INTO tokens (hash, kind, subject, created_at, expires_at, revoked) VALUES (?, ?, 'admin', ?, ?, ?)",
            (token_hash, kind, _at(OLD), expires, revoked),
        )


def every_report(store: Store) -> dict[str, Any]:
    query = reports.make_query(store, OLD.date() - timedelta(days=40), NOW.date(), SITES)
    found: dict[str, Any] = {}
    for name in reports.REPORTS:
        groupings: list[str | None] = [None, *reports.groupings_of(name)]
        for by in groupings:
            found[f"{name}/{by}"] = reports.run_report(store, name, query, by)
    # The watch report's proxy table: the same figures, only the names may go.
    found["proxies"] = sorted(row[4:] for row in holders_report.heavy_holders(store, query)["proxies"]["rows"])
    return found


def tickets(conn: sqlite3.Connection) -> dict[str, dict[str, Any]]:
    return {row["id"]: dict(row) for row in conn.execute("SELECT * FROM tickets")}


def test_a_sweep_clears_exactly_the_personal_data_past_retention(aged: Database) -> None:
    conn = aged.conn
    with aged.transaction():  # the township keeps a year: its 200-day-old data stays
        conn.execute("""UPDATE sites SET settings = json_set(settings, '$.personal_data_days', 365) WHERE id = 'town-gutang'""")
        # a citizen's words with a 差评 may say who they are: forgotten with the rest
        conn.execute("UPDATE tickets SET rating_note = '我是张三，电话13900000000' WHERE rowid % 7 = 0")
    before_reports = every_report(aged.store)  # builds the month roll-ups too
    before = tickets(conn)
    cutoff = (date.fromisoformat(local_day(NOW, "Asia/Shanghai")) - timedelta(days=180)).isoformat()
    old_hall = [t for t in before.values() if t["site_id"] == "city-hall" and t["day"] < cutoff]
    assert any(t["person_hash"] for t in old_hall) and any(t["note"] for t in old_hall)

    purged = retention.purge(aged, NOW)

    after = tickets(conn)
    assert any(t["rating_note"] for t in old_hall)
    assert purged.tickets == sum(
        1 for t in old_hall if t["person_hash"] or t["person_mask"] or t["note"] or t["rating_note"]
    )
    for ticket_id, old in before.items():
        new = after[ticket_id]
        if old["site_id"] == "city-hall" and old["day"] < cutoff:
            assert all(new[column] is None for column in PERSONAL), new
        else:  # recent tickets, and the township's (it keeps 365 days): untouched
            assert {c: new[c] for c in PERSONAL} == {c: old[c] for c in PERSONAL}
        assert {k: v for k, v in new.items() if k not in PERSONAL} == {k: v for k, v in old.items() if k not in PERSONAL}

    proxies = {row["id"]: dict(row) for row in conn.execute("SELECT * FROM proxies")}
    for proxy_id in ("gone", "staffgone"):
        assert (proxies[proxy_id]["name"], proxies[proxy_id]["username"], proxies[proxy_id]["person_hash"]) == (FORGOTTEN_PROXY_NAME, None, None)
        assert proxies[proxy_id]["daily_cap"] == 20  # what it was allowed stays, not who it was
    for proxy_id in ("active", "lately", "busy"):
        assert proxies[proxy_id]["name"] == f"代办{proxy_id}" and proxies[proxy_id]["person_hash"] == f"card-{proxy_id}"
    assert purged.proxies == 2
    audit = {row["id"]: row for row in conn.execute("SELECT * FROM audit_log WHERE kind = 'proxy'")}
    for row_id in ("gone-create", "gone-deactivate"):
        for column in ("before", "after"):
            if audit[row_id][column] is not None:
                payload = json.loads(audit[row_id][column])
                assert (payload["name"], payload["card"], payload["username"]) == (FORGOTTEN_PROXY_NAME, None, None)
                assert payload["id"] == "gone"  # the record of what was done stays
    assert json.loads(audit["lately-deactivate"]["after"])["name"] == "代办lately"

    assert sorted(row[0] for row in conn.execute("SELECT hash FROM tokens")) == ["device", "live", "revoked-device"]
    assert purged.sessions == 2

    # Every report over the past is exact: from the roll-ups built before, and rebuilt
    # from the cleared tickets.
    assert every_report(aged.store) == before_reports
    with aged.transaction():
        conn.execute("DELETE FROM report_rollups")
        conn.execute("DELETE FROM report_rollup_months")
    assert every_report(aged.store) == before_reports

    assert not retention.purge(aged, NOW)  # nothing left to clear


def test_a_first_sweep_over_a_long_history_goes_in_batches(aged: Database) -> None:
    holding = dict(
        aged.conn.execute(
            """SELECT site_id, count(*) FROM tickets WHERE day < ?
               AND (person_hash IS NOT NULL OR person_mask IS NOT NULL OR note IS NOT NULL) GROUP BY site_id""",
            ((OLD + timedelta(days=10)).date().isoformat(),),
        ).fetchall()
    )
    assert holding["city-hall"] > 10
    first = retention.purge(aged, NOW, batch=10)
    # At most ten per site and sweep: the write lock is held briefly.
    assert first.tickets == sum(min(10, n) for n in holding.values())
    while retention.purge(aged, NOW, batch=10).tickets:
        pass
    left = aged.conn.execute(
        "SELECT count(*) FROM tickets WHERE day < ? AND (person_hash IS NOT NULL OR note IS NOT NULL)",
        ((OLD + timedelta(days=10)).date().isoformat(),),
    ).fetchone()[0]
    assert left == 0


def test_the_purge_reads_only_tickets_that_still_hold_personal_data(aged: Database) -> None:
    plan = " ".join(
        str(row[3])
        for row in aged.conn.execute(
            f"""EXPLAIN QUERY PLAN SELECT rowid FROM tickets WHERE site_id = ? AND day < ?
               AND {purges._HOLDS_PERSONAL} LIMIT 5""",
            ("city-hall", NOW.date().isoformat()),
        )
    )
    assert "tickets_personal" in plan, plan


def test_the_background_sweep_purges(aged: Database, db_path: Path) -> None:
    from queue_server.app import create_app

    aged.close()
    app = create_app(overrides={"DB": str(db_path), "SWEEP_SECONDS": 1}, clock=lambda: NOW)
    try:
        deadline = time.monotonic() + 20
        with sqlite3.connect(db_path) as conn:
            while time.monotonic() < deadline:
                left = conn.execute(
                    "SELECT count(*) FROM tickets WHERE day < ? AND person_hash IS NOT NULL",
                    ((OLD + timedelta(days=10)).date().isoformat(),),
                ).fetchone()[0]
                if left == 0:
                    break
                time.sleep(0.2)
        assert left == 0
    finally:
        app.extensions["hallqueue"].db.close()


def test_a_site_sets_its_retention_within_bounds(centre: Centre) -> None:
    import requests

    def put(value: Any, lang: str = "zh-CN") -> requests.Response:
        return requests.put(
            centre.api("/admin/sites/town-gutang/settings"),
            json={"personal_data_days": value},
            headers={"Authorization": f"Bearer {centre.login()}", "Accept-Language": lang},
            timeout=10,
        )

    for bad in (0, 29, 1096, "x", True):
        answer = put(bad, lang="en")
        assert answer.status_code == 400, bad
        assert (answer.json()["error"], answer.json()["field"]) == ("field_integer", "personal_data_days")
        assert "30" in answer.json()["message"] and "1095" in answer.json()["message"]
    assert put(365).status_code == 200
    assert centre.get("/sites/town-gutang").json()["site"]["settings"]["personal_data_days"] == 365
