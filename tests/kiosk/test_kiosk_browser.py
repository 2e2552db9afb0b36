"""End to end in headless Chromium: the touch UI, the real agent, the real centre, ptys."""

from __future__ import annotations

import os
import re
import sqlite3
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from devices.id_card import sample_identity
from tests.conftest import Centre
from tests.kiosk.conftest import RunningKiosk, wait_until

pytestmark = pytest.mark.browser

# An elderly citizen: born 1950, so 65+ in the demo hall (elderly_age 65).
ELDER = sample_identity("resident", name="王秀英", birth_date=__import__("datetime").date(1950, 3, 8))
SHOTS = os.environ.get("HALLQUEUE_KIOSK_SCREENSHOTS")


def shot(page: Page, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"))


def open_kiosk(page: Page, kiosk: RunningKiosk) -> None:
    kiosk.wait_ready()
    page.set_viewport_size({"width": 1080, "height": 1920})
    page.goto(kiosk.url)
    expect(page.locator("#bundles .tile").first).to_be_visible(timeout=10_000)


def test_elderly_citizen_takes_a_ticket(
    page: Page, kiosk: RunningKiosk, centre: Centre, all_logs: Path
) -> None:
    for _ in range(3):  # a few people already waiting, so the screen shows real waits
        centre.issue("A101")
    centre.counter(1, "open")
    open_kiosk(page, kiosk)
    expect(page.locator("#site-name")).to_have_text("市政务服务中心")
    expect(page.locator("#domains button").first).to_have_text("综合")
    shot(page, "1-home")
    page.locator("#lang-switch").click()
    expect(page.locator("#domains button").first).to_have_text("General")
    expect(page.locator("#bundles .tile").first).to_contain_text("Start a company")
    shot(page, "1c-home-en")
    page.locator("#lang-switch").click()
    expect(page.locator("#domains button").first).to_have_text("综合")

    # Search by pinyin initials on the letter pad: 不动产 → b d c
    for letter in "BDC":
        page.locator(f"#letter-pad [data-letter={letter}]").click()
    expect(page.locator("#services .tile").first).to_contain_text("不动产")
    shot(page, "1b-search")
    page.locator("#search-clear").click()

    page.locator("#services .tile", has_text="个体工商户设立登记").click()
    expect(page.locator("#item-name")).to_have_text("个体工商户设立登记")
    expect(page.locator("#item-materials")).to_contain_text("经营场所使用证明")
    expect(page.locator("#item-facts")).to_contain_text("告知承诺")
    expect(page.locator("#item-facts")).to_contain_text("法定时限 1 个工作日")
    shot(page, "2-item")

    page.locator("#item-take").click()
    expect(page.locator("#screen-identify")).to_be_visible()
    shot(page, "3-identify")
    kiosk.reader.place_card(ELDER)
    expect(page.locator("#masked-name")).to_have_text("王**", timeout=5_000)
    expect(page.locator("#elderly-badge")).to_be_visible()
    shot(page, "3b-identified")
    page.locator("#identify-next").click()
    expect(page.locator("#confirm-summary")).to_contain_text("王**")
    shot(page, "4-confirm")

    page.locator("#confirm-go").click()
    expect(page.locator("#screen-result")).to_be_visible(timeout=10_000)
    number = page.locator("#result-number").inner_text()
    assert re.fullmatch(r"A\d{3}", number)
    expect(page.locator("#result-print")).to_have_attribute("data-state", "printed", timeout=10_000)
    shot(page, "5-ticket")

    # The printer received that very ticket: number, materials, the QR to /t/<id>.
    assert wait_until(lambda: kiosk.printer.tickets, 5)
    printed = kiosk.printer.tickets[-1]
    assert number in printed.text
    for material in ("居民身份证原件", "经营场所使用证明", "个体工商户登记申请书"):
        assert material in printed.text
    assert len(printed.qr_payloads) == 1 and printed.qr_payloads[0].startswith(f"{centre.url}/t/")
    assert "王**" in printed.text and "老年人优先" in printed.text
    if SHOTS and printed.png_path:
        import shutil

        shutil.copyfile(printed.png_path, Path(SHOTS) / "printed-ticket.png")

    with sqlite3.connect(centre.db_path) as conn:
        row = conn.execute(
            "SELECT priority, person_mask, person_hash, promised_low, promised_high FROM tickets"
            " WHERE number = ?",
            (number,),
        ).fetchone()
    assert row[0] == "elderly" and row[1] == "王**" and row[2]
    # The wait promised at issue, kept with the ticket: on the screen and on paper as a band
    # (约 8–20 分钟), or "next" (即将叫号) when nobody is ahead.
    low, high = row[3], row[4]
    assert 0 <= low < high
    on_screen = page.locator("#result-wait").inner_text()
    assert on_screen in ("即将叫号", f"预计等候约 {low}–{high} 分钟"), on_screen
    assert ("即将叫号" if on_screen == "即将叫号" else f"预计等候约{low}-{high}分钟") in printed.text

    # The card's number and full name appear nowhere in clear.
    secrets = [ELDER.id_number, ELDER.name]
    page.wait_for_timeout(600)
    places = {
        "screen": page.content(),
        "ticket bytes": printed.raw.decode("gb18030", errors="replace"),
        "ticket text": printed.text,
        "database": Path(centre.db_path).read_bytes().decode("utf-8", errors="replace"),
        "logs": all_logs.read_text(encoding="utf-8"),
        "spool": "".join(p.read_text(encoding="utf-8") for p in kiosk.spool.glob("*.json")),
    }
    for wal in Path(centre.db_path).parent.glob("*.db-wal"):
        places["database wal"] = wal.read_bytes().decode("utf-8", errors="replace")
    for place, text in places.items():
        for secret in secrets:
            assert secret not in text, f"{secret[:2]}… found in {place}"

    # Back home by itself after the return timeout is covered with a short one elsewhere;
    # the done button goes home at once.
    page.locator("#result-done").click()
    expect(page.locator("#screen-home")).to_be_visible()


def to_confirm(page: Page, item: str = "个体工商户设立登记") -> None:
    page.locator("#services .tile", has_text=item).click()
    page.locator("#item-take").click()
    page.locator("#identify-skip").click()
    expect(page.locator("#screen-confirm")).to_be_visible()


def test_paper_out_stops_tickets_and_tells_the_centre(
    page: Page, kiosk: RunningKiosk, centre: Centre
) -> None:
    open_kiosk(page, kiosk)
    kiosk.printer.set_paper("out")
    expect(page.locator("#banner")).to_have_text(re.compile("打印机缺纸.*请到服务台取号"), timeout=2_000)
    expect(page.locator("#bundles .tile").first).to_have_class(re.compile("disabled"))
    shot(page, "6-paper-out")

    def centre_status() -> str:
        with sqlite3.connect(centre.db_path) as conn:
            row = conn.execute("SELECT status FROM devices WHERE kind = 'kiosk'").fetchone()
        return str(row[0])

    assert wait_until(lambda: '"printer": "out"' in centre_status(), 3), centre_status()
    with sqlite3.connect(centre.db_path) as conn:
        events = conn.execute("SELECT payload FROM events WHERE type = 'device.status'").fetchall()
    assert any('"out"' in e[0] for e in events)
    # A tap on a service does nothing while the printer is out.
    page.locator("#services .tile").first.click()
    expect(page.locator("#screen-home")).to_be_visible()

    kiosk.printer.set_paper("ok")
    expect(page.locator("#banner")).to_be_hidden(timeout=2_000)
    assert wait_until(lambda: '"printer": "ok"' in centre_status(), 3)


def test_owed_ticket_prints_when_paper_is_back(
    page: Page, centre: Centre, tmp_path: Path, devices_sims: tuple
) -> None:
    # A slow status poll, so the paper runs out unnoticed just before the ticket prints.
    from tests.kiosk.conftest import start_kiosk

    kiosk = start_kiosk(centre, tmp_path, devices_sims, printer_interval=60.0, return_seconds=8)
    try:
        open_kiosk(page, kiosk)
        to_confirm(page)
        kiosk.printer.set_paper("out")
        page.locator("#confirm-go").click()
        expect(page.locator("#screen-result")).to_be_visible(timeout=10_000)
        number = page.locator("#result-number").inner_text()
        expect(page.locator("#result-print")).to_have_attribute("data-state", "owed", timeout=3_000)
        expect(page.locator("#banner")).to_contain_text("打印机缺纸")
        shot(page, "5b-ticket-owed")
        assert kiosk.printer.tickets == []
        owed = [p for p in kiosk.spool.glob("*.json") if '"printing"' in p.read_text()]
        assert len(owed) == 1

        kiosk.printer.set_paper("ok")
        expect(page.locator("#result-print")).to_have_attribute("data-state", "printed", timeout=5_000)
        assert len(kiosk.printer.tickets) == 1 and number in kiosk.printer.tickets[0].text
        # The ticket screen goes home by itself.
        expect(page.locator("#screen-home")).to_be_visible(timeout=10_000)
    finally:
        kiosk.server.stop()


def test_owed_ticket_survives_an_agent_restart(
    centre: Centre, tmp_path: Path, devices_sims: tuple
) -> None:
    from tests.kiosk.conftest import start_kiosk
    from tests.kiosk.test_agent import take

    printer, _ = devices_sims
    kiosk = start_kiosk(centre, tmp_path, devices_sims, printer_interval=60.0)
    kiosk.wait_ready()
    printer.set_paper("out")
    view = take(kiosk)
    assert view["state"] == "printing"
    assert wait_until(lambda: kiosk.state()["printer"] == "out", 3)
    kiosk.server.stop()  # the agent goes down owing a ticket

    printer.set_paper("ok")
    again = start_kiosk(centre, tmp_path, devices_sims)
    try:
        assert wait_until(lambda: printer.tickets, 8)
        assert view["ticket"]["number"] in printer.tickets[0].text
        assert len(printer.tickets) == 1
    finally:
        again.server.stop()


def test_centre_stopped_then_back_no_duplicate(
    page: Page, centre_process, tmp_path: Path, devices_sims: tuple  # type: ignore[no-untyped-def]
) -> None:
    from tests.kiosk.conftest import start_kiosk

    kiosk = start_kiosk(centre_process, tmp_path, devices_sims)
    try:
        open_kiosk(page, kiosk)
        to_confirm(page)
        centre_process.kill()
        expect(page.locator("#banner")).to_contain_text("暂时无法连接服务中心", timeout=5_000)
        shot(page, "7-centre-unreachable")
        page.locator("#confirm-go").click()
        expect(page.locator("#screen-pending")).to_be_visible(timeout=10_000)
        expect(page.locator("#screen-pending")).to_contain_text("尚未为您取号")
        shot(page, "8-pending")
        job_files = list(kiosk.spool.glob("*.json"))
        assert len(job_files) == 1 and '"issuing"' in job_files[0].read_text()

        centre_process.start()
        expect(page.locator("#screen-result")).to_be_visible(timeout=15_000)
        number = page.locator("#result-number").inner_text()
        expect(page.locator("#banner")).to_be_hidden(timeout=10_000)
        expect(page.locator("#result-print")).to_have_attribute("data-state", "printed", timeout=5_000)
        with sqlite3.connect(centre_process.db_path) as conn:
            rows = conn.execute("SELECT number, request_id FROM tickets").fetchall()
        assert len(rows) == 1 and rows[0][0] == number
        assert rows[0][1] == job_files[0].stem
        assert len(kiosk.printer.tickets) == 1 and number in kiosk.printer.tickets[0].text
    finally:
        kiosk.server.stop()


def test_live_waiting_counts_and_idle_reset(
    page: Page, centre: Centre, tmp_path: Path, devices_sims: tuple
) -> None:
    from tests.kiosk.conftest import start_kiosk

    # Polling every minute: a count that changes at once came over Socket.IO.
    kiosk = start_kiosk(centre, tmp_path, devices_sims, refresh_seconds=60.0, idle_seconds=2)
    try:
        open_kiosk(page, kiosk)
        tile = page.locator("#services .tile", has_text="营业执照变更登记")
        expect(tile).to_contain_text("等候 0 人")
        assert wait_until(lambda: kiosk.agent.feed.connected, 5)
        centre.issue("A103")
        centre.issue("A103")
        expect(tile).to_contain_text("等候 2 人", timeout=3_000)

        tile.click()
        expect(page.locator("#screen-item")).to_be_visible()
        expect(page.locator("#screen-home")).to_be_visible(timeout=5_000)  # idle reset
    finally:
        kiosk.server.stop()


def test_person_limit_is_refused_plainly(page: Page, kiosk: RunningKiosk, centre: Centre) -> None:
    person = {"id_number": ELDER.id_number, "name": ELDER.name, "birth_date": "1950-03-08"}
    centre.counter(1, "open")
    for i in range(3):  # the demo hall allows 3 tickets per person, item and day
        centre.issue("A103", request_id=f"earlier-{i}", person=person)
        # One active ticket per item: each is served before the next is taken.
        for action, body in (("call-next", {}), ("start", {}), ("finish", {"outcome": "completed"})):
            assert centre.counter(1, action, **body).status_code == 200, action
    open_kiosk(page, kiosk)
    page.locator("#services .tile", has_text="营业执照变更登记").click()
    page.locator("#item-take").click()
    kiosk.reader.place_card(ELDER)
    expect(page.locator("#masked-name")).to_have_text("王**", timeout=5_000)
    page.locator("#identify-next").click()
    page.locator("#confirm-go").click()
    expect(page.locator("#screen-refused")).to_be_visible(timeout=10_000)
    expect(page.locator("#refused-message")).to_have_attribute("data-code", "person_limit_reached")
    expect(page.locator("#refused-message")).to_contain_text("每人每天限 3 个")
    shot(page, "9-refused")
    assert kiosk.printer.tickets == []
    assert list(kiosk.spool.glob("*.json")) == []
