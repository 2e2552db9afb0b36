"""Priority is confirmed by staff at the console, and the assisted clerk sees what a citizen
who asked for help came for (issue 12, item 8), in real Chromium against the real centre."""

from __future__ import annotations

import sqlite3

import pytest
from playwright.sync_api import BrowserContext, expect

from tests.conftest import Centre
from tests.queue_server.pages.test_browser import open_console

pytestmark = pytest.mark.browser


def test_a_clerk_confirms_a_priority_and_sees_the_item_a_help_ticket_is_for(
    centre: Centre, context: BrowserContext
) -> None:
    helped = centre.issue("A101", help=True)["ticket"]  # a kiosk's "need help" box
    assert helped["service"] == "K001" and helped["priority"] == "ordinary"
    waiting = [centre.issue("K001")["ticket"] for _ in range(2)]
    page = open_console(context, centre, 24)  # the assisted window (帮代办窗口)
    page.keyboard.press("o")
    expect(page.locator("#counter-state")).to_have_attribute("data-state", "open")
    expect(page.locator("#next")).to_contain_text("帮办事项 个体工商户设立登记")

    # The last citizen in line turns out to need priority: the clerk confirms it.
    page.keyboard.press("y")
    expect(page.locator("#dlg-priority")).to_be_visible()
    expect(page.locator("#priority-go")).to_be_disabled()  # no ticket chosen yet
    page.fill("#priority-number", waiting[-1]["number"])
    page.keyboard.press("Enter")
    expect(page.locator("#priority-found button.chosen")).to_contain_text(waiting[-1]["number"])
    page.select_option("#priority-class", "disabled")
    page.fill("#priority-reason", "坐轮椅")
    page.click("#priority-go")
    expect(page.locator("#dlg-priority")).to_be_hidden()
    expect(page.locator("#toast")).to_have_text(f"{waiting[-1]['number']} 已确认为“残疾人优先”")
    with sqlite3.connect(centre.db_path) as conn:
        row = conn.execute("SELECT priority FROM tickets WHERE id = ?", (waiting[-1]["id"],)).fetchone()
    assert row[0] == "disabled"
    events = centre.get("/sites/city-hall/events?since=0", token=centre.login(Centre.CLERK)).json()["events"]
    raised = [e for e in events if e["type"] == "ticket.prioritized"]
    assert [(e["ticket"]["id"], e["data"]["by"]) for e in raised] == [(waiting[-1]["id"], "clerk")]
    assert "reason" not in raised[0]["data"]  # the reason is the audit log's, not every screen's
    audit = centre.get("/admin/audit?kind=ticket", token=centre.login()).json()["entries"]
    assert [(e["actor"], e["after"]["reason"]) for e in audit if e["action"] == "prioritize"] == [("clerk", "坐轮椅")]

    # It is called first; then the help ticket, whose item the clerk sees.
    page.keyboard.press("n")
    expect(page.locator("#current-number")).to_have_text(waiting[-1]["number"])
    page.keyboard.press("f")
    page.keyboard.press("1")
    expect(page.locator("#current .empty")).to_be_visible()
    page.keyboard.press("n")
    expect(page.locator("#current-number")).to_have_text(helped["number"])
    expect(page.locator("#current-help")).to_have_text("个体工商户设立登记")

    # A ticket no longer waiting cannot be raised: the centre's words are shown.
    page.keyboard.press("y")
    page.fill("#priority-number", helped["number"])
    page.keyboard.press("Enter")
    expect(page.locator("#priority-found")).to_contain_text(f"没有等候中的 {helped['number']}")
    expect(page.locator("#priority-go")).to_be_disabled()
