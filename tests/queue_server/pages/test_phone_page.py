"""The phone page /t/<id> in headless Chromium: live position, alerts, lost connection,
rule sentences and quota."""
from __future__ import annotations

import re
import time
from datetime import datetime, timedelta
from typing import Any

import pytest
from playwright.sync_api import Page, Route, expect

from tests.conftest import Centre, CentreProcess

pytestmark = pytest.mark.browser
ALERTS = "() => window.hallqueueAlerts"


def issue_many(centre: Centre, count: int) -> list[dict[str, Any]]:
    return [centre.issue("A101")["ticket"] for _ in range(count)]


def wait_alerts(page: Page, count: int, timeout_ms: int = 3000) -> list[dict[str, Any]]:
    page.wait_for_function(f"() => window.hallqueueAlerts.length >= {count}", timeout=timeout_ms)
    return page.evaluate(ALERTS)  # type: ignore[no-any-return]


def block_push(page: Page) -> None:
    """A network that lets no WebSocket through: the socket opens to nothing and never joins."""
    page.route_web_socket(re.compile(r".*/socket\.io/.*"), lambda ws: None)


def serve_next(centre: Centre, counter: int = 5) -> None:
    """Finish whatever the counter is serving and call the next ticket."""
    centre.counter(counter, "finish", outcome="completed")
    response = centre.counter(counter, "call-next")
    assert response.status_code == 200, response.text


def recall_at_once(centre: Centre, site_id: str = "city-hall") -> None:
    """No least interval between calls at the site, so a test can recall straight away."""
    from dataclasses import replace

    from queue_server.storage import Database

    db = Database(centre.db_path)
    try:
        with db.transaction() as store:
            site = store.sites.get(site_id)
            assert site is not None
            store.sites.save(replace(site, settings={**site.settings, "no_show_interval_seconds": 0}))
    finally:
        db.close()


def test_phone_page_alerts_when_three_ahead_when_called_and_on_recall(centre: Centre, page: Page) -> None:
    """By polling alone (the push's alerts: test_phone_push)."""
    block_push(page)
    recall_at_once(centre)
    mine = issue_many(centre, 6)[-1]
    page.goto(f"{centre.url}/t/{mine['id']}")
    expect(page.locator("#t-detail")).to_contain_text("前面还有 5 人")
    page.click("#alerts-enable")  # the tap that lets the browser beep
    expect(page.locator("#alerts-setup")).to_have_attribute("data-sound", "true")
    expect(page.locator("#alerts-note")).to_contain_text("提醒已开启")
    panel = page.locator("#t-alert")
    expect(panel).to_be_hidden()

    centre.counter(5, "open")
    assert centre.counter(5, "call-next").status_code == 200  # 4 ahead: no alert yet
    expect(page.locator("#t-detail")).to_contain_text("前面还有 4 人", timeout=3000)
    assert page.evaluate(ALERTS) == []

    serve_next(centre)  # 3 ahead
    called_at = time.monotonic()
    near = wait_alerts(page, 1)
    assert time.monotonic() - called_at < 2.5  # 2 s polls when 5 or fewer are ahead
    assert near[0]["kind"] == "near" and near[0]["ahead"] == 3 and near[0]["sound"] is True
    expect(panel).to_have_text("还有3位就到您了，请到大厅等候")
    expect(panel).to_have_attribute("data-kind", "near")

    serve_next(centre)  # 2 ahead: the panel follows, no second alert
    expect(panel).to_have_text("还有2位就到您了，请到大厅等候", timeout=3000)
    assert len(page.evaluate(ALERTS)) == 1

    serve_next(centre)
    serve_next(centre)
    serve_next(centre)  # mine
    called = wait_alerts(page, 2)
    assert [a["kind"] for a in called] == ["near", "called"]
    assert called[1]["counter"] == 5 and called[1]["recall"] == 0
    expect(panel).to_have_text("请到 5 号窗口办理")
    expect(panel).to_have_attribute("data-kind", "called")
    expect(page.locator("#t-status")).to_have_text("请到 5 号窗口办理")

    assert centre.counter(5, "recall").status_code == 200
    recalled = wait_alerts(page, 3)
    assert recalled[2]["kind"] == "called" and recalled[2]["recall"] == 1
    expect(panel).to_have_text("再次呼叫：请到 5 号窗口办理")

    page.reload()  # what was alerted is not alerted again
    expect(panel).to_have_text("再次呼叫：请到 5 号窗口办理")
    page.wait_for_timeout(300)
    assert page.evaluate(ALERTS) == []


def test_phone_page_shows_a_banner_when_the_centre_is_gone_and_clears_it(centre_process: CentreProcess, page: Page) -> None:
    ticket = centre_process.issue("A101")["ticket"]
    page.goto(f"{centre_process.url}/t/{ticket['id']}")
    expect(page.locator("#t-status")).to_have_text("等候中")
    banner = page.locator("#t-offline")
    expect(banner).to_be_hidden()

    centre_process.kill()
    killed = time.monotonic()
    expect(banner).to_be_visible(timeout=8000)
    assert time.monotonic() - killed < 8
    expect(banner).to_have_text("网络连接中断，位置信息可能不是最新")
    expect(page.locator("#ticket")).to_have_class(re.compile(r"\bstale\b"))
    expect(page.locator("#t-updated")).to_have_text(re.compile(r"^\d\d:\d\d:\d\d$"))  # the last good read

    centre_process.start()
    expect(banner).to_be_hidden(timeout=5000)
    expect(page.locator("#ticket")).not_to_have_class(re.compile(r"\bstale\b"))
    expect(page.locator("#t-status")).to_have_text("等候中")


def test_phone_page_polls_by_distance_and_rests_while_hidden(centre: Centre, page: Page) -> None:
    """Without push (blocked): today's polling."""
    block_push(page)
    mine = issue_many(centre, 7)[-1]
    url = f"{centre.url}/api/v1/tickets/{mine['id']}"
    reads: list[str] = []
    page.on("request", lambda request: reads.append(request.url) if request.url == url else None)
    start = datetime.now()
    page.clock.install(time=start)
    page.clock.pause_at(start + timedelta(seconds=1))  # time moves only when the test says
    page.goto(f"{centre.url}/t/{mine['id']}")
    expect(page.locator("#t-detail")).to_contain_text("前面还有 6 人")

    def no_read_during(ms: int) -> None:
        before = len(reads)
        page.clock.run_for(ms)
        page.wait_for_timeout(300)
        assert len(reads) == before

    def read_within(ms: int) -> None:
        with page.expect_response(url):
            page.clock.run_for(ms)

    no_read_during(4900)  # 6 ahead: every 5 s
    read_within(200)
    centre.counter(5, "open")
    centre.counter(5, "call-next")
    read_within(5000)
    expect(page.locator("#t-detail")).to_contain_text("前面还有 5 人")
    no_read_during(1800)  # 5 ahead: every 2 s
    read_within(300)

    page.evaluate(
        """() => {
            Object.defineProperty(document, "hidden", {configurable: true, get: () => true});
            document.dispatchEvent(new Event("visibilitychange"));
        }"""
    )
    no_read_during(60_000)
    expect(page.locator("#t-offline")).to_be_hidden()  # resting is not a lost connection
    with page.expect_response(url):  # back on screen: read at once
        page.evaluate(
            """() => {
                Object.defineProperty(document, "hidden", {configurable: true, get: () => false});
                document.dispatchEvent(new Event("visibilitychange"));
            }"""
        )
    expect(page.locator("#t-offline")).to_be_hidden()


def test_phone_page_shows_rules_and_quota_when_present_and_copes_without(centre: Centre, page: Page) -> None:
    block_push(page)  # the view is rewritten on its way over REST: the join's would not be
    ticket = centre.issue("A101")["ticket"]
    extra: dict[str, Any] = {
        "ahead": 2,
        "rules": {"mixing": "Mixing sentence.", "no_show": "No-show sentence."},
        "quota": {"cap": 40, "remaining": 12, "next_issue_at": None},
    }

    def rewrite(route: Route) -> None:
        response = route.fetch()
        body = response.json()
        body.pop("rules", None)
        body.pop("quota", None)
        body.update(extra)
        route.fulfill(response=response, json=body)

    page.route(f"**/api/v1/tickets/{ticket['id']}", rewrite)
    page.goto(f"{centre.url}/t/{ticket['id']}?lang=en")
    expect(page.locator("#t-rule")).to_have_text("No-show sentence.")
    expect(page.locator("#t-quota")).to_have_text("Tickets left today: 12")
    expect(page.locator("#t-mixing")).to_have_text("Mixing sentence.")
    expect(page.locator("#t-alert")).to_have_text("2 more before you: please wait in the hall")
    assert wait_alerts(page, 1)[0]["ahead"] == 2

    extra["quota"] = {"cap": 40, "remaining": 0, "next_issue_at": "2026-11-29T00:30:00Z"}
    expect(page.locator("#t-quota")).to_contain_text("Tickets left today: 0", timeout=3000)
    expect(page.locator("#t-quota")).to_contain_text("08:30")  # in the site's time zone

    extra.pop("rules")
    extra.pop("quota")
    expect(page.locator("#t-rule")).to_be_hidden(timeout=3000)
    expect(page.locator("#t-quota")).to_be_hidden()
    expect(page.locator("#t-rules")).to_be_hidden()
    expect(page.locator("#t-status")).to_have_text("Waiting")
    expect(page.locator("#t-offline")).to_be_hidden()
