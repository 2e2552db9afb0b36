"""Device health at a station reaches the city's device panel; the edge centre itself is on it.

A station's kiosk and display report to the station's centre, which sends its devices'
health up with every exchange; the city's panel shows them, and the edge centre with the
city's last contact as its last report, its backlog, and an alert once it has been out of
touch past EDGE_SILENT_SECONDS (2 s in these tests).
"""
from __future__ import annotations

import time
from typing import Any

import requests

from tests.edge.conftest import SILENT_QUICKLY, TOWN_MANAGER, VILLAGE, Topology, enrol, wait_until

EDGE_SILENT_AFTER = float(SILENT_QUICKLY["HALLQUEUE_EDGE_SILENT_SECONDS"])


def city_panel(topology: Topology) -> dict[str, dict[str, Any]]:
    """The village's devices on the city's panel, as the township's manager sees them, by kind."""
    token = topology.city.login(TOWN_MANAGER)
    answer = topology.city.get(f"/manage/devices?site={VILLAGE}", token=token)
    assert answer.status_code == 200, answer.text
    return {d["kind"]: d for d in answer.json()["sites"][VILLAGE]}


def test_a_stations_devices_reach_the_citys_panel_and_the_edge_centre_is_on_it(topology: Topology) -> None:
    _, display_token = enrol(topology.city.db_path, "display")
    topology.hand_over()
    wait_until(lambda: requests.get(topology.station.api("/devices/me"), headers={
        "Authorization": f"Bearer {display_token}"}, timeout=2).status_code == 200, 20, "the display's token at the station")
    # The station's devices report to the station, never to the city.
    for token, body in ((topology.kiosk_token, {"printer": "out", "id_reader": "ok"}),
                        (display_token, {"connected": "yes", "voice": "none"})):
        told = requests.post(topology.station.api("/devices/status"), json=body,
                             headers={"Authorization": f"Bearer {token}"}, timeout=5)
        assert told.status_code == 200, told.text

    def reached() -> bool:
        panel = city_panel(topology)
        return panel["kiosk"]["status"].get("printer") == "out" and panel["display"]["status"].get("voice") == "none"

    wait_until(reached, 20, "the station's device health at the city")
    panel = city_panel(topology)
    assert panel["kiosk"]["alerts"] == ["printer_out"]
    assert panel["display"]["alerts"] == ["voice_none"]
    edge = panel["edge"]
    assert edge["last_seen"] is not None and edge["backlog"] == 0 and edge["alerts"] == []
    assert edge["silent_after_seconds"] == EDGE_SILENT_AFTER

    # The line is cut: the station keeps serving, the city flags its edge centre.
    topology.link.cut()
    cut_at = time.monotonic()
    for _ in range(3):
        assert topology.issue(topology.station).status_code == 201
    wait_until(lambda: "edge_offline" in city_panel(topology)["edge"]["alerts"], EDGE_SILENT_AFTER + 10, "edge_offline")
    assert time.monotonic() - cut_at >= EDGE_SILENT_AFTER - 0.5
    admin = topology.city.get("/admin/devices", token=topology.city.login())
    listed = next(d for d in admin.json()["devices"] if d["kind"] == "edge")
    assert listed["alerts"] == ["edge_offline"] and listed["last_seen"] == city_panel(topology)["edge"]["last_seen"]

    # Back: the alert goes and nothing waits.
    topology.link.restore()
    wait_until(lambda: (e := city_panel(topology)["edge"])["alerts"] == [] and e["backlog"] == 0, 20, "edge back")
