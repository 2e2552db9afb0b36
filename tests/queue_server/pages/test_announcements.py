"""Calls nobody misses: announcements queue, in full, in order; highlights outlast them.

Two counters call within a few milliseconds of each other. The hall display must say
the first call completely (with its repeats) before the second begins, and keep each
call highlighted for at least as long as its announcement lasts.

Headless Chromium has no speech engine (every utterance fails at once with
"synthesis-failed"); one test runs with a fake engine that speaks each utterance for
a fixed time, like a real one, the other with Chromium's own failing engine, where the
announcer keeps the pace of speech with silent slots.
"""
from __future__ import annotations

import threading

import pytest
import requests
from playwright.sync_api import BrowserContext, Page

from tests.conftest import Centre
from tests.queue_server.pages.test_browser import open_display

pytestmark = pytest.mark.browser

FAKE_SPEECH_MS = 2500

# A speech engine that behaves like a real one: utterances are spoken one at a time,
# each for FAKE_SPEECH_MS, with start and end events; cancel() drops what is queued.
FAKE_ENGINE = """
(() => {
  const log = (window.fakeSpeech = { spoken: [], cancels: [] });
  const queue = [];
  let current = null;
  function next() {
    if (current || !queue.length) return;
    current = queue.shift();
    const u = current;
    const start = Date.now();
    if (u.onstart) u.onstart({});
    setTimeout(() => {
      log.spoken.push({ text: u.text, lang: u.lang, start, end: Date.now() });
      current = null;
      if (u.onend) u.onend({});
      next();
    }, SPEECH_MS);
  }
  const synth = {
    speak(u) { queue.push(u); next(); },
    cancel() { log.cancels.push({ at: Date.now(), queued: queue.length, speaking: !!current }); queue.length = 0; },
    getVoices() { return [{ lang: "zh-CN", name: "fake" }, { lang: "en-US", name: "fake-en" }]; },
    get speaking() { return !!current; },
    get pending() { return queue.length > 0; },
  };
  class Utterance { constructor(text) { this.text = text; } }
  Object.defineProperty(window, "speechSynthesis", { value: synth, configurable: true });
  window.SpeechSynthesisUtterance = Utterance;
})();
""".replace("SPEECH_MS", str(FAKE_SPEECH_MS))

# Every 40 ms, note for each call number whether its row on the board is highlighted:
# an observer independent of the display's own bookkeeping.
SAMPLER = """
() => {
  const seen = (window.highlightSamples = []);
  setInterval(() => {
    const rows = {};
    for (const row of document.querySelectorAll("#now-calling .call-row")) {
      rows[row.dataset.number] = { flash: row.classList.contains("flash"), speaking: row.classList.contains("speaking") };
    }
    seen.push({ at: Date.now(), rows, offline: document.body.classList.contains("offline") });
  }, 40);
}
"""


# Every board read answers 700 ms late (read at once, delivered late): a read that
# started just before a call arrives just after its event.
SLOW_BOARD = """
(() => {
  const fetchNow = window.fetch.bind(window);
  window.fetch = async (...args) => {
    const answer = await fetchNow(...args);
    if (String(args[0]).includes("/board")) await new Promise((r) => setTimeout(r, 700));
    return answer;
  };
})();
"""


def set_announce_times(centre: Centre, times: int) -> None:
    response = requests.put(
        centre.api("/admin/sites/city-hall/settings"),
        json={"announce_times": times},
        headers={"Authorization": f"Bearer {centre.login()}"},
        timeout=10,
    )
    assert response.status_code == 200, response.text


def two_calls_at_once(centre: Centre) -> list[tuple[int, str]]:
    """Windows 2 and 5 press call-next together; returns (window, number) in call order."""
    for _ in range(2):
        centre.issue("A101")
    for counter in (2, 5):
        assert centre.counter(counter, "open").status_code == 200
    barrier = threading.Barrier(2)
    answers: dict[int, dict] = {}  # type: ignore[type-arg]

    def call(counter: int) -> None:
        barrier.wait()
        answers[counter] = centre.counter(counter, "call-next").json()

    threads = [threading.Thread(target=call, args=(n,)) for n in (2, 5)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    return [(n, answers[n]["ticket"]["number"]) for n in (2, 5)]


def wait_announced(page: Page, count: int, timeout_ms: int) -> list[dict]:  # type: ignore[type-arg]
    page.wait_for_function(
        f"() => (window.hallqueueSpoken || []).filter((r) => r.ended_ms).length >= {count}", timeout=timeout_ms
    )
    return page.evaluate("() => window.hallqueueSpoken")  # type: ignore[no-any-return]


def check_sequential(records: list[dict], calls: list[tuple[int, str]], times: int) -> None:  # type: ignore[type-arg]
    """Both calls announced, in the order they were made, the second after the first."""
    assert sorted((r["counter"], r["number"]) for r in records) == sorted(calls)
    assert [r["seq"] for r in records] == sorted(r["seq"] for r in records)
    first, second = records
    # The case under test: the second call came while the first was still being said.
    assert second["queued_ms"] < first["ended_ms"]
    assert first["started_ms"] <= first["ended_ms"] <= second["started_ms"] <= second["ended_ms"]
    for record in records:
        parts = record["parts"]
        assert [p["what"] for p in parts] == ["chime", "speech"] * times  # zh only, each repeat whole
        assert all(p["text"] == record["speech"] for p in parts if p["what"] == "speech")
        for before, after in zip(parts, parts[1:], strict=False):
            assert before["end_ms"] <= after["start_ms"]  # one sound at a time
        assert parts[0]["start_ms"] >= record["started_ms"] and parts[-1]["end_ms"] <= record["ended_ms"]


def check_highlight_outlasts(page: Page, records: list[dict]) -> None:  # type: ignore[type-arg]
    """Each call's row is highlighted at every sample taken while it was announced."""
    samples = page.evaluate("() => window.highlightSamples")
    # Seconds with no event but the centre's pings: the screen stayed live throughout.
    assert samples[-1]["at"] - samples[0]["at"] > 8000
    assert not [s["at"] for s in samples if s["offline"]]
    for record in records:
        during = [s for s in samples if record["started_ms"] + 100 <= s["at"] <= record["ended_ms"] - 50]
        assert len(during) > 10, "the sampler did not run during the announcement"
        dark = [s["at"] for s in during if not s["rows"].get(record["number"], {}).get("flash")]
        assert not dark, f"{record['number']} not highlighted {len(dark)} times during its announcement"
        speaking = [s for s in during if s["rows"].get(record["number"], {}).get("speaking")]
        assert len(speaking) >= len(during) - 2  # marked as the call being spoken
        before = [s for s in samples if s["at"] < record["started_ms"] - 100 and record["number"] in s["rows"]]
        assert all(not s["rows"][record["number"]]["speaking"] for s in before)


def test_two_quick_calls_are_announced_in_full_in_order_with_a_speech_engine(
    centre: Centre, context: BrowserContext
) -> None:
    set_announce_times(centre, 2)
    context.add_init_script(FAKE_ENGINE)
    page = open_display(context, centre)
    page.evaluate(SAMPLER)
    calls = two_calls_at_once(centre)
    # 2 calls × 2 times × (1 s chime + 2.5 s speech): the second ends about 14 s after it
    # was made, past the 10 s a call flashes for anyway.
    records = wait_announced(page, 2, timeout_ms=25_000)
    check_sequential(records, calls, times=2)

    engine = page.evaluate("() => window.fakeSpeech")
    assert engine["cancels"] == []  # nothing was ever cut off
    spoken = engine["spoken"]
    assert [u["text"] for u in spoken] == [records[0]["speech"]] * 2 + [records[1]["speech"]] * 2
    for before, after in zip(spoken, spoken[1:], strict=False):
        assert before["end"] <= after["start"]
    for record in records:
        for part in (p for p in record["parts"] if p["what"] == "speech"):
            assert part["voiced"] is True
            assert part["end_ms"] - part["start_ms"] >= FAKE_SPEECH_MS - 20  # waited for the voice
    assert records[1]["ended_ms"] - records[1]["queued_ms"] > 10_000
    check_highlight_outlasts(page, records)

    # Once said, the highlight ends by itself (3 s later) — the rows stay, number → window.
    page.wait_for_function("() => !document.querySelector('#now-calling .call-row.flash')", timeout=5000)
    for counter, number in calls:
        row = page.locator(f".call-row[data-number='{number}']")
        assert row.get_attribute("data-counter") == str(counter)
        item = page.locator(f"#recent li[data-number='{number}']")
        texts = [item.locator(part).inner_text() for part in (".recent-number", ".recent-arrow", ".recent-window")]
        assert texts == [number, "→", f"{counter}号窗口"]


def test_without_a_voice_announcements_keep_the_pace_of_speech(centre: Centre, context: BrowserContext) -> None:
    page = open_display(context, centre)
    page.evaluate(SAMPLER)
    calls = two_calls_at_once(centre)
    records = wait_announced(page, 2, timeout_ms=20_000)
    check_sequential(records, calls, times=1)
    for record in records:
        speech = [p for p in record["parts"] if p["what"] == "speech"]
        assert [p["voiced"] for p in speech] == [False]  # headless Chromium: synthesis-failed
        expected = page.evaluate("([t, l]) => HQ.speechMs(t, l)", [record["speech"], "zh-CN"])
        assert expected >= 3000  # 请 A 零 零 一 号到 2 号窗口办理: 13 syllables
        assert speech[0]["end_ms"] - speech[0]["start_ms"] >= expected - 20
    check_highlight_outlasts(page, records)


def test_a_board_read_before_a_call_does_not_take_it_off_the_screen(centre: Centre, context: BrowserContext) -> None:
    context.add_init_script(SLOW_BOARD)
    page = open_display(context, centre)
    page.evaluate(SAMPLER)
    centre.issue("A101")
    centre.counter(2, "open")  # its event starts a board read: the call is not in it
    number = centre.counter(2, "call-next").json()["ticket"]["number"]
    records = wait_announced(page, 1, timeout_ms=10_000)
    assert records[0]["number"] == number
    samples = page.evaluate("() => window.highlightSamples")
    shown = [s for s in samples if number in s["rows"]]
    assert shown, "the call never reached the board"
    after = [s for s in samples if shown[0]["at"] <= s["at"] <= records[0]["ended_ms"]]
    gone = [s["at"] for s in after if not s["rows"].get(number, {}).get("flash")]
    assert not gone, f"{number} left the board or stopped flashing {len(gone)} times while announced"
    assert shown[0]["at"] <= records[0]["started_ms"] + 100  # up with the chime, not a read later
