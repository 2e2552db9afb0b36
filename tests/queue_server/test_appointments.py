"""Appointments (issue 15) through the real centre on a loopback port, on a clock the test
moves: slots, booking (citizen, platform, staff), the per-person rules, cancelling, check-in
by card and by code (on time, late, too early, the wrong card), no-shows and suspension,
remote tickets that are called only once their citizen arrives, slot plans' audit and scope.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import requests

from devices.id_card import make_id_number
from tests.conftest import Centre, copy_demo, free_port, wait_for_http

SITE = "city-hall"
SHANGHAI = timedelta(hours=8)
# Monday 7 December 2026, 08:00 in the hall: the hall opens at 08:30 (city.json).
MONDAY_8 = datetime(2026, 12, 7, 0, 0, tzinfo=UTC)


def card(n: int, name: str = "张三丰") -> dict[str, str]:
    return {"id_number": make_id_number(seq=100 + n), "name": name}


@dataclass
class Clock:
    now: datetime

    def __call__(self) -> datetime:
        return self.now

    def at_local(self, day: int, hour: int, minute: int = 0) -> None:
        self.now = datetime(2026, 12, day, hour, minute, tzinfo=UTC) - SHANGHAI


class Hall(Centre):
    clock: Clock
    app: Any

    def citizen_book(self, start: str, person: dict[str, str], service: str = "A101", **more: Any) -> requests.Response:
        body = {"service": service, "start": start, **person, **more}
        return requests.post(self.api(f"/sites/{SITE}/appointments"), json=body, timeout=10)

    def check_in(self, **body: Any) -> requests.Response:
        return self.post(f"/sites/{SITE}/appointments/check-in", body, token=self.kiosk_token)

    def slots(self, day: str, service: str = "A101") -> list[dict[str, Any]]:
        answer = self.get(f"/sites/{SITE}/slots?service={service}&date={day}")
        assert answer.status_code == 200, answer.text
        return answer.json()["slots"]

    def put(self, path: str, body: dict[str, Any], token: str | None = None) -> requests.Response:
        headers = {"Authorization": f"Bearer {token or self.login()}"}
        return requests.put(self.api(path), json=body, headers=headers, timeout=10)

    def sweep(self) -> int:
        from queue_server.calling.appointments import Bookings

        return Bookings(self.app.extensions["hallqueue"].ops).sweep()


@pytest.fixture
def hall(db_path: Path, demo_template: tuple[Path, str, str]) -> Iterator[Hall]:
    from werkzeug.serving import make_server

    from queue_server.app import create_app
    from queue_server.server import QuietHandler

    kiosk, display = copy_demo(demo_template, db_path)
    clock = Clock(MONDAY_8)
    app = create_app(
        overrides={"DB": str(db_path), "SYNCHRONOUS": "NORMAL", "SWEEP_SECONDS": 3600, "CITIZEN_WRITES_PER_MINUTE": 600},
        clock=clock,
    )
    port = free_port()
    server = make_server("127.0.0.1", port, app, threaded=True, request_handler=QuietHandler)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    running = Hall(f"http://127.0.0.1:{port}", db_path)
    running.kiosk_token, running.display_token = kiosk, display
    running.clock, running.app = clock, app
    wait_for_http(running.api("/health"))
    plan = running.put(
        f"/admin/sites/{SITE}/slot-plans/service/A101",
        {"slot_minutes": 30, "capacity": 4, "days_ahead": 7, "walk_in_share": 0.25},
    )
    assert plan.status_code == 200, plan.text
    yield running
    server.shutdown()
    app.extensions["hallqueue"].db.close()


def tuesday_slot(hall: Hall, local: str = "09:00") -> str:
    """The start of Tuesday's slot at `local`, as the slots route gives it."""
    wanted = datetime.fromisoformat(f"2026-12-08T{local}:00+08:00")
    for slot in hall.slots("2026-12-08"):
        if datetime.fromisoformat(slot["start"].replace("Z", "+00:00")) == wanted:
            return str(slot["start"])
    raise AssertionError(f"no slot at {local}")


# --- slots -------------------------------------------------------------------------------


def test_slots_follow_the_hours_the_plan_and_the_walk_ins_share(hall: Hall) -> None:
    slots = hall.slots("2026-12-08")
    # 08:30–12:00 and 13:30–17:30 in 30-minute slots: 7 + 8.
    assert len(slots) == 15
    assert slots[0]["start"] == "2026-12-08T00:30:00.000Z"  # 08:30 in the hall
    # capacity 4, a quarter kept for walk-ins: 3 places to book.
    assert {(s["capacity"], s["left"]) for s in slots} == {(3, 3)}
    assert hall.slots("2026-12-13") == []  # Sunday: closed
    assert hall.slots("2026-12-20") == []  # beyond the plan's 7 days ahead
    refused = hall.get(f"/sites/{SITE}/slots?service=A102&date=2026-12-08")
    assert refused.status_code == 422 and refused.json()["error"] == "not_bookable"


# --- booking --------------------------------------------------------------------------


def test_a_citizen_books_idempotently_and_only_a_hash_and_a_masked_name_are_kept(hall: Hall) -> None:
    start = tuesday_slot(hall)
    person = card(1, "欧阳修远")
    made = hall.citizen_book(start, person, phone="13800138000", request_id="phone-1")
    assert made.status_code == 201, made.text
    booked = made.json()["appointment"]
    assert len(booked["code"]) == 8 and booked["status"] == "booked" and booked["channel"] == "phone"
    assert booked["person"] == "欧阳**" and booked["phone"] == "138****8000"
    again = hall.citizen_book(start, person, phone="13800138000", request_id="phone-1")
    assert again.status_code == 200 and again.json()["appointment"]["code"] == booked["code"]
    other = hall.citizen_book(start, card(2), phone="13800138000", request_id="phone-1")
    assert other.status_code == 409 and other.json()["error"] == "request_id_reused"
    assert hall.slots("2026-12-08")[1]["left"] == 2
    with sqlite3.connect(hall.db_path) as conn:
        dumped = "\n".join(str(row) for row in conn.execute("SELECT * FROM appointments"))
    assert person["id_number"] not in dumped and "欧阳修远" not in dumped


def test_one_booking_per_person_item_and_day_and_a_full_slot(hall: Hall) -> None:
    start = tuesday_slot(hall)
    assert hall.citizen_book(start, card(1)).status_code == 201
    twice = hall.citizen_book(tuesday_slot(hall, "10:00"), card(1))
    assert twice.status_code == 409 and twice.json()["error"] == "one_booking_per_day"
    assert hall.citizen_book(start, card(2)).status_code == 201
    assert hall.citizen_book(start, card(3)).status_code == 201
    full = hall.citizen_book(start, card(4), headers=None)
    assert full.status_code == 409 and full.json()["error"] == "slot_full"
    assert "09:00" in full.json()["message"]


def test_bad_bookings_are_refused_with_the_field_named(hall: Hall) -> None:
    start = tuesday_slot(hall)
    wrong_id = hall.citizen_book(start, {"id_number": "330102199001011230", "name": "张三"})
    assert wrong_id.status_code == 400 and wrong_id.json()["field"] == "id_number"
    not_a_slot = hall.citizen_book("2026-12-08T09:10:00+08:00", card(1))
    assert not_a_slot.status_code == 422 and not_a_slot.json()["error"] == "not_bookable"
    no_offset = hall.citizen_book("2026-12-08T09:00:00", card(1))
    assert no_offset.status_code == 400 and no_offset.json()["field"] == "start"
    english = requests.post(
        hall.api(f"/sites/{SITE}/appointments"),
        json={"service": "A101", "start": start, **card(1), "phone": "12345"},
        headers={"Accept-Language": "en"},
        timeout=10,
    )
    assert english.status_code == 400 and english.json()["field"] == "phone"


def test_cancel_by_code_until_the_cut_off(hall: Hall) -> None:
    start = tuesday_slot(hall)
    code = hall.citizen_book(start, card(1)).json()["appointment"]["code"]
    seen = requests.get(hall.api(f"/appointments/{code.lower()}"), timeout=10)
    assert seen.status_code == 200 and seen.json()["appointment"]["code"] == code
    cancelled = requests.post(hall.api(f"/appointments/{code}/cancel"), timeout=10)
    assert cancelled.status_code == 200 and cancelled.json()["appointment"]["status"] == "cancelled"
    assert hall.slots("2026-12-08")[1]["left"] == 3  # the place is free again
    late = hall.citizen_book(start, card(2)).json()["appointment"]["code"]
    hall.clock.at_local(8, 8, 30)  # 30 minutes before: inside the 60-minute cut-off
    refused = requests.post(hall.api(f"/appointments/{late}/cancel"), timeout=10)
    assert refused.status_code == 409 and refused.json()["error"] == "booking_cut_off"
    assert requests.get(hall.api("/appointments/ZZZZZZZZ"), timeout=10).status_code == 404


def test_change_keeps_the_code_and_moves_the_place(hall: Hall) -> None:
    code = hall.citizen_book(tuesday_slot(hall), card(1)).json()["appointment"]["code"]
    moved = requests.post(hall.api(f"/appointments/{code}/change"), json={"start": tuesday_slot(hall, "10:00")}, timeout=10)
    assert moved.status_code == 200, moved.text
    assert moved.json()["appointment"]["code"] == code
    assert moved.json()["appointment"]["start"] == "2026-12-08T02:00:00.000Z"
    lefts = {s["start"]: s["left"] for s in hall.slots("2026-12-08")}
    assert lefts["2026-12-08T01:00:00.000Z"] == 3 and lefts["2026-12-08T02:00:00.000Z"] == 2
    for n in (2, 3):
        hall.citizen_book(tuesday_slot(hall, "11:00"), card(n))
    hall.citizen_book(tuesday_slot(hall, "11:00"), card(4))
    full = requests.post(hall.api(f"/appointments/{code}/change"), json={"start": tuesday_slot(hall, "11:00")}, timeout=10)
    assert full.status_code == 409 and full.json()["error"] == "slot_full"
    hall.clock.at_local(8, 9, 30)  # within the cut-off before 10:00
    late = requests.post(hall.api(f"/appointments/{code}/change"), json={"start": tuesday_slot(hall, "11:30")}, timeout=10)
    assert late.status_code == 409 and late.json()["error"] == "booking_cut_off"


# --- check-in ---------------------------------------------------------------------------


def test_on_time_with_the_card_gets_the_appointment_class_and_is_called_first(hall: Hall) -> None:
    person = card(1)
    hall.citizen_book(tuesday_slot(hall), person)
    hall.clock.at_local(8, 8, 45)
    walk_in = hall.post(f"/sites/{SITE}/tickets", {"service": "A101"}, token=hall.kiosk_token)
    assert walk_in.status_code == 201, walk_in.text
    checked = hall.check_in(person={**person, "birth_date": "1990-01-01"})
    assert checked.status_code == 200, checked.text
    answer = checked.json()
    assert answer["late"] is False and answer["key"]
    assert answer["ticket"]["priority"] == "appointment" and answer["ticket"]["channel"] == "appointment"
    assert answer["appointment"]["status"] == "checked_in"
    again = hall.check_in(code=answer["appointment"]["code"])
    assert again.json()["ticket"]["id"] == answer["ticket"]["id"]  # the same ticket, never a second
    tapped_again = hall.check_in(person=person)
    assert tapped_again.json()["ticket"]["id"] == answer["ticket"]["id"]
    assert hall.counter(1, "open").status_code == 200
    called = hall.counter(1, "call-next")
    assert called.json()["ticket"]["id"] == answer["ticket"]["id"]


def test_late_gets_an_ordinary_ticket_and_too_early_is_told_when(hall: Hall) -> None:
    code = hall.citizen_book(tuesday_slot(hall), card(1)).json()["appointment"]["code"]
    early = hall.check_in(code=code)  # Monday: the day before
    assert early.status_code == 409 and early.json()["error"] == "appointment_too_early"
    hall.clock.at_local(8, 8, 20)
    early = hall.check_in(code=code)
    assert early.status_code == 409 and "08:30" in early.json()["message"]
    hall.clock.at_local(8, 9, 40)  # 40 minutes after the slot: late, inside the grace
    late = hall.check_in(code=code)
    assert late.status_code == 200, late.text
    assert late.json()["late"] is True and late.json()["ticket"]["priority"] == "ordinary"


def test_the_wrong_card_is_refused(hall: Hall) -> None:
    code = hall.citizen_book(tuesday_slot(hall), card(1)).json()["appointment"]["code"]
    hall.clock.at_local(8, 8, 50)
    wrong = hall.check_in(code=code, person=card(2, "李四"))
    assert wrong.status_code == 409 and wrong.json()["error"] == "person_mismatch"
    nobody = hall.check_in(person=card(2, "李四"))
    assert nobody.status_code == 404 and nobody.json()["error"] == "unknown_appointment"
    assert hall.check_in(code=code, person=card(1)).status_code == 200


def test_no_shows_suspend_booking(hall: Hall) -> None:
    person = card(7)
    for day in (8, 9, 10):
        hall.clock.at_local(day - 1, 8)
        made = hall.citizen_book(f"2026-12-{day:02d}T09:00:00+08:00", person)
        assert made.status_code == 201, made.text
        hall.clock.at_local(day, 10, 1)  # the grace time (60 minutes) is over
        assert hall.sweep() == 1
    code = made.json()["appointment"]["code"]
    expired = hall.check_in(code=code)
    assert expired.status_code == 409 and expired.json()["error"] == "appointment_not_open"
    suspended = hall.citizen_book("2026-12-11T09:00:00+08:00", person)
    assert suspended.status_code == 409 and suspended.json()["error"] == "booking_suspended"
    assert "2027-01-09" in suspended.json()["message"]  # 30 days after the last no-show
    assert hall.citizen_book("2026-12-11T09:00:00+08:00", card(8)).status_code == 201


# --- who books --------------------------------------------------------------------------


def test_the_platform_books_with_its_token_and_can_do_nothing_else(hall: Hall) -> None:
    enrolled = hall.post("/admin/devices", {"kind": "platform", "site": "city-hall", "name": "一网通办"})
    assert enrolled.status_code == 201, enrolled.text
    token = enrolled.json()["token"]
    made = hall.post(
        f"/sites/{SITE}/appointments", {"service": "A101", "start": tuesday_slot(hall), **card(1)}, token=token
    )
    assert made.status_code == 201 and made.json()["appointment"]["channel"] == "platform"
    issue = hall.post(f"/sites/{SITE}/tickets", {"service": "A101"}, token=token)
    assert issue.status_code == 403
    check_in = hall.post(f"/sites/{SITE}/appointments/check-in", {"code": "ABCDEFGH"}, token=token)
    assert check_in.status_code == 403
    kiosk_books = hall.post(
        f"/sites/{SITE}/appointments", {"service": "A101", "start": tuesday_slot(hall), **card(2)}, token=hall.kiosk_token
    )
    assert kiosk_books.status_code == 403


def test_slot_plans_are_audited_and_scoped(hall: Hall) -> None:
    audit = hall.get("/admin/audit?kind=slot_plan", token=hall.login()).json()
    assert any(e["target"] == f"{SITE}/service/A101" for e in audit["entries"])
    town = hall.login(("town", "Demo-Gutang-4"))
    refused = hall.put(f"/admin/sites/{SITE}/slot-plans/service/A102", {"slot_minutes": 30, "capacity": 2, "days_ahead": 3}, token=town)
    assert refused.status_code == 403
    not_offered = hall.put(f"/admin/sites/{SITE}/slot-plans/service/NOPE", {"slot_minutes": 30, "capacity": 2, "days_ahead": 3})
    assert not_offered.status_code == 400 and not_offered.json()["field"] == "item_code"


# --- remote tickets ---------------------------------------------------------------------


def test_a_remote_ticket_waits_unheard_until_its_citizen_checks_in(hall: Hall) -> None:
    hall.clock.at_local(7, 9)
    refused = requests.post(hall.api(f"/sites/{SITE}/remote-tickets"), json={"service": "A101", **card(1)}, timeout=10)
    assert refused.status_code == 422 and refused.json()["error"] == "remote_tickets_off"
    with sqlite3.connect(hall.db_path) as conn:
        conn.execute("""UPDATE sites SET settings = json_set(settings, '$.remote_tickets', json('true')) WHERE id = ?""", (SITE,))
    taken = requests.post(
        hall.api(f"/sites/{SITE}/remote-tickets"), json={"service": "A101", **card(1), "request_id": "r1"}, timeout=10
    )
    assert taken.status_code == 201, taken.text
    remote = taken.json()
    assert remote["ticket"]["arrival"] == "expected" and remote["ticket"]["channel"] == "online"
    walk_in = hall.post(f"/sites/{SITE}/tickets", {"service": "A101"}, token=hall.kiosk_token).json()
    hall.counter(1, "open")
    first = hall.counter(1, "call-next")
    assert first.json()["ticket"]["id"] == walk_in["ticket"]["id"]  # not the remote one, issued before
    hall.counter(1, "finish", outcome="completed")
    assert hall.counter(1, "call-next").status_code == 204  # nobody else is in the hall
    arrived = hall.check_in(person=card(1))
    assert arrived.status_code == 200, arrived.text
    assert arrived.json()["ticket"]["arrival"] == "arrived"
    assert hall.counter(1, "call-next").json()["ticket"]["id"] == remote["ticket"]["id"]


def test_past_the_personal_data_limit_a_booking_keeps_no_person(hall: Hall) -> None:
    from queue_server.people import retention

    code = hall.citizen_book(tuesday_slot(hall), card(1), phone="13800138000").json()["appointment"]["code"]
    ops = hall.app.extensions["hallqueue"].ops
    purged = retention.purge(ops.db, MONDAY_8 + timedelta(days=200))
    assert purged.bookings == 1
    with sqlite3.connect(hall.db_path) as conn:
        row = conn.execute(
            "SELECT person_hash, person_mask, phone, status, start FROM appointments WHERE code = ?", (code,)
        ).fetchone()
    assert row[:3] == (None, None, None) and row[3] == "booked" and row[4]  # the figures stay
