"""The citizens' booking phone page (/book/<site>, /book/code/<code>) in headless Chromium
at a phone's size, against the real centre on a clock the test sets (Monday 7 December
2026, 08:00 in the hall; the hall books A101 in 30-minute slots of 3 places, 7 days ahead).

Booking through the page makes exactly one booking however often it is tapped or
reloaded; a wrong ID number is refused on the phone, before the centre hears of it; a full
slot cannot be chosen; the booking's page cancels it; English works; a remote ticket
(线上取号) gives its number, check-in code and the ticket's own page; nothing is loaded
from anywhere but the centre.

`HALLQUEUE_BOOKING_SCREENSHOTS=docs` saves the manual's pictures on the way
(`booking-slots.png`, `booking-done.png`).
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from html import unescape as html_unescape
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests
from playwright.sync_api import Page, Request, expect

from devices.id_card import make_id_number
from tests.conftest import Centre, copy_demo, free_port, wait_for_http

pytestmark = pytest.mark.browser

SITE = "city-hall"
PHONE = {"width": 390, "height": 844}
TUESDAY = "2026-12-08"
SLOT_0900 = "2026-12-08T01:00:00.000Z"  # 09:00 in the hall
SHOTS = os.environ.get("HALLQUEUE_BOOKING_SCREENSHOTS")


def shot(page: Page, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=True)


@dataclass
class Clock:
    now: datetime

    def __call__(self) -> datetime:
        return self.now


class Hall(Centre):
    clock: Clock

    def day_bookings(self, day: str = TUESDAY) -> list[dict[str, Any]]:
        answer = self.get(f"/sites/{SITE}/appointments?date={day}", token=self.login())
        assert answer.status_code == 200, answer.text
        return answer.json()["appointments"]  # type: ignore[no-any-return]

    def book(self, start: str, seq: int) -> requests.Response:
        body = {"service": "A101", "start": start, "id_number": make_id_number(seq=seq), "name": "李四"}
        return requests.post(self.api(f"/sites/{SITE}/appointments"), json=body, timeout=10)


@pytest.fixture
def hall(db_path: Path, demo_template: tuple[Path, str, str]) -> Iterator[Hall]:
    from werkzeug.serving import make_server

    from queue_server.app import create_app
    from queue_server.server import QuietHandler

    kiosk, display = copy_demo(demo_template, db_path)
    clock = Clock(datetime(2026, 12, 7, 0, 0, tzinfo=UTC))  # Monday 08:00 in the hall
    app = create_app(
        overrides={"DB": str(db_path), "SYNCHRONOUS": "NORMAL", "SWEEP_SECONDS": 3600, "CITIZEN_WRITES_PER_MINUTE": 600},
        clock=clock,
    )
    port = free_port()
    server = make_server("127.0.0.1", port, app, threaded=True, request_handler=QuietHandler)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    running = Hall(f"http://127.0.0.1:{port}", db_path)
    running.kiosk_token, running.display_token = kiosk, display
    running.clock = clock
    wait_for_http(running.api("/health"))
    plan = requests.put(
        running.api(f"/admin/sites/{SITE}/slot-plans/service/A101"),
        json={"slot_minutes": 30, "capacity": 4, "days_ahead": 7, "walk_in_share": 0.25},
        headers={"Authorization": f"Bearer {running.login()}"},
        timeout=10,
    )
    assert plan.status_code == 200, plan.text
    for other in running.get(f"/sites/{SITE}/slot-plans", token=running.login()).json()["plans"]:
        if other["item_code"] != "A101":  # the demo's other plans: these tests book one item
            gone = requests.delete(
                running.api(f"/admin/sites/{SITE}/slot-plans/{other['item_kind']}/{other['item_code']}"),
                headers={"Authorization": f"Bearer {running.login()}"},
                timeout=10,
            )
            assert gone.status_code == 204, gone.text
    yield running
    server.shutdown()
    app.extensions["hallqueue"].db.close()


@pytest.fixture
def phone(page: Page, hall: Hall) -> Iterator[Page]:
    """The page at a phone's size, every request it makes recorded: none may leave the centre."""
    page.set_viewport_size(PHONE)
    elsewhere: list[str] = []
    centre = urlsplit(hall.url).netloc

    def seen(request: Request) -> None:
        if urlsplit(request.url).scheme in ("http", "https", "ws", "wss") and urlsplit(request.url).netloc != centre:
            elsewhere.append(request.url)

    page.on("request", seen)
    yield page
    assert elsewhere == []


def choose_tuesday_0900(page: Page) -> None:
    page.click('#b-item-list button[data-item="A101"]')
    day = page.locator(f'#b-day-list button[data-day="{TUESDAY}"]')
    expect(day).to_be_enabled()
    day.click()
    page.click(f'#b-slot-list button[data-start="{SLOT_0900}"]')
    expect(page.locator("#b-form")).to_be_visible()


def fill(page: Page, id_number: str, name: str = "欧阳修远", phone: str = "13800138000") -> None:
    page.fill("#b-id-number", id_number)
    page.fill("#b-name", name)
    page.fill("#b-phone", phone)


def test_a_citizen_books_a_slot_once_however_often_they_tap(phone: Page, hall: Hall) -> None:
    page = phone
    page.goto(f"{hall.url}/book/{SITE}")
    expect(page.locator("h1")).to_have_text("预约办事")
    expect(page.locator("#b-modes")).to_be_hidden()  # the demo hall takes no remote tickets
    # Only A101 has a slot plan: every other item is listed as not bookable.
    expect(page.locator("#b-item-list button")).to_have_count(1)
    expect(page.locator('#b-other-list li[data-item="A102"]')).to_contain_text("不可预约")

    page.click('#b-item-list button[data-item="A101"]')
    days = page.locator("#b-day-list button")
    expect(days).to_have_count(8)  # today and 7 days ahead
    sunday = page.locator('#b-day-list button[data-day="2026-12-13"]')
    expect(sunday).to_contain_text("休息")
    expect(sunday).to_be_disabled()
    hall.clock.now = datetime(2026, 12, 7, 9, 30, tzinfo=UTC)  # 17:30 in the hall: today is over
    page.click('#b-item-list button[data-item="A101"]')
    expect(page.locator('#b-day-list button[data-day="2026-12-07"]')).to_contain_text("今日已无")
    hall.clock.now = datetime(2026, 12, 7, 0, 0, tzinfo=UTC)
    page.click('#b-item-list button[data-item="A101"]')
    expect(page.locator(f'#b-day-list button[data-day="{TUESDAY}"]')).to_contain_text("余 45")  # 15 slots × 3
    choose_tuesday_0900(page)
    expect(page.locator("#b-chosen")).to_contain_text("09:00")
    shot(page, "booking-slots")

    fill(page, make_id_number(seq=101))
    page.locator("#b-submit").dblclick()  # a double tap
    expect(page.locator("#b-booking")).to_be_visible()
    expect(page.locator("#b-booking-title")).to_have_text("预约成功")
    code = page.locator("#b-code").inner_text().strip()
    assert len(code) == 8
    expect(page.locator("#b-status")).to_have_text("已预约")
    expect(page.locator("#b-person")).to_have_text("欧阳**")
    expect(page.locator("#b-when")).to_contain_text("09:00–09:30")
    expect(page.locator("#b-materials li").first).to_be_visible()  # A101's materials
    expect(page.locator("#b-link")).to_have_attribute("href", f"{hall.url}/book/code/{code}")
    expect(page.locator("#b-rules")).to_contain_text("刷本人身份证")
    shot(page, "booking-done")
    # The page wraps in a phone's width: nothing wider than the screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    page.reload()
    expect(page.locator("#b-item-list button")).to_have_count(1)
    booked = hall.day_bookings()
    assert [b["code"] for b in booked] == [code]
    found = requests.get(hall.api(f"/appointments/{code}"), timeout=10).json()["appointment"]
    assert found["status"] == "booked" and found["service"] == "A101" and found["channel"] == "phone"
    assert found["start"] == SLOT_0900


def test_a_wrong_id_number_is_refused_on_the_phone(phone: Page, hall: Hall) -> None:
    page = phone
    page.goto(f"{hall.url}/book/{SITE}")
    choose_tuesday_0900(page)
    posts: list[str] = []
    page.on("request", lambda r: posts.append(r.url) if r.method == "POST" else None)
    good = make_id_number(seq=102)
    wrong = good[:17] + ("0" if good[17] != "0" else "1")  # the check digit is wrong
    fill(page, wrong, phone="12345")
    page.click("#b-submit")
    expect(page.locator("#b-id-number-error")).to_have_text("身份证号码不正确，请核对（18 位，最后一位可能是 X）")
    expect(page.locator("#b-phone-error")).to_have_text("请填写 11 位手机号码")
    expect(page.locator("#b-id-number")).to_have_attribute("aria-invalid", "true")
    assert posts == [] and page.evaluate("window.hallqueueBooking.requests") == 0
    assert hall.day_bookings() == []

    page.fill("#b-id-number", good)
    expect(page.locator("#b-id-number-error")).to_be_hidden()  # typing clears the message
    page.fill("#b-phone", "")  # the mobile number is optional
    page.click("#b-submit")
    expect(page.locator("#b-booking-title")).to_have_text("预约成功")
    expect(page.locator("#b-phone-value")).to_be_hidden()
    assert len(hall.day_bookings()) == 1


def test_a_full_slot_is_shown_disabled_and_a_refusal_is_the_centres_message(phone: Page, hall: Hall) -> None:
    for seq in (201, 202, 203):  # 3 places of 4 open to booking
        assert hall.book(SLOT_0900, seq).status_code == 201
    page = phone
    page.goto(f"{hall.url}/book/{SITE}")
    page.click('#b-item-list button[data-item="A101"]')
    page.click(f'#b-day-list button[data-day="{TUESDAY}"]')
    full = page.locator(f'#b-slot-list button[data-start="{SLOT_0900}"]')
    expect(full).to_be_disabled()
    expect(full).to_contain_text("已约满")

    # The last place of 09:30 goes while the citizen types: the centre's words say so.
    slot_0930 = "2026-12-08T01:30:00.000Z"
    for seq in (204, 205):
        assert hall.book(slot_0930, seq).status_code == 201
    page.click(f'#b-slot-list button[data-start="{slot_0930}"]')
    assert hall.book(slot_0930, 206).status_code == 201
    fill(page, make_id_number(seq=207))
    page.click("#b-submit")
    expect(page.locator("#b-form-error")).to_have_text("09:30 时段已约满，请选择其他时段")
    # …and the page reads the day again: 09:30 is full now, the rest of the day still open.
    expect(page.locator(f'#b-slot-list button[data-start="{slot_0930}"]')).to_be_disabled()
    expect(page.locator(f'#b-day-list button[data-day="{TUESDAY}"]')).to_contain_text("余 39")
    assert len(hall.day_bookings()) == 6


def test_the_booking_page_cancels_after_asking(phone: Page, hall: Hall) -> None:
    made = hall.book(SLOT_0900, 301)
    code = made.json()["appointment"]["code"]
    page = phone
    page.goto(f"{hall.url}/book/{SITE}")
    page.fill("#b-find-code", f" {code[:4].lower()}-{code[4:]} ")  # as a citizen may type it
    page.click("#b-find button")
    page.wait_for_url(f"**/book/code/{code}")
    expect(page.locator("#b-code")).to_have_text(code)
    expect(page.locator("#b-status")).to_have_text("已预约")
    expect(page.locator("#b-item")).to_contain_text("个体工商户设立登记")
    expect(page.locator("#b-person")).to_have_text("李*")
    expect(page.locator("#b-appointment-rule")).to_contain_text("准时")
    page.click("#b-cancel")
    expect(page.locator("#b-cancel-confirm")).to_be_visible()
    page.click("#b-cancel-no")  # not yet
    assert requests.get(hall.api(f"/appointments/{code}"), timeout=10).json()["appointment"]["status"] == "booked"
    page.click("#b-cancel")
    page.click("#b-cancel-yes")
    expect(page.locator("#b-status")).to_have_text("已取消")
    expect(page.locator("#b-booking-title")).to_have_text("预约已取消")
    expect(page.locator("#b-cancel-row")).to_be_hidden()
    assert requests.get(hall.api(f"/appointments/{code}"), timeout=10).json()["appointment"]["status"] == "cancelled"

    page.goto(f"{hall.url}/book/code/ZZZZZZZZ")
    expect(page.locator("#b-problem")).to_have_text("没有找到该预约，请核对预约码")


def test_in_english(phone: Page, hall: Hall) -> None:
    page = phone
    page.goto(f"{hall.url}/book/{SITE}")
    page.click("#lang-switch")
    expect(page.locator("h1")).to_have_text("Book a visit")
    assert page.evaluate("document.documentElement.lang") == "en"
    choose_tuesday_0900(page)
    fill(page, make_id_number(seq=401), name="Wang Wu", phone="1380013")
    page.click("#b-submit")
    expect(page.locator("#b-phone-error")).to_have_text("Please give an 11-digit mobile number")
    page.fill("#b-phone", "13800138000")
    page.click("#b-submit")
    expect(page.locator("#b-booking-title")).to_have_text("Booked")
    expect(page.locator("#b-status")).to_have_text("Booked")
    expect(page.locator("#b-when")).to_contain_text("09:00–09:30")
    code = page.locator("#b-code").inner_text().strip()
    page.goto(f"{hall.url}/book/code/{code}")
    expect(page.locator("#lang-switch")).to_have_text("中文")  # the language is remembered
    expect(page.locator("#b-status")).to_have_text("Booked")

    # The centre's refusal, in English, next to the form: one booking per item and day.
    page.goto(f"{hall.url}/book/{SITE}")
    page.click('#b-item-list button[data-item="A101"]')
    page.click(f'#b-day-list button[data-day="{TUESDAY}"]')
    page.click('#b-slot-list button[data-start="2026-12-08T02:00:00.000Z"]')  # 10:00
    fill(page, make_id_number(seq=401), name="Wang Wu")
    page.click("#b-submit")
    expect(page.locator("#b-form-error")).to_have_text("You already hold a booking for this item that day (one a day)")
    assert len(hall.day_bookings()) == 1


def test_a_remote_ticket_where_the_site_allows_it(phone: Page, hall: Hall) -> None:
    with sqlite3.connect(hall.db_path) as conn:
        conn.execute(
            "UPDATE sites SET settings = json_set(settings, '$.remote_tickets', json('true')) WHERE id = ?", (SITE,)
        )
    clock_in_hours(hall)
    page = phone
    page.goto(f"{hall.url}/book/{SITE}")
    expect(page.locator("#b-modes")).to_be_visible()
    page.click('#b-modes button[data-mode="remote"]')
    expect(page.locator("#b-remote-intro")).to_be_visible()
    page.click('#b-item-list button[data-item="A102"]')  # any item the site offers, no plan needed
    expect(page.locator("#b-days")).to_be_hidden()
    fill(page, make_id_number(seq=501))
    page.locator("#b-submit").dblclick()
    expect(page.locator("#b-ticket")).to_be_visible()
    number = page.locator("#b-ticket-number").inner_text().strip()
    code = page.locator("#b-remote-code").inner_text().strip()
    assert number and len(code) == 8
    href = page.locator("#b-remote-link").get_attribute("href") or ""
    assert href.startswith("/t/") and "#k=" in href
    expect(page.locator("#b-rules")).to_be_visible()
    expect(page.locator("#b-appointment-rule")).to_be_hidden()  # no slot, no on-time rule
    ticket_id = href.split("/t/")[1].split("#")[0]
    ticket = requests.get(hall.api(f"/tickets/{ticket_id}"), timeout=10).json()["ticket"]
    assert ticket["number"] == number and ticket["arrival"] == "expected"
    assert [a["code"] for a in hall.day_bookings("2026-12-07")] == [code]  # tapped twice, taken once
    page.click("#b-remote-link")
    expect(page.locator("#t-number")).to_have_text(number)


def clock_in_hours(hall: Hall) -> None:
    """Monday 09:00 in the hall: open, so a same-day ticket can be taken."""
    hall.clock.now = datetime(2026, 12, 7, 9, 0, tzinfo=UTC) - timedelta(hours=8)


def test_the_page_names_the_items_with_a_plan_and_their_days(hall: Hall) -> None:
    html = requests.get(f"{hall.url}/book/{SITE}", timeout=10).text
    items = json.loads(html_unescape(re.search(r"data-items='([^']*)'", html).group(1)))  # type: ignore[union-attr]
    assert items == [{"kind": "service", "code": "A101", "slot_minutes": 30, "first": "2026-12-07", "last": "2026-12-14"}]
    assert 'data-remote="false"' in html
    assert requests.get(f"{hall.url}/book/nowhere", timeout=10).status_code == 404
    assert requests.get(f"{hall.url}/book/code/{'A' * 21}", timeout=10).status_code == 404
    assert requests.get(f"{hall.url}/book/code/--", timeout=10).status_code == 404
