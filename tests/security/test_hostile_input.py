"""Input no schema generator thinks of: numbers past 64 bits, and any JSON at the socket.

Found by hand after the fuzzer: a counter number, an event seq or a join's `since`
larger than SQLite's 64-bit integers raised OverflowError (a 500, or a Socket.IO
handler dying without an answer). Now they are refused like any other bad number.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from queue_server import wire
from tests.conftest import copy_demo

HUGE = 2**64 + 7


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory, demo_template: tuple[Path, str, str]) -> Iterator[Any]:
    from queue_server.app import create_app

    db_path = tmp_path_factory.mktemp("hostile") / "hallqueue.db"
    kiosk, display = copy_demo(demo_template, db_path)
    made = create_app(overrides={"DB": str(db_path), "IGNORE_HOURS": True, "SYNCHRONOUS": "OFF", "LOG_LEVEL": "CRITICAL"})
    made.config["display_token"] = display
    yield made
    made.extensions["hallqueue"].db.close()


def test_numbers_past_64_bits_are_refused_not_500(app: Any) -> None:
    client = app.test_client()
    admin = client.post("/api/v1/auth/login", json={"username": "admin", "password": "Demo-City-1"}).get_json()["token"]
    headers = {"Authorization": f"Bearer {admin}"}
    answers = {
        "counter": client.get(f"/api/v1/sites/city-hall/counters/{HUGE}", headers=headers).status_code,
        "action": client.post(f"/api/v1/sites/city-hall/counters/{HUGE}/open", json={}, headers=headers).status_code,
        "admin counter": client.put(f"/api/v1/admin/sites/city-hall/counters/{HUGE}", json={}, headers=headers).status_code,
        "events since": client.get(f"/api/v1/sites/city-hall/events?since={HUGE}", headers=headers).status_code,
        "events limit": client.get(f"/api/v1/sites/city-hall/events?limit={HUGE}", headers=headers).status_code,
        "audit before": client.get(f"/api/v1/admin/audit?before={HUGE}", headers=headers).status_code,
        "transfer": client.post("/api/v1/sites/city-hall/counters/1/transfer", json={"to_counter": HUGE}, headers=headers).status_code,
    }
    assert all(400 <= status < 500 for status in answers.values()), answers
    # The largest number SQLite holds is still a number.
    edge = client.get(f"/api/v1/sites/city-hall/events?since={2**63 - 1}", headers=headers)
    assert edge.status_code == 200 and edge.get_json()["events"] == []


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(min_value=-(2**70), max_value=2**70) | st.floats(allow_nan=False) | st.text(max_size=50),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=12,
)
join_payloads = json_values | st.fixed_dictionaries(
    {"site": st.sampled_from(["city-hall", "station-cbd", "", "x" * 300]) | st.text(max_size=20)},
    optional={"counter": json_values, "since": json_values},
)


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True, database=None)
@given(payload=join_payloads)
def test_any_join_payload_gets_an_answer_and_nothing_it_should_not(app: Any, payload: Any) -> None:
    socketio = app.extensions["hallqueue"].socketio
    client = socketio.test_client(app, auth={"token": app.config["display_token"]})
    try:
        ack = client.emit(wire.JOIN, payload, callback=True)
        assert isinstance(ack, dict) and ack["ok"] in (True, False)
        if ack["ok"]:
            assert payload["site"] == "city-hall"  # a hall display joins its own site only
        received = client.get_received()
        assert all(message["args"][0]["site"] == "city-hall" for message in received)
        replayed = [e for m in received if m["name"] == wire.CATCH_UP for e in m["args"][0]["events"]]
        assert all(event["site"] == "city-hall" for event in replayed)
        # Unknown events are ignored, never answered with data.
        client.emit("no-such-event", payload)
        assert client.get_received() == []
    finally:
        client.disconnect()


follower_payloads = json_values | st.fixed_dictionaries(
    {"ticket": st.just("MINE") | st.text(max_size=30) | json_values},
    optional={"site": json_values, "counter": json_values, "since": json_values},
)


@settings(max_examples=100, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True, database=None)
@given(payload=follower_payloads, auth_ticket=json_values)
def test_a_phone_sends_anything_and_joins_its_own_ticket_only(app: Any, payload: Any, auth_ticket: Any) -> None:
    """A tokenless socket (a phone following a ticket) is a new way in: any connect auth and
    any join get an answer, and the only room it enters is its own ticket's."""
    socketio = app.extensions["hallqueue"].socketio
    stranger = socketio.test_client(app, auth={"ticket": auth_ticket})
    assert not stranger.is_connected()  # no ticket has such an id
    mine = app.config.setdefault("phone_ticket", _issue(app))
    if isinstance(payload, dict) and payload.get("ticket") == "MINE":
        payload = {**payload, "ticket": mine}
    client = socketio.test_client(app, auth={"ticket": mine})
    try:
        ack = client.emit(wire.JOIN, payload, callback=True)
        assert isinstance(ack, dict) and ack["ok"] in (True, False)
        if ack["ok"]:
            assert payload["ticket"] == mine and "site" not in payload and "counter" not in payload
            assert set(ack) == {"ok", "ticket", "view"} and ack["view"]["ticket"]["id"] == mine
        assert all(m["name"] not in wire.EVENT_TYPES and m["name"] != wire.CATCH_UP for m in client.get_received())
        client.emit("no-such-event", payload)
        assert client.get_received() == []
    finally:
        client.disconnect()


def _issue(app: Any) -> str:
    client = app.test_client()
    admin = client.post("/api/v1/auth/login", json={"username": "admin", "password": "Demo-City-1"}).get_json()["token"]
    issued = client.post("/api/v1/sites/city-hall/tickets", json={"service": "A101"}, headers={"Authorization": f"Bearer {admin}"})
    return issued.get_json()["ticket"]["id"]  # type: ignore[no-any-return]
