"""The phone page /t/<id> following its ticket by push, in headless Chromium: a call shows
without waiting for a read; with the socket blocked, polling alone still follows it."""
from __future__ import annotations

import time

import pytest
from playwright.sync_api import Page, Route, expect

from tests.conftest import Centre
from tests.queue_server.pages.test_phone_page import block_push, recall_at_once, wait_alerts

pytestmark = pytest.mark.browser


def test_phone_page_shows_its_call_by_push_without_a_read(centre: Centre, page: Page) -> None:
    recall_at_once(centre)
    mine = centre.issue("A101")["ticket"]
    url = f"{centre.url}/api/v1/tickets/{mine['id']}"
    page.goto(f"{centre.url}/t/{mine['id']}")
    root = page.locator("#ticket")
    expect(root).to_have_attribute("data-push", "live")
    expect(page.locator("#t-status")).to_have_text("等候中")

    # Live push: nobody ahead, yet no read within 3 s (polling alone reads every 2 s).
    reads: list[str] = []
    page.on("request", lambda request: reads.append(request.url) if request.url == url else None)
    page.wait_for_timeout(3000)
    assert reads == []

    # From now on reads fail: what the page shows can only have been pushed.
    def refuse(route: Route) -> None:
        route.abort()

    page.route(url, refuse)
    centre.counter(5, "open")
    called_at = time.monotonic()
    assert centre.counter(5, "call-next").json()["ticket"]["id"] == mine["id"]
    expect(page.locator("#t-status")).to_have_text("请到 5 号窗口办理", timeout=2000)
    assert time.monotonic() - called_at < 1.0
    alerts = wait_alerts(page, 2)  # near (nobody ahead at load), then called
    assert [a["kind"] for a in alerts] == ["near", "called"]
    assert alerts[1]["counter"] == 5 and alerts[1]["recall"] == 0
    expect(page.locator("#t-alert")).to_have_text("请到 5 号窗口办理")

    assert centre.counter(5, "recall").status_code == 200
    recalled = wait_alerts(page, 3, timeout_ms=1500)
    assert recalled[2]["kind"] == "called" and recalled[2]["recall"] == 1
    expect(page.locator("#t-alert")).to_have_text("再次呼叫：请到 5 号窗口办理")
    expect(page.locator("#t-offline")).to_be_hidden()  # the live socket vouches for the page

    # Reads come back: the read after the next event agrees with what was pushed (no
    # second alert), and a finished ticket closes the socket.
    page.unroute(url, refuse)
    assert centre.counter(5, "start").status_code == 200
    expect(page.locator("#t-status")).to_have_text("正在 5 号窗口办理", timeout=2000)
    page.wait_for_timeout(500)
    assert len(page.evaluate("() => window.hallqueueAlerts")) == 3
    centre.counter(5, "finish", outcome="completed")
    expect(root).to_have_attribute("data-push", "stopped", timeout=3000)
    expect(page.locator("#t-status")).to_have_text("已办结")


def test_phone_page_follows_by_polling_when_the_socket_is_blocked(centre: Centre, page: Page) -> None:
    block_push(page)
    mine = centre.issue("A101")["ticket"]
    page.goto(f"{centre.url}/t/{mine['id']}")
    expect(page.locator("#t-status")).to_have_text("等候中")
    centre.counter(3, "open")
    called_at = time.monotonic()
    centre.counter(3, "call-next")
    expect(page.locator("#t-status")).to_have_text("请到 3 号窗口办理", timeout=3500)
    assert time.monotonic() - called_at < 3.0  # polled every 2 s with nobody ahead
    assert page.locator("#ticket").get_attribute("data-push") != "live"
    assert [a["kind"] for a in wait_alerts(page, 2)] == ["near", "called"]
    page.wait_for_timeout(1000)
    expect(page.locator("#t-offline")).to_be_hidden()  # polling alone is not "lost"
