"""The centre's side of the kiosk: identified tickets and device status reports."""

from __future__ import annotations

import sqlite3
import uuid

import socketio

from tests.conftest import Centre

ID_NUMBER = "33010219500612357X"
PERSON = {"id_number": ID_NUMBER, "name": "张晓明", "birth_date": "1950-06-12"}


def issue(centre: Centre, body: dict, **headers: str):  # type: ignore[no-untyped-def]
    return centre.post("/sites/city-hall/tickets", body, token=centre.kiosk_token, headers=headers)


def test_identified_ticket_keeps_only_hash_and_mask(centre: Centre) -> None:
    response = issue(centre, {"service": "A101", "request_id": "r1", "person": PERSON})
    assert response.status_code == 201, response.text
    ticket = response.json()["ticket"]
    assert ticket["priority"] == "elderly"
    assert ticket["person"] == "张**"
    assert ID_NUMBER not in response.text and "张晓明" not in response.text
    with sqlite3.connect(centre.db_path) as conn:
        row = conn.execute(
            "SELECT person_hash, person_mask FROM tickets WHERE id = ?", (ticket["id"],)
        ).fetchone()
    assert row[1] == "张**" and len(row[0]) == 64 and ID_NUMBER not in row[0]
    # The same request again is the same ticket.
    again = issue(centre, {"service": "A101", "request_id": "r1", "person": PERSON})
    assert again.status_code == 200 and again.json()["ticket"]["id"] == ticket["id"]


def test_young_person_is_ordinary_and_may_not_claim_assisted(centre: Centre) -> None:
    young = dict(PERSON, birth_date="1990-01-01")
    body = {"service": "A101", "request_id": "y1", "person": young}
    assert issue(centre, body).json()["ticket"]["priority"] == "ordinary"
    # A class a kiosk asks for is not believed (issue 12): staff confirm one.
    body = {"service": "A103", "request_id": "y2", "person": young, "priority": "assisted"}
    refused = issue(centre, body)
    assert refused.status_code == 403 and refused.json()["error"] == "priority_needs_staff"


def serve(centre: Centre, ticket_id: str) -> None:
    centre.counter(1, "open")  # 409 once open
    called = centre.counter(1, "call", ticket=ticket_id, reason="system_fault")
    assert called.status_code == 200, called.text
    assert centre.counter(1, "finish", outcome="completed").status_code == 200


def test_one_active_ticket_per_person_and_item(centre: Centre) -> None:
    first = issue(centre, {"service": "A101", "request_id": "a1", "person": PERSON})
    assert first.status_code == 201
    again = issue(centre, {"service": "A101", "request_id": "a2", "person": PERSON})
    assert again.status_code == 409 and again.json()["error"] == "one_active_ticket"
    # Said with the number held, so any kiosk or clerk can tell the citizen which it is.
    held = first.json()["ticket"]["number"]
    assert again.json()["message"] == f"您已有该事项的号票 {held}，正在排队或办理中，请勿重复取号"
    # Another item is fine; once served, the same item can be taken again.
    assert issue(centre, {"service": "A103", "request_id": "a3", "person": PERSON}).status_code == 201
    serve(centre, first.json()["ticket"]["id"])
    assert issue(centre, {"service": "A101", "request_id": "a4", "person": PERSON}).status_code == 201


def test_daily_limit_per_person(centre: Centre) -> None:
    # The demo hall allows 3 tickets per person per item and day (one active at a time).
    for i in range(3):
        body = {"service": "A101", "request_id": f"l{i}", "person": PERSON}
        response = issue(centre, body)
        assert response.status_code == 201
        serve(centre, response.json()["ticket"]["id"])
    refused = issue(centre, {"service": "A101", "request_id": "l3", "person": PERSON})
    assert refused.status_code == 409
    assert refused.json()["error"] == "person_limit_reached"
    assert "3" in refused.json()["message"]
    english = issue(
        centre,
        {"service": "A101", "request_id": "l4", "person": PERSON},
        **{"Accept-Language": "en"},
    )
    assert "limit 3" in english.json()["message"]
    # Another item, or another person, is fine.
    assert issue(centre, {"service": "A103", "request_id": "l5", "person": PERSON}).status_code == 201
    other = dict(PERSON, id_number="110101199001011234")
    assert issue(centre, {"service": "A101", "request_id": "l6", "person": other}).status_code == 201


def test_bad_person_is_refused_without_echo(centre: Centre) -> None:
    body = {"service": "A101", "person": {"id_number": "<script>12", "name": "x"}}
    response = issue(centre, body)
    assert response.status_code == 400 and "<script>" not in response.text


def test_device_status_is_stored_and_pushed(centre: Centre) -> None:
    received: list[dict] = []
    client = socketio.Client(reconnection=False)
    client.on("device.status", lambda data: received.append(data))
    client.connect(centre.url, auth={"token": centre.display_token}, transports=["websocket"])
    try:
        assert client.call("join", {"site": "city-hall"}, timeout=5)["ok"]
        body = {"printer": "out", "id_reader": "ok"}
        response = centre.post("/devices/status", body, token=centre.kiosk_token)
        assert response.status_code == 200, response.text
        assert response.json()["status"] == body
        # The same report again changes nothing and appends no event.
        centre.post("/devices/status", body, token=centre.kiosk_token)
        centre.post("/devices/status", {"printer": "ok"}, token=centre.kiosk_token)
        import time

        deadline = time.monotonic() + 3
        while len(received) < 2 and time.monotonic() < deadline:
            time.sleep(0.02)
    finally:
        client.disconnect()
    assert [e["data"]["status"]["printer"] for e in received] == ["out", "ok"]
    assert received[0]["type"] == "device.status" and received[0]["site"] == "city-hall"
    with sqlite3.connect(centre.db_path) as conn:
        status = conn.execute("SELECT status FROM devices WHERE kind = 'kiosk'").fetchone()[0]
    assert '"printer": "ok"' in status


def test_device_status_needs_a_device_and_valid_states(centre: Centre) -> None:
    assert centre.post("/devices/status", {"printer": "ok"}).status_code == 403  # admin
    bad = centre.post("/devices/status", {"printer": "smoking"}, token=centre.kiosk_token)
    assert bad.status_code == 400
    assert centre.post("/devices/status", {}, token=centre.kiosk_token).status_code == 400
    anonymous = centre.post("/devices/status", {"printer": "ok"}, token=str(uuid.uuid4()))
    assert anonymous.status_code == 401
