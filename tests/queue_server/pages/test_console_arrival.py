"""A remote ticket's citizen stands at the window: the clerk confirms them at the console
(issue 15), and from then on call-next calls it in its place — in real Chromium against the
real centre."""

from __future__ import annotations

import sqlite3

import pytest
import requests
from playwright.sync_api import BrowserContext, expect

from devices.id_card import make_id_number
from tests.conftest import Centre
from tests.queue_server.pages.test_browser import open_console

pytestmark = pytest.mark.browser


def test_a_clerk_confirms_a_remote_ticket_and_it_is_called(centre: Centre, context: BrowserContext) -> None:
    with sqlite3.connect(centre.db_path) as conn:
        conn.execute(
            "UPDATE sites SET settings = json_set(settings, '$.remote_tickets', json('true')) WHERE id = 'city-hall'"
        )
    taken = requests.post(
        centre.api("/sites/city-hall/remote-tickets"),
        json={"service": "A101", "id_number": make_id_number(seq=321), "name": "赵六"},
        timeout=10,
    )
    assert taken.status_code == 201, taken.text
    remote = taken.json()["ticket"]
    assert remote["arrival"] == "expected"
    page = open_console(context, centre, 1)
    page.keyboard.press("o")
    expect(page.locator("#counter-state")).to_have_attribute("data-state", "open")

    page.keyboard.press("a")
    expect(page.locator("#dlg-arrive")).to_be_visible()
    page.fill("#arrive-number", remote["number"])
    page.press("#arrive-number", "Enter")
    page.locator("#arrive-found button", has_text=remote["number"]).click()
    expect(page.locator("#dlg-arrive")).to_be_hidden()
    expect(page.locator("#toast")).to_contain_text(f"{remote['number']} 已确认到场")

    page.keyboard.press("n")
    expect(page.locator("#current")).to_contain_text(remote["number"])
    with sqlite3.connect(centre.db_path) as conn:
        row = conn.execute("SELECT arrival, status FROM tickets WHERE id = ?", (remote["id"],)).fetchone()
        booked = conn.execute("SELECT status FROM appointments WHERE ticket_id = ?", (remote["id"],)).fetchone()
    assert row == ("arrived", "called") and booked == ("checked_in",)
