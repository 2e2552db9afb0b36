"""`hallqueue kiosk` as its own process: the command line real kiosks run."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import requests

from devices.id_card import sample_identity
from tests.conftest import ROOT, Centre, free_port, wait_for_http
from tests.kiosk.conftest import KIOSK_PAGE, wait_until


def test_kiosk_command_runs_the_agent(centre: Centre, tmp_path: Path, devices_sims: tuple) -> None:
    printer, reader = devices_sims
    port = free_port()
    log_path = tmp_path / "kiosk.log"
    env = dict(os.environ, HALLQUEUE_KIOSK_TOKEN=centre.kiosk_token, PYTHONUNBUFFERED="1")
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "queue_server", "kiosk", "--server", centre.url,
             "--site", "city-hall", "--printer-port", printer.path, "--reader-port", reader.path,
             "--port", str(port), "--spool", str(tmp_path / "spool"), "--log-level", "DEBUG"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for_http(url + "/health")
        assert wait_until(lambda: requests.get(url + "/api/state").json()["blocked"] is None, 10)
        card = sample_identity("resident")
        reader.place_card(card)
        assert wait_until(lambda: requests.get(url + "/api/state").json()["card"], 5)
        view = requests.post(url + "/api/tickets", json={"kind": "service", "code": "A102"}, headers=KIOSK_PAGE).json()
        assert view["state"] == "printing"
        assert wait_until(lambda: printer.tickets, 5)
    finally:
        process.terminate()
        process.wait(10)
    text = log_path.read_text(encoding="utf-8")
    assert f"ticket {view['ticket']['number']} issued" in text
    assert card.id_number not in text and card.name not in text
