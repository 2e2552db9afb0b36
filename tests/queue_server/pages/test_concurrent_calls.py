"""Many clerks press call-next at once: no ticket is called twice, none is lost."""
from __future__ import annotations

import threading
from collections import Counter as Tally

import requests

from tests.conftest import Centre

COUNTERS = (1, 2, 3, 4, 5)
CLERKS_PER_COUNTER = 2  # two people pressing at the same window too
TICKETS = 60


def test_simultaneous_call_next_never_gives_a_ticket_twice(centre: Centre) -> None:
    issued = {centre.issue(("A101", "A102", "A103")[i % 3])["ticket"]["id"] for i in range(TICKETS)}
    for number in COUNTERS:
        assert centre.counter(number, "open").status_code == 200
    token = centre.login()
    called: list[tuple[int, str]] = []
    statuses: Tally[int] = Tally()
    lock = threading.Lock()
    barrier = threading.Barrier(len(COUNTERS) * CLERKS_PER_COUNTER)

    def clerk(number: int) -> None:
        session = centre.session(token)
        base = centre.api(f"/sites/city-hall/counters/{number}")
        barrier.wait()
        empty = 0
        while empty < 3:
            response = session.post(f"{base}/call-next", json={}, timeout=10)
            with lock:
                statuses[response.status_code] += 1
            if response.status_code == 204:
                empty += 1
                continue
            if response.status_code == 409:  # the other clerk of this window was quicker
                continue
            assert response.status_code == 200, response.text
            ticket = response.json()["ticket"]
            with lock:
                called.append((number, ticket["id"]))
            done = session.post(f"{base}/finish", json={"outcome": "completed"}, timeout=10)
            assert done.status_code in (200, 409), done.text

    threads = [threading.Thread(target=clerk, args=(n,)) for n in COUNTERS for _ in range(CLERKS_PER_COUNTER)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    ids = [ticket for _, ticket in called]
    assert len(ids) == len(set(ids)), "a ticket was called twice"
    assert set(ids) == issued, "a ticket was lost"
    assert len({n for n, _ in called}) == len(COUNTERS)  # every window took part
    assert statuses[500] == 0
    events = requests.get(centre.api("/sites/city-hall/events?since=0&limit=5000"), headers={"Authorization": f"Bearer {token}"}, timeout=10).json()["events"]
    calls = [e["ticket"]["id"] for e in events if e["type"] == "ticket.called"]
    assert sorted(calls) == sorted(ids)
    seqs = [e["seq"] for e in events]
    assert seqs == list(range(1, len(seqs) + 1))
