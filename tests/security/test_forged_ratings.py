"""Issue 12 (1, 5): ratings only the citizen can give; reads that give away nothing personal.

Each test is an attacker's request that worked before: rating a stranger's ticket from its
id alone, a clerk rating their own ticket by leaving out the token, an evaluator rating
for another window or long after, and the public reads naming tickets, clerks and notes.
"""
from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta

import requests

from queue_server import wire
from tests.conftest import Centre
from tests.queue_server.pages.conftest import enrol
from tests.queue_server.pages.test_calling_api import serve_one


def rate(centre: Centre, ticket_id: str, body: dict, token: str | None = None) -> requests.Response:  # type: ignore[type-arg]
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return requests.post(centre.api(f"/tickets/{ticket_id}/rating"), json=body, headers=headers, timeout=10)


def age_finish(centre: Centre, ticket_id: str, delta: timedelta) -> None:
    """Move a ticket's end of service into the past (as if it had been done that long ago)."""
    with sqlite3.connect(centre.db_path) as conn:
        conn.execute(
            "UPDATE tickets SET finished_at = ? WHERE id = ?",
            (wire.iso(datetime.now(UTC) - delta), ticket_id),
        )


def test_a_stranger_with_the_ticket_id_cannot_rate_it(centre: Centre) -> None:
    done = serve_one(centre)
    for body in ({"level": 1}, {"level": 1, "key": ""}, {"level": 1, "key": "A" * 16}, {"level": 1, "key": 7}):
        refused = rate(centre, done["id"], body)
        assert refused.status_code == 403 and refused.json()["error"] == "rating_key_invalid", body
    # The key of another ticket does not fit either.
    other = serve_one(centre)
    assert rate(centre, done["id"], {"level": 1, "key": other["key"]}).status_code == 403
    assert centre.get(f"/tickets/{done['id']}/rating").json()["rating"] is None
    assert rate(centre, done["id"], {"level": 5, "key": done["key"]}).status_code == 201


def test_a_key_beyond_ascii_is_a_wrong_key_not_a_server_error(centre: Centre) -> None:
    done = serve_one(centre)
    for key in ("é" * 16, "钥匙", done["key"][:-1] + "é"):
        refused = rate(centre, done["id"], {"level": 1, "key": key})
        assert refused.status_code == 403 and refused.json()["error"] == "rating_key_invalid", key
    assert centre.get(f"/tickets/{done['id']}/rating").json()["rating"] is None


def test_a_clerk_leaving_out_the_token_cannot_rate_their_own_ticket(centre: Centre) -> None:
    clerk = centre.login(Centre.CLERK)
    issued = centre.issue("A101")
    centre.post("/sites/city-hall/counters/1/open", token=clerk)
    centre.post("/sites/city-hall/counters/1/call-next", token=clerk)
    finished = centre.post("/sites/city-hall/counters/1/finish", {"outcome": "completed"}, token=clerk)
    ticket = finished.json()["ticket"]
    assert "key" not in finished.json() and "key" not in ticket  # the console never sees it
    assert rate(centre, ticket["id"], {"level": 5}, token=clerk).status_code == 403
    assert rate(centre, ticket["id"], {"level": 5}).status_code == 403  # the token left out
    assert rate(centre, ticket["id"], {"level": 5, "key": issued["key"]}, token=clerk).status_code == 403
    assert centre.get(f"/tickets/{ticket['id']}/rating").json()["rating"] is None


def test_kiosks_and_displays_never_rate(centre: Centre) -> None:
    done = serve_one(centre)
    for token in (centre.kiosk_token, centre.display_token):
        body = {"level": 5, "key": done["key"]}
        assert rate(centre, done["id"], body, token=token).status_code == 403


def test_an_evaluator_rates_only_at_the_window_that_served(centre: Centre) -> None:
    done = serve_one(centre, counter=1)
    window_two = enrol(centre, counter=2)
    refused = rate(centre, done["id"], {"level": 1}, token=window_two)
    assert refused.status_code == 403 and refused.json()["error"] == "rating_wrong_window"
    unplaced = enrol(centre)  # a sign enrolled for no window
    assert rate(centre, done["id"], {"level": 1}, token=unplaced).status_code == 403
    elsewhere = enrol(centre, site="station-cbd", counter=1)
    assert rate(centre, done["id"], {"level": 1}, token=elsewhere).status_code == 403
    window_one = enrol(centre, counter=1)
    stored = rate(centre, done["id"], {"level": 4}, token=window_one)
    assert stored.status_code == 201 and stored.json()["rating"]["channel"] == "evaluator"


def test_ratings_close_after_their_time(centre: Centre) -> None:
    at_window = serve_one(centre, counter=1)
    age_finish(centre, at_window["id"], timedelta(minutes=11))  # the evaluator asks at the window
    late = rate(centre, at_window["id"], {"level": 5}, token=enrol(centre, counter=1))
    assert late.status_code == 409 and late.json()["error"] == "rating_closed"
    # The phone page has the rest of the day (24 hours by default)
    assert rate(centre, at_window["id"], {"level": 5, "key": at_window["key"]}).status_code == 201
    by_phone = serve_one(centre, counter=1)
    age_finish(centre, by_phone["id"], timedelta(hours=25))
    late = rate(centre, by_phone["id"], {"level": 1, "key": by_phone["key"]})
    assert late.status_code == 409 and late.json()["error"] == "rating_closed"
    assert "24" in late.json()["message"]


def test_the_public_site_view_names_no_ticket_and_no_clerk(centre: Centre) -> None:
    clerk = centre.login(Centre.CLERK)
    centre.issue("A101")
    centre.post("/sites/city-hall/counters/1/open", token=clerk)
    called = centre.post("/sites/city-hall/counters/1/call-next", token=clerk).json()["ticket"]
    for token in (None, centre.kiosk_token, centre.display_token):
        view = centre.get("/sites/city-hall", token=token).json()
        window = next(c for c in view["counters"] if c["number"] == 1)
        assert window["current_ticket"] is None and window["clerk"] is None, token
        assert called["id"] not in str(view) and "clerk" not in {c["clerk"] for c in view["counters"]}
    staff = centre.get("/sites/city-hall", token=clerk).json()
    window = next(c for c in staff["counters"] if c["number"] == 1)
    assert (window["current_ticket"], window["clerk"]) == (called["id"], "clerk")


def test_a_ticket_read_by_anyone_carries_no_note_and_no_name(centre: Centre) -> None:
    """The phone page's read and every screen's events: no masked name, no clerk's note."""
    person = {"id_number": "110101194001011234", "name": "张三丰", "birth_date": "1940-01-01"}
    ticket = centre.issue("A101", person=person)["ticket"]
    centre.counter(1, "open")
    centre.counter(1, "call-next")
    moved = centre.counter(1, "transfer", to_counter=2, note="请回电 13800138000").json()["ticket"]
    assert (moved["note"], moved["person"]) == ("请回电 13800138000", "张**")  # staff see it
    public = centre.get(f"/tickets/{ticket['id']}").json()["ticket"]
    assert "note" not in public and "person" not in public
    for token in (centre.kiosk_token, centre.display_token):
        seen = centre.get(f"/tickets/{ticket['id']}", token=token).json()["ticket"]
        assert "note" not in seen and "person" not in seen
    events = centre.get("/sites/city-hall/events?since=0", token=centre.display_token).json()["events"]
    text = str(events)
    assert "13800138000" not in text and "张**" not in text
    assert all("person" not in (e["ticket"] or {}) for e in events)
    board = centre.get("/sites/city-hall/counters/2", token=centre.display_token).json()
    assert "13800138000" not in str(board)
    staff = centre.get(f"/tickets/{ticket['id']}", token=centre.login()).json()["ticket"]
    assert staff["note"] == "请回电 13800138000"
