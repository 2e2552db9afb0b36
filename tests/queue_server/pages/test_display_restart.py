"""A hall display survives a restart of the centre without a reload."""
from __future__ import annotations

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.conftest import CentreProcess
from tests.queue_server.pages.test_browser import open_display, wait_spoken

pytestmark = pytest.mark.browser


def board_text(page: Page) -> dict[str, str]:
    return {part: page.locator(f"#{part}").inner_text() for part in ("now-calling", "recent", "waiting", "waiting-total", "paused", "site-name", "notice")}


def test_display_recovers_after_the_centre_restarts(centre_process: CentreProcess, context: BrowserContext) -> None:
    centre = centre_process
    for _ in range(3):
        centre.issue("A101")
    centre.counter(2, "open")
    first = centre.counter(2, "call-next").json()["ticket"]["number"]
    page = open_display(context, centre)
    expect(page.locator(".call-row.newest")).to_have_attribute("data-number", first)

    centre.kill()
    expect(page.locator("#conn")).to_have_attribute("data-state", "offline", timeout=5000)
    expect(page.locator("#offline-banner")).to_be_visible()
    centre.start()

    # What happens right after the restart reaches the page: replayed or live.
    centre.counter(5, "open")
    second = centre.counter(5, "call-next").json()["ticket"]["number"]
    centre.counter(2, "pause", reason="午间休息")
    expect(page.locator("#conn")).to_have_attribute("data-state", "online", timeout=10000)
    expect(page.locator(".call-row.newest")).to_have_attribute("data-number", second, timeout=5000)
    calls = wait_spoken(page, 1, timeout_ms=3000)
    assert [c["number"] for c in calls] == [second]
    expect(page.locator(".paused-chip[data-counter='2']")).to_be_visible()

    fresh = open_display(context, centre)
    expect(fresh.locator(".paused-chip[data-counter='2']")).to_be_visible()
    assert board_text(page) == board_text(fresh)
    # A page's own status report (device.status) may be one event on, heard by both soon.
    def last_seqs() -> tuple[str | None, str | None]:
        return tuple(p.locator("#display").get_attribute("data-last-seq") for p in (page, fresh))  # type: ignore[return-value]

    for _ in range(50):
        if len(set(last_seqs())) == 1:
            break
        page.wait_for_timeout(100)
    assert len(set(last_seqs())) == 1, last_seqs()
