"""Issue 8 at the kiosk, end to end in headless Chromium: daily quotas, the rule sentences,
the elderly one-tap ticket and the one-active-ticket refusal (real agent, real centre,
printer and ID reader simulators on ptys)."""

from __future__ import annotations

import re
import sqlite3
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Page, expect

from devices.id_card import sample_identity
from tests.conftest import Centre
from tests.kiosk.conftest import RunningKiosk, retap, wait_until
from tests.kiosk.test_agent import set_site_setting
from tests.kiosk.test_kiosk_browser import open_kiosk, shot, to_confirm

pytestmark = pytest.mark.browser

ELDER = sample_identity("resident", name="王秀英", birth_date=date(1950, 3, 8))
YOUNG = sample_identity("resident")  # 张晓明, born 1985


def set_daily_cap(centre: Centre, service: str, cap: int | None) -> None:
    with sqlite3.connect(centre.db_path) as conn:
        conn.execute("UPDATE services SET daily_cap = ? WHERE code = ?", (cap, service))


def tickets_of(centre: Centre, service: str) -> list[tuple[str, str]]:
    with sqlite3.connect(centre.db_path) as conn:
        rows = conn.execute(
            "SELECT number, priority FROM tickets WHERE service = ? ORDER BY issued_at", (service,)
        ).fetchall()
    return [(r[0], r[1]) for r in rows]


def expected_next_time(centre: Centre, service: str) -> str:
    """What the kiosk should say, worked out here from the centre's UTC time."""
    detail = centre.get("/sites/city-hall").json()
    quota = next(s["quota"] for s in detail["services"] if s["code"] == service)
    assert quota["remaining"] == 0 and quota["next_issue_at"], quota
    moment = datetime.fromisoformat(quota["next_issue_at"].replace("Z", "+00:00"))
    local = moment.astimezone(ZoneInfo(detail["site"]["timezone"]))
    return f"下次取号时间：{local.month}月{local.day}日 {local:%H:%M}"


def squash(text: str) -> str:
    return "".join(text.split())


def test_remaining_quota_counts_down_and_a_full_item_explains_itself(
    page: Page, kiosk: RunningKiosk, centre: Centre
) -> None:
    set_daily_cap(centre, "A103", 3)
    # Quotas alone here: anonymous tickets for capped items (the ID card rule has its own test).
    set_site_setting(centre, require_id_for_capped=False)
    kiosk.agent.refresh()
    open_kiosk(page, kiosk)
    tile = page.locator("#services .tile", has_text="营业执照变更登记")
    expect(tile.locator(".quota")).to_have_text("今日剩余 3 个")
    other = page.locator("#services .tile", has_text="个体工商户设立登记")
    expect(other.locator(".quota")).to_have_count(0)  # no cap, no count

    centre.issue("A103")  # taken elsewhere: the tile follows the centre's events
    expect(tile.locator(".quota")).to_have_text("今日剩余 2 个", timeout=3_000)
    tile.click()
    expect(page.locator("#item-remaining")).to_have_text("今日剩余 2 个")
    expect(page.locator("#item-take")).to_be_enabled()
    page.locator("#item-back").click()

    # The citizen is on the confirm screen when the last two go elsewhere.
    to_confirm(page, "营业执照变更登记")
    centre.issue("A103")
    centre.issue("A103")
    page.locator("#confirm-go").click()
    expect(page.locator("#screen-refused")).to_be_visible(timeout=10_000)
    expect(page.locator("#refused-message")).to_have_attribute("data-code", "daily_cap_reached")
    expect(page.locator("#refused-message")).to_contain_text("已取完")
    when = expected_next_time(centre, "A103")
    assert re.fullmatch(r"下次取号时间：\d{1,2}月\d{1,2}日 \d\d:\d\d", when)
    expect(page.locator("#refused-next")).to_have_text(when)
    shot(page, "10-quota-refused")

    page.locator("#refused-home").click()
    expect(tile).to_have_class(re.compile(r"\bfull\b"))
    expect(tile.locator(".quota")).to_have_text("今日号源已取完")
    tile.click()  # explains at once, instead of failing at the end
    expect(page.locator("#item-quota")).to_contain_text("今日号源已取完")
    expect(page.locator("#item-next-issue")).to_have_text(when)
    expect(page.locator("#item-take")).to_be_disabled()
    shot(page, "11-quota-full")
    assert len(tickets_of(centre, "A103")) == 3 and kiosk.printer.tickets == []


def test_elderly_card_tap_on_home_prints_an_elderly_ticket_with_the_missed_call_rule(
    page: Page, kiosk: RunningKiosk, centre: Centre
) -> None:
    set_site_setting(centre, elderly_one_tap="K001")
    kiosk.agent.refresh()
    rules = centre.get("/sites/city-hall").json()["rules"]["zh"]
    open_kiosk(page, kiosk)
    expect(page.locator("#one-tap-hint")).to_contain_text("65 岁及以上")
    expect(page.locator("#one-tap-hint")).to_contain_text("帮办代办服务")
    expect(page.locator("#rule-mixing")).to_have_text(rules["mixing"])
    expect(page.locator("#rule-no-show")).to_have_text(rules["no_show"])
    assert rules["no_show"].startswith("过号规则")

    kiosk.reader.place_card(ELDER)  # no menus: straight to the ticket
    expect(page.locator("#screen-result")).to_be_visible(timeout=10_000)
    number = page.locator("#result-number").inner_text()
    assert re.fullmatch(r"K\d{3}", number)
    expect(page.locator("#result-facts")).to_contain_text("老年人优先")
    expect(page.locator("#result-rule")).to_have_text(rules["no_show"])
    expect(page.locator("#result-print")).to_have_attribute("data-state", "printed", timeout=10_000)
    shot(page, "12-one-tap-ticket")
    assert tickets_of(centre, "K001") == [(number, "elderly")]

    # The printed bytes, decoded by the printer simulator: the number, the class, the rule.
    printed = kiosk.printer.tickets[-1]
    assert number in printed.text and "老年人优先" in printed.text and "王**" in printed.text
    # The 过号 rule in one printed line.
    assert rules["no_show_line"] == "过号：叫2次未到，当天返回顺延3位"
    assert any(line.strip() == rules["no_show_line"] for line in printed.text.splitlines())
    assert len(printed.raw) <= 600

    # The same card again while that ticket waits: refused plainly, with the number held.
    page.locator("#result-done").click()
    expect(page.locator("#screen-home")).to_be_visible()
    retap(kiosk.reader, ELDER)
    expect(page.locator("#screen-refused")).to_be_visible(timeout=10_000)
    expect(page.locator("#refused-message")).to_have_attribute("data-code", "one_active_ticket")
    expect(page.locator("#refused-message")).to_contain_text("请勿重复取号")
    expect(page.locator("#refused-existing")).to_have_text(f"您已取的号：{number}")
    shot(page, "13-one-active")
    assert len(tickets_of(centre, "K001")) == 1 and len(kiosk.printer.tickets) == 1


def test_younger_card_tap_on_home_issues_nothing_and_prefills_the_card(
    page: Page, kiosk: RunningKiosk, centre: Centre
) -> None:
    set_site_setting(centre, elderly_one_tap="K001")
    kiosk.agent.refresh()
    open_kiosk(page, kiosk)
    expect(page.locator("#one-tap-hint")).to_be_visible()
    kiosk.reader.place_card(YOUNG)
    expect(page.locator("#home-note")).to_have_text("已读取身份证（张**），请选择要办理的事项", timeout=5_000)
    page.wait_for_timeout(1_000)  # the one-tap would have answered long before this
    expect(page.locator("#screen-home")).to_be_visible()
    assert tickets_of(centre, "K001") == [] and kiosk.printer.tickets == []

    # Choosing a service next: the card is already read.
    page.locator("#services .tile", has_text="个体工商户设立登记").click()
    page.locator("#item-take").click()
    expect(page.locator("#masked-name")).to_have_text("张**")
    page.locator("#identify-next").click()
    page.locator("#confirm-go").click()
    expect(page.locator("#screen-result")).to_be_visible(timeout=10_000)
    assert wait_until(lambda: kiosk.printer.tickets, 5)
    assert tickets_of(centre, "A101") == [(page.locator("#result-number").inner_text(), "ordinary")]


def help_of(centre: Centre, number: str) -> tuple[str, str, str]:
    with sqlite3.connect(centre.db_path) as conn:
        row = conn.execute(
            "SELECT service, priority, help_for FROM tickets WHERE number = ?", (number,)
        ).fetchone()
    return (row[0], row[1], row[2])


def test_the_help_box_sends_the_citizen_to_the_help_window_without_priority(
    page: Page, kiosk: RunningKiosk, centre: Centre
) -> None:
    open_kiosk(page, kiosk)
    to_confirm(page, "个体工商户设立登记")
    # What ticking the box does is said before it is ticked.
    expect(page.locator("#help-hint")).to_contain_text("帮办代办服务")
    expect(page.locator("#help-hint")).to_contain_text("不会因此提前叫号")
    page.locator("#need-help").check()
    shot(page, "14-help")
    page.locator("#confirm-go").click()
    expect(page.locator("#screen-result")).to_be_visible(timeout=10_000)
    number = page.locator("#result-number").inner_text()
    assert re.fullmatch(r"K\d{3}", number)  # the help item's ticket, at the assisted window
    expect(page.locator("#result-item")).to_have_text("帮办代办服务")
    expect(page.locator("#result-help")).to_have_text("帮办事项：个体工商户设立登记")
    expect(page.locator("#result-facts")).to_contain_text("24")
    expect(page.locator("#result-facts")).not_to_contain_text("优先")
    shot(page, "14b-help-ticket")
    assert help_of(centre, number) == ("K001", "ordinary", "service:A101")
    assert wait_until(lambda: kiosk.printer.tickets, 5)
    printed = kiosk.printer.tickets[-1].text
    assert number in printed and "帮办事项：个体工商户设立登记" in printed and "帮办代办服务" in printed
    assert "经营场所使用证明" in printed  # the materials of what they came for
    assert "优先" not in printed and "需要帮办协助" not in printed
    # The next citizen starts with the box unticked.
    page.locator("#result-done").click()
    to_confirm(page, "个体工商户设立登记")
    expect(page.locator("#need-help")).not_to_be_checked()


def test_a_capped_item_says_it_needs_the_id_card_before_anything_is_confirmed(
    page: Page, kiosk: RunningKiosk, centre: Centre
) -> None:
    # The demo hall sets require_id_for_capped; 普通护照申领 F601 has a daily cap of 60.
    open_kiosk(page, kiosk)
    page.locator("#domains button", has_text="出入境").click()
    page.locator("#services .tile", has_text="普通护照申领").click()
    note = page.locator("#item-id-required")
    expect(note).to_have_text("该事项每日限量、每人限取，须刷身份证取号")
    expect(page.locator("#item-take")).to_be_enabled()
    shot(page, "15-id-required")
    page.locator("#item-take").click()
    expect(page.locator("#screen-identify")).to_be_visible()
    expect(page.locator("#identify-skip")).to_be_hidden()  # no "continue without a card"
    expect(page.locator("#identify-hint")).to_contain_text("每日限量、每人限取")
    # In English too.
    page.locator("#lang-switch").click()
    expect(page.locator("#identify-hint")).to_contain_text("Limited per day and per person")
    page.locator("#lang-switch").click()
    kiosk.reader.place_card(YOUNG)
    expect(page.locator("#masked-name")).to_have_text("张**", timeout=5_000)
    page.locator("#identify-next").click()
    page.locator("#confirm-go").click()
    expect(page.locator("#screen-result")).to_be_visible(timeout=10_000)
    assert [p for _, p in tickets_of(centre, "F601")] == ["ordinary"]

    # A kiosk whose reader is gone cannot take it at all, and says so on the item page.
    page.locator("#result-done").click()
    kiosk.reader.unplug()
    assert wait_until(lambda: kiosk.state()["id_reader"] != "ok", 5)
    page.locator("#domains button", has_text="出入境").click()
    page.locator("#services .tile", has_text="普通护照申领").click()
    expect(note).to_contain_text("本机暂不能读取身份证，请到服务台取号")
    expect(page.locator("#item-take")).to_be_disabled()
    # An item without a cap is taken as before, without a card.
    page.locator("#item-back").click()
    page.locator("#domains button").first.click()
    page.locator("#services .tile", has_text="个体工商户设立登记").click()
    expect(note).to_be_hidden()
    expect(page.locator("#item-take")).to_be_enabled()
    kiosk.reader.replug()
