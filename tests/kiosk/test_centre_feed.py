"""The kiosk's live feed: heartbeats, and a connection that stops answering is made again."""

from __future__ import annotations

from typing import Any

from kiosk.centre import MISSED_BEFORE_RECONNECT, CentreFeed
from queue_server import wire


class SilentClient:
    """Stands in for socketio.Client: connected, but no heartbeat is ever answered."""

    def __init__(self, answer: Any = None) -> None:
        self.connected = True
        self.answer = answer
        self.calls: list[str] = []
        self.disconnects = 0

    def call(self, event: str, data: Any = None, timeout: float = 60) -> Any:
        self.calls.append(event)
        if self.answer is None:
            raise TimeoutError
        return self.answer

    def disconnect(self) -> None:
        self.disconnects += 1
        self.connected = False


def feed(client: SilentClient, heard: list[int]) -> CentreFeed:
    made = CentreFeed("http://127.0.0.1:1", "token", "city-hall", on_event=lambda e, p: None, on_heard=lambda: heard.append(1))
    made.client = client  # type: ignore[assignment]
    return made


def test_a_silent_connection_is_dropped_after_missed_heartbeats() -> None:
    client, heard = SilentClient(), []  # type: ignore[var-annotated]
    silent = feed(client, heard)
    for _ in range(MISSED_BEFORE_RECONNECT - 1):
        silent._beat()
    assert client.disconnects == 0 and client.calls == [wire.HEARTBEAT] * (MISSED_BEFORE_RECONNECT - 1)
    silent._beat()
    assert client.disconnects == 1  # the run loop connects again
    assert heard == [] and silent.heard_at is None


def test_an_answered_heartbeat_is_heard_and_resets_the_count() -> None:
    client, heard = SilentClient(answer={"ok": True}), []  # type: ignore[var-annotated]
    live = feed(client, heard)
    live.missed = MISSED_BEFORE_RECONNECT - 1
    live._beat()
    assert heard == [1] and live.heard_at is not None and live.missed == 0
    assert client.disconnects == 0
