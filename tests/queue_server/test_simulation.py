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
    # Each site's event log is contiguous and ends at the site's last_seq.
    for site, n, top, last in q(
        "SELECT e.site_id, count(*), max(seq), s.last_seq FROM events e JOIN sites s ON s.id = e.site_id GROUP BY e.site_id"
    ):
        assert n == top == last, site
    # Local days: tickets of a Shanghai day were issued between 00:00 and 24:00 local (16:00Z the day before).
    assert (
        q("SELECT min(issued_at) FROM tickets WHERE day = '2026-11-23'")[0][0] >= "2026-11-22T16:00"
    )
    # Simulating the same days again adds nothing.
    assert simulate(db, days=3, end=date(2026, 11, 25), seed=8).tickets == 0


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
