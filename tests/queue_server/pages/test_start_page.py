"""The centre's start page (`/`): what each screen is for, in Chinese and English, with a
way to each; it names the sites and never a token.

`HALLQUEUE_START_SCREENSHOTS=docs` saves `start.png` and `start-en.png` on the way.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
import requests
from playwright.sync_api import Page, expect

from tests.conftest import Centre

SHOTS = os.environ.get("HALLQUEUE_START_SCREENSHOTS")
LINKS = ["/console", "/manage", "/manage/reports", "/admin", "/api/v1/openapi.json"]


def shot(page: Page, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=True)


def test_anyone_gets_the_start_page_in_chinese_first(centre: Centre) -> None:
    response = requests.get(centre.url + "/", timeout=10)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/html")
    html = response.text
    assert '<html lang="zh-CN">' in html
    for words in ("窗口叫号台", "叫号显示屏", "扫码查看排队进度", "网点实况与统计报表", "系统管理", "hallqueue device add --kind display"):
        assert words in html, words
    english = requests.get(centre.url + "/?lang=en", timeout=10).text
    assert '<html lang="en">' in english
    for words in ("Clerk console", "Hall display", "phone page", "Live status and reports", "Administration"):
        assert words in english, words


def test_it_links_every_screen_and_each_sites_display(centre: Centre) -> None:
    html = requests.get(centre.url + "/", timeout=10).text
    hrefs = set(re.findall(r'href="([^"]+)"', html))
    for link in LINKS:
        assert link in hrefs, link
        assert requests.get(centre.url + link, timeout=10).status_code == 200, link
    sites = centre.get("/sites").json()["sites"]
    assert sites
    for site in sites:
        assert f'data-site="{site["id"]}"' in html, site["id"]
        assert site["name"] in html
        assert f"/book/{site['id']}" in hrefs, site["id"]  # its booking phone page
    assert requests.get(centre.url + "/book/city-hall", timeout=10).status_code == 200


def test_it_shows_no_token_nor_anything_a_token_guards(centre: Centre) -> None:
    """Public, like the site list: the demo's device tokens, a staff session, and the
    display's board (which needs a token) are nowhere on it, whoever asks."""
    session = centre.login()
    for headers in ({}, {"Authorization": f"Bearer {session}"}):
        html = requests.get(centre.url + "/", headers=headers, timeout=10).text
        for secret in (centre.kiosk_token, centre.display_token, session):
            assert secret not in html
        assert "token=…" in html  # the address is explained, never filled in


browser = pytest.mark.browser


@browser
def test_the_start_page_in_a_browser_zh_then_en(page: Page, centre: Centre) -> None:
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(centre.url + "/")
    expect(page.locator("h1")).to_have_text("政务服务排队叫号")
    expect(page.locator("#s-console h2")).to_have_text("窗口叫号台")
    expect(page.locator("#s-display .s-site")).to_have_count(len(centre.get("/sites").json()["sites"]))
    shot(page, "start")

    page.click("#lang-switch")
    expect(page.locator("#s-console h2")).to_have_text("Clerk console")
    expect(page.locator("#s-phone h2")).to_have_text("The ticket's phone page")
    assert page.evaluate("document.documentElement.lang") == "en"
    shot(page, "start-en")

    # The display of the hall, opened with the token typed beside it, in English.
    hall = page.locator('form.s-open[data-site="city-hall"]')
    hall.locator("input[name=token]").fill(centre.display_token)
    hall.locator("button[value=small]").click()
    page.wait_for_url(re.compile(r"/display/city-hall\?"))
    assert "layout=small" in page.url and "lang=en" in page.url
    page.wait_for_function("() => window.hallqueueDisplay && window.hallqueueDisplay.renders > 0", timeout=5000)
    expect(page.locator("#conn")).to_have_attribute("data-state", "online", timeout=5000)


@browser
def test_the_console_link_opens_the_console_in_chinese(page: Page, centre: Centre) -> None:
    page.goto(centre.url + "/?lang=zh")
    page.click("#s-console h2 a")
    page.wait_for_url(re.compile(r"/console$"))
    expect(page.locator("#login-form")).to_be_visible()
    page.go_back()
    page.click("#s-admin h2 a")
    page.wait_for_url(re.compile(r"/admin(/\w+)?$"))
    expect(page.locator("#lang-switch")).to_have_text("English")  # still Chinese
