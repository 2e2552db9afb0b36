"""`make demo` runs the whole system: centre, kiosk, signs; and stops cleanly."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

import requests

from tests.conftest import ROOT, free_port


def test_demo_starts_everything_and_stops(tmp_path: Path) -> None:
    port, kiosk_port, edge_port = free_port(), free_port(), free_port()
    env = dict(
        os.environ,
        HALLQUEUE_DEMO_DIR=str(tmp_path),
        HALLQUEUE_DEMO_PORT=str(port),
        HALLQUEUE_DEMO_KIOSK_PORT=str(kiosk_port),
        HALLQUEUE_DEMO_EDGE_PORT=str(edge_port),
        HALLQUEUE_DEMO_HISTORY_DAYS="2",
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "queue_server.tools.demo_run"], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    output = []
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            line = process.stdout.readline()  # type: ignore[union-attr]
            output.append(line)
            if "Press Ctrl+C" in line or not line:
                break
        text = "".join(output)
        assert "Press Ctrl+C" in text, text
        assert f"http://127.0.0.1:{port}/ " in text  # the start page
        assert f"http://127.0.0.1:{port}/console" in text and f"http://127.0.0.1:{kiosk_port}/" in text
        assert "clerk    / Demo-Desk-3" in text
        assert f"http://127.0.0.1:{port}/book/city-hall" in text  # the citizens' booking page
        sites = requests.get(f"http://127.0.0.1:{port}/api/v1/sites", timeout=5).json()["sites"]
        assert len(sites) == 5
        assert "窗口叫号台" in requests.get(f"http://127.0.0.1:{port}/", timeout=5).text
        assert requests.get(f"http://127.0.0.1:{kiosk_port}/", timeout=5).status_code == 200
        token = requests.post(
            f"http://127.0.0.1:{port}/api/v1/auth/login", json={"username": "manager", "password": "Demo-Hall-2"}, timeout=5
        ).json()["token"]
        summary = requests.get(
            f"http://127.0.0.1:{port}/api/v1/reports/summary",
            params={"from": str(date.today() - timedelta(days=10)), "to": str(date.today())},
            headers={"Authorization": f"Bearer {token}"},
            timeout=10,
        ).json()
        assert dict((r[0], r[1]) for r in summary["rows"])["issued"] > 0  # the simulated history
        plans = requests.get(
            f"http://127.0.0.1:{port}/api/v1/sites/city-hall/slot-plans", headers={"Authorization": f"Bearer {token}"}, timeout=5
        ).json()["plans"]
        assert {(p["item_kind"], p["item_code"]) for p in plans} >= {("service", "A101"), ("bundle", "Y04")}
        assert requests.get(f"http://127.0.0.1:{port}/api/v1/sites/station-cbd", timeout=5).json()["site"]["settings"]["remote_tickets"] is True
        # The village station runs its own edge centre: it serves its site, the city does not.
        edge = f"http://127.0.0.1:{edge_port}"
        assert f"{edge}/" in text
        deadline = time.monotonic() + 30
        while not requests.get(f"{edge}/api/v1/health", timeout=5).json()["edge"]["serving"]:
            assert time.monotonic() < deadline, "the village's edge centre never served"
            time.sleep(0.2)
        issued = requests.post(
            f"http://127.0.0.1:{port}/api/v1/sites/village-jinqiu/tickets", json={"service": "C301"},
            headers={"Authorization": f"Bearer {token}"}, timeout=5,
        )  # fmt: skip
        assert issued.status_code == 409 and issued.json()["error"] == "site_owned_by_edge"
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(20)
    assert process.returncode == 0
