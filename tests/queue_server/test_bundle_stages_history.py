"""The simulated history serves “一件事” tickets through their stages, and the report shows them."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from queue_server.reports import registry
from queue_server.storage import Database
from queue_server.tools.demo import load_demo
from queue_server.tools.simulation import simulate


def test_simulated_bundle_tickets_have_consistent_stages(db_path: Path) -> None:
    db = Database(db_path)
    load_demo(db)
    simulate(db, days=5, sites=["city-hall"], end=date(2026, 11, 27), seed=5, with_events=False)
    q = db.query
    # Stages belong to bundle tickets, each item of the bundle at most once, numbered 1, 2, …
    assert q("SELECT count(*) FROM ticket_stages s JOIN tickets t ON t.id = s.ticket_id WHERE t.bundle IS NULL")[0][0] == 0
    for ticket_id, n, top, items in q(
        "SELECT ticket_id, count(*), max(position), count(DISTINCT service) FROM ticket_stages GROUP BY ticket_id"
    ):
        assert n == top == items, ticket_id
    # A ticket served to the end has a stage for each item of its bundle.
    bundles = {b.code: b for b in db.store.catalogue.bundles()}
    for ticket_id, bundle, n in q(
        """SELECT t.id, t.bundle, count(s.position) FROM tickets t LEFT JOIN ticket_stages s ON s.ticket_id = t.id
           WHERE t.bundle IS NOT NULL AND t.status = 'done' GROUP BY t.id"""
    ):
        assert n == len(bundles[bundle].services), ticket_id
    # Some stages were moved to another window, some not timed, some rated (only on the phone).
    assert q("SELECT count(DISTINCT counter) FROM ticket_stages")[0][0] >= 2
    assert q("SELECT count(*) FROM ticket_stages WHERE timed = 0")[0][0] > 0
    assert q("SELECT count(*) FROM ticket_stages WHERE timed = 1 AND finished_at < started_at")[0][0] == 0
    assert q(
        """SELECT count(*) FROM ticket_stages s JOIN tickets t ON t.id = s.ticket_id
           WHERE s.rating IS NOT NULL AND (t.rating_channel IS NOT 'phone' OR t.status != 'done')"""
    )[0][0] == 0
    assert q("SELECT count(*) FROM ticket_stages WHERE rating IS NOT NULL")[0][0] > 0
    # Moved tickets: a stage at two different windows.
    assert q("SELECT count(*) FROM (SELECT ticket_id FROM ticket_stages GROUP BY ticket_id HAVING count(DISTINCT counter) > 1)")[0][0] > 0

    store = db.store
    query = registry.make_query(store, date(2026, 11, 23), date(2026, 11, 27), ["city-hall"])
    table = registry.run_report(store, "bundle_stages", query)
    wholes = [row for row in table["rows"] if row[1] == "整体"]
    assert wholes and all(row[2] > 0 for row in wholes)
    stage_rows = [row for row in table["rows"] if row[1] != "整体"]
    assert any(row[4] is not None and row[6] is not None for row in stage_rows)
    db.close()
