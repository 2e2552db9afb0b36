"""No screen shows stale data as if it were live: the "connection lost" banner.

The centre runs as its own process, so it can be frozen (SIGSTOP: the TCP connections
stay open and nothing arrives, only the missing heartbeat tells) or killed. Calls made
while a screen is cut off are made through a second centre process on the same
database, which the screen is not connected to: the screen can only learn of them by
reading everything again when it is back.
"""
from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.conftest import CentreProcess, free_port
from tests.queue_server.manage.test_dashboard_browser import open_dashboard
from tests.queue_server.pages.test_browser import open_console, open_display

pytestmark = pytest.mark.browser

BANNER_WITHIN_S = 5.0
OFFLINE = "() => document.body.classList.contains('offline')"


@contextmanager
def frozen(centre: CentreProcess) -> Iterator[float]:
    """The centre process stopped (not killed) for the block; yields when it froze."""
    assert centre.process is not None
    os.kill(centre.process.pid, signal.SIGSTOP)
    try:
        yield time.monotonic()
    finally:
        os.kill(centre.process.pid, signal.SIGCONT)


@contextmanager
def second_centre(centre: CentreProcess, tmp_path: Path) -> Iterator[CentreProcess]:
    """Another centre process on the same database, on a port no screen follows."""
    other = CentreProcess(centre.db_path, free_port(), tmp_path / "second-centre.log")
    other.kiosk_token, other.display_token = centre.kiosk_token, centre.display_token
    other.start()
    try:
        yield other
    finally:
        other.stop()


def banner_within(page: Page, since: float) -> float:
    """Wait for the page to say it is offline; returns how long it took from `since`."""
    page.wait_for_function(OFFLINE, timeout=(BANNER_WITHIN_S + 2) * 1000, polling=50)
    took = time.monotonic() - since
    expect(page.locator("#offline-banner")).to_be_visible()
    expect(page.locator("#conn")).to_have_attribute("data-state", "offline")
    return took


def opacity(page: Page, selector: str) -> float:
    return float(page.evaluate(f"() => getComputedStyle(document.querySelector('{selector}')).opacity"))


def call(centre: CentreProcess, counter: int) -> str:
    centre.issue("A101")
    centre.counter(counter, "open")
    response = centre.counter(counter, "call-next")
    assert response.status_code == 200, response.text
    return response.json()["ticket"]["number"]  # type: ignore[no-any-return]


def test_display_frozen_centre_banner_then_full_resync(
    centre_process: CentreProcess, context: BrowserContext, tmp_path: Path
) -> None:
    centre = centre_process
    first = call(centre, 2)
    page = open_display(context, centre)
    expect(page.locator(".call-row.newest")).to_have_attribute("data-number", first)
    expect(page.locator("#offline-banner")).to_be_hidden()
    assert opacity(page, ".d-main") == 1.0

    with second_centre(centre, tmp_path) as other, frozen(centre) as froze:
        took = banner_within(page, froze)
        assert took <= BANNER_WITHIN_S, f"the banner took {took:.1f} s"
        expect(page.locator("#offline-banner")).to_contain_text("与服务中心的连接已中断")
        assert opacity(page, ".d-main") < 0.6  # the board is greyed out, not shown as live
        # Meanwhile window 5 calls through the other process: the frozen centre never
        # pushes it, so only a fresh read can bring it to this screen.
        second = call(other, 5)

    expect(page.locator("#conn")).to_have_attribute("data-state", "online", timeout=12_000)
    expect(page.locator("#offline-banner")).to_be_hidden()
    expect(page.locator(".call-row.newest")).to_have_attribute("data-number", second, timeout=2000)
    expect(page.locator(".call-row[data-counter='2']")).to_have_attribute("data-number", first)
    assert opacity(page, ".d-main") == 1.0

    # Live again: a call now arrives by push.
    third = call(centre, 4)
    expect(page.locator(".call-row.newest")).to_have_attribute("data-number", third, timeout=2000)


def test_display_killed_centre_banner_then_the_call_made_meanwhile(
    centre_process: CentreProcess, context: BrowserContext, tmp_path: Path
) -> None:
    centre = centre_process
    first = call(centre, 2)
    page = open_display(context, centre)
    expect(page.locator(".call-row.newest")).to_have_attribute("data-number", first)

    killed = time.monotonic()
    centre.kill()
    took = banner_within(page, killed)
    assert took <= BANNER_WITHIN_S, f"the banner took {took:.1f} s"
    assert opacity(page, ".d-main") < 0.6
    with second_centre(centre, tmp_path) as other:
        second = call(other, 5)
    expect(page.locator("#offline-banner")).to_be_visible()  # still cut off: still saying so

    centre.start()
    expect(page.locator("#conn")).to_have_attribute("data-state", "online", timeout=10_000)
    expect(page.locator("#offline-banner")).to_be_hidden()
    expect(page.locator(".call-row.newest")).to_have_attribute("data-number", second, timeout=2000)
    expect(page.locator("#recent li").first).to_have_attribute("data-number", second)
    # Made less than a minute ago: the hall hears it too.
    page.wait_for_function(f"() => (window.hallqueueSpoken || []).some((r) => r.number === '{second}')", timeout=3000)


def test_console_and_dashboard_say_so_when_the_centre_freezes(
    centre_process: CentreProcess, context: BrowserContext
) -> None:
    centre = centre_process
    centre.issue("A101")
    console = open_console(context, centre, 3)
    console.keyboard.press("o")
    call_next = console.locator("#actions button[data-action='call-next']")
    expect(call_next).to_be_enabled(timeout=3000)
    dashboard = context.new_page()
    open_dashboard(dashboard, centre)
    for page in (console, dashboard):
        expect(page.locator("#offline-banner")).to_be_hidden()

    with frozen(centre) as froze:
        for page in (console, dashboard):
            took = banner_within(page, froze)
            assert took <= BANNER_WITHIN_S, f"{page.url}: the banner took {took:.1f} s"
        expect(call_next).to_be_disabled()  # no action on a view that may be out of date
        console.keyboard.press("n")
        assert opacity(console, ".c-work") < 0.6
        assert opacity(dashboard, ".m-work") < 0.6

    for page in (console, dashboard):
        expect(page.locator("#conn")).to_have_attribute("data-state", "online", timeout=12_000)
        expect(page.locator("#offline-banner")).to_be_hidden()
    expect(call_next).to_be_enabled()
    assert centre.get("/sites/city-hall/counters/3", token=centre.login()).json()["current"] is None  # "n" did nothing
    console.keyboard.press("n")
    expect(console.locator("#current-number")).to_be_visible(timeout=3000)
    hall = dashboard.locator('article.site[data-site="city-hall"]')
    expect(hall.locator('li.counter[data-counter="3"] .num')).to_have_text(
        console.locator("#current-number").inner_text(), timeout=3000
    )
