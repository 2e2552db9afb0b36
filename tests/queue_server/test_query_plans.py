"""Hot paths never scan the tickets or events tables: every query they run uses an index."""
from __future__ import annotations

from pathlib import Path

from queue_server.calling import site_view
from queue_server.calling.operations import Operations
from queue_server.storage import Database
from queue_server.tools.demo import load_demo


def test_hot_paths_use_indexes(db_path: Path) -> None:
    db = Database(db_path)
    load_demo(db)
    ops = Operations(db, ignore_hours=True)
    statements: list[str] = []
    db.conn.set_trace_callback(statements.append)

    issued = ops.issue_ticket("city-hall", service="A101", request_id="plan-1")
    ops.issue_ticket("city-hall", service="A101", request_id="plan-1")
    ops.issue_ticket("city-hall", bundle="Y04", request_id="plan-2")  # a bundle with a daily cap
    ops.counter_action("city-hall", 1, "open", clerk="clerk")
    ops.counter_action("city-hall", 1, "call-next", clerk="clerk")
    ops.counter_action("city-hall", 1, "finish", clerk="clerk", outcome="completed")
    # With a window open that serves many queues, the promise counts their waiting tickets.
    ops.issue_ticket("city-hall", service="A101", request_id="plan-3")
    ops.ticket_view(issued.ticket.id)
    ops.events_since("city-hall", 0)
    db.store.events.between("city-hall", 0, 10**6, 200)  # a join's catch-up pages
    db.store.events.between("city-hall", 0, 10**6, 200, counter=1)
    ops.close_past_days()
    site_view.site_detail(db, "city-hall")
    db.conn.set_trace_callback(None)

    checked = 0
    for sql in statements:
        if not sql.lstrip().upper().startswith(("SELECT", "UPDATE", "DELETE")):
            continue
        if " tickets" not in sql and " events" not in sql:
            continue
        plan = " | ".join(row[3] for row in db.query("EXPLAIN QUERY PLAN " + sql))
        assert "SCAN tickets" not in plan and "SCAN events" not in plan, f"{sql}\n→ {plan}"
        checked += 1
    assert checked >= 10
