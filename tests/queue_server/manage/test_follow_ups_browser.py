"""The managers' 差评 follow-up page in real headless Chromium: the list, overdue marked,
closing one with a note."""
from __future__ import annotations

import sqlite3

import pytest
from playwright.sync_api import Page, expect

from tests.conftest import Centre
from tests.queue_server.manage.test_dashboard_browser import login
from tests.queue_server.pages.test_calling_api import serve_one
from tests.queue_server.pages.test_follow_ups import follow_ups, rate_by_phone

pytestmark = pytest.mark.browser


def test_a_manager_sees_the_follow_ups_and_closes_one_with_a_note(centre: Centre, page: Page) -> None:
    rate_by_phone(centre, serve_one(centre), 2, reason="slow")
    rate_by_phone(centre, serve_one(centre), 1, reason="attitude")
    first, second = follow_ups(centre).json()["follow_ups"]
    with sqlite3.connect(centre.db_path) as db:
        db.execute("UPDATE follow_ups SET due_on = '2020-01-02' WHERE id = ?", (first["id"],))
    login(page, centre, "/manage/follow-ups")
    page.wait_for_function("() => window.hallqueueFollowUps && window.hallqueueFollowUps.loads > 0")
    page.select_option("#fu-site", "city-hall")
    rows = page.locator("#fu-rows tr")
    expect(rows).to_have_count(2)
    expect(page.locator(f"tr[data-id='{first['id']}']")).to_have_class("over")
    expect(page.locator(f"tr[data-id='{first['id']}']")).to_contain_text("已超期")
    expect(page.locator(f"tr[data-id='{second['id']}']")).to_contain_text("服务态度不好")
    expect(page.locator("#fu-summary")).to_have_text("整改中 2 条，其中超期 1 条")

    page.fill(f"tr[data-id='{first['id']}'] .fu-note", "已电话回访并致歉")
    page.click(f"tr[data-id='{first['id']}'] .fu-close")
    expect(rows).to_have_count(1)
    (closed,) = follow_ups(centre, "closed").json()["follow_ups"]
    assert (closed["id"], closed["note"], closed["closed_by"]) == (first["id"], "已电话回访并致歉", "manager")
