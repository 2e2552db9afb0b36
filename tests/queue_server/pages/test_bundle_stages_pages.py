"""A “一件事” ticket's stages in the browser: the clerk marks items done at the console,
the citizen rates each stage on the phone page beside the whole."""

from __future__ import annotations

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.conftest import Centre
from tests.queue_server.pages.test_browser import open_console

pytestmark = pytest.mark.browser


def test_the_console_marks_stages_done_and_the_phone_rates_each(
    centre: Centre, context: BrowserContext, page: Page
) -> None:
    issued = centre.issue(bundle="Y01")
    ticket = issued["ticket"]
    console = open_console(context, centre, 21)
    console.keyboard.press("o")
    expect(console.locator("#counter-state")).to_have_attribute("data-state", "open")
    console.keyboard.press(" ")
    expect(console.locator("#current-number")).to_have_text(ticket["number"])
    expect(console.locator("#stages .stage-button")).to_have_count(4)
    console.click("#stages .stage-button[data-service=A102]")
    expect(console.locator("#stages .stage-done")).to_have_count(1)
    expect(console.locator("#stages .stage-button")).to_have_count(3)
    console.click("#stages .stage-button[data-service=B201]")
    expect(console.locator("#stages .stage-done")).to_have_count(2)
    clerk = centre.login(Centre.CLERK)
    finished = centre.post("/sites/city-hall/counters/21/finish", {"outcome": "completed"}, token=clerk)
    assert finished.status_code == 200, finished.text

    page.goto(f"{centre.url}/t/{ticket['id']}#k={issued['key']}")
    expect(page.locator("#rate")).to_be_visible()
    expect(page.locator("#stages-rate")).to_be_visible()
    expect(page.locator("#stage-list li")).to_have_count(4)
    first = page.locator("#stage-list li[data-service=A102]")
    expect(first).to_contain_text("21号窗口")
    first.locator("button[data-level='4']").click()
    expect(first.locator(".t-stage-rated")).to_have_text("满意")
    page.click("#levels button[data-level='5']")
    expect(page.locator("#rated-text")).to_have_text("感谢您的评价：非常满意")
    stages = centre.get(f"/tickets/{ticket['id']}/stages").json()["stages"]
    assert [(s["service"], s["rating"]) for s in stages] == [("A102", 4), ("B201", None), ("A106", None), ("D402", None)]

    page.reload()  # a rated stage stays rated; the others can still be rated
    expect(page.locator("#stage-list li[data-service=A102] .t-stage-rated")).to_have_text("满意")
    expect(page.locator("#stage-list li[data-service=D402] button")).to_have_count(5)
