"""kill -9 under a bounded load of issues and calls, restart on the same file.

Three kiosks issue tickets (each with its own request ids), two clerks call and
finish at two windows, and two hall displays follow the site over Socket.IO,
rejoining with the last seq they saw after every reconnect (`tests.conftest.Screen`:
each join's backlog and the live events put in order as the real screens do). The
centre is killed with SIGKILL in the middle and started again on the same database
file. Then:

- every ticket whose issue was acknowledged is stored with the number it was given;
- no number is given twice;
- every acknowledged call and finish has its event in the log;
- each display, once caught up, holds exactly the log a fresh client reads (same
  seqs, same types, same tickets, in order), so it shows the same state.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from typing import Any

import requests

from queue_server import wire
from tests.conftest import CentreProcess, Screen

SITE = "city-hall"
ISSUES_BEFORE_KILL = 60
CALLS_BEFORE_KILL = 8


def summary(events: list[dict[str, Any]]) -> list[tuple[int, str, str | None]]:
    return [(e["seq"], e["type"], (e.get("ticket") or {}).get("id")) for e in events]


def test_kill_9_under_issues_and_calls(centre_process: CentreProcess) -> None:
    centre = centre_process
    clerk_tokens = {1: centre.login(), 2: centre.login(("clerk", "Demo-Desk-3"))}
    issued: list[tuple[str, dict[str, Any]]] = []  # (request id, ticket) acknowledged
    cut_off: list[dict[str, str]] = []  # requests whose answer never came
    acted: list[tuple[str, str, int]] = []  # (event type, ticket id, counter) acknowledged
    lock = threading.Lock()
    stop = threading.Event()

    def kiosk(k: int) -> None:
        session = requests.Session()
        session.headers["Authorization"] = f"Bearer {centre.kiosk_token}"
        i = 0
        while not stop.is_set():
            body = {"service": ("A101", "A102", "B201")[k % 3], "request_id": f"crash-k{k}-{i}"}
            try:
                response = session.post(centre.api(f"/sites/{SITE}/tickets"), json=body, timeout=2)
            except requests.RequestException:
                with lock:
                    cut_off.append(body)
                return
            if response.status_code in (200, 201):
                with lock:
                    issued.append((body["request_id"], response.json()["ticket"]))
            i += 1
            time.sleep(0.01)

    def clerk(counter: int) -> None:
        session = requests.Session()
        session.headers["Authorization"] = f"Bearer {clerk_tokens[counter]}"
        base = centre.api(f"/sites/{SITE}/counters/{counter}")
        try:
            session.post(f"{base}/open", json={}, timeout=2)
            while not stop.is_set():
                called = session.post(f"{base}/call-next", json={}, timeout=2)
                if called.status_code != 200:
                    time.sleep(0.05)
                    continue
                ticket = called.json()["ticket"]["id"]
                with lock:
                    acted.append((wire.TICKET_CALLED, ticket, counter))
                finished = session.post(f"{base}/finish", json={"outcome": "completed"}, timeout=2)
                if finished.status_code == 200:
                    with lock:
                        acted.append((wire.TICKET_FINISHED, ticket, counter))
        except requests.RequestException:
            return

    displays = [Screen(centre.url, centre.display_token, SITE) for _ in range(2)]
    workers = [threading.Thread(target=kiosk, args=(k,)) for k in range(3)]
    workers += [threading.Thread(target=clerk, args=(n,)) for n in (1, 2)]
    try:
        for worker in workers:
            worker.start()
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with lock:
                calls = sum(1 for a in acted if a[0] == wire.TICKET_CALLED)
                if len(issued) >= ISSUES_BEFORE_KILL and calls >= CALLS_BEFORE_KILL:
                    break
            time.sleep(0.01)
        centre.kill()
        stop.set()
        for worker in workers:
            worker.join(10)
        assert len(issued) >= ISSUES_BEFORE_KILL and calls >= CALLS_BEFORE_KILL

        # What the file holds after the kill, before anything else touches it.
        with sqlite3.connect(centre.db_path) as conn:
            stored = {row[0]: row[1] for row in conn.execute("SELECT id, number FROM tickets WHERE site_id = ?", (SITE,))}
            numbers = [row[0] for row in conn.execute("SELECT day || number FROM tickets WHERE site_id = ?", (SITE,))]
            logged = {
                (row[0], row[1], row[2])
                for row in conn.execute("SELECT type, ticket_id, counter FROM events WHERE site_id = ?", (SITE,))
            }
            seqs = [row[0] for row in conn.execute("SELECT seq FROM events WHERE site_id = ? ORDER BY seq", (SITE,))]
        lost = [t["number"] for _, t in issued if stored.get(t["id"]) != t["number"]]
        assert not lost, f"acknowledged tickets missing after kill -9: {lost}"
        assert len(numbers) == len(set(numbers)), "a number was given twice"
        missing = [a for a in acted if a not in logged]
        assert not missing, f"acknowledged calls without their event: {missing}"
        assert seqs == list(range(1, len(seqs) + 1)), "the event log has a gap"

        centre.start()
        # Requests cut off by the kill are retried with their ids: at most one ticket each.
        for body in cut_off:
            first = centre.post(f"/sites/{SITE}/tickets", body, token=centre.kiosk_token)
            again = centre.post(f"/sites/{SITE}/tickets", body, token=centre.kiosk_token)
            assert first.status_code in (200, 201) and again.status_code == 200
            assert again.json()["ticket"]["id"] == first.json()["ticket"]["id"]
        # Life goes on after the restart: a new ticket and a call.
        after = centre.issue("A101")["ticket"]
        assert after["id"] not in stored
        assert centre.counter(1, "call-next").status_code in (200, 204, 409)

        fresh = centre.get(f"/sites/{SITE}/events?since=0&limit=5000", token=centre.display_token).json()["events"]
        for display in displays:
            display.wait_for(fresh[-1]["seq"], timeout=15)
        for display in displays:
            assert summary(display.events) == summary(fresh)
        # And a client joining from scratch now reads the same log over Socket.IO.
        newcomer = Screen(centre.url, centre.display_token, SITE)
        newcomer.wait_for(fresh[-1]["seq"])
        newcomer.close()
        assert summary(newcomer.events) == summary(fresh)
    finally:
        stop.set()
        for display in displays:
            display.close()
