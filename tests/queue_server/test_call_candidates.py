"""Call-next reads only the heads of a counter's queues: the same choice as all waiting tickets."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from queue_server.demo import load_demo
from queue_server.engine.calling import CallingPolicy, choose_next
from queue_server.engine.model import Channel, Priority, Ticket, TicketStatus
from queue_server.storage import Database
from queue_server.storage import repository as repo

NOW = datetime(2026, 3, 2, 3, 0, tzinfo=UTC)
SERVICES = ["A101", "A102", "A110", "G701", "B201", "K001"]  # some served by window 1, some not
COUNTERS = [1, 2, 6, 24]
POLICY = CallingPolicy(max_wait_minutes=60)


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Database:
    database = Database(tmp_path_factory.mktemp("candidates") / "c.db")
    load_demo(database)
    return database


tickets = st.lists(
    st.tuples(
        st.sampled_from(SERVICES + ["Y01"]),
        st.sampled_from([Priority.ORDINARY] * 4 + list(Priority)),  # mostly ordinary
        st.integers(min_value=0, max_value=70),  # minutes waited: now and then past the maximum
        st.one_of(st.none(), st.sampled_from(COUNTERS)),  # sent to a window
    ),
    max_size=40,
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(tickets)
def test_candidates_give_the_same_choice(db: Database, waiting: list[tuple[str, Priority, int, int | None]]) -> None:
    conn = db.conn
    conn.execute("DELETE FROM tickets")
    stored = []
    for i, (code, priority, waited, target) in enumerate(waiting):
        bundle = code.startswith("Y")
        ticket = Ticket(
            id=f"01CANDIDATE{i:015d}",
            site_id="city-hall",
            day="2026-03-02",
            prefix=code[0],
            seq_no=i + 1,
            number=f"{code[0]}{i + 1:03d}",
            service=None if bundle else code,
            bundle=code if bundle else None,
            channel=Channel.KIOSK,
            priority=priority,
            status=TicketStatus.WAITING,
            issued_at=NOW - timedelta(minutes=waited),
            target_counter=target,
            transferred_at=NOW - timedelta(minutes=waited // 2) if target else None,
        )
        repo.insert_ticket(conn, ticket, "Asia/Shanghai", None)
        stored.append(ticket)
    for number in COUNTERS:
        counter = repo.get_counter(conn, "city-hall", number)
        assert counter is not None
        everyone = choose_next(counter, stored, NOW, POLICY)
        heads = choose_next(counter, repo.call_candidates(conn, counter), NOW, POLICY)
        assert (everyone.ticket.id if everyone else None) == (heads.ticket.id if heads else None)
        assert (everyone.reason if everyone else None) == (heads.reason if heads else None)


def test_candidates_stay_few_however_long_the_queue(tmp_path: Path) -> None:
    database = Database(tmp_path / "long.db")
    load_demo(database)
    from queue_server.operations import Operations

    ops = Operations(database, ignore_hours=True)
    for i in range(300):
        ops.issue_ticket("city-hall", service="A101", request_id=f"long-{i}")
    counter = repo.get_counter(database.conn, "city-hall", 1)
    assert counter is not None
    assert len(repo.call_candidates(database.conn, counter)) == 1
