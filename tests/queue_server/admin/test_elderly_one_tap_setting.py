"""The site setting `elderly_one_tap`: the item an elderly citizen's card tap takes at the kiosk."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.conftest import Centre
from tests.kiosk.conftest import wait_until
from tests.queue_server.admin.test_admin_api import field_error, put


def test_one_tap_item_must_be_offered_by_the_site(centre: Centre) -> None:
    saved = put(centre, "/admin/sites/city-hall/settings", {"elderly_one_tap": "K001"})
    assert saved.status_code == 200, saved.text
    assert saved.json()["settings"]["elderly_one_tap"] == "K001"
    assert centre.get("/sites/city-hall").json()["site"]["settings"]["elderly_one_tap"] == "K001"
    # A bundle the site offers will do too.
    assert put(centre, "/admin/sites/city-hall/settings", {"elderly_one_tap": "Y03"}).status_code == 200

    # The village station does not issue passports.
    refused = put(centre, "/admin/sites/village-jinqiu/settings", {"elderly_one_tap": "F601"})
    error = field_error(refused, "elderly_one_tap")
    assert error["error"] == "field_not_offered" and "F601" in error["message"]
    unknown = put(centre, "/admin/sites/city-hall/settings", {"elderly_one_tap": "NOPE"}, lang="en")
    assert field_error(unknown, "elderly_one_tap")["error"] == "field_not_offered"
    assert "not offered" in unknown.json()["message"]
    # Left empty, the tap only identifies the citizen.
    cleared = put(centre, "/admin/sites/city-hall/settings", {"elderly_one_tap": ""})
    assert cleared.status_code == 200 and "elderly_one_tap" not in cleared.json()["settings"]


@pytest.mark.browser
def test_the_settings_form_keeps_and_changes_the_one_tap_item(centre: Centre, page: Page) -> None:
    from tests.queue_server.admin.test_admin_browser import open_admin

    def stored() -> object:
        return centre.get("/sites/city-hall").json()["site"]["settings"].get("elderly_one_tap")

    assert stored() == "K001"  # the demo hall
    open_admin(page, centre, "settings")

    def save() -> None:
        # The form is drawn again after each save: wait for the new one before the next
        # change, or the change lands on the old form and is lost.
        page.evaluate("document.querySelector('#settings-form').dataset.old = '1'")
        page.click("#settings-form button[type=submit]")
        expect(page.locator("#toast")).to_have_text("已保存")
        expect(page.locator("#settings-form:not([data-old])")).to_be_visible()

    expect(page.locator("#f-elderly_one_tap")).to_have_value("K001")
    page.fill("#f-notice", "本周六上午正常办公")  # saving something else keeps it
    save()
    assert stored() == "K001"
    page.select_option("#f-elderly_one_tap", "Y03")  # 退休一件事
    save()
    assert wait_until(lambda: stored() == "Y03", 3)
    page.select_option("#f-elderly_one_tap", "")
    save()
    assert wait_until(lambda: stored() is None, 3)
