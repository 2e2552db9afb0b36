"""The centre as a separate process: killed with SIGKILL and started again on the same file."""
from __future__ import annotations

import concurrent.futures
import sqlite3
import threading

import requests

from tests.conftest import CentreProcess, Screen


def test_acknowledged_tickets_survive_kill_9(centre_process: CentreProcess) -> None:
    centre = centre_process
    acknowledged: list[tuple[str, dict]] = []  # (request id, ticket)
    in_flight: list[str] = []
    lock = threading.Lock()
    stop = threading.Event()

    def kiosk(k: int) -> None:
        session = requests.Session()
        session.headers["Authorization"] = f"Bearer {centre.kiosk_token}"
        i = 0
        while not stop.is_set():
            request_id = f"k{k}-{i}"
            try:
                response = session.post(
                    centre.api("/sites/city-hall/tickets"),
                    json={"service": "A101", "request_id": request_id},
                    timeout=2,
                )
            except requests.RequestException:
                with lock:
                    in_flight.append(request_id)
                return
            if response.status_code in (200, 201):
                with lock:
                    acknowledged.append((request_id, response.json()["ticket"]))
            i += 1

    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        futures = [pool.submit(kiosk, k) for k in range(4)]
        while len(acknowledged) < 80:
            threading.Event().wait(0.01)
        centre.kill()
        stop.set()
        for future in futures:
            future.result()

    with sqlite3.connect(centre.db_path) as conn:
        stored = {row[0]: row[1] for row in conn.execute("SELECT id, number FROM tickets")}
        numbers = [row[0] for row in conn.execute("SELECT number FROM tickets WHERE service = 'A101'")]
        logged = {row[0] for row in conn.execute("SELECT ticket_id FROM events WHERE type = 'ticket.issued'")}
    assert all(stored.get(t["id"]) == t["number"] for _, t in acknowledged)
    assert len(numbers) == len(set(numbers))
    assert {t["id"] for _, t in acknowledged} <= logged

    centre.start()
    # Retrying an acknowledged request gives the same ticket.
    request_id, ticket = acknowledged[0]
    retried = centre.post("/sites/city-hall/tickets", {"service": "A101", "request_id": request_id}, token=centre.kiosk_token)
    assert retried.status_code == 200 and retried.json()["ticket"]["id"] == ticket["id"]
    # A request cut off by the kill either committed (200, same ticket) or never did (201, new number).
    for request_id in in_flight:
        response = centre.post("/sites/city-hall/tickets", {"service": "A101", "request_id": request_id}, token=centre.kiosk_token)
        assert response.status_code in (200, 201)
        again = centre.post("/sites/city-hall/tickets", {"service": "A101", "request_id": request_id}, token=centre.kiosk_token)
        assert again.status_code == 200 and again.json()["ticket"]["id"] == response.json()["ticket"]["id"]
    fresh = centre.post("/sites/city-hall/tickets", {"service": "A101", "request_id": "after-restart"}, token=centre.kiosk_token)
    assert fresh.status_code == 201
    assert fresh.json()["ticket"]["number"] not in numbers


def test_display_catches_up_after_restart(centre_process: CentreProcess) -> None:
    centre = centre_process
    # Rejoins with the last seq it saw after every (re)connect (tests.conftest.Screen).
    screen = Screen(centre.url, centre.display_token)
    try:
        centre.issue("A101")
        centre.counter(1, "open")
        centre.kill()
        centre.start()
        centre.counter(1, "call-next")
        centre.issue("B201")
        deadline = threading.Event()
        for _ in range(100):
            if len(screen.events) >= 4:
                break
            deadline.wait(0.1)
    finally:
        screen.close()
    seen = screen.events
    fresh = centre.get("/sites/city-hall/events?since=0", token=centre.display_token).json()["events"]
    assert [e["seq"] for e in seen] == [e["seq"] for e in fresh]
    assert [e["type"] for e in seen] == ["ticket.issued", "counter.opened", "ticket.called", "ticket.issued"]
