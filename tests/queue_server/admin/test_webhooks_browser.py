"""The 消息推送 (webhooks) administration page in real headless Chromium: a refusal next to
its field, a subscription made and its secret shown once, a test ping in its delivery log."""
from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.conftest import Centre
from tests.queue_server.admin.test_admin_browser import error_of, open_admin, shot
from tests.queue_server.test_webhooks import FAST, Receiver

pytestmark = pytest.mark.browser


@pytest.fixture
def centre_settings() -> dict[str, Any]:
    return dict(FAST)


def test_subscribe_see_the_secret_once_and_ping(centre: Centre, page: Page) -> None:
    receiver = Receiver()
    try:
        open_admin(page, centre, "webhooks")
        expect(page.locator("#a-nav a.current")).to_have_text("消息推送")
        expect(page.locator("#webhooks-none")).to_be_visible()

        page.fill("#f-name", "短信平台")
        page.fill("#f-url", "ftp://gateway/hook")
        page.check('input[name=event][value="ticket.called"]')
        page.fill("#f-sites", "city-hall")
        page.click("#webhook-form button[type=submit]")
        expect(error_of(page, "url")).to_contain_text("http://")

        page.fill("#f-url", receiver.url)
        page.click("#webhook-form button[type=submit]")
        secret = page.locator("#webhook-secret code")
        expect(secret).to_be_visible()
        shown = secret.text_content() or ""
        assert len(shown) >= 40
        row = page.locator("#webhooks-table tbody tr", has_text="短信平台")
        expect(row).to_contain_text("叫号")
        expect(row).to_contain_text("city-hall")
        shot(page, "webhooks")

        row.get_by_role("button", name="发送测试").click()
        receiver.wait_for(1, "webhook.ping")
        expect(page.locator("#webhook-secret")).to_have_count(0)  # shown that once
        assert shown not in page.content()
        page.locator("#webhooks-table tbody tr", has_text="短信平台").get_by_role("button", name="推送记录").click()
        delivery = page.locator("#deliveries-table tbody tr").first
        expect(delivery).to_contain_text("测试")
        expect(delivery).to_contain_text("已送达")
    finally:
        receiver.close()
