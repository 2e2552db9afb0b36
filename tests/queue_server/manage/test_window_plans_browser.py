"""The window plans page in real headless Chromium: a plan merging two windows, replayed
beside today's windows on the hall's simulated week, then applied."""
from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.conftest import Centre
from tests.queue_server.manage.test_dashboard_browser import login
from tests.queue_server.manage.test_window_plans_api import PLANS, current

pytestmark = pytest.mark.browser


def test_draft_a_merge_replay_it_and_apply_it(hall_week: Centre, page: Page) -> None:
    windows = current(hall_week)
    first, second = windows[0], windows[1]
    codes = [p.get("service") or p.get("bundle") for p in [*first["profile"], *second["profile"]]]
    merged = ", ".join(dict.fromkeys(codes))

    login(page, hall_week, "/manage/plans", who=Centre.ADMIN)
    expect(page.locator("#plan-site option[value='city-hall']")).to_have_count(1, timeout=10000)
    page.select_option("#plan-site", "city-hall")
    page.click("#plan-new")
    rows = page.locator("#plan-windows tbody tr")
    expect(rows).to_have_count(len(windows))
    page.fill("#plan-name", "一二号窗口合并")
    rows.nth(0).locator(".w-items").fill(merged)
    rows.nth(1).locator(".w-remove").click()
    expect(rows).to_have_count(len(windows) - 1)
    page.select_option("#plan-weeks", "1")
    page.click("#plan-run")

    table = page.locator("#plan-compare")
    expect(table).to_be_visible(timeout=20000)
    headings = table.locator("th").all_inner_texts()
    assert any(h.startswith("当前方案") for h in headings) and any(h.startswith("一二号窗口合并") for h in headings)
    everyone = table.locator("tr[data-item='all'] td")
    expect(everyone).to_have_count(2 + 2 * 4)
    assert everyone.nth(0).inner_text() == "全部"
    result = page.evaluate("() => window.hallqueuePlans.result")
    assert result["baseline"]["windows"] == len(windows) and result["plan"]["windows"] == len(windows) - 1
    series = page.evaluate("() => echarts.getInstanceByDom(document.getElementById('plan-chart')).getOption().series.length")
    assert series == 2
    assert page.locator("#plan-chart svg").count() == 1

    page.click("#plan-apply")
    expect(page.locator("#plan-status")).to_contain_text("已应用于", timeout=10000)
    now = {w["number"]: w for w in current(hall_week)}
    assert [p.get("service") or p.get("bundle") for p in now[first["number"]]["profile"]] == list(dict.fromkeys(codes))
    saved = hall_week.get(PLANS, token=hall_week.login()).json()["plans"]
    assert saved[0]["name"] == "一二号窗口合并" and saved[0]["applied_at"]
