"""Check-in at the kiosk (issue 15): a booking made through the API, the real agent, its
printer and ID reader simulated on ptys, a real centre whose clock the test moves — the
booker's card, the code typed (or scanned), late, too early, the wrong card (人证一致), and
the QR at the centre's PUBLIC_URL. The last test drives the kiosk's page in Chromium."""

from __future__ import annotations

import re
import shutil
import sqlite3
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import requests

from devices.id_card import make_id_number, sample_identity
from kiosk.agent import booking_code
from kiosk.centre import CentreClient
from tests.conftest import Centre, copy_demo, free_port, wait_for_http
from tests.kiosk.conftest import RunningKiosk, retap, wait_until
from tests.kiosk.test_kiosk_browser import SHOTS, shot

SITE = "city-hall"
PUBLIC = "https://qh.example.invalid"
# The ID reader simulator's resident card: the citizen who booked.
BOOKER = sample_identity("resident")
# Monday 7 December 2026, 08:00 in the hall (08:00 Shanghai is 00:00 UTC); bookings are
# for Tuesday's 09:00 slot (on time from 08:30 to 09:15, checked in until 10:00).
MONDAY_8 = datetime(2026, 12, 7, 0, 0, tzinfo=UTC)
TUESDAY_9 = "2026-12-08T09:00:00+08:00"


@dataclass
class Clock:
    now: datetime

    def __call__(self) -> datetime:
        return self.now

    def tuesday(self, hour: int, minute: int = 0) -> None:
        self.now = datetime(2026, 12, 8, hour, minute, tzinfo=UTC) - timedelta(hours=8)


class Hall(Centre):
    clock: Clock

    def book(self, id_number: str = BOOKER.id_number, name: str = BOOKER.name) -> str:
        body = {"service": "A101", "start": TUESDAY_9, "id_number": id_number, "name": name}
        made = requests.post(self.api(f"/sites/{SITE}/appointments"), json=body, timeout=10)
        assert made.status_code == 201, made.text
        return str(made.json()["appointment"]["code"])

    def ticket(self, ticket_id: str) -> dict[str, Any]:
        return self.get(f"/tickets/{ticket_id}").json()["ticket"]  # type: ignore[no-any-return]

    def ticket_count(self) -> int:
        with sqlite3.connect(self.db_path) as conn:
            return int(conn.execute("SELECT count(*) FROM tickets").fetchone()[0])


@pytest.fixture
def centre(db_path: Path, demo_template: tuple[Path, str, str]) -> Iterator[Hall]:
    """The real centre on a clock the test moves, with PUBLIC_URL and a slot plan for A101;
    the `kiosk` fixture's agent talks to it."""
    from werkzeug.serving import make_server

    from queue_server.app import create_app
    from queue_server.server import QuietHandler

    kiosk_token, display_token = copy_demo(demo_template, db_path)
    clock = Clock(MONDAY_8)
    app = create_app(
        overrides={
            "DB": str(db_path),
            "SYNCHRONOUS": "NORMAL",
            "SWEEP_SECONDS": 3600,
            "CITIZEN_WRITES_PER_MINUTE": 600,
            "PUBLIC_URL": PUBLIC + "/",
        },
        clock=clock,
    )
    server = make_server("127.0.0.1", free_port(), app, threaded=True, request_handler=QuietHandler)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    running = Hall(f"http://127.0.0.1:{server.server_port}", db_path)
    running.kiosk_token, running.display_token = kiosk_token, display_token
    running.clock = clock
    wait_for_http(running.api("/health"))
    plan = {"slot_minutes": 30, "capacity": 4, "days_ahead": 7, "walk_in_share": 0.25}
    saved = requests.put(
        running.api(f"/admin/sites/{SITE}/slot-plans/service/A101"),
        json=plan,
        headers={"Authorization": f"Bearer {running.login()}"},
        timeout=10,
    )
    assert saved.status_code == 200, saved.text
    yield running
    server.shutdown()
    app.extensions["hallqueue"].db.close()


def tap_card(kiosk: RunningKiosk, card: Any = BOOKER) -> None:
    kiosk.reader.place_card(card)
    assert wait_until(lambda: kiosk.state()["card"], 5), "the card was not read"


def printed_text(kiosk: RunningKiosk) -> str:
    assert wait_until(lambda: kiosk.printer.tickets, 5), "nothing printed"
    return str(kiosk.printer.tickets[-1].text)


def test_the_bookers_card_checks_in_on_time_and_prints_an_appointment_ticket(
    kiosk: RunningKiosk, centre: Hall
) -> None:
    code = centre.book()
    centre.clock.tuesday(8, 50)
    kiosk.wait_ready()
    tap_card(kiosk)
    answer = kiosk.post("/api/check-in", {"language": "zh"})
    assert answer.status_code == 201, answer.text
    view = answer.json()
    assert view["state"] == "printing"
    ticket = view["ticket"]
    assert ticket["appointment"] == {"start": "09:00", "late": False, "remote": False}
    assert ticket["person"] == "张**"
    assert centre.ticket(ticket["id"])["priority"] == "appointment"  # the on-time class
    text = printed_text(kiosk)
    assert ticket["number"] in text and "预约 09:00" in text
    assert "按普通号" not in text
    # The QR points at the centre's public address (PUBLIC_URL), the key in the fragment.
    page, key = kiosk.printer.tickets[-1].qr_payloads[0].split("#k=")
    assert page == f"{PUBLIC}/t/{ticket['id']}" and len(key) == 16
    assert kiosk.state()["card"] is None  # one tap, one check-in
    # Checking in again (card and code) answers the same ticket, never a second.
    retap(kiosk.reader, BOOKER)
    assert wait_until(lambda: kiosk.state()["card"], 5)
    again = kiosk.post("/api/check-in", {"code": code}).json()
    assert again["ticket"]["id"] == ticket["id"] and centre.ticket_count() == 1


def test_late_with_the_code_typed_is_an_ordinary_ticket_said_on_paper(
    kiosk: RunningKiosk, centre: Hall
) -> None:
    code = centre.book()
    centre.clock.tuesday(9, 40)  # 40 minutes after the slot: late, inside the grace time
    kiosk.wait_ready()
    # Typed as a citizen might: lower case, with a dash; no card on the reader.
    typed = f"{code[:4].lower()}-{code[4:]}"
    view = kiosk.post("/api/check-in", {"code": typed, "use_card": False}).json()
    assert view["state"] == "printing", view
    ticket = view["ticket"]
    assert ticket["appointment"]["late"] is True
    assert centre.ticket(ticket["id"])["priority"] == "ordinary"
    text = printed_text(kiosk)
    assert "预约 09:00" in text and "预约已过时，按普通号" in text
    # The code cancels a booking: once answered, the spool no longer keeps it.
    assert code not in "".join(f.read_text() for f in kiosk.spool.glob("*.json"))


def test_the_wrong_card_with_the_code_is_refused_and_nothing_prints(
    kiosk: RunningKiosk, centre: Hall
) -> None:
    code = centre.book(make_id_number(seq=101), "李四")
    centre.clock.tuesday(8, 50)
    kiosk.wait_ready()
    tap_card(kiosk)  # 张晓明's card, not 李四's
    answer = kiosk.post("/api/check-in", {"code": code})
    view = answer.json()
    assert view["state"] == "refused" and view["error"] == "person_mismatch", view
    assert "身份证与预约人不一致" in view["message"]
    assert kiosk.state()["card"] is None  # the card is not kept for another try
    # Neither a ticket at the centre nor a job owed to the printer nor anything on paper.
    assert centre.ticket_count() == 0
    assert not [job for job in kiosk.agent.spool.jobs() if job["state"] != "issuing"]
    assert not wait_until(lambda: kiosk.printer.tickets, 1.0)


def test_too_early_says_from_when_and_nothing_without_a_card_or_code(
    kiosk: RunningKiosk, centre: Hall
) -> None:
    code = centre.book()
    centre.clock.tuesday(8, 0)  # on time only from 08:30
    kiosk.wait_ready()
    view = kiosk.post("/api/check-in", {"code": code, "use_card": False}).json()
    assert view["error"] == "appointment_too_early" and "08:30" in view["message"], view
    english = kiosk.post("/api/check-in", {"code": code, "language": "en"}).json()
    assert english["message"].startswith("Please check in for your appointment from")
    unknown = kiosk.post("/api/check-in", {"code": "3467ABCD"}).json()
    assert unknown["error"] == "unknown_appointment" and "预约码" in unknown["message"]
    nothing = kiosk.post("/api/check-in", {"code": "--"})
    assert nothing.status_code == 409 and nothing.json()["error"] == "kiosk_checkin_nothing"
    assert centre.ticket_count() == 0 and not kiosk.printer.tickets


def test_a_remote_ticket_checks_in_with_its_card_and_prints_its_own_number(
    kiosk: RunningKiosk, centre: Hall
) -> None:
    centre.clock.tuesday(9, 0)
    with sqlite3.connect(centre.db_path) as conn:
        conn.execute(
            "UPDATE sites SET settings = json_set(settings, '$.remote_tickets', json('true')) WHERE id = ?",
            (SITE,),
        )
    body = {"service": "A101", "id_number": BOOKER.id_number, "name": BOOKER.name}
    taken = requests.post(centre.api(f"/sites/{SITE}/remote-tickets"), json=body, timeout=10)
    assert taken.status_code == 201, taken.text
    remote = taken.json()["ticket"]
    assert remote["arrival"] == "expected"
    kiosk.wait_ready()
    tap_card(kiosk)
    view = kiosk.post("/api/check-in", {}).json()
    assert view["state"] == "printing", view
    ticket = view["ticket"]
    assert ticket["id"] == remote["id"] and ticket["number"] == remote["number"]  # its own ticket
    assert ticket["appointment"]["remote"] is True
    assert centre.ticket(remote["id"])["arrival"] == "arrived"  # called from now on
    text = printed_text(kiosk)
    assert remote["number"] in text and "预约" not in text  # a remote ticket has no slot
    assert centre.ticket_count() == 1


def test_the_qr_uses_the_public_url_only_when_the_centre_has_one() -> None:
    client = CentreClient("http://10.0.0.5:8600/", "token")
    assert client.ticket_url("T1", "k") == "http://10.0.0.5:8600/t/T1#k=k"
    client.public_url = "https://qh.example.gov.cn/"
    assert client.ticket_url("T1", "k") == "https://qh.example.gov.cn/t/T1#k=k"
    assert booking_code(" ab-cd 3467\n") == "ABCD3467"


def test_the_public_site_view_tells_the_public_url(centre: Hall) -> None:
    assert centre.get(f"/sites/{SITE}").json()["public_url"] == PUBLIC


def test_the_keypad_offers_exactly_the_codes_alphabet() -> None:
    from queue_server.engine.booking import CODE_ALPHABET

    script = (Path(__file__).parents[2] / "kiosk" / "static" / "kiosk.js").read_text(encoding="utf-8")
    found = re.search(r'const CODE_ALPHABET = "([^"]+)"', script)
    assert found and found.group(1) == CODE_ALPHABET


@pytest.mark.browser
def test_a_code_typed_on_the_kiosk_page_checks_in(
    page: Any, kiosk: RunningKiosk, centre: Hall
) -> None:
    from playwright.sync_api import expect

    code = centre.book()
    centre.clock.tuesday(8, 45)
    kiosk.wait_ready()
    page.set_viewport_size({"width": 1080, "height": 1920})
    page.goto(kiosk.url)
    expect(page.locator("#bundles .tile").first).to_be_visible(timeout=10_000)
    page.locator("#checkin-open").click()
    expect(page.locator("#screen-checkin")).to_be_visible()
    expect(page.locator("#code-pad button")).to_have_count(len("346789ABCDEFGHJKMNPQRTUVWXY"))
    # Half on the keypad, half as a scanner types it (a keyboard, dashes and all, then Enter).
    for char in code[:4]:
        page.locator(f'#code-pad [data-code-key="{char}"]').click()
    expect(page.locator("#checkin-code")).to_have_value(code[:4])
    page.keyboard.type(f"-{code[4:].lower()}")
    expect(page.locator("#checkin-code")).to_have_value(code)
    shot(page, "16-check-in")
    page.keyboard.press("Enter")
    expect(page.locator("#screen-result")).to_be_visible(timeout=10_000)
    expect(page.locator("#result-checkin")).to_have_text("预约签到成功，优先叫号")
    number = page.locator("#result-number").inner_text()
    assert "预约 09:00" in printed_text(kiosk) and number in printed_text(kiosk)
    shot(page, "16b-check-in-ticket")
    printed = kiosk.printer.tickets[-1]
    if SHOTS and printed.png_path:
        shutil.copyfile(printed.png_path, Path(SHOTS) / "printed-check-in.png")
    [ticket] = [job["ticket"] for job in kiosk.agent.spool.jobs() if job.get("ticket")]
    assert centre.ticket(ticket["id"])["priority"] == "appointment"


@pytest.mark.browser
def test_the_wrong_card_is_refused_on_the_kiosk_page(
    page: Any, kiosk: RunningKiosk, centre: Hall
) -> None:
    from playwright.sync_api import expect

    code = centre.book(make_id_number(seq=101), "李四")
    centre.clock.tuesday(8, 45)
    kiosk.wait_ready()
    page.set_viewport_size({"width": 1080, "height": 1920})
    page.goto(kiosk.url)
    expect(page.locator("#bundles .tile").first).to_be_visible(timeout=10_000)
    page.locator("#checkin-open").click()
    page.locator("#checkin-code").fill(code)
    kiosk.reader.place_card(BOOKER)  # a card read on this screen checks in at once, with the code
    expect(page.locator("#screen-refused")).to_be_visible(timeout=10_000)
    expect(page.locator("#refused-title")).to_have_text("未能签到")
    expect(page.locator("#refused-message")).to_contain_text("身份证与预约人不一致")
    shot(page, "16c-check-in-refused")
    assert centre.ticket_count() == 0 and not kiosk.printer.tickets
    page.locator("#refused-home").click()
    expect(page.locator("#screen-home")).to_be_visible()


@pytest.mark.browser
def test_a_card_tapped_late_on_the_kiosk_page_says_ordinary(
    page: Any, kiosk: RunningKiosk, centre: Hall
) -> None:
    from playwright.sync_api import expect

    centre.book()
    centre.clock.tuesday(9, 30)
    kiosk.wait_ready()
    page.goto(kiosk.url)
    expect(page.locator("#bundles .tile").first).to_be_visible(timeout=10_000)
    page.locator("#checkin-open").click()
    expect(page.locator("#screen-checkin")).to_be_visible()
    kiosk.reader.place_card(BOOKER)  # no code: the card alone finds the day's booking
    expect(page.locator("#screen-result")).to_be_visible(timeout=10_000)
    expect(page.locator("#result-checkin")).to_have_text("已超过预约时段，按普通号排队")
    assert "预约已过时，按普通号" in printed_text(kiosk)
    assert "张晓明" not in page.content()  # only the masked name ever reaches the page
