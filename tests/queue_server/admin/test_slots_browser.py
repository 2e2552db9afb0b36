"""The 预约号源 administration page in real headless Chromium: the demo's plans listed, a plan
added for an item the site offers, changed, refused next to its field, and deleted."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.conftest import Centre
from tests.queue_server.admin.test_admin_browser import error_of, open_admin

pytestmark = pytest.mark.browser


def test_an_admin_sets_changes_and_stops_a_sites_bookable_slots(centre: Centre, page: Page) -> None:
    open_admin(page, centre, "slots")
    expect(page.locator("#a-nav a.current")).to_have_text("预约号源")
    page.select_option("#site-pick", "city-hall")
    # the demo city's plans: the hall books a handful of items and a bundle
    hall = page.locator("#slot-plans-table tbody tr")
    expect(hall).to_have_count(6)
    expect(page.locator('tr[data-plan="bundle:Y04"]')).to_contain_text("二手房")

    page.select_option("#site-pick", "village-jinqiu")
    expect(page.locator("#slot-plans-none")).to_be_visible()
    # the item picker holds what the village offers
    options = page.locator("#f-item option").all_inner_texts()
    assert any(text.startswith("C301 ") for text in options) and not any(
        "A101" in t for t in options
    )

    page.select_option("#f-item", "service:C301")
    page.fill("#f-slot_minutes", "2")  # shorter than any slot may be
    page.click("#slot-plan-form button[type=submit]")
    expect(error_of(page, "slot_minutes")).not_to_be_empty()

    page.fill("#f-slot_minutes", "30")
    page.fill("#f-capacity", "4")
    page.fill("#f-walk_in_share", "25")
    page.fill("#f-days_ahead", "5")
    page.click("#slot-plan-form button[type=submit]")
    row = page.locator('tr[data-plan="service:C301"]')
    expect(row.locator("[data-bookable]")).to_have_text("3")  # a quarter of 4 kept for walk-ins
    expect(row).to_contain_text("25%")

    page.click('[data-edit="service:C301"]')
    expect(page.locator("#f-item")).to_be_disabled()
    page.fill("#f-capacity", "8")
    page.click("#slot-plan-form button[type=submit]")
    expect(row.locator("[data-bookable]")).to_have_text("6")

    token = centre.login()
    plans = centre.get("/sites/village-jinqiu/slot-plans", token=token).json()["plans"]
    assert plans == [
        {"item_kind": "service", "item_code": "C301", "slot_minutes": 30, "capacity": 8,
         "days_ahead": 5, "walk_in_share": 0.25, "bookable": 6}
    ]  # fmt: skip

    page.once("dialog", lambda dialog: dialog.accept())
    page.click('[data-delete="service:C301"]')
    expect(page.locator("#slot-plans-none")).to_be_visible()
    assert centre.get("/sites/village-jinqiu/slot-plans", token=token).json()["plans"] == []
