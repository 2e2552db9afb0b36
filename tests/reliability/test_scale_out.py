"""Two centre processes on one database share pushes through a real Redis.

`hallqueue serve --message-queue redis://127.0.0.1:PORT` twice, on the same SQLite
file, with a redis-server of their own on a loopback port. An event made through one
process reaches a Socket.IO client of the other, in both directions, with the seq
both processes agree on. Without redis-server installed the test skips (and under
CI=true a skip fails the run: .ci/run installs it).
"""

from __future__ import annotations

import itertools
import queue
import random
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import socketio

from queue_server import wire
from tests.conftest import CentreProcess, Screen, copy_demo, free_port

SITE = "city-hall"


class QueuedCentre(CentreProcess):
    """`hallqueue serve` with `--message-queue`."""

    def __init__(self, db_path: Path, port: int, log_path: Path, message_queue: str) -> None:
        super().__init__(db_path, port, log_path, args=("--message-queue", message_queue))
        self.message_queue = message_queue


@pytest.fixture
def two_centres(
    redis_url: str, tmp_path: Path, db_path: Path, demo_template: tuple[Path, str, str]
) -> Iterator[tuple[QueuedCentre, QueuedCentre]]:
    kiosk, display = copy_demo(demo_template, db_path)
    started = []
    try:
        for name in ("a", "b"):
            centre = QueuedCentre(db_path, free_port(), tmp_path / f"centre-{name}.log", redis_url)
            centre.kiosk_token, centre.display_token = kiosk, display
            centre.start()
            started.append(centre)
        yield started[0], started[1]
    finally:
        for centre in started:
            centre.stop()


def listener(centre: CentreProcess) -> tuple[socketio.Client, queue.Queue[dict[str, Any]]]:
    heard: queue.Queue[dict[str, Any]] = queue.Queue()
    client = socketio.Client(reconnection=False)
    for name in wire.EVENT_TYPES:
        client.on(name, heard.put)
    client.connect(centre.url, auth={"token": centre.display_token}, transports=["websocket"], wait_timeout=5)
    assert client.call(wire.JOIN, {"site": SITE}, timeout=5)["ok"] is True
    return client, heard


Listening = list[tuple[socketio.Client, queue.Queue[dict[str, Any]]]]


@pytest.fixture
def listening(two_centres: tuple[QueuedCentre, QueuedCentre]) -> Iterator[Listening]:
    """A hall screen on each process, disconnected after the test."""
    screens = [listener(centre) for centre in two_centres]
    yield screens
    for client, _ in screens:
        client.disconnect()


def test_an_event_made_in_one_process_reaches_clients_of_the_other(
    two_centres: tuple[QueuedCentre, QueuedCentre], listening: Listening
) -> None:
    a, b = two_centres
    (_, heard_a), (_, heard_b) = listening
    made_on_a = a.issue("A101")["ticket"]
    event = heard_b.get(timeout=5)
    assert (event["type"], event["ticket"]["id"]) == ("ticket.issued", made_on_a["id"])
    assert heard_a.get(timeout=5)["seq"] == event["seq"]  # and once to A's own client

    b.counter(1, "open")
    b.counter(1, "call-next")
    opened, called = heard_a.get(timeout=5), heard_a.get(timeout=5)
    assert (opened["type"], called["type"]) == ("counter.opened", "ticket.called")
    assert called["ticket"]["id"] == made_on_a["id"] and called["seq"] == event["seq"] + 2
    assert [heard_b.get(timeout=5)["seq"] for _ in range(2)] == [opened["seq"], called["seq"]]
    # Nothing is heard twice.
    time.sleep(0.3)
    assert heard_a.empty() and heard_b.empty()


def test_both_processes_number_tickets_from_one_sequence(
    two_centres: tuple[QueuedCentre, QueuedCentre],
) -> None:
    a, b = two_centres
    numbers = [centre.issue("A101")["ticket"]["number"] for centre in (a, b, a, b, a, b)]
    assert len(set(numbers)) == 6 and numbers == sorted(numbers)


def test_each_screen_hears_one_heartbeat_not_one_per_process(listening: Listening) -> None:
    # Each process vouches for its own sockets: through the queue a screen would hear both.
    beats: list[list[float]] = [[] for _ in listening]
    for (client, _), heard in zip(listening, beats, strict=True):
        client.on(wire.HEARTBEAT, lambda _data, heard=heard: heard.append(time.monotonic()))
    time.sleep(5.2)  # two or three beats of PING_SECONDS (2)
    for heard in beats:
        assert 2 <= len(heard) <= 3, beats
        assert all(1.5 < later - earlier for earlier, later in itertools.pairwise(heard)), beats


def test_a_screen_catching_up_through_either_process_sees_every_event_once_in_order(
    two_centres: tuple[QueuedCentre, QueuedCentre],
) -> None:
    """Catch-up holds no lock: events made through the other process reach a joining screen
    through Redis at any moment, before or after the pages they follow; the screen's
    ordering (wire.CatchUp) must leave no gap and no repeat, however the rounds fall."""
    a, b = two_centres
    start = a.get(f"/sites/{SITE}").json()["last_seq"]
    stop = threading.Event()

    def kiosk_on_both() -> None:
        for i in itertools.count():
            if stop.is_set():
                return
            (a, b)[i % 2].issue("A101", request_id=f"both-{i}")

    rng = random.Random(7)
    screen = Screen(a.url, a.display_token, SITE, since=start)
    worker = threading.Thread(target=kiosk_on_both)
    worker.start()
    try:
        for round_ in range(12):  # rejoin through the other process each time
            time.sleep(rng.uniform(0.0, 0.3))
            screen.reconnect((b, a)[round_ % 2].url, away=rng.uniform(0.0, 0.15))
    finally:
        stop.set()
        worker.join()
    last = a.get(f"/sites/{SITE}").json()["last_seq"]
    assert screen.wait_for(last), (screen.seqs[-3:], last)
    screen.close()
    logged = a.get(f"/sites/{SITE}/events?since={start}&limit=5000", token=a.display_token).json()["events"]
    assert screen.seqs == list(range(start + 1, last + 1)) == [e["seq"] for e in logged]
    assert [e["id"] for e in screen.events] == [e["id"] for e in logged]
    assert sum(ack.get("replayed", 0) for ack in screen.acks) > 0
