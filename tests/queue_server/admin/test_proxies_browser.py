"""The 代办人员 administration page in real headless Chromium: register a card proxy and a
staff proxy, see a refusal next to its field, follow today's count, deactivate."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.conftest import Centre
from tests.queue_server.admin.test_admin_browser import error_of, open_admin, shot

pytestmark = pytest.mark.browser
CARD = "11010519800101003X"
FULL_NAME = "司马光明"


def row(page: Page, text: str):  # type: ignore[no-untyped-def]
    return page.locator("#proxies-table tbody tr", has_text=text)


def test_register_count_and_deactivate_proxies(centre: Centre, page: Page) -> None:
    open_admin(page, centre, "proxies")
    page.select_option("#site-pick", "city-hall")
    expect(page.locator("#proxies-none")).to_be_visible()
    expect(page.locator("#a-nav a.current")).to_have_text("代办人员")

    # A card proxy: the number goes once and never comes back.
    page.fill("#f-name", FULL_NAME)
    page.fill("#f-daily_cap", "2")
    page.fill("#f-id_number", CARD)
    page.click("#proxy-form button[type=submit]")
    card_row = row(page, "司马**")
    expect(card_row).to_contain_text("登记代办人（刷身份证）")
    expect(card_row.locator("[data-today]")).to_have_text("0 / 2")
    expect(card_row.locator("td").nth(2)).to_have_text(re.compile(r"^#[0-9a-f]{8}$"))  # the hash's start
    expect(page.locator("#f-id_number")).to_have_value("")

    # The same card again: the refusal sits next to the number field, without the number.
    page.fill("#f-name", "别人")
    page.fill("#f-id_number", CARD.lower())
    page.click("#proxy-form button[type=submit]")
    expect(error_of(page, "id_number")).to_have_text("这张身份证已登记为本网点的代办人")
    expect(page.locator("#f-id_number")).to_have_value("")
    shot(page, "proxies-error")

    # A member of staff as a proxy; the clerk's ticket from the console counts today.
    page.select_option("#f-kind", "staff")
    expect(page.locator('[data-field="id_number"]')).to_be_hidden()
    page.fill("#f-name", "")
    page.select_option("#f-username", "clerk")
    page.fill("#f-daily_cap", "1")
    page.click("#proxy-form button[type=submit]")
    expect(row(page, "工作人员代办")).to_contain_text("clerk")
    issued = centre.post("/sites/city-hall/tickets", {"service": "A101"}, token=centre.login(Centre.CLERK))
    assert issued.status_code == 201, issued.text
    page.select_option("#site-pick", "station-cbd")
    expect(page.locator("#proxies-none")).to_be_visible()
    page.select_option("#site-pick", "city-hall")
    expect(row(page, "工作人员代办").locator("[data-today]")).to_have_text("1 / 1")
    refused = centre.post("/sites/city-hall/tickets", {"service": "A102"}, token=centre.login(Centre.CLERK))
    assert refused.status_code == 409 and refused.json()["error"] == "proxy_cap_reached"

    # A new cap, then the card proxy deactivated.
    row(page, "司马**").locator("input[data-cap]").fill("7")
    row(page, "司马**").get_by_role("button", name="保存").click()
    expect(row(page, "司马**").locator("[data-today]")).to_have_text("0 / 7")
    row(page, "司马**").get_by_role("button", name="停用").click()
    expect(row(page, "司马**")).to_have_class("a-off")
    expect(row(page, "司马**")).to_contain_text("已停用")
    shot(page, "proxies")

    html = page.content()
    assert CARD not in html and CARD.lower() not in html and FULL_NAME not in html

    open_admin(page, centre, "audit")
    page.select_option("#audit-kind", "proxy")
    expect(page.locator("#audit-rows tr")).to_have_count(4)  # two registered, a new cap, deactivated
    expect(page.locator("#audit-rows tr").first).to_contain_text("代办人员")
    assert CARD not in page.content()
