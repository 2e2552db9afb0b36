"""Managers see each edge site's link: live, or offline since when with what waits — at the
city and at the station — and the city's figures catch up when the line returns."""
from __future__ import annotations

from typing import Any

import pytest
import requests
from playwright.sync_api import Page, expect

from tests.edge.conftest import TOWN_MANAGER, VILLAGE, Topology, wait_until

MANAGER = TOWN_MANAGER  # the township manager: at the city, and at the station (its staff come down)


def edge_of(centre: Any, path: str = "/manage/live") -> dict[str, Any] | None:
    answer = centre.get(path, token=centre.login(MANAGER))
    assert answer.status_code == 200, answer.text
    if path == "/manage/devices":
        return answer.json()["edges"].get(VILLAGE)  # type: ignore[no-any-return]
    (site,) = [s for s in answer.json()["sites"] if s["site"]["id"] == VILLAGE]
    return site["edge"]  # type: ignore[no-any-return]


def waiting_in_city(topology: Topology) -> int:
    answer = topology.city.get("/manage/live", token=topology.city.login(MANAGER)).json()
    (site,) = [s for s in answer["sites"] if s["site"]["id"] == VILLAGE]
    return len(site["waiting"])


def test_the_city_and_the_station_say_how_the_link_stands(topology: Topology) -> None:
    # Enrolled and exchanging, the station stands by until the site is handed over.
    wait_until(lambda: edge_of(topology.city), what="the city hears the station")
    standing_by = edge_of(topology.city)
    assert standing_by is not None and not standing_by["serving"]
    topology.hand_over()
    wait_until(lambda: (edge_of(topology.city) or {}).get("online"), what="the city sees the station live")
    city_view = edge_of(topology.city)
    assert city_view is not None
    assert city_view["side"] == "city" and city_view["serving"] and city_view["name"] == "test edge"
    station_view = edge_of(topology.station)
    assert station_view is not None and station_view["side"] == "station" and station_view["online"]
    assert station_view["config_at"] is not None and station_view["backlog"] == 0

    topology.link.cut()
    for _ in range(3):
        assert topology.issue(topology.station).status_code == 201  # the station keeps serving
    wait_until(lambda: not (edge_of(topology.city) or {}).get("online", True), 10, "the city calls it offline")
    offline = edge_of(topology.city, "/manage/devices")
    assert offline is not None and offline["last_contact"] is not None and not offline["online"]
    wait_until(lambda: not (edge_of(topology.station) or {}).get("online", True), 10, "the station knows it is cut off")
    cut_off = edge_of(topology.station)
    assert cut_off is not None and cut_off["backlog"] >= 3  # exact at the station: its 3 tickets' events
    assert waiting_in_city(topology) == 0

    topology.link.restore()
    wait_until(lambda: (edge_of(topology.city) or {}).get("online"), 20, "the city sees the station again")
    wait_until(lambda: waiting_in_city(topology) == 3, 20, "the city's dashboard caught up")
    wait_until(lambda: (edge_of(topology.station) or {}).get("backlog") == 0, 20, "nothing waits at the station")


@pytest.mark.browser
def test_the_city_dashboard_shows_a_station_offline_since_when(topology: Topology, page: Page) -> None:
    topology.hand_over()
    wait_until(lambda: (edge_of(topology.city) or {}).get("online"), what="the city sees the station live")
    page.goto(f"{topology.city.url}/manage")
    page.fill("#username", MANAGER[0])
    page.fill("#password", MANAGER[1])
    page.click("#login-form button[type=submit]")
    card = page.locator(f'article.site[data-site="{VILLAGE}"]')
    expect(card.locator(".edge")).to_have_attribute("data-edge", "online", timeout=10000)
    expect(card.locator(".edge")).to_contain_text("在线")

    topology.link.cut()
    wait_until(lambda: not (edge_of(topology.city) or {}).get("online", True), 10, "the city calls it offline")
    page.evaluate("() => window.hallqueueManage.readDevices()")
    expect(card.locator(".edge")).to_have_attribute("data-edge", "offline", timeout=5000)
    expect(card.locator(".edge")).to_contain_text("离线，自")
    page.click('[data-nav="city"]')
    row = page.locator(f'#city-tree tr[data-site="{VILLAGE}"] [data-edge]')
    expect(row).to_have_attribute("data-edge", "offline")

    topology.link.restore()
    wait_until(lambda: (edge_of(topology.city) or {}).get("online"), 20, "the city sees the station again")
    page.evaluate("() => window.hallqueueManage.readDevices()")
    expect(row).to_have_attribute("data-edge", "online", timeout=5000)  # the city view, shown now


@pytest.mark.browser
def test_the_station_console_tells_clerks_the_line_is_down(topology: Topology, page: Page) -> None:
    topology.hand_over()
    page.goto(f"{topology.station.url}/console")
    banner = page.locator("#edge-banner")
    expect(banner).to_be_hidden()
    topology.link.cut()
    wait_until(
        lambda: not requests.get(topology.station.api("/health"), timeout=2).json()["edge"]["online"],
        10,
        "the station's health says the line is down",
    )
    expect(banner).to_be_visible(timeout=15000)  # the console reads health every 10 s
    expect(banner).to_contain_text("网络中断")
    expect(banner).to_contain_text("配置副本为")
    topology.link.restore()
    expect(banner).to_be_hidden(timeout=20000)
