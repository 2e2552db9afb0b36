"""The push gateway, as deployed: `hallqueue serve --message-queue` and `hallqueue gateway`
as separate processes on one SQLite file and a real redis-server; screens are python-socketio
clients of the gateway; everything a clerk or kiosk does goes to the centre over HTTP.

The gateway must keep each guarantee the centre gives its own sockets: events heard live
with the centre's seq, catch-up with `since` and no gap while tickets are issued, heartbeats
only while a centre is heard, a rejoin after the stream was lost, scopes checked on join and
re-checked while connected.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import socketio

from queue_server import wire
from queue_server.gateway.socket_server import LOST_AFTER_SECONDS
from tests.conftest import CentreProcess, GatewayProcess, Screen, copy_demo, free_port

SITE = "city-hall"


class Deployment:
    def __init__(self, centre: CentreProcess, gateway: GatewayProcess) -> None:
        self.centre = centre
        self.gateway = gateway


@pytest.fixture
def deployment(redis_url: str, tmp_path: Path, db_path: Path, demo_template: tuple[Path, str, str]) -> Iterator[Deployment]:
    kiosk, display = copy_demo(demo_template, db_path)
    centre = CentreProcess(db_path, free_port(), tmp_path / "centre.log", args=("--message-queue", redis_url))
    centre.kiosk_token, centre.display_token = kiosk, display
    gateway = GatewayProcess(db_path, free_port(), tmp_path / "gateway.log", redis_url, env={"HALLQUEUE_PING_SECONDS": "1"})
    try:
        centre.start()
        gateway.start()
        yield Deployment(centre, gateway)
    finally:
        gateway.stop()
        centre.stop()


def listen(url: str, token: str, join: dict[str, Any]) -> tuple[socketio.Client, queue.Queue[tuple[str, Any]], dict[str, Any]]:
    heard: queue.Queue[tuple[str, Any]] = queue.Queue()
    client = socketio.Client(reconnection=False)
    for name in (*wire.EVENT_TYPES, wire.HEARTBEAT, wire.CATCH_UP):
        client.on(name, lambda data, name=name: heard.put((name, data)))
    client.connect(url, auth={"token": token}, transports=["websocket"], wait_timeout=5)
    ack = client.call(wire.JOIN, join, timeout=5)
    return client, heard, ack


def next_event(heard: queue.Queue[tuple[str, Any]], timeout: float = 5.0) -> dict[str, Any]:
    """The next ticket or counter event, skipping heartbeats."""
    deadline = time.monotonic() + timeout
    while True:
        name, data = heard.get(timeout=max(0.01, deadline - time.monotonic()))
        if name in wire.EVENT_TYPES:
            return data


def test_the_centres_events_reach_the_gateways_screens_with_their_seq(deployment: Deployment) -> None:
    centre, gateway = deployment.centre, deployment.gateway
    client, heard, ack = listen(gateway.url, centre.display_token, {"site": SITE})
    window, heard_window, window_ack = listen(gateway.url, centre.display_token, {"site": SITE, "counter": 1})
    try:
        assert ack["ok"] is True and window_ack["ok"] is True
        issued = centre.issue("A101")["ticket"]
        event = next_event(heard)
        assert (event["type"], event["ticket"]["id"]) == ("ticket.issued", issued["id"])
        assert event["seq"] > ack["last_seq"]
        assert centre.counter(1, "open").status_code == 200
        called = centre.counter(1, "call-next")
        assert called.status_code == 200, called.text
        kinds = [next_event(heard)["type"], next_event(heard)["type"]]
        assert kinds == ["counter.opened", "ticket.called"]
        assert [next_event(heard_window)["type"], next_event(heard_window)["type"]] == kinds
    finally:
        client.disconnect()
        window.disconnect()


def test_a_screen_joining_with_since_catches_up_without_a_gap_while_tickets_are_issued(deployment: Deployment) -> None:
    centre, gateway = deployment.centre, deployment.gateway
    probe, _, ack = listen(gateway.url, centre.display_token, {"site": SITE})
    probe.disconnect()
    since = ack["last_seq"]
    for _ in range(5):
        centre.issue("A101")  # the backlog the screens will be sent in pages
    issuing = threading.Event()

    def issue_meanwhile() -> None:
        while not issuing.is_set():
            centre.issue("B201")

    worker = threading.Thread(target=issue_meanwhile)
    worker.start()
    try:
        screens = [Screen(gateway.url, centre.display_token, since=since) for _ in range(3)]
        time.sleep(1.0)
    finally:
        issuing.set()
        worker.join(10)
    try:
        newest = centre.issue("A101")
        del newest
        for screen in screens:
            assert screen.acks and screen.acks[0]["ok"] is True, screen.acks
            assert screen.acks[0]["replayed"] >= 5  # the backlog came through the gateway
            assert screen.wait_for(since + 1) and screen.seqs[0] == since + 1
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and len({max(s.seqs) for s in screens}) > 1:
            time.sleep(0.05)
        for screen in screens:
            seqs = screen.seqs
            assert seqs == list(range(since + 1, seqs[-1] + 1)), "a seq missing, twice or out of order"
        assert len({max(s.seqs) for s in screens}) == 1
    finally:
        for screen in screens:
            screen.close()


def test_a_site_outside_the_token_and_a_bad_token_are_refused(deployment: Deployment) -> None:
    centre, gateway = deployment.centre, deployment.gateway
    client, _, ack = listen(gateway.url, centre.display_token, {"site": "station-cbd"})
    try:
        assert ack == {"ok": False, "error": "forbidden"}
        assert client.call(wire.JOIN, {"site": SITE, "since": -1}, timeout=5)["error"] == "invalid_input"
        assert client.call(wire.JOIN, {"site": SITE, "counter": True}, timeout=5)["error"] == "invalid_input"
    finally:
        client.disconnect()
    stranger = socketio.Client(reconnection=False)
    with pytest.raises(socketio.exceptions.ConnectionError):
        stranger.connect(gateway.url, auth={"token": "not-a-token"}, transports=["websocket"], wait_timeout=5)


def test_a_revoked_token_is_disconnected_by_the_gateway(deployment: Deployment) -> None:
    from queue_server.accounts.credentials import PRINCIPAL_CACHE_SECONDS
    from queue_server.calling.push import REVALIDATE_SECONDS

    centre, gateway = deployment.centre, deployment.gateway
    admin = centre.login()
    enrolled = centre.post("/admin/devices", {"kind": "display", "site": SITE, "name": "lost"}, token=admin).json()
    client, heard, ack = listen(gateway.url, enrolled["token"], {"site": SITE})
    assert ack["ok"] is True
    centre.post(f"/admin/devices/{enrolled['device']['id']}/revoke", token=admin)
    deadline = time.monotonic() + PRINCIPAL_CACHE_SECONDS + 2 * REVALIDATE_SECONDS + 2
    while client.connected and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not client.connected, "the revoked display's socket is still open on the gateway"


def test_heartbeats_only_while_a_centre_is_heard_and_a_rejoin_after_the_stream_was_lost(deployment: Deployment) -> None:
    centre, gateway = deployment.centre, deployment.gateway
    screen = Screen(gateway.url, centre.display_token, since=None)
    beats: queue.Queue[Any] = queue.Queue()
    screen.client.on(wire.HEARTBEAT, beats.put)
    try:
        assert beats.get(timeout=3)["at"]  # PING_SECONDS is 1 here
        assert gateway.health()[0] == 200
        centre.stop()
        time.sleep(LOST_AFTER_SECONDS + 0.5)
        while not beats.empty():
            beats.get_nowait()
        time.sleep(1.5)
        assert beats.empty(), "the gateway beat to its screens with no centre behind it"
        status, health = gateway.health()
        assert status == 503 and health["status"] == "degraded"
        assert screen.client.call(wire.HEARTBEAT, {}, timeout=5) == {"ok": False}

        joins_before = len(screen.acks)
        centre.start()
        # Heard again: every socket is dropped, reconnects by itself and joins with its since.
        deadline = time.monotonic() + 15
        while len(screen.acks) == joins_before and time.monotonic() < deadline:
            time.sleep(0.1)
        assert len(screen.acks) > joins_before and screen.acks[-1]["ok"] is True
        assert beats.get(timeout=5)["at"]
        issued = centre.issue("A101")["ticket"]
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and not any(e.get("ticket") and e["ticket"]["id"] == issued["id"] for e in screen.events):
            time.sleep(0.05)
        assert any(e.get("ticket") and e["ticket"]["id"] == issued["id"] for e in screen.events)
        assert gateway.health()[0] == 200
    finally:
        screen.close()


def test_a_screen_on_long_polling_and_one_on_websocket_hear_the_same_events_in_order(deployment: Deployment) -> None:
    """The gateway writes one frame to each WebSocket whose writer is idle, and queues the
    event for any other socket (here one that never upgrades from long-polling): both ways
    keep each socket's order."""
    centre, gateway = deployment.centre, deployment.gateway
    _, before = gateway.health()
    heard: dict[str, list[int]] = {"polling": [], "websocket": []}
    clients = []
    for transport in heard:
        client = socketio.Client(reconnection=False)
        for name in wire.EVENT_TYPES:
            client.on(name, lambda data, transport=transport: heard[transport].append(data["seq"]))
        client.connect(gateway.url, auth={"token": centre.display_token}, transports=[transport], wait_timeout=5)
        assert client.call(wire.JOIN, {"site": SITE}, timeout=5)["ok"] is True
        clients.append(client)
    try:
        for _ in range(30):
            centre.issue("A101")
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and min(len(seqs) for seqs in heard.values()) < 30:
            time.sleep(0.05)
        assert len(heard["websocket"]) == 30 and heard["polling"] == heard["websocket"]
        assert heard["websocket"] == list(range(heard["websocket"][0], heard["websocket"][0] + 30))
        _, after = gateway.health()
        assert after["events_written"] - before["events_written"] >= 25  # the WebSocket's, mostly direct
        assert after["events_queued"] - before["events_queued"] >= 30  # every one of the long-polling socket's
    finally:
        for client in clients:
            client.disconnect()


@pytest.mark.parametrize("size", [0, 125, 126, 65_535, 65_536, 200_000])
def test_a_frame_for_every_socket_is_one_a_websocket_client_reads(size: int) -> None:
    """`text_frame` against a real WebSocket reader (websocket-client's own frame parser),
    on both sides of each length encoding (7 bits, 16 bits, 64 bits)."""
    from websocket._abnf import ABNF, frame_buffer

    from queue_server.gateway.frames import text_frame

    text = ("号" * (size // 3)) + ("x" * (size % 3))
    raw = text_frame(text)
    chunks = [raw]

    def recv(n: int) -> bytes:
        data = chunks[0][:n]
        chunks[0] = chunks[0][n:]
        return data

    frame = frame_buffer(recv, skip_utf8_validation=False).recv_frame()
    assert (frame.fin, frame.opcode, frame.mask_value, frame.rsv1) == (1, ABNF.OPCODE_TEXT, 0, 0)
    assert frame.data.decode() == text and len(text.encode()) == size and chunks[0] == b""


def test_a_phone_follows_its_ticket_through_the_gateway_and_hears_nothing_else(deployment: Deployment) -> None:
    centre, gateway = deployment.centre, deployment.gateway
    mine = centre.issue("A101")["ticket"]
    other = centre.issue("A101")["ticket"]
    heard: queue.Queue[dict[str, Any]] = queue.Queue()
    phone = socketio.Client(reconnection=False)
    phone.on(wire.TICKET_EVENT, heard.put)
    for name in wire.EVENT_TYPES:
        phone.on(name, lambda data, name=name: heard.put({"leaked": name}))
    phone.connect(gateway.url, auth={"ticket": mine["id"]}, transports=["websocket"], wait_timeout=5)
    try:
        ack = phone.call(wire.JOIN, {"ticket": mine["id"]}, timeout=5)
        assert ack["ok"] is True and ack["view"] == centre.get(f"/tickets/{mine['id']}").json()
        assert phone.call(wire.JOIN, {"ticket": other["id"]}, timeout=5)["error"] == "forbidden"
        assert phone.call(wire.JOIN, {"site": SITE}, timeout=5)["error"] == "forbidden"
        assert gateway.health()[1]["phones"] == 1
        assert centre.counter(1, "open").status_code == 200
        started = time.monotonic()
        assert centre.counter(1, "call-next").json()["ticket"]["id"] == mine["id"]  # the first in line
        event = heard.get(timeout=5)
        assert time.monotonic() - started < 2
        assert event["type"] == "ticket.called" and event["ticket"]["id"] == mine["id"] and event["ticket"]["counter"] == 1
        assert set(event) == {"type", "at", "ticket", "counter"}
        centre.counter(1, "finish", outcome="completed")
        assert heard.get(timeout=5)["type"] == "ticket.finished"
        centre.counter(1, "call-next")  # the other ticket: nothing for this phone
        time.sleep(0.5)
        assert heard.empty()
    finally:
        phone.disconnect()
    token_socket, _, ack = listen(gateway.url, centre.display_token, {"ticket": mine["id"]})
    token_socket.disconnect()
    assert ack == {"ok": False, "error": "forbidden"}  # a token hears its sites; tickets are phones'
    stranger = socketio.Client(reconnection=False)
    with pytest.raises(socketio.exceptions.ConnectionError):
        stranger.connect(gateway.url, auth={"ticket": "01NOTATICKET0000000000000"}, transports=["websocket"], wait_timeout=5)
