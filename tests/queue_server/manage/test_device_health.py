"""Every field device reports its health; the device panel flags the silent and the faulty.

The centre runs with short intervals (`centre_settings`): displays report every 0.4 s and
a display or sign silent for 2 s is offline, so silence is seen in seconds, not minutes.
"""
from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.conftest import Centre
from tests.queue_server.manage.test_dashboard_browser import open_dashboard
from tests.queue_server.pages.conftest import enrol

MANAGER = ("manager", "Demo-Hall-2")
TOWN = ("town", "Demo-Gutang-4")
SILENT_AFTER = 2.0


@pytest.fixture
def centre_settings() -> dict[str, Any]:
    return {"DEVICE_REPORT_SECONDS": 0.4, "DEVICE_SILENT_AFTER_SECONDS": SILENT_AFTER}


def wait_until(check: Callable[[], Any], timeout: float = 10.0) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {timeout} s: {check}")
        time.sleep(0.1)


def panel(centre: Centre, who: tuple[str, str] = MANAGER, site: str = "") -> dict[str, list[dict[str, Any]]]:
    response = centre.get("/manage/devices" + (f"?site={site}" if site else ""), token=centre.login(who))
    assert response.status_code == 200, response.text
    return response.json()["sites"]  # type: ignore[no-any-return]


def device(centre: Centre, name: str, who: tuple[str, str] = MANAGER) -> dict[str, Any] | None:
    return next((d for devices in panel(centre, who).values() for d in devices if d["name"] == name), None)


# --- what a device may report ---------------------------------------------------------------


def test_a_display_and_a_sign_report_their_parts(centre: Centre) -> None:
    sign = enrol(centre, "sign", counter=3)
    shown = centre.post("/devices/status", {"connected": "yes", "voice": "none"}, token=centre.display_token)
    assert shown.status_code == 200, shown.text
    assert shown.json()["status"] == {"connected": "yes", "voice": "none"}
    told = centre.post("/devices/status", {"connected": "yes", "sign": "ok", "evaluator": "disconnected"}, token=sign)
    assert told.json()["status"] == {"connected": "yes", "sign": "ok", "evaluator": "disconnected"}
    assert device(centre, "test display")["alerts"] == ["voice_none"]  # type: ignore[index]
    assert device(centre, "test sign")["alerts"] == ["evaluator_disconnected"]  # type: ignore[index]


@pytest.mark.parametrize(
    "body",
    [{}, {"voice": "loud"}, {"sign": "fine"}, {"connected": True}, {"evaluator": None}],
)
def test_a_report_of_nothing_or_of_an_unknown_state_is_refused(centre: Centre, body: dict[str, Any]) -> None:
    response = centre.post("/devices/status", body, token=centre.display_token)
    assert response.status_code == 400, response.text
    if not {k: v for k, v in body.items() if v is not None}:
        assert response.json()["error"] == "field_nothing_reported"


# --- silence --------------------------------------------------------------------------------


def test_a_display_silent_past_its_interval_is_flagged_and_a_kiosk_keeps_its_own(centre: Centre) -> None:
    centre.post("/devices/status", {"connected": "yes", "voice": "available"}, token=centre.display_token)
    centre.post("/devices/status", {"printer": "ok", "id_reader": "ok"}, token=centre.kiosk_token)
    display = device(centre, "test display")
    assert display is not None
    assert (display["offline"], display["alerts"], display["silent_after_seconds"]) == (False, [], SILENT_AFTER)
    time.sleep(SILENT_AFTER + 0.5)
    display = device(centre, "test display")
    kiosk = device(centre, "test kiosk")
    assert display["offline"] and display["alerts"] == ["display_offline"]  # type: ignore[index]
    # The kiosk's interval is its own (180 s): silent as long, it is not flagged.
    assert kiosk is not None and not kiosk["offline"] and kiosk["silent_after_seconds"] == 180
    # The dashboard's first read says the same as the panel.
    live = centre.get("/manage/live?site=city-hall", token=centre.login(MANAGER)).json()
    assert next(d for d in live["sites"][0]["devices"] if d["name"] == "test display")["alerts"] == ["display_offline"]
    # Its next heartbeat, which changes nothing, clears it.
    centre.post("/devices/status", {"connected": "yes", "voice": "available"}, token=centre.display_token)
    assert device(centre, "test display")["alerts"] == []  # type: ignore[index]


def test_a_device_never_heard_from_is_not_flagged(centre: Centre) -> None:
    enrol(centre, "sign", counter=2)
    time.sleep(0.2)
    sign = device(centre, "test sign")
    assert sign is not None and sign["last_seen"] is None and sign["alerts"] == []


# --- scope ----------------------------------------------------------------------------------


def test_a_township_manager_sees_only_its_devices(centre: Centre) -> None:
    village = enrol(centre, "display", site="village-jinqiu")
    centre.post("/devices/status", {"connected": "no", "voice": "none"}, token=village)
    centre.post("/devices/status", {"printer": "out", "id_reader": "ok"}, token=centre.kiosk_token)
    mine = panel(centre, TOWN)
    assert set(mine) == {"town-gutang", "village-jinqiu", "village-lishu"}
    assert [(d["name"], d["alerts"]) for d in mine["village-jinqiu"]] == [
        ("test display", ["live_feed_lost", "voice_none"])
    ]
    # The city hall's kiosk (out of paper) is not the township's business.
    assert all(d["name"] != "test kiosk" for devices in mine.values() for d in devices)
    assert centre.get("/manage/devices?site=city-hall", token=centre.login(TOWN)).status_code == 403
    # The city's admin sees both.
    everything = panel(centre, ("admin", "Demo-City-1"))
    assert "village-jinqiu" in everything and "city-hall" in everything


# --- the real display page ------------------------------------------------------------------


@pytest.mark.browser
def test_a_display_page_reports_its_health_and_heartbeat(context: BrowserContext, centre: Centre) -> None:
    page = context.new_page()
    page.goto(f"{centre.url}/display/city-hall?token={centre.display_token}")
    # Headless Chromium has no voices: the hall hears nothing, and the panel says so.
    reported = wait_until(lambda: (d := device(centre, "test display")) and d["status"] and d)
    assert reported["status"] == {"connected": "yes", "voice": "none"}
    assert reported["alerts"] == ["voice_none"]
    # Its heartbeat: reports that change nothing keep coming, every DEVICE_REPORT_SECONDS.
    first = reported["last_seen"]
    wait_until(lambda: device(centre, "test display")["last_seen"] > first)  # type: ignore[index]
    page.wait_for_function("() => window.hallqueueDisplay.health.reports >= 3", timeout=5000)
    # The screen is switched off: silent past its interval, it is flagged.
    page.close()
    gone = wait_until(lambda: (d := device(centre, "test display")) and d["offline"] and d, timeout=SILENT_AFTER + 5)
    assert gone["alerts"] == ["display_offline", "voice_none"]


@pytest.mark.browser
def test_a_display_page_reports_a_voice_when_it_has_one(context: BrowserContext, centre: Centre) -> None:
    context.add_init_script(
        "Object.defineProperty(speechSynthesis, 'getVoices', {value: () => [{lang: 'zh-CN', name: 'test'}]});"
    )
    page = context.new_page()
    page.goto(f"{centre.url}/display/city-hall?token={centre.display_token}")
    reported = wait_until(lambda: (d := device(centre, "test display")) and d["status"] and d)
    assert reported["status"] == {"connected": "yes", "voice": "available"} and reported["alerts"] == []
    # A voice that cannot say the call (headless Chromium's engine fails every sentence): the
    # change is reported at once, not at the next heartbeat.
    centre.issue("A101")
    centre.counter(1, "open")
    centre.counter(1, "call-next")
    failing = wait_until(lambda: (d := device(centre, "test display")) and d["status"]["voice"] == "failed" and d)
    assert failing["alerts"] == ["voice_failed"]


@pytest.mark.browser
def test_a_display_page_opened_by_staff_reports_nothing(context: BrowserContext, centre: Centre) -> None:
    page = context.new_page()
    failed: list[str] = []
    page.on("response", lambda r: failed.append(r.url) if r.status >= 400 else None)
    page.goto(f"{centre.url}/display/city-hall?token={centre.login(MANAGER)}")
    page.wait_for_function("() => window.hallqueueDisplay && window.hallqueueDisplay.renders > 0", timeout=5000)
    time.sleep(2.5)  # past its first report and a few heartbeats
    assert page.evaluate("window.hallqueueDisplay.health.reports") == 0
    assert failed == []
    assert device(centre, "test display")["last_seen"] is None  # type: ignore[index]


@pytest.mark.browser
def test_the_managers_page_shows_a_fault_by_push_and_a_silence_by_itself(page: Page, centre: Centre) -> None:
    sign = enrol(centre, "sign", counter=3)
    centre.post("/devices/status", {"connected": "yes", "voice": "available"}, token=centre.display_token)
    centre.post("/devices/status", {"connected": "yes", "sign": "ok"}, token=sign)
    open_dashboard(page, centre)
    hall = page.locator('article.site[data-site="city-hall"]')
    expect(hall.locator(".devices .alert")).to_have_count(0)
    centre.post("/devices/status", {"connected": "yes", "sign": "not_answering"}, token=sign)
    expect(hall.locator('.alert[data-alert="sign_not_answering"]')).to_have_text("⚠ 窗口屏无应答 · test sign", timeout=2000)
    # Nobody reads again: the page itself sees the display go silent past its interval.
    expect(hall.locator('.alert[data-alert="display_offline"]')).to_contain_text("显示屏无上报", timeout=15000)
