"""Webhooks for the city's SMS or WeChat gateway, end to end: the real centre on a loopback
port, a real HTTP receiver on another, the courier on its own thread with short intervals.

Each event once, signed, with its delivery id; retries with backoff on the delivery log
while a receiver fails or hangs, and calls as fast as ever meanwhile; a restart loses and
doubles nothing; scope; the secret never shown again."""
from __future__ import annotations

import hashlib
import hmac
import json
import sqlite3
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import requests
from werkzeug.serving import make_server

from queue_server.storage import Database
from tests.conftest import Centre, copy_demo, free_port, log_to_file, wait_for_http

SITE = "city-hall"
FAST = {
    "WEBHOOK_SECONDS": 0.05,
    "WEBHOOK_TIMEOUT_SECONDS": 0.5,
    "WEBHOOK_RETRY_SECONDS": 0.1,
    "WEBHOOK_ATTEMPTS": 4,  # tries at 0, 0.1, 0.4 and 1.6 s
}


class Receiver:
    """A gateway on loopback: records each POST; answers 200, 500 or nothing in time (`mode`)."""

    def __init__(self) -> None:
        self.got: list[dict[str, Any]] = []
        self.mode = "ok"
        self.hang_seconds = 2.0
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's name)
                body = self.rfile.read(int(self.headers["Content-Length"]))
                mode = receiver.mode
                with receiver.lock:
                    receiver.got.append(
                        {"headers": dict(self.headers), "body": body, "mode": mode, "at": time.monotonic()}
                    )
                if mode == "hang":
                    time.sleep(receiver.hang_seconds)
                status = 500 if mode == "fail" else 200
                try:
                    self.send_response(status)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                except OSError:
                    pass  # the courier gave up waiting

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()

    def accepted(self, event: str | None = None) -> list[dict[str, Any]]:
        """The bodies of the deliveries answered 200, parsed."""
        with self.lock:
            found = [json.loads(g["body"]) for g in self.got if g["mode"] == "ok"]
        return [f for f in found if event is None or f["event"] == event]

    def wait_for(self, count: int, event: str | None = None, timeout: float = 10.0) -> list[dict[str, Any]]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = self.accepted(event)
            if len(found) >= count:
                return found
            time.sleep(0.02)
        raise AssertionError(f"{count} × {event} expected, got {self.accepted(event)}")

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    running = Receiver()
    yield running
    running.close()


@pytest.fixture
def centre_settings() -> dict[str, Any]:
    return dict(FAST)


def subscribe(centre: Centre, url: str, events: list[str], sites: list[str] | None = None, **more: Any) -> tuple[str, str]:
    response = centre.post("/admin/webhooks", {"name": "短信平台", "url": url, "events": events, "sites": sites or [SITE], **more})
    assert response.status_code == 201, response.text
    return response.json()["webhook"]["id"], response.json()["secret"]


def log_of(centre: Centre, webhook: str, **query: Any) -> list[dict[str, Any]]:
    response = centre.get(f"/admin/webhooks/{webhook}/deliveries", token=centre.login(), params=query)
    assert response.status_code == 200, response.text
    return response.json()["deliveries"]  # type: ignore[no-any-return]


def verify(got: dict[str, Any], secret: str) -> dict[str, Any]:
    """The receiver's side: the signature is the HMAC of `timestamp.body`; returns the body."""
    headers = {k.lower(): v for k, v in got["headers"].items()}
    expected = hmac.new(
        secret.encode(), headers["x-hallqueue-timestamp"].encode() + b"." + got["body"], hashlib.sha256
    ).hexdigest()
    assert hmac.compare_digest(headers["x-hallqueue-signature"], f"sha256={expected}")
    body: dict[str, Any] = json.loads(got["body"])
    assert headers["x-hallqueue-delivery"] == body["id"]
    assert headers["x-hallqueue-event"] == body["event"]
    return body


def call_next(centre: Centre, counter: int = 1) -> dict[str, Any]:
    response = centre.counter(counter, "call-next")
    assert response.status_code == 200, response.text
    return response.json()["ticket"]  # type: ignore[no-any-return]


# --- each event once, signed -------------------------------------------------------------


def test_the_backoff_schedule() -> None:
    from queue_server.webhooks.courier import Timing

    waits = [Timing(retry_seconds=10, attempts=8).retry_after(n) for n in range(1, 9)]
    assert waits == [10, 30, 120, 600, 3600, 3600, 3600, None]  # 10 s, 30 s, 2 min, 10 min, 1 h …


def test_called_recalled_no_show_arrive_once_each_signed(centre: Centre, receiver: Receiver) -> None:
    webhook, secret = subscribe(centre, receiver.url, ["ticket.called", "ticket.recalled", "ticket.no_show"])
    issued = centre.issue("A101")["ticket"]
    assert centre.counter(1, "open").status_code == 200
    called = call_next(centre)
    assert called["id"] == issued["id"]
    assert centre.counter(1, "recall").status_code == 200
    assert centre.counter(1, "no-show").status_code == 200  # the demo hall: two calls, then missed

    receiver.wait_for(3)
    time.sleep(0.5)  # more rounds of the courier: nothing comes twice
    assert len(receiver.got) == 3
    bodies = [verify(g, secret) for g in receiver.got]
    assert [b["event"] for b in bodies] == ["ticket.called", "ticket.recalled", "ticket.no_show"]
    assert len({b["id"] for b in bodies}) == 3
    data = bodies[0]["data"]
    assert data["ticket"] == issued["id"] and data["number"] == issued["number"]
    assert data["site"] == SITE and data["service"] == "A101" and data["counter"] == 1
    assert "phone" not in data and "code" not in data  # a walk-in: nobody to text
    assert bodies[0]["site"] == SITE

    delivered = log_of(centre, webhook)
    assert [d["event"] for d in delivered] == ["ticket.no_show", "ticket.recalled", "ticket.called"]
    assert {d["status"] for d in delivered} == {"delivered"}
    assert {d["attempts"] for d in delivered} == {1}
    assert {d["id"] for d in delivered} == {b["id"] for b in bodies}


def test_a_wrong_secret_does_not_verify(centre: Centre, receiver: Receiver) -> None:
    subscribe(centre, receiver.url, ["ticket.called"])
    centre.issue("A101")
    centre.counter(1, "open")
    call_next(centre)
    receiver.wait_for(1)
    with pytest.raises(AssertionError):
        verify(receiver.got[0], "not-the-secret")


def test_only_the_events_and_sites_subscribed(centre: Centre, receiver: Receiver) -> None:
    subscribe(centre, receiver.url, ["ticket.no_show"])
    elsewhere = Receiver()
    try:
        subscribe(centre, elsewhere.url, ["ticket.called"], sites=["station-cbd"])
        centre.issue("A101")
        centre.counter(1, "open")
        call_next(centre)
        time.sleep(0.6)
        assert receiver.got == [] and elsewhere.got == []
    finally:
        elsewhere.close()


def test_enqueue_of_a_booking_arrives(centre: Centre, receiver: Receiver) -> None:
    webhook, secret = subscribe(centre, receiver.url, ["appointment.booked"])
    db = Database(centre.db_path)
    try:
        with db.transaction() as store:  # as the booking code does, in its own transaction
            made = store.webhooks.enqueue(
                SITE, "appointment.booked", {"code": "K7Q2", "phone": "13800138000", "start": "2026-12-07T01:00:00.000Z"},
                datetime.now(UTC),
            )  # fmt: skip
            nobody = store.webhooks.enqueue(SITE, "appointment.reminder", {"code": "K7Q2"}, datetime.now(UTC))
        with pytest.raises(RuntimeError):
            with db.transaction() as store:  # rolled back with what it told: never sent
                store.webhooks.enqueue(SITE, "appointment.booked", {"code": "GONE"}, datetime.now(UTC))
                raise RuntimeError("the booking failed")
    finally:
        db.close()
    assert (made, nobody) == (1, 0)
    receiver.wait_for(1, "appointment.booked")
    body = verify(receiver.got[0], secret)
    assert body["data"] == {"code": "K7Q2", "phone": "13800138000", "start": "2026-12-07T01:00:00.000Z"}
    time.sleep(0.4)
    assert len(receiver.got) == 1
    assert [d["status"] for d in log_of(centre, webhook)] == ["delivered"]


def test_three_ahead_once_per_ticket(centre: Centre, receiver: Receiver) -> None:
    subscribe(centre, receiver.url, ["ticket.three_ahead"], all_tickets=True)
    tickets = [centre.issue("A101")["ticket"] for _ in range(7)]
    centre.counter(1, "open")
    call_next(centre)  # six waiting: the first four have 0–3 ahead
    told = receiver.wait_for(4, "ticket.three_ahead")
    time.sleep(0.3)
    assert sorted(b["data"]["number"] for b in receiver.accepted()) == sorted(t["number"] for t in tickets[1:5])
    assert all(b["data"]["ahead"] <= 3 for b in told)
    centre.counter(1, "finish", outcome="completed")
    call_next(centre)  # one more comes within three; those told before are not told again
    receiver.wait_for(5, "ticket.three_ahead")
    time.sleep(0.3)
    numbers = [b["data"]["number"] for b in receiver.accepted()]
    assert sorted(numbers) == sorted(t["number"] for t in tickets[1:6])


def test_three_ahead_only_booked_tickets_by_default(centre: Centre, receiver: Receiver) -> None:
    subscribe(centre, receiver.url, ["ticket.three_ahead", "ticket.called"])
    for _ in range(3):
        centre.issue("A101")
    centre.counter(1, "open")
    call_next(centre)
    receiver.wait_for(1, "ticket.called")
    time.sleep(0.3)
    assert receiver.accepted("ticket.three_ahead") == []  # walk-ins: no phone to reach


def book(centre: Centre, ticket: dict[str, Any], code: str, phone: str) -> None:
    """As if the ticket had been checked in from a booking (the booking code's own table)."""
    with sqlite3.connect(centre.db_path, timeout=10) as conn:
        conn.execute(
            """INSERT INTO appointments (id, code, site_id, service, start, day, slot_minutes, status,
               channel, person_hash, person_mask, phone, created_at, ticket_id)
               VALUES (?, ?, ?, 'A101', '2026-12-07T01:00:00.000Z', '2026-12-07', 30, 'checked_in',
               'online', 'hash-of-a-card', '张*', ?, '2026-12-01T01:00:00.000Z', ?)""",
            (f"appt-{code}", code, SITE, phone, ticket["id"]),
        )
    conn.close()


def test_a_booked_ticket_carries_its_code_and_phone_and_hears_three_ahead(centre: Centre, receiver: Receiver) -> None:
    webhook, secret = subscribe(centre, receiver.url, ["ticket.called", "ticket.three_ahead"])
    walk_in, other, booked = (centre.issue("A101")["ticket"] for _ in range(3))
    book(centre, booked, "K7Q2", "13800138000")
    centre.counter(1, "open")
    call_next(centre)  # walk_in called: other has 0 ahead (no phone: not told), booked has 1
    [told] = receiver.wait_for(1, "ticket.three_ahead")
    assert told["data"]["ticket"] == booked["id"] and told["data"]["ahead"] == 1
    assert (told["data"]["code"], told["data"]["phone"]) == ("K7Q2", "13800138000")
    for _ in range(2):
        centre.counter(1, "finish", outcome="completed")
        call_next(centre)
    called = receiver.wait_for(3, "ticket.called")
    time.sleep(0.3)
    assert len(receiver.accepted("ticket.three_ahead")) == 1  # once per ticket
    assert [c["data"]["number"] for c in called] == [walk_in["number"], other["number"], booked["number"]]
    assert "phone" not in called[0]["data"] and "phone" not in called[1]["data"]
    assert called[2]["data"]["phone"] == "13800138000" and called[2]["data"]["code"] == "K7Q2"
    for got in receiver.got:
        assert "张" not in got["body"].decode() and "hash-of-a-card" not in got["body"].decode()
        verify(got, secret)


# --- a receiver that fails, or hangs ------------------------------------------------------------


def test_failing_receiver_gets_retries_with_backoff_then_succeeds(centre: Centre, receiver: Receiver) -> None:
    webhook, secret = subscribe(centre, receiver.url, ["ticket.called"])
    receiver.mode = "fail"
    centre.issue("A101")
    centre.counter(1, "open")
    call_next(centre)
    deadline = time.monotonic() + 10
    while len(receiver.got) < 3 and time.monotonic() < deadline:
        time.sleep(0.02)
    [entry] = log_of(centre, webhook)
    assert entry["status"] == "pending" and entry["attempts"] >= 2
    assert entry["last_status"] == 500 and entry["last_error"] == "HTTP 500" and entry["next_at"]
    gaps = [b["at"] - a["at"] for a, b in zip(receiver.got, receiver.got[1:], strict=False)]
    assert gaps[0] >= 0.09  # 0.1 s, then 0.3 s: backoff, not a hammering
    assert gaps[1] >= 0.25 and gaps[1] > gaps[0]
    receiver.mode = "ok"
    [body] = receiver.wait_for(1)
    assert len({json.loads(g["body"])["id"] for g in receiver.got}) == 1  # the same delivery each time
    assert verify(receiver.got[-1], secret)["event"] == "ticket.called"
    [entry] = log_of(centre, webhook)
    assert entry["status"] == "delivered" and entry["attempts"] == len(receiver.got)
    assert entry["last_error"] is None and entry["delivered_at"]


def test_gives_up_after_the_last_attempt(centre: Centre, receiver: Receiver) -> None:
    webhook, _ = subscribe(centre, receiver.url, ["ticket.called"])
    receiver.mode = "fail"
    centre.issue("A101")
    centre.counter(1, "open")
    call_next(centre)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and [d["status"] for d in log_of(centre, webhook)] != ["failed"]:
        time.sleep(0.1)
    [entry] = log_of(centre, webhook)
    assert entry["status"] == "failed" and entry["attempts"] == FAST["WEBHOOK_ATTEMPTS"]
    assert entry["next_at"] is None
    time.sleep(0.3)
    assert len(receiver.got) == FAST["WEBHOOK_ATTEMPTS"]


def test_calls_stay_fast_while_a_receiver_hangs(centre: Centre, receiver: Receiver) -> None:
    webhook, _ = subscribe(centre, receiver.url, ["ticket.called"])
    receiver.mode = "hang"
    for _ in range(6):
        centre.issue("A101")
    centre.counter(1, "open")
    call_next(centre)
    deadline = time.monotonic() + 5
    while not receiver.got and time.monotonic() < deadline:
        time.sleep(0.01)
    assert receiver.got, "the courier never tried"
    session = centre.session(centre.login())
    timings = []
    for _ in range(4):  # the courier is blocked in the hanging POST all along
        centre.counter(1, "finish", outcome="completed")
        started = time.perf_counter()
        response = session.post(centre.api(f"/sites/{SITE}/counters/1/call-next"), json={}, timeout=5)
        timings.append(time.perf_counter() - started)
        assert response.status_code == 200
    assert max(timings) < 0.2, timings
    time.sleep(0.6)  # past the timeout: counted as a failed attempt, to be retried
    entry = log_of(centre, webhook)[-1]
    assert entry["attempts"] >= 1 and "timed out" in (entry["last_error"] or "").lower()
    receiver.mode = "ok"
    receiver.wait_for(5, "ticket.called", timeout=15)


# --- a restart: nothing lost, nothing twice -----------------------------------------------------


class Running:
    def __init__(self, db_path: Path, settings: dict[str, Any]) -> None:
        from queue_server.app import create_app
        from queue_server.server import QuietHandler

        self.app = create_app(overrides={"DB": str(db_path), "IGNORE_HOURS": True, "SYNCHRONOUS": "NORMAL", **settings})
        self.server = make_server("127.0.0.1", free_port(), self.app, threaded=True, request_handler=QuietHandler)
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        self.centre = Centre(f"http://127.0.0.1:{self.server.server_port}", db_path)
        wait_for_http(self.centre.api("/health"))

    def stop(self) -> None:
        self.server.shutdown()
        hall = self.app.extensions["hallqueue"]
        hall.courier.stop()
        hall.db.close()


def test_restart_loses_and_doubles_nothing(
    db_path: Path, demo_template: tuple[Path, str, str], receiver: Receiver
) -> None:
    kiosk, _ = copy_demo(demo_template, db_path)
    first = Running(db_path, FAST)
    try:
        first.centre.kiosk_token = kiosk
        webhook, secret = subscribe(first.centre, receiver.url, ["ticket.called"])
        for _ in range(3):
            first.centre.issue("A101")
        first.centre.counter(1, "open")
        call_next(first.centre)
        receiver.wait_for(1)
    finally:
        first.stop()
    # The courier is off: calls go on, their events wait in the log.
    second = Running(db_path, {**FAST, "WEBHOOK_SECONDS": 0})
    try:
        second.centre.counter(1, "finish", outcome="completed")
        call_next(second.centre)
        second.centre.counter(1, "finish", outcome="completed")
        call_next(second.centre)
        time.sleep(0.3)
        assert len(receiver.got) == 1
        waiting = log_of(second.centre, webhook)
        assert len(waiting) == 1  # not yet turned into deliveries: the cursor is behind
    finally:
        second.stop()
    third = Running(db_path, FAST)
    try:
        receiver.wait_for(3)
        time.sleep(0.5)
        bodies = [verify(g, secret) for g in receiver.got]
        assert len(bodies) == 3 and len({b["data"]["ticket"] for b in bodies}) == 3
        assert [b["data"]["number"] for b in bodies] == ["A001", "A002", "A003"]
        assert [d["status"] for d in log_of(third.centre, webhook)] == ["delivered"] * 3
    finally:
        third.stop()


# --- admins: scope, the secret, the log --------------------------------------------------------------


def test_scope_of_subscriptions(centre: Centre, receiver: Receiver) -> None:
    body = {"url": receiver.url, "events": ["ticket.called"], "sites": ["station-cbd"]}
    manager = centre.login(("manager", "Demo-Hall-2"))
    assert centre.post("/admin/webhooks", body, token=manager).status_code == 403
    made = centre.post(
        "/admin/staff",
        {"username": "cbd-admin", "password": "Cbd-Desk-Key-9", "role": "admin", "sites": ["station-cbd"]},
    )
    assert made.status_code == 201, made.text
    local = centre.login(("cbd-admin", "Cbd-Desk-Key-9"))
    assert centre.post("/admin/webhooks", body, token=local).status_code == 201
    other = centre.post("/admin/webhooks", {**body, "sites": [SITE]}, token=local)
    assert other.status_code == 403
    everywhere = centre.post("/admin/webhooks", {**body, "sites": None}, token=local)
    assert everywhere.status_code == 403
    hall, _ = subscribe(centre, receiver.url, ["ticket.called"])
    assert [w["sites"] for w in centre.get("/admin/webhooks", token=local).json()["webhooks"]] == [["station-cbd"]]
    assert centre.get(f"/admin/webhooks/{hall}/deliveries", token=local).status_code == 403
    assert requests.put(
        centre.api(f"/admin/webhooks/{hall}"), json={"active": False}, headers={"Authorization": f"Bearer {local}"}, timeout=5
    ).status_code == 403
    assert centre.post(f"/admin/webhooks/{hall}/ping", token=local).status_code == 403
    assert centre.post("/admin/webhooks", {**body, "url": "ftp://x/y"}).json()["field"] == "url"
    assert centre.post("/admin/webhooks", {**body, "events": ["ticket.issued"]}).json()["field"] == "events[0]"


def test_the_secret_is_shown_once_and_never_logged(centre: Centre, receiver: Receiver, tmp_path: Path) -> None:
    with log_to_file(tmp_path / "centre.log") as log_path:
        webhook, secret = subscribe(centre, receiver.url, ["ticket.called"])
        listed = centre.get("/admin/webhooks", token=centre.login())
        changed = requests.put(
            centre.api(f"/admin/webhooks/{webhook}"), json={"name": "微信平台"},
            headers={"Authorization": f"Bearer {centre.login()}"}, timeout=5,
        )  # fmt: skip
        ping = centre.post(f"/admin/webhooks/{webhook}/ping")
        assert ping.status_code == 202
        receiver.wait_for(1, "webhook.ping")
        receiver.mode = "fail"
        centre.post(f"/admin/webhooks/{webhook}/ping")
        time.sleep(0.5)  # failures are logged: not with the secret
        audit = centre.get("/admin/audit", token=centre.login(), params={"kind": "webhook"})
        deliveries = centre.get(f"/admin/webhooks/{webhook}/deliveries", token=centre.login())
    assert changed.status_code == 200 and changed.json()["webhook"]["name"] == "微信平台"
    assert listed.status_code == 200 and [w["id"] for w in listed.json()["webhooks"]] == [webhook]
    assert len(audit.json()["entries"]) == 2  # created, renamed (pings are not changes)
    for text in (listed.text, changed.text, audit.text, deliveries.text, log_path.read_text(encoding="utf-8")):
        assert secret not in text
    assert "failed: HTTP 500" in log_path.read_text(encoding="utf-8")  # the log did record the failure
    verify(receiver.got[0], secret)


def test_deactivate_delete_and_page_the_log(centre: Centre, receiver: Receiver) -> None:
    webhook, _ = subscribe(centre, receiver.url, ["ticket.called"])
    for _ in range(3):
        assert centre.post(f"/admin/webhooks/{webhook}/ping").status_code == 202
    receiver.wait_for(3, "webhook.ping")
    first = centre.get(f"/admin/webhooks/{webhook}/deliveries", token=centre.login(), params={"limit": 2}).json()
    assert len(first["deliveries"]) == 2 and first["next_before"]
    rest = log_of(centre, webhook, limit=2, before=first["next_before"])
    assert len(rest) == 1 and rest[0]["id"] not in {d["id"] for d in first["deliveries"]}
    token = {"Authorization": f"Bearer {centre.login()}"}
    assert requests.put(centre.api(f"/admin/webhooks/{webhook}"), json={"active": False}, headers=token, timeout=5).status_code == 200
    centre.issue("A101")
    centre.counter(1, "open")
    call_next(centre)
    time.sleep(0.4)
    assert receiver.accepted("ticket.called") == []  # inactive: nothing enqueued
    assert requests.delete(centre.api(f"/admin/webhooks/{webhook}"), headers=token, timeout=5).status_code == 204
    assert centre.get(f"/admin/webhooks/{webhook}/deliveries", token=centre.login()).status_code == 404
    assert centre.get("/admin/webhooks", token=centre.login()).json()["webhooks"] == []


def test_a_citizens_booking_reaches_the_gateway_once_each_signed(centre: Centre, receiver: Receiver) -> None:
    """Booking, moving and cancelling through the real routes, and the sweep's reminder:
    each arrives once, signed, with the code and the phone, never the name or ID number."""
    from datetime import date, timedelta

    from devices.id_card import make_id_number
    from queue_server.calling.appointments import Bookings
    from queue_server.engine import booking

    events = ["appointment.booked", "appointment.changed", "appointment.cancelled", "appointment.reminder"]
    _, secret = subscribe(centre, receiver.url, events)
    plan = requests.put(
        centre.api(f"/admin/sites/{SITE}/slot-plans/service/A101"),
        json={"slot_minutes": 30, "capacity": 4, "days_ahead": 7},
        headers={"Authorization": f"Bearer {centre.login()}"},
        timeout=10,
    )
    assert plan.status_code == 200, plan.text
    tomorrow_slots = []
    for ahead in range(1, 8):
        day = date.today() + timedelta(days=ahead)
        tomorrow_slots = centre.get(f"/sites/{SITE}/slots?service=A101&date={day.isoformat()}").json()["slots"]
        if len(tomorrow_slots) >= 2:
            break
    person = {"id_number": make_id_number(seq=555), "name": "钱七"}
    made = requests.post(
        centre.api(f"/sites/{SITE}/appointments"),
        json={"service": "A101", "start": tomorrow_slots[0]["start"], "phone": "13900139000", **person},
        timeout=10,
    )
    assert made.status_code == 201, made.text
    code = made.json()["appointment"]["code"]
    moved = requests.post(centre.api(f"/appointments/{code}/change"), json={"start": tomorrow_slots[1]["start"]}, timeout=10)
    assert moved.status_code == 200, moved.text
    # The reminder goes out once whatever the hour: the sweep, run as if on the day before,
    # from 09:00 (its first hour) and never before now (a subscription hears only what
    # happens after it was made).
    start = booking.hours.local_time(
        datetime.fromisoformat(tomorrow_slots[1]["start"].replace("Z", "+00:00")), "Asia/Shanghai"
    )
    first_hour_before = start.replace(hour=9, minute=0) - timedelta(days=1)
    remind_at = max(datetime.now(UTC) + timedelta(seconds=1), first_hour_before.astimezone(UTC))
    db = Database(centre.db_path)
    try:
        from queue_server.calling.operations import Operations

        ops = Operations(db, publish=lambda payloads: None, clock=lambda: remind_at)
        Bookings(ops).sweep()
        Bookings(ops).sweep()  # a second sweep reminds nobody again
        with db.transaction() as store:  # the sweep ran on a moved clock, the courier runs on the real one
            store.webhooks.send_pending_now(datetime.now(UTC))
    finally:
        db.close()
    cancelled = requests.post(centre.api(f"/appointments/{code}/cancel"), timeout=10)
    assert cancelled.status_code == 200, cancelled.text
    for event in events:
        receiver.wait_for(1, event)
    time.sleep(0.4)
    bodies = [verify(got, secret) for got in receiver.got]
    assert sorted(b["event"] for b in bodies) == sorted(events)  # each once
    for body in bodies:
        assert body["data"]["code"] == code and body["data"]["phone"] == "13900139000"
        assert person["id_number"] not in json.dumps(body, ensure_ascii=False) and "钱七" not in json.dumps(body, ensure_ascii=False)
