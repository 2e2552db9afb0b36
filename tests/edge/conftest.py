"""A city centre and a village station's edge centre, as real processes, the WAN between
them a `Link` the test can cut, slow and make flap."""

from __future__ import annotations

import re
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

from tests.conftest import ROOT, CentreProcess, copy_demo, free_port
from tests.edge.link import Link

VILLAGE = "village-jinqiu"
SILENT_QUICKLY = {"HALLQUEUE_EDGE_SILENT_SECONDS": "2"}
TOWN_MANAGER = ("town", "Demo-Gutang-4")  # covers the township and its villages


def hallqueue(*args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "queue_server", *args], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr + done.stdout
    return done.stdout


def enrol(db: Path, kind: str, site: str = VILLAGE) -> tuple[str, str]:
    """`hallqueue device add` on the city's database: (device id, token)."""
    out = hallqueue("device", "add", "--kind", kind, "--site", site, "--name", f"test {kind}", "--db", str(db))
    device = re.search(r"device (\S+)", out)
    assert device is not None, out
    return device.group(1), out.strip().splitlines()[-1]


def wait_until(check: Callable[[], object], timeout: float = 30.0, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            if check():
                return
        except requests.RequestException:
            pass
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {timeout} s: {what or check}")
        time.sleep(0.1)


@dataclass
class Topology:
    city: CentreProcess
    station: CentreProcess
    link: Link
    edge_id: str
    kiosk_token: str  # the village kiosk's, enrolled at the city

    def hand_over(self) -> None:
        hallqueue("site", "hand-over", VILLAGE, "--to", self.edge_id, "--db", str(self.city.db_path))
        # The station serves the site once an exchange has told it so.
        wait_until(lambda: self.station_serves(), 20, "the station serves the village")

    def station_serves(self) -> bool:
        health = requests.get(self.station.api("/health"), timeout=2).json()
        return bool(health.get("edge", {}).get("serving"))

    def issue(self, centre: CentreProcess, service: str = "C301") -> requests.Response:
        return requests.post(
            centre.api(f"/sites/{VILLAGE}/tickets"),
            json={"service": service},
            headers={"Authorization": f"Bearer {self.kiosk_token}"},
            timeout=10,
        )

    def city_has(self, count: int) -> bool:
        events = self.city.get(f"/sites/{VILLAGE}/events?since=0&limit=5000", token=self.city.login())
        return events.status_code == 200 and len(events.json()["events"]) >= count


def make_topology(tmp_path: Path, demo_template: tuple[Path, str, str], clock_ahead: int = 0) -> Topology:
    city_db = tmp_path / "city" / "hallqueue.db"
    city_db.parent.mkdir()
    copy_demo(demo_template, city_db)
    edge_id, edge_token = enrol(city_db, "edge")
    _, kiosk_token = enrol(city_db, "kiosk")
    # Managers' pages call a station offline after 2 s without an exchange (30 s in a hall).
    city = CentreProcess(city_db, free_port(), tmp_path / "city.log", env=SILENT_QUICKLY)
    city.start()
    link = Link(city.port)
    station_db = tmp_path / "station" / "hallqueue.db"
    station_db.parent.mkdir()
    # A station box whose clock is off: the whole process runs under libfaketime.
    skewed = ("faketime", "-f", f"{clock_ahead:+d}s") if clock_ahead else ()
    station = CentreProcess(
        station_db,
        free_port(),
        tmp_path / "station.log",
        args=("--edge-of", link.url, "--token", edge_token),
        env={"HALLQUEUE_EDGE_SYNC_SECONDS": "0.3", "FAKETIME_DONT_FAKE_MONOTONIC": "1", **SILENT_QUICKLY},
        prefix=skewed,
    )
    station.start()
    return Topology(city, station, link, edge_id, kiosk_token)


def stop(topology: Topology) -> None:
    topology.station.stop()
    topology.link.close()
    topology.city.stop()


@pytest.fixture
def topology(tmp_path: Path, demo_template: tuple[Path, str, str]) -> Iterator[Topology]:
    made = make_topology(tmp_path, demo_template)
    yield made
    stop(made)
