"""The queue rules in the admin pages, in real headless Chromium: set a ratio, preview it
on the hall's recent days, save it; a counter's own ratio.

`HALLQUEUE_ADMIN_SCREENSHOTS=docs/admin` saves screenshots on the way.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from queue_server.storage import Database
from queue_server.tools.simulation import simulate
from tests.conftest import Centre
from tests.queue_server.admin.test_admin_browser import error_of, open_admin, shot

pytestmark = pytest.mark.browser


def hall_settings(centre: Centre) -> dict:  # type: ignore[type-arg]
    return centre.get("/sites/city-hall").json()["site"]["settings"]  # type: ignore[no-any-return]


def test_set_a_ratio_preview_it_then_save(centre: Centre, page: Page) -> None:
    db = Database(centre.db_path)
    simulate(db, days=3, sites=["city-hall"])
    db.close()
    before = hall_settings(centre)
    assert before["mix"] == [1, 2]

    open_admin(page, centre, "settings")
    expect(page.locator("#rules-now")).to_contain_text("优先号与普通号按 1:2 交替叫号")
    expect(page.locator("#f-mix-priority")).to_have_value("1")
    expect(page.locator("#f-no_show_return")).to_have_value("places")  # the hall: back 3 places

    # A ratio the centre refuses: the message sits by the ratio, and nothing is replayed.
    page.fill("#f-mix-priority", "0")
    page.click("#preview-rules")
    expect(error_of(page, "mix")).to_contain_text("1–20")
    expect(page.locator("#preview-table")).to_have_count(0)

    page.fill("#f-mix-priority", "1")
    page.fill("#f-mix-ordinary", "1")
    page.select_option("#preview-days", "7")
    page.click("#preview-rules")
    expect(error_of(page, "mix")).to_have_text("")
    rows = page.locator("#preview-table tbody tr")
    expect(rows.first).to_have_attribute("data-group", "ordinary")
    everyone = page.locator('#preview-table tr[data-group="all"]')
    expect(everyone).to_be_visible()
    expect(everyone.locator('[data-key="average_minutes"]')).to_contain_text("→")
    expect(page.locator("#rules-proposed")).to_contain_text("1:1")
    expect(page.locator("#preview-caption")).to_contain_text("张号票")
    # More priority turns than 1:2 gave: priority tickets wait less on average.
    cell = page.locator('#preview-table tr[data-group="priority"] [data-key="average_minutes"]')
    current, proposed = (float(x) for x in cell.inner_text().split("→"))
    assert proposed < current
    shot(page, "rules-preview")
    assert hall_settings(centre) == before  # a preview saves nothing

    page.click("#settings-form button[type=submit]")
    expect(page.locator("#toast")).to_have_text("已保存")
    expect(page.locator("#rules-now")).to_contain_text("优先号与普通号按 1:1 交替叫号")
    after = hall_settings(centre)
    assert after["mix"] == [1, 1]
    assert after["no_show_return"] == 3 and after["walk_in_share"] == before["walk_in_share"]
    entry = centre.get("/admin/audit", token=centre.login(), params={"kind": "settings"}).json()["entries"][0]
    assert entry["before"]["mix"] == [1, 2] and entry["after"]["mix"] == [1, 1]

    # Emptied, the ratio is gone: priority always first.
    page.fill("#f-mix-priority", "")
    page.fill("#f-mix-ordinary", "")
    page.select_option("#f-no_show_return", "end")
    page.click("#settings-form button[type=submit]")
    expect(page.locator("#rules-now")).to_contain_text("优先号（老年人、残疾人、准时预约等）优先叫号")
    after = hall_settings(centre)
    assert "mix" not in after and after["no_show_return"] == "end"


def test_a_counter_with_its_own_ratio(centre: Centre, page: Page) -> None:
    open_admin(page, centre, "counters")
    row = page.locator('#counters-table tr[data-number="1"]')
    expect(row.locator(".a-counter-rules")).to_have_text("按网点设置")
    row.locator("button").click()
    page.fill("#f-rules-mix-priority", "2")
    page.click("#counter-form button[type=submit]")
    expect(error_of(page, "rules.mix")).to_contain_text("rules.mix")  # one number of two
    page.fill("#f-rules-mix-ordinary", "1")
    page.fill("#f-rules_max_wait_minutes", "40")
    page.click("#counter-form button[type=submit]")
    expect(page.locator('#counters-table tr[data-number="1"] .a-counter-rules')).to_have_text("2:1 · 最长 40 分钟")
    counters = centre.get("/sites/city-hall").json()["counters"]
    assert next(c for c in counters if c["number"] == 1)["rules"] == {"mix": [2, 1], "max_wait_minutes": 40}
    shot(page, "counter-rules")
