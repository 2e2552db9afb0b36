"""The shell around the engine: group commit, failure isolation, publishing order."""
from __future__ import annotations

import threading
from pathlib import Path

import pytest

from queue_server.calling.operations import Operations
from queue_server.engine.errors import UnknownService
from queue_server.storage import Database
from queue_server.tools.demo import load_demo


@pytest.fixture
def ops(db_path: Path) -> Operations:
    db = Database(db_path)
    load_demo(db)
    return Operations(db, ignore_hours=True)


def test_concurrent_changes_commit_together_and_fail_alone(ops: Operations) -> None:
    published: list[int] = []
    ops.publish = lambda payloads: published.extend(p["seq"] for p in payloads)
    results: dict[int, object] = {}

    def issue(i: int) -> None:
        service = "NOPE" if i % 5 == 0 else "A101"
        try:
            results[i] = ops.issue_ticket("city-hall", service=service, request_id=f"g-{i}").ticket.number
        except UnknownService as exc:
            results[i] = exc

    threads = [threading.Thread(target=issue, args=(i,)) for i in range(60)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    failed = [i for i, r in results.items() if isinstance(r, UnknownService)]
    numbers = sorted(r for r in results.values() if isinstance(r, str))
    assert sorted(failed) == list(range(0, 60, 5))
    assert numbers == [f"A{n:03d}" for n in range(1, 49)]
    # Every stored change was published exactly once, in sequence order.
    stored = [r[0] for r in ops.db.query("SELECT seq FROM events WHERE site_id = 'city-hall' ORDER BY seq")]
    assert published == stored == list(range(1, 49))
    assert ops.db.query_one("SELECT count(*) FROM tickets")[0] == 48


def test_a_failed_change_leaves_no_trace(ops: Operations) -> None:
    with pytest.raises(UnknownService):
        ops.issue_ticket("city-hall", service="NOPE", request_id="x")
    assert ops.db.query_one("SELECT count(*) FROM tickets")[0] == 0
    assert ops.db.query_one("SELECT count(*) FROM events")[0] == 0
    assert ops.issue_ticket("city-hall", service="A101", request_id="x").ticket.number == "A001"
