"""Month roll-ups give exactly the figures the tickets give, and go stale when they should."""
from __future__ import annotations

from datetime import date, datetime, timedelta
from functools import partial
from pathlib import Path

import pytest

from queue_server.calling.operations import Operations
from queue_server.reports import registry as reports
from queue_server.reports import rollups as report_cells
from queue_server.storage import Database
from queue_server.tools.demo import load_demo
from queue_server.tools.simulation import simulate

SITES = ["station-cbd", "town-gutang", "village-jinqiu"]
START, END = date(2026, 1, 10), date(2026, 3, 20)  # January's tail, all February, part of March


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("rollups") / "history.db"
    db = Database(path)
    load_demo(db)
    simulate(db, days=(END - START).days + 1, sites=SITES, end=END, seed=11, with_events=False)
    db.close()
    return path


def cells_as_plain(cells: report_cells.Cells) -> dict:  # type: ignore[type-arg]
    # The sums are compared to within a millionth of a second: added in another order (per
    # month, then over months) they may differ in the last bits, and a sum that lies on a
    # rounding boundary would round either way.
    return {
        k: (c.counts, c.waits, c.services, pytest.approx(c.wait_sum, abs=1e-6), pytest.approx(c.service_sum, abs=1e-6), c.within)
        for k, c in cells.items()
    }


def test_rolled_up_months_equal_the_tickets(history: Path, tmp_path: Path) -> None:
    db = Database(history)
    conn = db.conn
    targets = {site: 900.0 for site in SITES}
    for dim in report_cells.STORED_DIMS:
        direct = report_cells.read_cells(db.store, SITES, START, END, dim, targets, build=False)
        assert conn.execute("SELECT count(*) FROM report_rollups").fetchone()[0] == 0
        rolled = report_cells.read_cells(db.store, SITES, START, END, dim, targets)
        assert cells_as_plain(rolled) == cells_as_plain(direct), dim
        conn.execute("DELETE FROM report_rollups")
        conn.execute("DELETE FROM report_rollup_months")
    # February (the one whole month in the range) was rolled up for each site, and only it.
    report_cells.read_cells(db.store, SITES, START, END, "all", targets)
    months = [tuple(r) for r in conn.execute("SELECT DISTINCT month FROM report_rollup_months")]
    assert months == [("2026-02",)]
    assert direct  # the history is not empty


def test_every_report_is_the_same_from_roll_ups(history: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = Database(history)
    conn = db.conn
    query = reports.make_query(db.store, START, END, SITES)
    conn.execute("DELETE FROM report_rollups")
    conn.execute("DELETE FROM report_rollup_months")
    cases = [("summary", None), ("throughput", "day"), ("throughput", "weekday"), ("throughput", "department"),
             ("times", "service"), ("outcomes", "site"), ("ratings", "counter"), ("channels", None), ("heatmap", None)]  # fmt: skip
    with monkeypatch.context() as patch:  # every figure straight from the tickets
        patch.setattr(reports, "read_cells", partial(report_cells.read_cells, build=False))
        direct = [reports.run_report(db.store, name, query, by) for name, by in cases]
    assert conn.execute("SELECT count(*) FROM report_rollup_months").fetchone()[0] == 0
    rolled = [reports.run_report(db.store, name, query, by) for name, by in cases]
    assert conn.execute("SELECT count(*) FROM report_rollup_months").fetchone()[0] == len(SITES)
    assert rolled == direct


def test_a_late_rating_or_a_new_target_makes_a_month_stale(history: Path, tmp_path: Path) -> None:
    path = tmp_path / "copy.db"
    source = Database(history)
    source.conn.execute("VACUUM INTO ?", (str(path),))
    db = Database(path)
    conn = db.conn
    targets = {site: 900.0 for site in SITES}
    before = report_cells.read_cells(db.store, SITES, START, END, "all", targets)[("town-gutang", "")]
    ticket, finished = conn.execute(
        """SELECT id, finished_at FROM tickets WHERE site_id = 'town-gutang' AND day LIKE '2026-02-%'
           AND status = 'done' AND rating IS NULL ORDER BY finished_at DESC LIMIT 1"""
    ).fetchone()
    # Rated in March, a few days after the end of service (the site takes ratings for a week).
    conn.execute(
        "UPDATE sites SET settings = json_set(settings, '$.rating_window_hours', 168) WHERE id = 'town-gutang'"
    )
    rated_at = datetime.fromisoformat(finished.replace("Z", "+00:00")) + timedelta(days=3)
    assert rated_at.strftime("%Y-%m") == "2026-03"
    Operations(db, clock=lambda: rated_at).rate_ticket(ticket, 1, "phone", reason="slow")
    assert conn.execute("SELECT count(*) FROM report_rollup_months WHERE site_id = 'town-gutang'").fetchone()[0] == 0
    after = report_cells.read_cells(db.store, SITES, START, END, "all", targets)[("town-gutang", "")]
    assert after.r1 == before.r1 + 1 and after.rated == before.rated + 1
    # Another target: the month is rolled up again with it.
    stricter = report_cells.read_cells(db.store, SITES, START, END, "all", {site: 60.0 for site in SITES})
    direct = report_cells.read_cells(db.store, SITES, START, END, "all", {site: 60.0 for site in SITES}, build=False)
    assert stricter[("town-gutang", "")].within == direct[("town-gutang", "")].within < after.within


def test_the_sweep_rolls_up_finished_months_a_few_at_a_time(history: Path, tmp_path: Path) -> None:
    path = tmp_path / "sweep.db"
    Database(history).conn.execute("VACUUM INTO ?", (str(path),))
    db = Database(path)
    conn = db.conn
    conn.execute("DELETE FROM report_rollups")
    conn.execute("DELETE FROM report_rollup_months")
    assert report_cells.roll_up_finished_months(db.store, limit=4) == 4
    assert report_cells.roll_up_finished_months(db.store, limit=100) == 3 * len(SITES) - 4  # Jan, Feb, Mar each
    assert report_cells.roll_up_finished_months(db.store) == 0
    # Nothing is rolled up before its month is over (here: "now" in mid-March).
    conn.execute("DELETE FROM report_rollup_months")
    from datetime import UTC, datetime

    assert report_cells.roll_up_finished_months(db.store, now=datetime(2026, 3, 15, tzinfo=UTC)) == 2 * len(SITES)
