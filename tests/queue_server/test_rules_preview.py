"""The preview's history: each ticket with its first real call, from events or, without
them, from the ticket's own record."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from queue_server.administration.rules_preview import load_visits
from queue_server.engine.model import TicketStatus
from queue_server.storage import Database
from queue_server.tools.demo import load_demo
from queue_server.tools.simulation import simulate

END = date(2026, 11, 20)  # a Friday
FIRST, LAST = (END - timedelta(days=1)).isoformat(), END.isoformat()


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Database:
    database = Database(tmp_path_factory.mktemp("preview") / "p.db")
    load_demo(database)
    simulate(database, days=2, sites=["city-hall"], end=END)
    return database


def first_calls_from_events(db: Database) -> dict[str, tuple[str, int, str | None, str | None]]:
    found: dict[str, tuple[str, int, str | None, str | None]] = {}
    for row in db.query("SELECT ticket_id, counter, at, payload FROM events WHERE type = 'ticket.called' ORDER BY seq"):
        ticket = json.loads(row["payload"])["ticket"]
        found.setdefault(row["ticket_id"], (row["at"], row["counter"], ticket["service"], ticket["bundle"]))
    return found


def test_first_calls_come_from_the_events(db: Database) -> None:
    visits = load_visits(db.store, "city-hall", FIRST, LAST)
    expected = first_calls_from_events(db)
    assert len(visits) == db.query_one("SELECT count(*) FROM tickets")[0] > 500
    transferred = 0
    for visit in visits:
        if visit.ticket.id not in expected:
            assert visit.called_at is None and visit.ticket.status == TicketStatus.UNSERVED
            continue
        at, counter, service, bundle = expected[visit.ticket.id]
        assert (visit.called_at, visit.counter) == (datetime.fromisoformat(at.replace("Z", "+00:00")), counter)
        # A transferred ticket is replayed in the queue it was first called from.
        assert (visit.ticket.service, visit.ticket.bundle) == (service, bundle)
        transferred += visit.ticket.transfer_count > 0
    assert transferred > 0  # the case above was really met


def test_without_events_the_ticket_record_stands_in(db: Database, tmp_path: Path) -> None:
    target = tmp_path / "no-events.db"
    db.conn.execute("VACUUM INTO ?", (str(target),))
    bare = Database(target)
    bare.conn.execute("DELETE FROM events")
    with_events = {v.ticket.id: v for v in load_visits(db.store, "city-hall", FIRST, LAST)}
    without = load_visits(bare.store, "city-hall", FIRST, LAST)
    assert len(without) == len(with_events)
    compared = 0
    for visit in without:
        same = with_events[visit.ticket.id]
        if visit.ticket.transfer_count or visit.ticket.return_count:
            continue  # placed at its last counter: the record keeps no other
        assert visit.counter == same.counter
        if visit.called_at is None or same.called_at is None:
            assert visit.called_at == same.called_at
            continue
        # issue time + wait until the first call, both kept to the millisecond
        assert abs((visit.called_at - same.called_at).total_seconds()) <= 0.002
        compared += 1
    assert compared > 500
    bare.close()


def test_tickets_cancelled_before_a_call_are_left_out(db: Database, tmp_path: Path) -> None:
    target = tmp_path / "cancelled.db"
    db.conn.execute("VACUUM INTO ?", (str(target),))
    copy = Database(target)
    some = copy.store.tickets.get(copy.query_one("SELECT id FROM tickets WHERE status = 'unserved' OR wait_seconds IS NOT NULL LIMIT 1")[0])
    assert some is not None
    cancelled = replace(some, id="01CANCELLED0000000000000000", seq_no=900, number="A900", status=TicketStatus.CANCELLED,
                        wait_seconds=None, called_at=None, counter=None, request_id=None)  # fmt: skip
    copy.store.tickets.insert(cancelled, "Asia/Shanghai", None)
    ids = {v.ticket.id for v in load_visits(copy.store, "city-hall", FIRST, LAST)}
    assert some.id in ids and cancelled.id not in ids
    copy.close()
