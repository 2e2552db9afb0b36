"""The history simulator drives the real engine and leaves a consistent database."""

from __future__ import annotations

import subprocess
import sys
from datetime import date
from pathlib import Path

from queue_server.storage import Database
from queue_server.tools.demo import load_demo
from queue_server.tools.simulation import simulate
from tests.conftest import ROOT


def test_simulated_history_is_consistent(db_path: Path) -> None:
    db = Database(db_path)
    load_demo(db)
    totals = simulate(db, days=3, end=date(2026, 11, 25), seed=7)  # Mon 23 – Wed 25 November
    assert totals.days == 3 and totals.tickets > 500 and totals.events > totals.tickets

    q = db.query
    assert q("SELECT count(*) FROM tickets")[0][0] == totals.tickets
    # Numbers unique per site, day and prefix, counting up from 1 without gaps.
    for site, day, prefix, n, top in q(
        "SELECT site_id, day, prefix, count(*), max(seq_no) FROM tickets GROUP BY site_id, day, prefix"
    ):
        assert n == top, (site, day, prefix)
    # Every day is over: nothing is left waiting, called or serving.
    assert (
        q("SELECT count(*) FROM tickets WHERE status IN ('waiting', 'called', 'serving')")[0][0]
        == 0
    )
    # Served tickets have their times; ratings only on served tickets, 1..5.
    assert (
        q(
            "SELECT count(*) FROM tickets WHERE status = 'done' AND (service_seconds IS NULL OR wait_seconds IS NULL)"
        )[0][0]
        == 0
    )
    assert (
        q("SELECT count(*) FROM tickets WHERE rating IS NOT NULL AND status != 'done'")[0][0] == 0
    )
    assert {r[0] for r in q("SELECT DISTINCT rating FROM tickets WHERE rating IS NOT NULL")} <= {
        1,
        2,
        3,
        4,
        5,
    }
    # Each 差评 has its reason (the evaluator's not stated) and its follow-up; a good one none.
    bad = q("SELECT id, rating_channel, rating_reason FROM tickets WHERE rating <= 2")
    assert bad and all(reason for _, _, reason in bad)
    assert all(reason == "not_stated" for _, channel, reason in bad if channel == "evaluator")
    assert q("SELECT count(*) FROM tickets WHERE rating >= 3 AND rating_reason IS NOT NULL")[0][0] == 0
    assert sorted(r[0] for r in q("SELECT ticket_id FROM follow_ups")) == sorted(r[0] for r in bad)
    # Each site's event log is contiguous and ends at the site's last_seq.
    for site, n, top, last in q(
        "SELECT e.site_id, count(*), max(seq), s.last_seq FROM events e JOIN sites s ON s.id = e.site_id GROUP BY e.site_id"
    ):
        assert n == top == last, site
    # Local days: tickets of a Shanghai day were issued between 00:00 and 24:00 local (16:00Z the day before).
    assert (
        q("SELECT min(issued_at) FROM tickets WHERE day = '2026-11-23'")[0][0] >= "2026-11-22T16:00"
    )
    # Bookings of the demo's bookable items: each checked in booking has its ticket of the
    # appointment channel, of the appointment class when on time and ordinary when late.
    statuses = dict(q("SELECT status, count(*) FROM appointments GROUP BY status"))
    assert statuses.get("checked_in", 0) > 20 and statuses.get("no_show", 0) > 0
    assert set(statuses) <= {"checked_in", "no_show", "cancelled"}  # the days are over
    for late, priority, channel, n in q(
        """SELECT a.late, t.priority, t.channel, count(*) FROM appointments a
           JOIN tickets t ON t.id = a.ticket_id WHERE a.status = 'checked_in' GROUP BY 1, 2, 3"""
    ):
        assert channel == "appointment" and priority == ("ordinary" if late else "appointment"), n
    assert (
        q("SELECT count(*) FROM appointments WHERE status = 'checked_in' AND ticket_id IS NULL")[0][
            0
        ]
        == 0
    )
    assert (
        q("SELECT count(*) FROM tickets WHERE channel = 'appointment'")[0][0]
        == statuses["checked_in"]
    )
    # Nobody booked more places than a slot opens to booking.
    bookable = {
        (p.site_id, p.item_code): p.bookable
        for s in ("city-hall", "town-gutang")
        for p in db.store.appointments.plans(s)
    }
    for site, item, n in q(
        "SELECT site_id, coalesce(service, bundle), count(*) FROM appointments GROUP BY site_id, start, 2"
    ):
        assert n <= bookable[(site, item)], (site, item)
    # Simulating the same days again adds nothing.
    assert simulate(db, days=3, end=date(2026, 11, 25), seed=8).tickets == 0


def test_the_same_seed_makes_the_same_bookings(tmp_path: Path) -> None:
    found = []
    for name in ("a.db", "b.db"):
        db = Database(tmp_path / name)
        load_demo(db)
        simulate(
            db, days=1, end=date(2026, 11, 23), sites=["city-hall"], seed=11, with_events=False
        )
        found.append(
            [
                tuple(row)
                for row in db.query(
                    """SELECT start, coalesce(service, bundle), status, checked_in_at, late, channel
                   FROM appointments ORDER BY start, 2, person_hash"""
                )
            ]
        )
        db.close()
    assert found[0] == found[1] and len(found[0]) > 10


def test_simulate_command_shows_progress(tmp_path: Path) -> None:
    db = tmp_path / "sim.db"
    done = subprocess.run(
        [sys.executable, "-m", "queue_server", "history", "simulate", "--db", str(db), "--days", "2", "--sites", "station-cbd", "--end", "2026-11-25"],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "2026-11-25" in done.stderr and "day 2/2" in done.stderr
    assert "simulated 2 days" in done.stdout
    bad = subprocess.run(
        [sys.executable, "-m", "queue_server", "history", "simulate", "--db", str(db), "--days", "1", "--sites", "mars"],
        cwd=ROOT, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert bad.returncode != 0 and "mars" in bad.stderr


def test_simulation_follows_the_calendar(db_path: Path) -> None:
    """No arrivals on National Day; the hall's make-up Saturday (10 October 2026) is a full
    day with Monday's hours, past its ordinary Saturday's noon closing."""
    db = Database(db_path)
    load_demo(db)
    simulate(db, days=11, end=date(2026, 10, 10), sites=["city-hall"], seed=3)  # 30 Sep – 10 Oct
    days = {row[0]: row[1] for row in db.query("SELECT day, count(*) FROM tickets GROUP BY day")}
    assert not [day for day in days if "2026-10-01" <= day <= "2026-10-07"], days
    assert days.get("2026-09-30", 0) > 0 and days.get("2026-10-08", 0) > 0
    afternoon = db.query(
        "SELECT count(*) FROM tickets WHERE day = '2026-10-10' AND local_hour >= 13"
    )[0][0]
    assert afternoon > 0


def test_bookings_ahead_fill_the_coming_slots_within_their_places(db_path: Path) -> None:
    from datetime import UTC, datetime

    from queue_server.tools.simulation import book_ahead

    db = Database(db_path)
    load_demo(db)
    now = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)  # Monday 10:00 in Shanghai
    made = book_ahead(db, days=3, now=now, seed=5)
    assert made > 20
    made += book_ahead(db, days=3, now=now, seed=6)  # again: only the places still free
    q = db.query
    assert q("SELECT count(*) FROM appointments")[0][0] == made
    assert {r[0] for r in q("SELECT DISTINCT status FROM appointments")} == {"booked"}
    assert q("SELECT min(start) FROM appointments")[0][0] > "2026-11-23T02:00"
    assert q("SELECT max(day) FROM appointments")[0][0] <= "2026-11-26"
    bookable = {
        (p.site_id, p.item_code): p.bookable
        for s in ("city-hall", "town-gutang")
        for p in db.store.appointments.plans(s)
    }
    for site, item, n in q(
        "SELECT site_id, coalesce(service, bundle), count(*) FROM appointments GROUP BY site_id, start, 2"
    ):
        assert n <= bookable[(site, item)], (site, item)
