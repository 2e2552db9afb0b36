"""The queue rules at the console, in real Chromium against the real centre: calling a
particular ticket with a reason, the missed-call rule holding the no-show back, a missed
ticket put back in line heard by every console, a ticket issued for someone."""
from __future__ import annotations

import re

import pytest
import requests
from playwright.sync_api import BrowserContext, Page, expect

from tests.conftest import Centre
from tests.queue_server.pages.test_browser import open_console

pytestmark = pytest.mark.browser


def opened(context: BrowserContext, centre: Centre, counter: int) -> Page:
    page = open_console(context, centre, counter)
    page.keyboard.press("o")
    expect(page.locator("#counter-state")).to_have_attribute("data-state", "open")
    return page


def called_event(centre: Centre, ticket_id: str) -> dict:  # type: ignore[type-arg]
    events = centre.get("/sites/city-hall/events?since=0&limit=500", token=centre.login(Centre.CLERK)).json()["events"]
    return [e for e in events if e["type"] == "ticket.called" and e["ticket"]["id"] == ticket_id][-1]


def test_a_particular_ticket_is_called_only_with_a_reason(centre: Centre, context: BrowserContext) -> None:
    first, second, third = (centre.issue("A101")["ticket"] for _ in range(3))
    page = opened(context, centre, 2)

    page.keyboard.press("k")
    expect(page.locator("#dlg-call-ticket")).to_be_visible()
    expect(page.locator("#call-next-choices button")).to_have_count(3)
    expect(page.locator("#call-reasons button").first).to_be_disabled()  # no ticket chosen yet
    page.fill("#call-number", third["number"].lower())
    page.keyboard.press("Enter")
    expect(page.locator("#call-chosen")).to_have_text(f"已选 {third['number']}")
    page.keyboard.press("3")  # 特殊困难
    expect(page.locator("#current-number")).to_have_text(third["number"])
    expect(page.locator("#current-reason")).to_have_text("点名叫号：特殊困难")
    event = called_event(centre, third["id"])
    assert (event["data"]["reason"], event["data"]["out_of_order_reason"]) == ("out_of_order", "special_need")

    page.keyboard.press("f")
    page.keyboard.press("1")
    expect(page.locator("#current .empty")).to_be_visible()
    page.keyboard.press("k")  # now from the next tickets, by click
    page.locator("#call-next-choices button", has_text=second["number"]).click()
    # Meanwhile window 3 calls that very ticket: the centre's refusal is shown as it says it.
    centre.counter(3, "open")
    assert centre.counter(3, "call", ticket=second["id"], reason="system_fault").status_code == 200
    page.locator("#call-reasons button", has_text="补齐材料返回").click()
    expect(page.locator("#toast.error")).to_contain_text("当前状态（called）")
    expect(page.locator("#current .empty")).to_be_visible()
    page.keyboard.press("n")  # the order goes on with the first ticket
    expect(page.locator("#current-number")).to_have_text(first["number"])
    expect(page.locator("#current-reason")).to_have_text("顺序")


def test_no_show_is_held_until_the_second_call(centre: Centre, context: BrowserContext) -> None:
    ticket = centre.issue("A101")["ticket"]
    page = opened(context, centre, 2)
    page.keyboard.press("n")
    no_show = page.locator("button[data-action=no-show]")
    expect(page.locator("#call-count")).to_have_text("第 1/2 次呼叫")
    expect(no_show).to_be_disabled()
    expect(no_show).to_have_attribute("title", "再呼叫 1 次后可标记过号")
    expect(page.locator("#call-rule")).to_have_text("再呼叫 1 次后可标记过号")
    page.keyboard.press("x")
    expect(page.locator("#toast")).to_have_text("再呼叫 1 次后可标记过号")
    assert centre.get(f"/tickets/{ticket['id']}").json()["ticket"]["status"] == "called"

    page.keyboard.press("r")
    expect(page.locator("#call-count")).to_have_text("第 2/2 次呼叫")
    expect(page.locator("#call-rule")).to_have_text("群众未到可标记过号")
    expect(no_show).to_be_enabled()
    page.keyboard.press("x")
    expect(page.locator("#current .empty")).to_be_visible()
    assert centre.get(f"/tickets/{ticket['id']}").json()["ticket"]["status"] == "no_show"


def test_the_interval_counts_down_before_a_recall(centre: Centre, context: BrowserContext) -> None:
    admin = centre.login()
    settings = centre.get("/sites/city-hall").json()["site"]["settings"]
    saved = requests.put(
        centre.api("/admin/sites/city-hall/settings"),
        json={**settings, "no_show_interval_seconds": 2},
        headers={"Authorization": f"Bearer {admin}"},
        timeout=10,
    )
    assert saved.status_code == 200, saved.text
    centre.issue("A101")
    page = opened(context, centre, 2)
    page.keyboard.press("n")
    recall = page.locator("button[data-action=recall]")
    expect(recall).to_be_disabled()
    expect(page.locator("#call-rule")).to_have_text(re.compile(r"^[12] 秒后可重呼 · 再呼叫 1 次后可标记过号$"))
    expect(recall).to_be_enabled(timeout=3000)
    page.keyboard.press("r")
    expect(page.locator("#call-rule")).to_have_text(re.compile(r"^[12] 秒后可标记过号$"))
    expect(page.locator("button[data-action=no-show]")).to_be_disabled()
    # The centre holds to the same rule: a no-show now (by the clerk holding the window) is
    # refused with its message.
    refused = centre.post("/sites/city-hall/counters/2/no-show", {}, token=centre.login(Centre.CLERK))
    assert refused.status_code == 409 and refused.json()["error"] == "call_too_soon"
    expect(page.locator("button[data-action=no-show]")).to_be_enabled(timeout=3000)
    expect(page.locator("#call-rule")).to_have_text("群众未到可标记过号")


def test_a_missed_ticket_put_back_is_heard_on_every_console_and_called_in_its_place(
    centre: Centre, context: BrowserContext
) -> None:
    missed = centre.issue("A101")["ticket"]
    others = [centre.issue("A101")["ticket"] for _ in range(5)]
    centre.counter(1, "open")
    centre.counter(1, "call-next")
    centre.counter(1, "recall")
    assert centre.counter(1, "no-show").status_code == 200

    here = open_console(context, centre, 2)
    there = open_console(context, centre, 4)
    here.keyboard.press("b")
    expect(here.locator("#return-rule")).to_contain_text("顺延 3 位")
    row = here.locator("#return-list li", has_text=missed["number"])
    expect(row).to_have_count(1)
    row.locator("button").click()
    expected = f"{missed['number']} 过号返回，排在第 3 位后"
    expect(there.locator("#toast")).to_have_text(expected, timeout=2000)
    expect(here.locator("#toast")).to_have_text(expected, timeout=2000)
    expect(here.locator("#dlg-return")).to_be_hidden()

    calls = []
    for _ in range(4):
        calls.append(centre.counter(1, "call-next").json()["ticket"]["number"])
        centre.counter(1, "finish", outcome="completed")
    assert calls == [*(t["number"] for t in others[:3]), missed["number"]]
    here.keyboard.press("b")  # once only: it is no longer among today's missed tickets
    expect(here.locator("#return-list")).to_have_text("今日没有过号的号票")


def test_staff_issue_for_a_citizen_and_see_a_refusal(centre: Centre, context: BrowserContext) -> None:
    proxy = centre.post("/admin/sites/city-hall/proxies", {"kind": "staff", "username": "manager", "daily_cap": 1})
    assert proxy.status_code == 201, proxy.text
    page = open_console(context, centre, 2)
    page.keyboard.press("i")
    expect(page.locator("#dlg-issue")).to_be_visible()
    page.select_option("#issue-item", "service:A101")
    page.select_option("#issue-class", "elderly")
    expect(page.locator("#issue-proxy-label")).to_be_visible()
    page.select_option("#issue-proxy", proxy.json()["proxy"]["id"])
    page.click("#issue-form button[type=submit]")
    number = page.locator("#issued-number")
    expect(number).to_have_text(re.compile(r"^A\d{3}$"))
    issued = centre.get(f"/sites/city-hall/tickets?number={number.text_content()}", token=centre.login(Centre.CLERK)).json()
    ticket = issued["tickets"][0]
    assert (ticket["channel"], ticket["priority"]) == ("staff", "elderly")
    expect(page.locator("#issued-detail")).to_contain_text("老年人优先")

    page.click("#issue-again")  # the proxy's cap of one is taken
    page.click("#issue-form button[type=submit]")
    expect(page.locator("#issue-error")).to_have_text(re.compile("今日取号已达上限（1 个）"))
    expect(page.locator("#issue-result")).to_be_hidden()
