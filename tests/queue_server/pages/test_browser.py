"""The console, the hall display and the phone page in real headless Chromium."""
from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from devices.sim.modbus_sim import ModbusBusSimulator, SignModel
from displays.sign_agent import SignAgent
from tests.conftest import Centre
from tests.queue_server.pages.conftest import enrol

pytestmark = pytest.mark.browser
SPOKEN = "() => window.hallqueueSpoken || []"


def open_display(context: BrowserContext, centre: Centre, query: str = "") -> Page:
    page = context.new_page()
    page.goto(f"{centre.url}/display/city-hall?token={centre.display_token}{query}")
    page.wait_for_function("() => window.hallqueueDisplay && window.hallqueueDisplay.renders > 0", timeout=5000)
    expect(page.locator("#conn")).to_have_attribute("data-state", "online", timeout=5000)
    return page


def open_console(
    context: BrowserContext,
    centre: Centre,
    counter: int,
    who: tuple[str, str] = Centre.CLERK,
    state: str = "closed",
) -> Page:
    page = context.new_page()
    page.goto(f"{centre.url}/console")
    page.fill("#username", who[0])
    page.fill("#password", who[1])
    page.click("#login-form button[type=submit]")
    page.wait_for_selector("#counter-select option", state="attached")
    page.select_option("#counter-select", str(counter))
    page.click("#pick-form button[type=submit]")
    expect(page.locator("#counter-state")).to_have_attribute("data-state", state, timeout=5000)
    expect(page.locator("#conn")).to_have_attribute("data-state", "online", timeout=5000)
    return page


def spoken(page: Page) -> list[dict]:  # type: ignore[type-arg]
    return page.evaluate(SPOKEN)  # type: ignore[no-any-return]


def wait_spoken(page: Page, count: int, timeout_ms: int = 1000) -> list[dict]:  # type: ignore[type-arg]
    page.wait_for_function(f"() => (window.hallqueueSpoken || []).length >= {count}", timeout=timeout_ms)
    return spoken(page)


def wait_until(predicate: Callable[[], object], timeout: float = 3.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.02)
    raise AssertionError(f"not within {timeout} s")


@pytest.fixture
def sign_sim(tmp_path) -> Iterator[ModbusBusSimulator]:  # type: ignore[no-untyped-def]
    sim = ModbusBusSimulator({1: SignModel()}, link=str(tmp_path / "rs485"))
    sim.start()
    yield sim
    sim.stop()


def test_clerk_calls_and_the_hall_sees_and_hears_it(centre: Centre, context: BrowserContext, sign_sim: ModbusBusSimulator) -> None:
    agent = SignAgent(centre.url, enrol(centre), "city-hall", 3, sign_sim.path, address=1, poll_seconds=0.05)
    agent.start()
    try:
        ticket = centre.issue("A101")["ticket"]
        number = ticket["number"]
        display = open_display(context, centre)
        console = open_console(context, centre, 3)

        console.keyboard.press("o")  # open the window
        expect(console.locator("#counter-state")).to_have_attribute("data-state", "open")
        expect(console.locator("#next li .num").first).to_have_text(number)

        console.keyboard.press("n")  # call next
        started = time.monotonic()
        calls = wait_spoken(display, 1, timeout_ms=1000)
        assert time.monotonic() - started < 1.0
        assert calls[0]["text"] == f"请{number}号到3号窗口办理"
        assert " ".join(number[1:]) not in calls[0]["speech"]  # digits are read in Chinese, one by one
        assert calls[0]["speech"].startswith("请 " + number[0] + " 零") and calls[0]["kind"] == "call"
        newest = display.locator(".call-row.newest")
        expect(newest).to_have_attribute("data-number", number, timeout=1000)
        expect(newest.locator(".call-window")).to_have_text("3号窗口")
        expect(newest).to_have_class(re.compile(r"\bflash\b"))
        expect(console.locator("#current-number")).to_have_text(number)
        wait_until(lambda: sign_sim.sign(1).display().number == number)

        console.keyboard.press("r")  # recall
        calls = wait_spoken(display, 2, timeout_ms=1000)
        assert calls[1]["kind"] == "recall" and calls[1]["text"] == calls[0]["text"]
        expect(display.locator("#recent li").first).to_have_attribute("data-number", number)

        console.keyboard.press("p")  # pause, reason 1
        console.keyboard.press("1")
        expect(console.locator("#counter-state")).to_have_attribute("data-state", "paused")
        expect(display.locator("#paused-bar")).to_be_visible(timeout=1000)
        expect(display.locator(".paused-chip[data-counter='3']")).to_contain_text("暂停服务")
        wait_until(lambda: sign_sim.sign(1).display().state == "paused")
        assert sign_sim.sign(1).display().text == "暂停服务"

        console.keyboard.press("o")
        expect(console.locator("#counter-state")).to_have_attribute("data-state", "open")
        console.keyboard.press("s")
        expect(console.locator("#current-status")).to_have_text("办理中")
        console.keyboard.press("f")
        console.keyboard.press("1")
        expect(console.locator("#current .empty")).to_be_visible()
        expect(console.locator("[data-figure=served]")).to_have_text("1")
        expect(display.locator(".call-row")).to_have_count(0)
        assert len(spoken(display)) == 2  # finishing announces nothing
    finally:
        agent.stop()


def test_display_small_layout_and_english(centre: Centre, context: BrowserContext) -> None:
    centre.counter(12, "open")
    ticket = centre.issue("C301")["ticket"]
    page = open_display(context, centre, "&layout=small&lang=en")
    assert "layout-small" in (page.locator("body").get_attribute("class") or "")
    centre.counter(12, "call-next")
    calls = wait_spoken(page, 1)
    assert calls[0]["text"] == f"Number {ticket['number']}, please go to window 12"
    assert "zh-CN" in calls[0]["lang"] and "en-US" in calls[0]["lang"]
    expect(page.locator(".call-row.newest .call-window")).to_have_text("Window 12")
    assert page.evaluate("HQ.spellNumber('A010', 'zh')") == "A 零 一 零"
    assert page.evaluate("HQ.spellNumber('Y03', 'en')") == "Y 0 3"


def test_display_page_refuses_a_bad_token(centre: Centre, page: Page) -> None:
    response = page.goto(f"{centre.url}/display/city-hall?token=nope")
    assert response is not None and response.status == 401
