"""The hall display catching up after a drop: pages and live events in order, each once;
a backlog too long to replay read again as a whole (HQ.follow in hallqueue.js)."""
from __future__ import annotations

import itertools
import random
import threading
import time

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from queue_server.calling import catch_up
from tests.conftest import Centre
from tests.queue_server.pages.test_browser import open_display, wait_spoken

pytestmark = pytest.mark.browser

FOLLOWER = "window.hallqueueDisplay.follower"


def drop(page: Page) -> None:
    page.evaluate(f"{FOLLOWER}.socket.disconnect()")
    page.wait_for_function(f"() => !{FOLLOWER}.socket.connected")


def back(page: Page) -> None:
    page.evaluate(f"{FOLLOWER}.socket.connect()")
    page.wait_for_function(f"() => {FOLLOWER}.socket.connected")


def test_a_call_missed_while_away_is_replayed_and_announced(centre: Centre, context: BrowserContext) -> None:
    page = open_display(context, centre)
    drop(page)
    centre.counter(2, "open")
    centre.issue("A101")
    called = centre.counter(2, "call-next").json()["ticket"]["number"]
    back(page)
    expect(page.locator(".call-row.newest")).to_have_attribute("data-number", called, timeout=5000)
    assert [c["number"] for c in wait_spoken(page, 1)] == [called]
    ack = page.evaluate(f"{FOLLOWER}.state.lastAck")
    assert ack["ok"] and ack["complete"] and ack["replayed"] == 3 and ack["pages"] == 1


def test_rejoining_at_random_under_load_delivers_every_event_once_in_order(
    slow_replay: None, centre: Centre, context: BrowserContext
) -> None:
    """HQ.follow's merge on its own: a follower whose snapshot never moves (so no read covers
    an event for it) must be handed every event after it, once, in order, through drops
    at random moments while the hall is busy."""
    page = open_display(context, centre)
    start = centre.get("/sites/city-hall").json()["last_seq"]
    page.evaluate(
        """([token, start]) => {
          window.got = [];
          window.merge = HQ.follow({
            token, site: "city-hall", minInterval: 0, resyncMs: 1e9,
            snapshot: async () => ({ last_seq: start }),
            render: () => {},
            onEvent: (payload) => window.got.push(payload.seq),
          });
        }""",
        [centre.display_token, start],
    )
    page.wait_for_function("() => window.merge.state.joined")
    stop = threading.Event()

    def busy_hall() -> None:
        for i in itertools.count():
            if stop.is_set():
                return
            centre.issue("B202", request_id=f"page-busy-{i}")

    rng = random.Random(3)
    worker = threading.Thread(target=busy_hall)
    worker.start()
    try:
        for _ in range(10):
            time.sleep(rng.uniform(0.0, 0.4))
            page.evaluate("window.merge.socket.disconnect()")
            time.sleep(rng.uniform(0.0, 0.2))
            page.evaluate("window.merge.socket.connect()")
    finally:
        stop.set()
        worker.join()
    last = centre.get("/sites/city-hall").json()["last_seq"]
    page.wait_for_function(f"() => window.merge.state.seenSeq === {last} && !window.merge.state.joining", timeout=10000)
    assert page.evaluate("window.got") == list(range(start + 1, last + 1))
    assert page.evaluate("window.merge.state.lastAck.ok")


def test_a_display_away_too_long_reads_everything_again(
    monkeypatch: pytest.MonkeyPatch, centre: Centre, context: BrowserContext
) -> None:
    monkeypatch.setattr(catch_up, "BACKLOG_LIMIT", 5)
    page = open_display(context, centre)
    drop(page)
    centre.counter(3, "open")
    numbers = [centre.issue("A101")["ticket"]["number"] for _ in range(6)]
    called = centre.counter(3, "call-next").json()["ticket"]["number"]
    assert called == numbers[0]
    back(page)
    page.wait_for_function(f"() => {FOLLOWER}.state.lastAck && !{FOLLOWER}.state.joining", timeout=5000)
    ack = page.evaluate(f"{FOLLOWER}.state.lastAck")
    assert ack["ok"] and ack["complete"] is False and ack["replayed"] == 0
    assert page.evaluate(f"{FOLLOWER}.state.fullReads") == 1
    expect(page.locator(".call-row.newest")).to_have_attribute("data-number", called)
    expect(page.locator("#conn")).to_have_attribute("data-state", "online")
    last = centre.get("/sites/city-hall").json()["last_seq"]
    assert page.evaluate(f"{FOLLOWER}.state.seenSeq") == last
