"""The hall display says the calling rule in one sentence and what is left of capped items."""

from __future__ import annotations

import pytest
from playwright.sync_api import BrowserContext, expect

from tests.conftest import Centre
from tests.queue_server.pages.test_browser import open_display

pytestmark = pytest.mark.browser


def test_rule_sentence_and_quotas_on_the_display(centre: Centre, context: BrowserContext) -> None:
    page = open_display(context, centre)
    # The demo hall: one priority for every two ordinary, two calls before a no-show.
    expect(page.locator("#rule")).to_contain_text("优先号与普通号按 1:2 交替叫号")
    expect(page.locator("#rule")).to_contain_text("叫号 2 次未到即为过号")
    passports = page.locator("#quotas li[data-item='F601']")
    expect(passports).to_have_attribute("data-remaining", "60")
    expect(passports).to_contain_text("60 / 60")
    # Passports are capped: the demo hall takes them at a kiosk with an ID card only.
    centre.issue("F601", person={"id_number": "330102198501011234", "name": "甲"})
    centre.issue("F601", person={"id_number": "330102198501015678", "name": "乙"})
    # A ticket taken anywhere lowers the number on the wall within the display's refresh.
    expect(passports).to_have_attribute("data-remaining", "58", timeout=3000)

    english = open_display(context, centre, "&lang=en")
    expect(english.locator("#rule")).to_contain_text("1 priority for every 2 ordinary")
    expect(english.locator("#quotas li[data-item='F601']")).to_contain_text("58 / 60")
