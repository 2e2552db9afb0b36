"""A ticket's phone page: live status, then the rating form; one rating per ticket."""
from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.conftest import Centre

pytestmark = pytest.mark.browser


def test_phone_page_follows_the_ticket_and_rates_it_once(centre: Centre, page: Page) -> None:
    centre.issue("A101")
    issued = centre.issue("A101")
    ticket = issued["ticket"]
    page.goto(f"{centre.url}/t/{ticket['id']}#k={issued['key']}")  # what the printed QR holds
    expect(page.locator("#t-number")).to_have_text(ticket["number"])
    expect(page.locator("#t-status")).to_have_text("等候中")
    expect(page.locator("#t-detail")).to_contain_text("前面还有 1 人")
    # The wait as a band, as the kiosk printed it (and the API answers beside the point).
    band = issued["wait_band"]
    assert 0 <= band["low"] <= issued["estimated_wait_minutes"] <= band["high"]
    expect(page.locator("#t-detail")).to_contain_text(f"预计等候约 {band['low']}–{band['high']} 分钟")

    centre.counter(1, "open")
    centre.counter(1, "call-next")
    centre.counter(1, "finish", outcome="completed")
    centre.counter(1, "call-next")
    page.reload()
    expect(page.locator("#t-status")).to_have_text("请到 1 号窗口办理")
    centre.counter(1, "finish", outcome="completed")
    page.evaluate("document.dispatchEvent(new Event('visibilitychange'))")
    expect(page.locator("#rate")).to_be_visible()
    page.click("#levels button[data-level='5']")
    expect(page.locator("#rated-text")).to_have_text("感谢您的评价：非常满意")
    rating = centre.get(f"/tickets/{ticket['id']}/rating").json()["rating"]
    assert (rating["level"], rating["channel"]) == (5, "phone")

    page.reload()
    expect(page.locator("#rated")).to_be_visible()
    expect(page.locator("#rate")).to_be_hidden()


def test_phone_page_asks_a_bad_rating_for_its_reason(centre: Centre, page: Page) -> None:
    issued = centre.issue("A101")
    ticket = issued["ticket"]
    centre.counter(1, "open")
    centre.counter(1, "call-next")
    centre.counter(1, "finish", outcome="completed")
    page.goto(f"{centre.url}/t/{ticket['id']}#k={issued['key']}")
    expect(page.locator("#rate")).to_be_visible()
    expect(page.locator("#reason-box")).to_be_hidden()
    page.click("#levels button[data-level='2']")
    expect(page.locator("#reason-box")).to_be_visible()
    page.click("#reason-send")  # no reason chosen: the centre asks for one, nothing stored
    expect(page.locator("#rate-error")).to_have_text("差评请选择原因")
    assert centre.get(f"/tickets/{ticket['id']}/rating").json()["rating"] is None
    page.check("#reason-box input[value='slow']")
    page.fill("#reason-note", "等了很久")
    page.click("#reason-send")
    expect(page.locator("#rated-text")).to_have_text("感谢您的评价：不满意")
    rating = centre.get(f"/tickets/{ticket['id']}/rating").json()["rating"]
    assert (rating["level"], rating["reason"]) == (2, "slow")
    opened = centre.get("/sites/city-hall/follow-ups?status=open", token=centre.login()).json()
    assert [f["ticket"] for f in opened["follow_ups"]] == [ticket["id"]]


def test_phone_page_without_the_printed_key_offers_no_rating(centre: Centre, page: Page) -> None:
    """A ticket id seen on a screen is not the paper: its page says to scan the QR instead."""
    ticket = centre.issue("A101")["ticket"]
    centre.counter(1, "open")
    centre.counter(1, "call-next")
    centre.counter(1, "finish", outcome="completed")
    page.goto(f"{centre.url}/t/{ticket['id']}")
    expect(page.locator("#rate-needs-key")).to_be_visible()
    expect(page.locator("#rate")).to_be_hidden()
    assert centre.get(f"/tickets/{ticket['id']}/rating").json()["rating"] is None


def test_unknown_ticket_page_is_404(centre: Centre, page: Page) -> None:
    response = page.goto(f"{centre.url}/t/NOPE")
    assert response is not None and response.status == 404
