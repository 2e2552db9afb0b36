"""The production setup of docs/deployment.md: gunicorn, one worker, threads.

Started as documented (settings from the environment), it serves the API and the
Socket.IO WebSocket, and its Server header names no version.
"""

from __future__ import annotations

import os
import queue
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
import socketio

from queue_server import wire
from tests.conftest import ROOT, Centre, copy_demo, free_port, wait_for_http


@pytest.fixture
def gunicorn_centre(tmp_path: Path, db_path: Path, demo_template: tuple[Path, str, str]) -> Iterator[Centre]:
    kiosk, display = copy_demo(demo_template, db_path)
    port = free_port()
    env = dict(os.environ, HALLQUEUE_DB=str(db_path), HALLQUEUE_IGNORE_HOURS="1", HALLQUEUE_LOG_LEVEL="WARNING")
    log = open(tmp_path / "gunicorn.log", "wb")  # noqa: SIM115  (closed below)
    process = subprocess.Popen(
        [
            sys.executable, "-m", "gunicorn", "-w", "1", "--threads", "16", "--worker-connections", "100",
            "--graceful-timeout", "5", "--keep-alive", "30", "-b", f"127.0.0.1:{port}", "queue_server.wsgi:app",
        ],  # fmt: skip
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
    )
    try:
        centre = Centre(f"http://127.0.0.1:{port}", db_path)
        centre.kiosk_token, centre.display_token = kiosk, display
        wait_for_http(centre.api("/health"), timeout=20)
        yield centre
    finally:
        process.terminate()
        process.wait(15)
        log.close()


def test_gunicorn_serves_the_api_and_websockets(gunicorn_centre: Centre) -> None:
    centre = gunicorn_centre
    heard: queue.Queue[dict[str, Any]] = queue.Queue()
    client = socketio.Client(reconnection=False)
    for name in wire.EVENT_TYPES:
        client.on(name, heard.put)
    client.connect(centre.url, auth={"token": centre.display_token}, transports=["websocket"], wait_timeout=5)
    try:
        assert client.transport() == "websocket"
        assert client.call(wire.JOIN, {"site": "city-hall"}, timeout=5)["ok"] is True
        issued = centre.issue("A101")["ticket"]
        event = heard.get(timeout=5)
        assert event["type"] == "ticket.issued" and event["ticket"]["id"] == issued["id"]
    finally:
        client.disconnect()
    response = requests.get(centre.api("/health"), timeout=5)
    assert not re.search(r"\d", response.headers.get("Server", ""))
    assert response.headers["X-Content-Type-Options"] == "nosniff"
