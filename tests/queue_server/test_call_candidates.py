"""Call-next reads only the heads of a counter's queues: the same choice as all waiting tickets."""
from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from queue_server.engine.call_order import CallingPolicy, choose_next
from queue_server.engine.estimates import people_ahead
from queue_server.engine.model import Channel, CounterState, Priority, Ticket, TicketStatus
from queue_server.storage import Database
from queue_server.tools.demo import load_demo

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
        st.one_of(st.none(), st.integers(min_value=1, max_value=30)),  # back after a missed call
    ),
    max_size=40,
)
POLICIES = st.sampled_from(
    [POLICY, CallingPolicy(max_wait_minutes=60, mix=(1, 2)), CallingPolicy(max_wait_minutes=60, mix=(2, 1))]
)


def store_waiting(db: Database, waiting: list[tuple[str, Priority, int, int | None, int | None]]) -> list[Ticket]:
    db.conn.execute("DELETE FROM tickets")
    stored = []
    for i, (code, priority, waited, target, returned) in enumerate(waiting):
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
            # A missed ticket that came back holds a later place in time than its issue.
            queued_at=NOW - timedelta(minutes=waited) + timedelta(minutes=returned) if returned else None,
        )
        db.store.tickets.insert(ticket, "Asia/Shanghai", None)
        stored.append(ticket)
    return stored


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(tickets, POLICIES, st.integers(min_value=-3, max_value=3))
def test_candidates_give_the_same_choice(
    db: Database,
    waiting: list[tuple[str, Priority, int, int | None, int | None]],
    policy: CallingPolicy,
    credit: int,
) -> None:
    store = db.store
    stored = store_waiting(db, waiting)
    for number in COUNTERS:
        counter = store.counters.get("city-hall", number)
        assert counter is not None
        counter = replace(counter, mix_credit=credit)
        everyone = choose_next(counter, stored, NOW, policy)
        heads = choose_next(counter, store.tickets.call_candidates(counter), NOW, policy)
        assert (everyone.ticket.id if everyone else None) == (heads.ticket.id if heads else None)
        assert (everyone.reason if everyone else None) == (heads.reason if heads else None)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(tickets, st.sampled_from([None, [1, 2], [2, 1], [1, 3]]))
def test_people_ahead_in_sql_is_the_engine_rule(
    db: Database, waiting: list[tuple[str, Priority, int, int | None, int | None]], mix: list[int] | None
) -> None:
    """The position a ticket shows (counted in SQL) is `estimates.people_ahead` under the mix."""
    from queue_server.calling.operations import Operations

    stored = store_waiting(db, waiting)
    site = db.store.sites.get("city-hall")
    assert site is not None
    site = replace(site, settings={**site.settings, "mix": mix})
    ops = Operations(db, ignore_hours=True)
    for ticket in stored:
        ahead, _ = ops._position(db.store, site, ticket)
        assert ahead == people_ahead(ticket, stored, tuple(mix) if mix else None), ticket


def test_candidates_stay_few_however_long_the_queue(tmp_path: Path) -> None:
    database = Database(tmp_path / "long.db")
    load_demo(database)
    from queue_server.calling.operations import Operations

    ops = Operations(database, ignore_hours=True)
    for i in range(300):
        ops.issue_ticket("city-hall", service="A101", request_id=f"long-{i}")
    counter = database.store.counters.get("city-hall", 1)
    assert counter is not None
    assert len(database.store.tickets.call_candidates(counter)) == 1


def test_ordinary_turn_finds_the_ordinary_head_behind_an_older_priority_ticket(db: Database) -> None:
    """Found by the rules preview: a queue whose oldest ticket is a priority one still
    hands call-next its oldest ordinary ticket, for the ordinary turns of a ratio."""
    stored = store_waiting(
        db, [("A101", Priority.ELDERLY, 10, None, None), ("A101", Priority.ORDINARY, 5, None, None)]
    )
    counter = db.store.counters.get("city-hall", 1)
    assert counter is not None
    counter = replace(counter, mix_credit=-1)  # ordinary's turn
    policy = CallingPolicy(max_wait_minutes=60, mix=(1, 2))
    everyone = choose_next(counter, stored, NOW, policy)
    heads = choose_next(counter, db.store.tickets.call_candidates(counter), NOW, policy)
    assert everyone is not None and heads is not None
    assert everyone.ticket.priority == Priority.ORDINARY
    assert heads.ticket.id == everyone.ticket.id


def test_people_ahead_follows_the_ratio_the_serving_windows_share(tmp_path: Path) -> None:
    """Every open window serving A101 calls 1:1 while the site says 1:2: the position a ticket
    shows follows the windows; with one window on the site's ratio it falls back to the site's."""
    from queue_server.calling.operations import Operations

    database = Database(tmp_path / "mix.db")
    load_demo(database)
    store = database.store
    stored = store_waiting(
        database,
        [("A101", Priority.ELDERLY, 50 - i, None, None) for i in range(4)]
        + [("A101", Priority.ORDINARY, 40 - i, None, None) for i in range(6)],
    )
    site = store.sites.get("city-hall")
    assert site is not None
    site = replace(site, settings={**site.settings, "mix": [1, 2]})
    serving = [c for c in store.counters.of_site("city-hall") if any(e.service == "A101" for e in c.profile)]
    assert len(serving) >= 2
    for c in serving:
        store.counters.save(replace(c, state=CounterState.OPEN, rules={"mix": [1, 1]}))
    ops = Operations(database, ignore_hours=True)
    last_ordinary = stored[-1]
    ahead, _ = ops._position(store, site, last_ordinary)
    assert ahead == people_ahead(last_ordinary, stored, (1, 1)) == 5 + 4
    assert people_ahead(last_ordinary, stored, (1, 2)) == 5 + 3  # what the site's ratio says
    store.counters.save(replace(serving[0], state=CounterState.OPEN, rules={}))
    ahead, _ = ops._position(store, site, last_ordinary)
    assert ahead == people_ahead(last_ordinary, stored, (1, 2))
