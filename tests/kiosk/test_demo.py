"""`make demo`'s kiosk: simulators and agent in threads, controllable like the real ones."""

from __future__ import annotations

import json
from pathlib import Path

import requests

from devices.sim.control import ControlClient
from kiosk.demo_kiosk import start_demo_kiosk
from tests.conftest import Centre, free_port
from tests.kiosk.conftest import KIOSK_PAGE, wait_until


def test_demo_kiosk_issues_and_prints(centre: Centre, tmp_path: Path) -> None:
    url, stop = start_demo_kiosk(centre.url, centre.kiosk_token, str(tmp_path), port=free_port())
    try:
        assert requests.get(url, timeout=5).status_code == 200
        assert wait_until(lambda: requests.get(url + "api/state").json()["blocked"] is None, 10)
        where = json.loads((tmp_path / "simulators.json").read_text())
        ControlClient(where["id_reader"]["control"]).call("place", card="resident")
        assert wait_until(lambda: requests.get(url + "api/state").json()["card"], 5)
        view = requests.post(url + "api/tickets", json={"kind": "service", "code": "A101"}, headers=KIOSK_PAGE).json()
        assert view["state"] == "printing" and view["ticket"]["person"] == "张**"
        assert wait_until(lambda: list((tmp_path / "tickets").glob("ticket-*.png")), 10)
    finally:
        stop()
