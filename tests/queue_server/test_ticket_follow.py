"""A phone following its ticket by push: real python-socketio clients against the real centre."""
from __future__ import annotations

import queue
import time
from collections.abc import Iterator
from typing import Any

import pytest
import socketio

from queue_server import wire
from queue_server.calling import ticket_follow
from tests.conftest import Centre

TICKET_KEYS = {"id", "number", "status", "counter"}


class Phone:
    """A tokenless socket following one ticket, recording the `ticket.event`s it hears (and
    anything else, which it must not hear)."""

    def __init__(self, url: str, ticket: str, **auth: Any) -> None:
        self.heard: queue.Queue[tuple[str, Any]] = queue.Queue()
        self.client = socketio.Client(reconnection=False)
        self.client.on("*", lambda name, data: self.heard.put((name, data)))
        self.client.connect(url, auth={"ticket": ticket, **auth}, transports=["websocket"], wait_timeout=5)
        self.ticket = ticket

    def join(self, data: Any = None) -> Any:
        return self.client.call(wire.JOIN, {"ticket": self.ticket} if data is None else data, timeout=5)

    def next(self, name: str = wire.TICKET_EVENT, timeout: float = 5.0) -> Any:
        deadline = time.monotonic() + timeout
        while True:
            heard, data = self.heard.get(timeout=max(0.01, deadline - time.monotonic()))
            if heard == name:
                return data

    def events(self, quiet: float = 0.5) -> list[tuple[str, Any]]:
        """What it heard until `quiet` s passed without a message (heartbeats left out)."""
        found = []
        while True:
            try:
                name, data = self.heard.get(timeout=quiet)
            except queue.Empty:
                return found
            if name != wire.HEARTBEAT:
                found.append((name, data))

    def close(self) -> None:
        if self.client.connected:
            self.client.disconnect()


@pytest.fixture
def phone(centre: Centre) -> Iterator[Any]:
    made: list[Phone] = []

    def make(ticket: str, **auth: Any) -> Phone:
        made.append(Phone(centre.url, ticket, **auth))
        return made[-1]

    yield make
    for one in made:
        one.close()


def refused(centre: Centre, auth: dict[str, Any]) -> Any:
    """The reason a connection was refused with (None: refused like a bad token)."""
    client = socketio.Client(reconnection=False)
    reasons: list[Any] = []
    client.on("connect_error", reasons.append)
    with pytest.raises(socketio.exceptions.ConnectionError):
        client.connect(centre.url, auth=auth, transports=["websocket"], wait_timeout=5)
    assert not client.connected
    return reasons[0] if reasons else None


def test_a_follower_joins_with_the_view_and_hears_its_call_at_once(centre: Centre, phone: Any) -> None:
    ahead = centre.issue("A101")["ticket"]
    mine = centre.issue("A101")["ticket"]
    follower = phone(mine["id"])
    ack = follower.join()
    assert ack["ok"] is True and ack["ticket"] == mine["id"]
    # The view is exactly what the REST read answers (same language, same moment).
    assert ack["view"] == centre.get(f"/tickets/{mine['id']}").json()
    assert ack["view"]["ahead"] == 1

    centre.counter(3, "open")
    centre.counter(3, "call-next")  # the one ahead: not mine
    assert follower.events() == []
    centre.counter(3, "finish", outcome="completed")
    called_at = time.monotonic()
    assert centre.counter(3, "call-next").json()["ticket"]["id"] == mine["id"]
    event = follower.next()
    assert time.monotonic() - called_at < 0.5
    assert event["type"] == wire.TICKET_CALLED
    assert event["ticket"] == {"id": mine["id"], "number": mine["number"], "status": "called", "counter": 3}
    assert event["counter"]["number"] == 3 and event["counter"]["name"]
    assert ahead["id"] != mine["id"]


def test_a_follower_hears_nothing_of_other_tickets(centre: Centre, phone: Any) -> None:
    mine = centre.issue("A101")["ticket"]
    follower = phone(mine["id"])
    assert follower.join()["ok"] is True
    centre.issue("A101")
    centre.issue("B202")
    centre.post("/sites/station-cbd/tickets", {"service": "A110"})
    centre.counter(2, "open")
    centre.counter(2, "call-next")  # mine, the first in line: heard
    centre.counter(2, "finish", outcome="completed")
    centre.counter(2, "call-next")  # another's: not heard
    centre.counter(2, "recall")
    heard = follower.events()
    assert [(name, data["type"]) for name, data in heard] == [
        (wire.TICKET_EVENT, wire.TICKET_CALLED),
        (wire.TICKET_EVENT, wire.TICKET_FINISHED),
    ]
    assert all(data["ticket"]["id"] == mine["id"] for _, data in heard)


def test_the_follower_payload_has_exactly_the_allowed_keys(centre: Centre, phone: Any) -> None:
    mine = centre.issue("A101")["ticket"]
    follower = phone(mine["id"])
    assert follower.join()["ok"] is True
    centre.counter(4, "open")
    centre.counter(4, "call-next")
    centre.counter(4, "transfer", to_counter=5, note="电话 13800000000")
    heard = [data for _, data in follower.events()]
    assert [e["type"] for e in heard] == [wire.TICKET_CALLED, wire.TICKET_TRANSFERRED]
    for event in heard:
        assert set(event) == {"type", "at", "ticket", "counter"}
        assert set(event["ticket"]) == TICKET_KEYS
        assert event["counter"] is None or set(event["counter"]) == {"number", "name"}
    assert "13800000000" not in str(heard)


def test_follower_payload_reduces_a_full_event() -> None:
    full = {
        "seq": 9, "id": "E1", "type": "ticket.called", "at": "2026-12-06T01:02:03.456Z", "site": "city-hall",
        "ticket": {"id": "T1", "number": "A001", "status": "called", "counter": 3, "person": "张*", "note": "x", "service": "A101"},
        "counter": {"number": 3, "name": "综合窗口3", "clerk": "clerk", "state": "open"},
        "data": {"reason": "longest_wait"},
    }  # fmt: skip
    assert ticket_follow.follower_payload(full) == {
        "type": "ticket.called",
        "at": "2026-12-06T01:02:03.456Z",
        "ticket": {"id": "T1", "number": "A001", "status": "called", "counter": 3},
        "counter": {"number": 3, "name": "综合窗口3"},
    }
    assert ticket_follow.follower_payload({**full, "counter": None})["counter"] is None


def test_a_follower_joins_its_own_ticket_only(centre: Centre, phone: Any) -> None:
    mine = centre.issue("A101")["ticket"]
    other = centre.issue("A101")["ticket"]
    follower = phone(mine["id"])
    forbidden = {"ok": False, "error": "forbidden"}
    assert follower.join({"site": "city-hall"}) == forbidden
    assert follower.join({"site": "city-hall", "counter": 1}) == forbidden
    assert follower.join({"ticket": other["id"]}) == forbidden
    assert follower.join({"ticket": mine["id"], "site": "city-hall"}) == forbidden
    assert follower.join("not-a-dict") == {"ok": False, "error": "invalid_input"}
    centre.counter(1, "open")
    centre.counter(1, "call-next")  # mine, but it has joined nothing yet
    assert follower.events() == []
    # A screen's token joins no ticket's room: it hears its site already.
    screen = socketio.Client(reconnection=False)
    screen.connect(centre.url, auth={"token": centre.display_token}, transports=["websocket"], wait_timeout=5)
    try:
        assert screen.call(wire.JOIN, {"ticket": mine["id"]}, timeout=5) == forbidden
    finally:
        screen.disconnect()


def test_an_unknown_ticket_is_refused_at_connect(centre: Centre) -> None:
    for auth in ({"ticket": "01NOSUCHTICKET0000000000000"}, {"ticket": ""}, {"ticket": "x" * 300}, {"ticket": 7}):
        assert refused(centre, auth) == {"message": "Connection rejected by server"}  # as a bad token


def test_the_view_speaks_the_language_asked(centre: Centre, phone: Any) -> None:
    mine = centre.issue("A101")["ticket"]
    english = phone(mine["id"], lang="en").join()["view"]
    chinese = phone(mine["id"]).join()["view"]
    assert english == centre.get(f"/tickets/{mine['id']}", headers={"Accept-Language": "en"}).json()
    assert chinese == centre.get(f"/tickets/{mine['id']}").json()
    assert english["rules"] != chinese["rules"]


def test_heartbeat_reaches_followers(centre: Centre, phone: Any) -> None:
    follower = phone(centre.issue("A101")["ticket"]["id"])
    assert follower.join()["ok"] is True
    first = follower.next(wire.HEARTBEAT, timeout=3.5)
    assert set(first) == {"at"}
    follower.next(wire.HEARTBEAT, timeout=3.5)
    assert follower.client.call(wire.HEARTBEAT, {}, timeout=5) == {"ok": True}


def test_at_most_five_phones_follow_one_ticket(centre: Centre, phone: Any) -> None:
    mine = centre.issue("A101")["ticket"]
    five = [phone(mine["id"]) for _ in range(ticket_follow.FOLLOWERS_PER_TICKET)]
    assert refused(centre, {"ticket": mine["id"]}) == {"message": ticket_follow.TOO_MANY_FOLLOWERS}
    # Another ticket is not affected, and a phone that leaves makes room.
    assert phone(centre.issue("A101")["ticket"]["id"]).join()["ok"] is True
    five[0].close()
    time.sleep(0.3)
    assert phone(mine["id"]).join()["ok"] is True


@pytest.mark.parametrize("centre_settings", [{"FOLLOWERS_PER_PROCESS": 2}])
def test_followers_per_process_are_capped(centre: Centre, phone: Any) -> None:
    phone(centre.issue("A101")["ticket"]["id"])
    phone(centre.issue("A101")["ticket"]["id"])
    third = centre.issue("A101")["ticket"]["id"]
    assert refused(centre, {"ticket": third}) == {"message": ticket_follow.TOO_MANY_FOLLOWERS}
    # Tokens are not followers: a screen still connects.
    screen = socketio.Client(reconnection=False)
    screen.connect(centre.url, auth={"token": centre.display_token}, transports=["websocket"], wait_timeout=5)
    screen.disconnect()


def test_a_follower_of_a_ticket_no_longer_stored_is_disconnected(centre: Centre, phone: Any) -> None:
    """Tickets are not deleted today (retention clears their personal fields), but a restored
    backup can lose the newest: their phones are let go, the others kept."""
    import sqlite3

    from queue_server.calling.push import REVALIDATE_SECONDS

    mine = centre.issue("A101")["ticket"]
    kept = phone(centre.issue("A101")["ticket"]["id"])
    follower = phone(mine["id"])
    assert follower.join()["ok"] is True
    with sqlite3.connect(centre.db_path) as db:  # a test's own hand: the centre never deletes one
        db.execute("DELETE FROM tickets WHERE id = ?", (mine["id"],))
    deadline = time.monotonic() + 2 * REVALIDATE_SECONDS + 2
    while follower.client.connected and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not follower.client.connected
    assert kept.client.connected


def test_the_protocol_loads_no_web_framework() -> None:
    """The asyncio gateway calls the same module: no Flask, no Flask-SocketIO in it."""
    import json
    import subprocess
    import sys

    from tests.conftest import ROOT

    probe = "import json, sys\nimport queue_server.calling.ticket_follow\nprint(json.dumps(sorted(sys.modules)))"
    done = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=60, check=True)
    modules = set(json.loads(done.stdout))
    assert "queue_server.calling.ticket_view" in modules
    assert sorted(m for m in modules if m.split(".")[0] in ("flask", "flask_socketio", "socketio", "werkzeug")) == []
