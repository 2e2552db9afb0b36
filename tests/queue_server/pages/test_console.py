"""The console's other keys: transfer with a note, no-show, close; English; a stale session."""
from __future__ import annotations

import time

import pytest
from playwright.sync_api import BrowserContext, expect

from tests.conftest import Centre
from tests.queue_server.pages.test_browser import open_console

pytestmark = pytest.mark.browser


def wait_until(check, timeout: float = 5.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def test_transfer_no_show_and_close_by_keyboard(centre: Centre, context: BrowserContext) -> None:
    first = centre.issue("A101")["ticket"]
    second = centre.issue("A101")["ticket"]
    page = open_console(context, centre, 2)
    page.keyboard.press("o")
    expect(page.locator("#counter-state")).to_have_attribute("data-state", "open")
    page.keyboard.press(" ")
    expect(page.locator("#current-number")).to_have_text(first["number"])

    page.keyboard.press("t")
    expect(page.locator("#dlg-transfer")).to_be_visible()
    page.select_option("#to-counter", "24")
    page.fill("#transfer-note", "需帮办")
    page.click("#transfer-form button[type=submit]")
    expect(page.locator("#current .empty")).to_be_visible()
    expect(page.locator("[data-figure=transferred_out]")).to_have_text("1")
    moved = centre.get(f"/tickets/{first['id']}", token=centre.login()).json()["ticket"]  # staff read the note
    assert (moved["status"], moved["target_counter"], moved["note"]) == ("waiting", 24, "需帮办")

    page.keyboard.press("n")
    expect(page.locator("#current-number")).to_have_text(second["number"])
    page.keyboard.press("r")  # the demo hall calls twice before a no-show
    expect(page.locator("#call-count")).to_have_text("第 2/2 次呼叫")
    wait_until(lambda: centre.get(f"/tickets/{second['id']}").json()["ticket"]["recall_count"] == 1)
    page.keyboard.press("x")
    expect(page.locator("#current .empty")).to_be_visible()
    expect(page.locator("[data-figure=no_show]")).to_have_text("1")

    page.keyboard.press("n")  # nobody left for this window
    expect(page.locator("#toast")).to_have_text("当前没有等候的号票")
    page.keyboard.press("c")
    expect(page.locator("#dlg-close")).to_be_visible()
    page.keyboard.press("Enter")
    expect(page.locator("#counter-state")).to_have_attribute("data-state", "closed")
    expect(page.locator("button[data-action=call-next]")).to_be_disabled()


def test_errors_show_in_the_chosen_language_and_a_dead_session_logs_out(centre: Centre, context: BrowserContext) -> None:
    page = open_console(context, centre, 6)
    page.click("#lang-switch")
    expect(page.locator("h1")).to_have_text("Clerk console")
    expect(page.locator("#counter-state")).to_have_text("Closed")
    centre.counter(6, "open")  # someone else opened it meanwhile: the page follows
    expect(page.locator("#counter-state")).to_have_text("Open")
    token = page.evaluate("sessionStorage.getItem('hq.token')")
    centre.post("/auth/logout", token=token)
    page.reload()
    expect(page.locator("#login")).to_be_visible(timeout=5000)


def test_a_manager_takes_over_a_window_a_clerk_left_open(centre: Centre, context: BrowserContext) -> None:
    clerk_page = open_console(context, centre, 5)
    clerk_page.keyboard.press("o")
    expect(clerk_page.locator("#counter-state")).to_have_attribute("data-state", "open")
    manager = context.browser.new_context()  # type: ignore[union-attr]  # another person's browser
    try:
        page = open_console(manager, centre, 5, ("manager", "Demo-Hall-2"), state="open")
        expect(page.locator("#held-text")).to_contain_text("本窗口正由 clerk 使用")
        expect(page.locator("button[data-action=call-next]")).to_be_disabled()
        page.keyboard.press("n")  # the keys do nothing either
        page.click("#take-over")
        page.fill("#take-over-reason", "原窗口人员离岗未关窗")
        page.click("#take-over-form button[type=submit]")
        expect(page.locator("#held")).to_be_hidden()
        expect(page.locator("button[data-action=close]")).to_be_enabled()
        # The clerk's console hears it, says why, and holds its buttons back.
        expect(clerk_page.locator("#toast")).to_contain_text("窗口已由 manager 接管：原窗口人员离岗未关窗")
        expect(clerk_page.locator("#held-text")).to_contain_text("本窗口正由 manager 使用")
        expect(clerk_page.locator("#take-over")).to_be_hidden()  # a clerk cannot take it back
        expect(clerk_page.locator("button[data-action=pause]")).to_be_disabled()
    finally:
        manager.close()
