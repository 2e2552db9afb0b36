"""The kiosk says so when its agent cannot hear the centre, and reads everything again.

The centre is frozen (SIGSTOP): its connections stay open and nothing arrives, so only
the live feed's missing heartbeat tells. The agent reads the catalogue every 60 s here:
a waiting count that changes at once after the freeze was read again because of it.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.conftest import CentreProcess
from tests.kiosk.conftest import start_kiosk
from tests.kiosk.test_kiosk_browser import open_kiosk
from tests.queue_server.pages.test_connection_lost import BANNER_WITHIN_S, frozen, second_centre

pytestmark = pytest.mark.browser


def test_frozen_centre_banner_no_tickets_then_fresh_counts(
    page: Page, centre_process: CentreProcess, tmp_path: Path, devices_sims: tuple  # type: ignore[type-arg]
) -> None:
    kiosk = start_kiosk(centre_process, tmp_path, devices_sims, refresh_seconds=60.0)
    try:
        open_kiosk(page, kiosk)
        banner = page.locator("#banner")
        tile = page.locator("#services .tile", has_text="营业执照变更登记")
        expect(tile).to_contain_text("等候 0 人")
        expect(banner).to_be_hidden()
        assert "disabled" not in (tile.get_attribute("class") or "")

        with second_centre(centre_process, tmp_path) as other, frozen(centre_process) as froze:
            expect(banner).to_contain_text("暂时无法连接服务中心", timeout=(BANNER_WITHIN_S + 2) * 1000)
            took = time.monotonic() - froze
            assert took <= BANNER_WITHIN_S, f"the banner took {took:.1f} s"
            expect(banner).to_contain_text("等候人数可能不是最新")
            expect(tile).to_have_class("tile service disabled")  # nothing offered
            opacity = tile.locator(".wait").evaluate("(el) => getComputedStyle(el).opacity")
            assert float(opacity) < 0.5  # the count is greyed out
            state = kiosk.state()
            assert state["blocked"] == "centre_unreachable" and state["centre"]["ok"] is False
            # Meanwhile a ticket is taken elsewhere: the frozen centre never pushes it.
            other.issue("A103")

        expect(banner).to_be_hidden(timeout=12_000)
        expect(tile).to_contain_text("等候 1 人")  # read again, not left as it was
        assert "disabled" not in (tile.get_attribute("class") or "")
        assert kiosk.state()["centre"]["ok"] is True
    finally:
        kiosk.server.stop()
