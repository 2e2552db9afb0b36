"""The administration pages in real headless Chromium.

`HALLQUEUE_ADMIN_SCREENSHOTS=docs/admin` saves a screenshot of each page on the way.
"""
from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.conftest import Centre

pytestmark = pytest.mark.browser
SHOTS = os.environ.get("HALLQUEUE_ADMIN_SCREENSHOTS")


def shot(page: Page, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=True)


def open_admin(page: Page, centre: Centre, section: str, query: str = "") -> None:
    page.set_viewport_size({"width": 1360, "height": 900})
    page.goto(f"{centre.url}/admin/{section}{query}")
    if page.locator("#login").is_visible():
        page.fill("#username", "admin")
        page.fill("#password", "Demo-City-1")
        page.click("#login-form button[type=submit]")
    page.wait_for_function("() => window.hallqueueAdmin && window.hallqueueAdmin.ready", timeout=10000)


def error_of(page: Page, field: str):  # type: ignore[no-untyped-def]
    return page.locator(f'#a-main [data-field="{field}"] .fld-err').first


def test_an_admin_adds_a_counter_with_a_profile_and_it_is_callable_at_once(centre: Centre, page: Page) -> None:
    open_admin(page, centre, "counters")
    expect(page.locator("#counters-table tbody tr")).to_have_count(24)
    page.click("#new-counter")
    page.fill("#f-number", "31")

    # Nothing named: the page shows the centre's message next to the name field.
    page.locator('.a-prow [data-part="item"]').first.select_option("S:A101")
    page.click("#counter-form button[type=submit]")
    expect(error_of(page, "name")).to_have_text("请填写“name”")
    expect(page.locator('[data-field="name"]')).to_have_class("fld invalid")

    page.fill("#f-name", "综合窗口31")
    page.select_option("#f-kind", "comprehensive")
    page.locator('.a-prow [data-part="weight"]').first.fill("2")
    page.click("#add-profile-row")
    page.locator('.a-prow [data-part="item"]').nth(1).select_option("B:Y01")
    page.locator('.a-prow [data-part="weight"]').nth(1).fill("0")
    page.click("#counter-form button[type=submit]")
    expect(error_of(page, "profile[1]")).to_contain_text("权重")  # the second row, not the first
    expect(error_of(page, "profile[0]")).to_have_text("")
    shot(page, "counters-error")

    page.locator('.a-prow [data-part="weight"]').nth(1).fill("1")
    page.click("#counter-form button[type=submit]")
    row = page.locator('#counters-table tr[data-number="31"]')
    expect(row).to_contain_text("综合窗口31")
    expect(row).to_contain_text("×2")
    shot(page, "counters")

    # Callable at once: issue, open, call-next over the API.
    number = centre.issue("A101")["ticket"]["number"]
    assert centre.counter(31, "open").status_code == 200
    called = centre.counter(31, "call-next")
    assert called.status_code == 200, called.text
    assert called.json()["ticket"]["number"] == number
    assert called.json()["counter"]["number"] == 31

    entry = centre.get("/admin/audit", token=centre.login(), params={"kind": "counter"}).json()["entries"][0]
    assert (entry["action"], entry["target"]) == ("create", "city-hall/31")
    assert entry["after"]["profile"] == [{"service": "A101", "weight": 2.0}, {"bundle": "Y01", "weight": 1.0}]

    open_admin(page, centre, "audit")
    page.select_option("#audit-kind", "counter")  # past the page's own login, now on the record too
    first = page.locator("#audit-rows tr").first
    expect(first).to_contain_text("city-hall/31")
    expect(first).to_contain_text("新建")


def test_settings_errors_sit_next_to_their_field_in_both_languages(centre: Centre, page: Page) -> None:
    open_admin(page, centre, "settings")
    page.fill("#f-announce_template", "请{number}号办理")
    page.fill("#f-target_wait_minutes", "0")
    page.click("#settings-form button[type=submit]")
    expect(error_of(page, "target_wait_minutes")).to_have_text("“target_wait_minutes”须为 1–240 之间的整数")
    page.fill("#f-target_wait_minutes", "20")
    page.click("#settings-form button[type=submit]")
    expect(error_of(page, "announce_template")).to_contain_text("{window}")
    expect(error_of(page, "target_wait_minutes")).to_have_text("")
    shot(page, "settings-error")

    page.fill("#f-announce_template", "请{number}号到{window}号窗口办理")
    page.fill("#f-notice", "本周六上午正常办公")
    page.click("#settings-form button[type=submit]")
    expect(page.locator("#toast")).to_have_text("已保存")
    board = centre.get("/sites/city-hall/board", token=centre.display_token).json()["site"]
    assert board["notice"] == "本周六上午正常办公"
    shot(page, "settings")

    open_admin(page, centre, "settings", "?lang=en")
    page.fill("#f-elderly_age", "120")
    page.click("#settings-form button[type=submit]")
    expect(error_of(page, "elderly_age")).to_have_text("elderly_age must be a whole number from 50 to 100")
    shot(page, "settings-en")


def test_sites_catalogue_staff_and_devices_pages(centre: Centre, page: Page) -> None:
    open_admin(page, centre, "sites")
    expect(page.locator("#site-tree a")).to_have_count(5)
    page.click("#new-site")
    page.fill("#f-id", "village-new")
    page.fill("#f-name", "新村便民服务站")
    page.select_option("#f-parent", "town-gutang")
    page.locator('tr[data-day="mon"] [data-part="closes"]').fill("11:00")  # before the lunch break ends
    page.click("#site-form button[type=submit]")
    expect(page.locator('[data-field="hours.mon"] .fld-err')).to_contain_text("hours.mon")
    page.locator('tr[data-day="mon"] [data-part="closes"]').fill("17:30")
    page.click("#site-form button[type=submit]")
    expect(page.locator('#site-tree a[data-site="village-new"]')).to_be_visible()
    site = centre.get("/sites/village-new").json()["site"]
    assert site["parent"] == "town-gutang" and site["hours"]["mon"] == [["08:30", "12:00"], ["14:00", "17:30"]]
    page.click('#site-tree a[data-site="town-gutang"]')
    expect(page.locator("#offer-form")).to_be_visible()
    shot(page, "sites")

    open_admin(page, centre, "catalog")
    page.locator('#services-table tr[data-code="A101"] button').click()
    page.fill("#f-prefix", "a1")
    page.click("#service-form button[type=submit]")
    expect(error_of(page, "prefix")).to_contain_text("prefix")
    page.fill("#import-form textarea", '{"services": [{"code": "Z1", "name": "x", "department": "d", "domain": "c", "prefix": "9"}]}')
    page.click("#import-form button[type=submit]")
    expect(error_of(page, "text")).to_contain_text("services[0]")
    shot(page, "catalog")

    open_admin(page, centre, "staff")
    page.click("#add-staff")
    page.fill("#f-username", "zhao")
    page.fill("#f-password", "short")
    page.click("#staff-add-form button[type=submit]")
    expect(error_of(page, "password")).to_have_text("密码须为 10–128 个字符")
    page.fill("#f-password", "long-enough")  # 等保 policy: three classes of four
    page.click("#staff-add-form button[type=submit]")
    expect(error_of(page, "password")).to_have_text("密码须包含大写字母、小写字母、数字、符号中的至少三类（现在缺少大写字母、数字）")
    page.fill("#f-password", "long-enough-1")
    page.click("#staff-add-form button[type=submit]")
    expect(error_of(page, "sites")).to_have_text("窗口人员和站长至少要有一个网点")
    page.locator('input[data-group="sites"][value="city-hall"]').check()
    page.click("#staff-add-form button[type=submit]")
    expect(page.locator('#staff-table tr[data-username="zhao"]')).to_contain_text("窗口人员")
    shot(page, "staff")

    open_admin(page, centre, "devices")
    page.select_option("#f-kind", "display")
    page.select_option("#f-site", "station-cbd")
    page.fill("#f-name", "驿站叫号屏")
    page.click("#enrol-form button[type=submit]")
    token = page.locator("#device-token").inner_text()
    assert len(token) > 30
    shot(page, "devices")
    assert centre.get("/sites/station-cbd/board", token=token).status_code == 200
    page.on("dialog", lambda dialog: dialog.accept())
    page.locator("#devices-table tr", has_text="驿站叫号屏").locator("button").click()
    expect(page.locator("#devices-table tr", has_text="驿站叫号屏")).to_contain_text("已吊销")
    expect(page.locator("#device-token")).to_have_count(0)  # shown once only

    open_admin(page, centre, "audit")
    expect(page.locator("#audit-rows tr")).to_have_count(5)  # the login, site, staff, device enrolled, revoked
    shot(page, "audit")
    page.select_option("#audit-kind", "device")
    expect(page.locator("#audit-rows tr").first).to_contain_text("吊销")
    expect(page.locator("#audit-rows tr")).to_have_count(2)


def test_a_locked_account_is_shown_and_unlocked_and_the_log_filters_by_who_and_where(centre: Centre, page: Page) -> None:
    for _ in range(5):  # five wrong passwords in a row lock the clerk's account
        centre.session().post(centre.api("/auth/login"), json={"username": "clerk", "password": "Guess-word-1"})
    open_admin(page, centre, "staff")
    row = page.locator('#staff-table tr[data-username="clerk"]')
    expect(row.locator(".a-state")).to_have_text("已锁定（连续登录失败）")
    row.locator("button.a-unlock").click()
    expect(page.locator("#toast")).to_have_text("已解锁，该用户可以重新登录")
    expect(page.locator('#staff-table tr[data-username="clerk"] .a-state')).to_have_text("启用")
    expect(page.locator('#staff-table tr[data-username="clerk"] button.a-unlock')).to_have_count(0)
    time.sleep(1.1)  # the per-(username, address) back-off after five failures: 1 s
    assert centre.login(Centre.CLERK)

    open_admin(page, centre, "audit")
    expect(page.locator("#audit-rows tr").first).to_contain_text("登录成功")
    expect(page.locator("#audit-rows tr").first.locator(".a-address")).to_have_text("127.0.0.1")
    page.fill("#audit-actor", "clerk")
    page.select_option("#audit-kind", "login")
    page.click("#audit-filters button[type=submit]")
    # the clerk's login, the lock, and four failures before it: nobody else's
    expect(page.locator("#audit-rows tr")).to_have_count(6)
    expect(page.locator("#audit-rows tr").nth(1)).to_contain_text("登录失败，账号已锁定")
    page.fill("#audit-address", "10.9.9.9")
    page.click("#audit-filters button[type=submit]")
    expect(page.locator("#audit-rows tr")).to_have_count(1)
    expect(page.locator("#audit-rows")).to_contain_text("暂无记录")


def test_a_site_manager_sets_the_queue_rules_of_their_sites_only(centre: Centre, page: Page) -> None:
    """Managers set their sites' own settings (the queue rules among them) and nothing else."""
    page.goto(f"{centre.url}/admin/staff")
    page.fill("#username", "town")
    page.fill("#password", "Demo-Gutang-4")
    page.click("#login-form button[type=submit]")
    expect(page.locator("#a-main")).to_contain_text("站长可在“设置”中调整本网点")
    expect(page.locator("#a-nav a:visible")).to_have_count(1)
    expect(page.locator("#a-nav a[data-section=settings]")).to_be_visible()

    page.goto(f"{centre.url}/admin/settings")
    expect(page.locator("#site-pick option")).to_have_count(3)  # the township and its villages
    assert "city-hall" not in page.locator("#site-pick").inner_html()
    page.select_option("#site-pick", "town-gutang")
    expect(page.locator("#f-mix-priority")).to_be_visible()
    page.fill("#f-mix-priority", "1")
    page.fill("#f-mix-ordinary", "1")
    page.click("#settings-form button[type=submit]")
    expect(page.locator("#toast")).to_have_text("已保存")
    settings = centre.get("/sites/town-gutang").json()["site"]["settings"]
    assert settings["mix"] == [1, 1]
    # The hall is not theirs: the API refuses it whatever the page offers.
    token = centre.login(("town", "Demo-Gutang-4"))
    refused = centre.session(token).put(centre.api("/admin/sites/city-hall/settings"), json={})
    assert refused.status_code == 403


def test_a_clerk_cannot_use_the_admin_pages(centre: Centre, page: Page) -> None:
    page.goto(f"{centre.url}/admin/staff")
    page.fill("#username", "clerk")
    page.fill("#password", "Demo-Desk-3")
    page.click("#login-form button[type=submit]")
    expect(page.locator("#login-error")).to_have_text("该账号不是管理员或站长")
    expect(page.locator("#a-main")).to_be_hidden()
