"""The live dashboard and city view in real headless Chromium, updated by push."""
from __future__ import annotations

import itertools
import random
import threading
import time

import pytest
from playwright.sync_api import Page, expect

from tests.conftest import Centre

pytestmark = pytest.mark.browser


def login(page: Page, centre: Centre, path: str = "/manage", who: tuple[str, str] = ("manager", "Demo-Hall-2")) -> None:
    page.goto(f"{centre.url}{path}")
    page.fill("#username", who[0])
    page.fill("#password", who[1])
    page.click("#login-form button[type=submit]")


def open_dashboard(page: Page, centre: Centre, path: str = "/manage") -> None:
    login(page, centre, path)
    expect(page.locator("#conn")).to_have_attribute("data-state", "online", timeout=5000)
    page.wait_for_function("() => window.hallqueueManage && window.hallqueueManage.syncs > 0 && window.hallqueueManage.renders > 0")


def test_dashboard_follows_issue_and_call_by_push(centre: Centre, page: Page) -> None:
    centre.counter(2, "open")
    open_dashboard(page, centre)
    hall = page.locator('article.site[data-site="city-hall"]')
    expect(hall.locator('[data-figure="waiting"] .value')).to_have_text("0")
    expect(hall.locator('li.counter[data-counter="2"]')).to_have_attribute("data-state", "open")
    reads = page.evaluate("() => window.hallqueueManage.syncs")

    started = time.monotonic()
    ticket = centre.issue("A101")["ticket"]
    expect(hall.locator('[data-figure="waiting"] .value')).to_have_text("1", timeout=1000)
    expect(hall.locator('tr[data-queue="S:A101"] td.n').first).to_have_text("1", timeout=1000)
    expect(hall.locator('[data-figure="issued"] .value')).to_have_text("1", timeout=1000)

    assert centre.counter(2, "call-next").status_code == 200
    tile = hall.locator('li.counter[data-counter="2"]')
    expect(tile.locator(".num")).to_have_text(ticket["number"], timeout=1000)
    expect(hall.locator('[data-figure="waiting"] .value')).to_have_text("0", timeout=1000)
    assert time.monotonic() - started < 3

    centre.counter(2, "start")
    expect(tile.locator(".tstatus")).to_have_text("办理中", timeout=1000)
    centre.counter(2, "finish", outcome="completed")
    expect(tile.locator(".idle")).to_be_visible(timeout=1000)
    expect(hall.locator('[data-figure="done"] .value')).to_have_text("1", timeout=1000)
    centre.counter(2, "pause", reason="午间休息")
    expect(tile).to_have_attribute("data-state", "paused", timeout=1000)
    expect(tile.locator(".reason")).to_have_text("午间休息")

    # All of it came by push: the page read the whole state only once.
    assert page.evaluate("() => window.hallqueueManage.syncs") == reads
    assert page.evaluate("() => window.hallqueueManage.events") >= 5  # issued, called, serving, finished, paused


def test_device_alert_arrives_by_push(centre: Centre, page: Page) -> None:
    open_dashboard(page, centre)
    hall = page.locator('article.site[data-site="city-hall"]')
    centre.post("/devices/status", {"printer": "out", "id_reader": "ok"}, token=centre.kiosk_token)
    expect(hall.locator('.alert[data-alert="printer_out"]')).to_be_visible(timeout=1000)
    centre.post("/devices/status", {"printer": "ok"}, token=centre.kiosk_token)
    expect(hall.locator(".alert")).to_have_count(0, timeout=1000)


def test_city_view_rolls_up_and_flags_sites_over_target(centre: Centre, page: Page) -> None:
    import sqlite3

    # A ticket issued 20 minutes ago at a village whose target is 15 minutes.
    centre.issue("C301", site="village-jinqiu")
    conn = sqlite3.connect(centre.db_path)
    conn.execute("UPDATE tickets SET issued_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-20 minutes') WHERE site_id = 'village-jinqiu'")
    conn.commit()
    conn.close()
    open_dashboard(page, centre, "/manage#city")
    village = page.locator('#city-tree tr[data-site="village-jinqiu"]')
    expect(village).to_have_class("over")
    expect(village.locator('[data-col="longest"]')).to_have_text("20 分钟")
    town = page.locator('#city-tree tr[data-site="town-gutang"]')
    expect(town.locator(".flag.below")).to_have_text("下辖 1 个网点超时")
    expect(town.locator('[data-col="subtree"]')).to_have_text("1")
    hall = page.locator('#city-tree tr[data-site="city-hall"]')
    expect(hall.locator(".flag.below")).to_have_text("下辖 1 个网点超时")

    centre.issue("A101")
    expect(hall.locator('[data-col="subtree"]')).to_have_text("2", timeout=1000)
    expect(page.locator('#city-totals [data-figure="over"] .value')).to_have_text("1 / 5")
    expect(town.locator("a.to-reports")).to_have_attribute("href", "/manage/reports?site=town-gutang")


def test_reconnect_resyncs(centre: Centre, page: Page) -> None:
    open_dashboard(page, centre)
    syncs = page.evaluate("() => window.hallqueueManage.syncs")
    page.evaluate("() => window.hallqueueManage.state.socket.io.engine.close()")
    centre.issue("A101")  # perhaps while the socket is down
    page.wait_for_function(f"() => window.hallqueueManage.syncs > {syncs}", timeout=5000)
    expect(page.locator('article.site[data-site="city-hall"] [data-figure="waiting"] .value')).to_have_text("1", timeout=2000)


def test_english_and_scope(centre: Centre, page: Page) -> None:
    login(page, centre, "/manage?lang=en", ("town", "Demo-Gutang-4"))
    expect(page.locator("#conn")).to_have_attribute("data-state", "online", timeout=5000)
    expect(page.locator("article.site")).to_have_count(3)
    expect(page.locator('article.site[data-site="town-gutang"] h3')).to_contain_text("Gutang Township Service Centre")
    expect(page.locator(".m-nav")).to_contain_text("City view")


def test_admin_hears_every_site_once(centre: Centre, page: Page) -> None:
    login(page, centre, "/manage", Centre.ADMIN)
    expect(page.locator("#conn")).to_have_attribute("data-state", "online", timeout=5000)
    page.wait_for_function("() => window.hallqueueManage.syncs > 0")
    expect(page.locator("article.site")).to_have_count(5)
    centre.issue("D401", site="town-gutang")
    centre.issue("D401", site="town-gutang")
    town = page.locator('article.site[data-site="town-gutang"]')
    expect(town.locator('[data-figure="waiting"] .value')).to_have_text("2", timeout=1000)
    page.wait_for_timeout(300)  # a duplicate delivery (site room and managers room) would show 3 or 4
    expect(town.locator('[data-figure="waiting"] .value')).to_have_text("2")
    assert page.evaluate("() => window.hallqueueManage.events") == 2


def test_a_clerk_cannot_use_the_dashboard(centre: Centre, page: Page) -> None:
    login(page, centre, "/manage", Centre.CLERK)
    expect(page.locator("#login-error")).to_have_text("该账号不是管理人员")
    expect(page.locator("#work")).to_be_hidden()


def test_reconnects_under_a_busy_hall_catch_up_without_a_gap(slow_replay: None, centre: Centre, page: Page) -> None:
    """Each reconnect reads the state and joins with `since`; the events made meanwhile race
    the replayed pages, and the page must apply them in order (a gap would show as one)."""
    open_dashboard(page, centre)
    stop = threading.Event()

    def busy_hall() -> None:
        for i in itertools.count():
            if stop.is_set():
                return
            centre.issue("A101", request_id=f"dash-busy-{i}")

    rng = random.Random(5)
    worker = threading.Thread(target=busy_hall)
    worker.start()
    try:
        for _ in range(6):
            time.sleep(rng.uniform(0.1, 0.5))
            page.evaluate("() => window.hallqueueManage.state.socket.io.engine.close()")
    finally:
        stop.set()
        worker.join()
    waiting = centre.get("/sites/city-hall/board", token=centre.display_token).json()["waiting_total"]
    hall = page.locator('article.site[data-site="city-hall"]')
    expect(hall.locator('[data-figure="waiting"] .value')).to_have_text(str(waiting), timeout=5000)
    assert page.evaluate("() => window.hallqueueManage.gaps") == 0
