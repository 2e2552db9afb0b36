"""The API's server of docs/deployment.md where issuing is busy: granian's WSGI interface.

Started as documented (settings from the environment, behind one trusted proxy), it issues
tickets idempotently, keeps a client's connection open between requests, takes the
client's address from X-Forwarded-For, and its events reach a socket held by another
process through the message queue (as they reach the gunicorn process that holds the
screens' sockets in production).
"""

from __future__ import annotations

import http.client
import json
import os
import queue
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.conftest import ROOT, Centre, copy_demo, free_port, wait_for_http


def start_granian(db_path: Path, log: Path, port: int, **settings: str) -> subprocess.Popen[bytes]:
    env = dict(
        os.environ,
        HALLQUEUE_DB=str(db_path),
        HALLQUEUE_IGNORE_HOURS="1",
        HALLQUEUE_LOG_LEVEL="WARNING",
        HALLQUEUE_TRUSTED_PROXIES="1",
        **settings,
    )
    return subprocess.Popen(
        [
            sys.executable, "-m", "granian", "--interface", "wsgi", "--workers", "1",
            "--blocking-threads", "8", "--no-ws", "--http", "1", "--host", "127.0.0.1",
            "--port", str(port), "queue_server.wsgi:app",
        ],  # fmt: skip
        cwd=ROOT,
        env=env,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
    )


@pytest.fixture
def granian_centre(tmp_path: Path, db_path: Path, demo_template: tuple[Path, str, str]) -> Iterator[Centre]:
    kiosk, display = copy_demo(demo_template, db_path)
    port = free_port()
    process = start_granian(db_path, tmp_path / "granian.log", port)
    try:
        centre = Centre(f"http://127.0.0.1:{port}", db_path)
        centre.kiosk_token, centre.display_token = kiosk, display
        wait_for_http(centre.api("/health"), timeout=30)
        yield centre
    finally:
        process.terminate()
        process.wait(15)


def test_granian_issues_on_one_kept_connection(granian_centre: Centre) -> None:
    centre = granian_centre
    conn = http.client.HTTPConnection("127.0.0.1", int(centre.url.rsplit(":", 1)[1]), timeout=10)
    headers = {"Authorization": f"Bearer {centre.kiosk_token}", "Content-Type": "application/json"}
    answers = []
    sockets = set()
    for request_id in ("a", "b", "a"):  # the same request id again: the same ticket, 200
        body = json.dumps({"service": "A101", "request_id": request_id})
        conn.request("POST", "/api/v1/sites/city-hall/tickets", body=body, headers=headers)
        sockets.add(id(conn.sock))
        response = conn.getresponse()
        answers.append((response.status, json.loads(response.read())["ticket"]["number"]))
        assert not response.will_close
    conn.close()
    assert answers == [(201, "A001"), (201, "A002"), (200, "A001")]
    assert len(sockets) == 1  # keep-alive: one connection for the three
    response = requests.get(centre.api("/health"), timeout=5)
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert not re.search(r"\d", response.headers.get("Server", ""))  # no version named


def test_granian_takes_the_client_address_from_the_trusted_proxy(granian_centre: Centre) -> None:
    centre = granian_centre
    login = requests.post(
        centre.api("/auth/login"),
        json={"username": "admin", "password": "Demo-City-1"},
        headers={"X-Forwarded-For": "203.0.113.9"},
        timeout=10,
    )
    assert login.status_code == 200
    logged = requests.get(
        centre.api("/admin/audit"),
        params={"address": "203.0.113.9"},
        headers={"Authorization": f"Bearer {login.json()['token']}"},
        timeout=10,
    ).json()
    assert logged["entries"] and all(e["address"] == "203.0.113.9" for e in logged["entries"])


@pytest.mark.skipif(shutil.which("redis-server") is None, reason="needs redis-server")
def test_an_issue_on_granian_reaches_a_screen_on_the_sockets_process(
    tmp_path: Path, db_path: Path, demo_template: tuple[Path, str, str]
) -> None:
    """The API on granian, the screens' sockets on gunicorn, one database and one Redis."""
    import socketio

    from queue_server import wire

    kiosk, display = copy_demo(demo_template, db_path)
    redis_port, api_port, sockets_port = free_port(), free_port(), free_port()
    redis = subprocess.Popen(
        ["redis-server", "--port", str(redis_port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    queue_url = f"redis://127.0.0.1:{redis_port}/0"
    env = dict(os.environ, HALLQUEUE_DB=str(db_path), HALLQUEUE_IGNORE_HOURS="1", HALLQUEUE_MESSAGE_QUEUE=queue_url)
    sockets = subprocess.Popen(
        [
            sys.executable, "-m", "gunicorn", "-w", "1", "--threads", "16", "--graceful-timeout", "5",
            "-b", f"127.0.0.1:{sockets_port}", "queue_server.wsgi:app",
        ],  # fmt: skip
        cwd=ROOT,
        env=env,
        stdout=(tmp_path / "gunicorn.log").open("wb"),
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
    )
    api = start_granian(db_path, tmp_path / "granian.log", api_port, HALLQUEUE_MESSAGE_QUEUE=queue_url)
    client = socketio.Client(reconnection=False)
    heard: queue.Queue[dict[str, Any]] = queue.Queue()
    client.on(wire.TICKET_ISSUED, heard.put)
    try:
        wait_for_http(f"http://127.0.0.1:{sockets_port}/api/v1/health", timeout=30)
        wait_for_http(f"http://127.0.0.1:{api_port}/api/v1/health", timeout=30)
        client.connect(f"http://127.0.0.1:{sockets_port}", auth={"token": display}, transports=["websocket"], wait_timeout=5)
        assert client.call(wire.JOIN, {"site": "city-hall"}, timeout=5)["ok"] is True
        issued = requests.post(
            f"http://127.0.0.1:{api_port}/api/v1/sites/city-hall/tickets",
            json={"service": "A101", "request_id": "via-granian"},
            headers={"Authorization": f"Bearer {kiosk}"},
            timeout=10,
        ).json()["ticket"]
        event = heard.get(timeout=10)
        assert event["ticket"]["id"] == issued["id"]
    finally:
        client.disconnect()
        for process in (api, sockets, redis):
            process.terminate()
            process.wait(15)
