"""The kiosk's live feed: heartbeats, a connection that stops answering is made again, and
a join refused as too frequent is sent again."""

from __future__ import annotations

import logging
import time
from typing import Any

import pytest

from kiosk.centre import MISSED_BEFORE_RECONNECT, CentreFeed
from queue_server import wire
from tests.conftest import Centre, spend_join_budget


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


def test_a_join_refused_as_too_frequent_is_sent_again(
    tight_join_budget: None, centre: Centre, caplog: pytest.LogCaptureFixture
) -> None:
    """A storm of reconnects on one token: the centre refuses the feed's join with
    `retry_after`; the feed joins again then, and hears the hall live."""
    spend_join_budget(centre, centre.kiosk_token)
    heard: list[dict[str, Any]] = []
    live = CentreFeed(centre.url, centre.kiosk_token, "city-hall", on_event=lambda _name, payload: heard.append(payload))
    with caplog.at_level(logging.INFO, logger="hallqueue.kiosk.centre"):
        live.start()
        try:
            deadline = time.monotonic() + 15
            issued: list[str] = []
            while time.monotonic() < deadline and not any((p.get("ticket") or {}).get("id") in issued for p in heard):
                issued.append(centre.issue("A102")["ticket"]["id"])
                time.sleep(0.5)
        finally:
            live.stop()
    assert "join refused as too frequent" in caplog.text
    assert any((p.get("ticket") or {}).get("id") in issued for p in heard)
