"""The kiosk agent against the real centre, with its devices simulated on ptys (no browser)."""

from __future__ import annotations

import json
import sqlite3

import requests

from tests.conftest import Centre
from tests.kiosk.conftest import RunningKiosk, retap, wait_until


def take(kiosk: RunningKiosk, code: str = "A101", kind: str = "service", **body: object) -> dict:
    return kiosk.post("/api/tickets", {"kind": kind, "code": code, **body}).json()  # type: ignore[no-any-return]


def test_issue_and_print(kiosk: RunningKiosk, centre: Centre) -> None:
    kiosk.wait_ready()
    view = take(kiosk)
    assert view["state"] == "printing", view
    number = view["ticket"]["number"]
    assert wait_until(lambda: kiosk.printer.tickets, 5)
    printed = kiosk.printer.tickets[0]
    assert number in printed.text and "居民身份证原件" in printed.text
    # The phone page's address, with the key to rate it in the fragment (never sent to a server).
    assert len(printed.qr_payloads) == 1
    page, key = printed.qr_payloads[0].split("#k=")
    assert page == f"{centre.url}/t/{view['ticket']['id']}" and len(key) == 16
    assert wait_until(lambda: requests.get(kiosk.api(f"/api/jobs/{view['id']}")).json()["printed"])


def test_bundle_prints_the_materials_of_its_services(kiosk: RunningKiosk) -> None:
    kiosk.wait_ready()
    view = take(kiosk, "Y01", "bundle")
    assert view["state"] == "printing" and view["ticket"]["number"].startswith("Y")
    assert wait_until(lambda: kiosk.printer.tickets, 5)
    assert "公司章程" in kiosk.printer.tickets[0].text


def test_lost_answer_is_asked_again_with_the_same_request_id(
    kiosk: RunningKiosk, centre: Centre
) -> None:
    kiosk.wait_ready()
    # A request the centre answered but whose answer never reached the kiosk.
    job = kiosk.agent.spool.create(kind="service", code="A101", language="zh",
                                   help=False, identified=False)
    first = centre.issue("A101", request_id=job["id"], channel="kiosk")
    view = kiosk.agent.retry(job["id"])
    assert view["state"] == "printing"
    assert view["ticket"]["id"] == first["ticket"]["id"]
    with sqlite3.connect(centre.db_path) as conn:
        count = conn.execute("SELECT count(*) FROM tickets WHERE request_id = ?", (job["id"],))
        assert count.fetchone()[0] == 1


def test_device_status_reaches_the_centre(kiosk: RunningKiosk, centre: Centre) -> None:
    kiosk.wait_ready()

    def stored() -> dict:
        with sqlite3.connect(centre.db_path) as conn:
            row = conn.execute("SELECT status FROM devices WHERE kind = 'kiosk'").fetchone()
        return json.loads(row[0])  # type: ignore[no-any-return]

    assert wait_until(lambda: stored() == {"printer": "ok", "id_reader": "ok"}), stored()
    kiosk.printer.set_paper("out")
    assert wait_until(lambda: kiosk.state()["blocked"] == "printer_out", 2)
    assert wait_until(lambda: stored()["printer"] == "out", 3)
    refused = kiosk.post("/api/tickets", {"kind": "service", "code": "A101"})
    assert refused.status_code == 409 and refused.json()["error"] == "printer_out"
    kiosk.printer.set_paper("ok")
    assert wait_until(lambda: stored()["printer"] == "ok", 3)


def set_site_setting(centre: Centre, **values: object) -> None:
    with sqlite3.connect(centre.db_path) as conn:
        row = conn.execute("SELECT settings FROM sites WHERE id = 'city-hall'").fetchone()
        settings = {**json.loads(row[0]), **values}
        conn.execute(
            "UPDATE sites SET settings = ? WHERE id = 'city-hall'", (json.dumps(settings),)
        )


def test_identification_required_refuses_without_a_card(
    kiosk: RunningKiosk, centre: Centre
) -> None:
    set_site_setting(centre, identification="required")
    kiosk.wait_ready()
    kiosk.agent.refresh()
    assert kiosk.state()["identification"] == "required"
    refused = kiosk.post("/api/tickets", {"kind": "service", "code": "A101"})
    assert refused.status_code == 409 and refused.json()["error"] == "card_required"
    kiosk.reader.place_card("resident")
    assert wait_until(lambda: kiosk.state()["card"], 5)
    view = take(kiosk)
    assert view["state"] == "printing" and view["ticket"]["person"] == "张**"
    assert view["ticket"]["priority"] == "ordinary"  # born 1985
    assert kiosk.state()["card"] is None  # one tap, one ticket


def test_a_card_the_centre_would_refuse_is_read_again_and_nothing_is_sent(
    kiosk: RunningKiosk, centre: Centre
) -> None:
    # The issue body is built with the centre's own model (wire.shapes.IssueRequest): a
    # card number it would refuse never leaves the kiosk; the citizen taps again.
    from datetime import date

    from devices.id_card import sample_identity

    kiosk.wait_ready()
    kiosk.reader.place_card(sample_identity("resident", id_number="12345", birth_date=date(1985, 6, 12)))
    assert wait_until(lambda: kiosk.state()["card"], 5)
    refused = kiosk.post("/api/tickets", {"kind": "service", "code": "A101"})
    assert refused.status_code == 409 and refused.json()["error"] == "card_gone"
    assert kiosk.state()["card"] is None
    with sqlite3.connect(centre.db_path) as conn:
        assert conn.execute("SELECT count(*) FROM tickets").fetchone()[0] == 0


def test_help_goes_to_the_help_window_without_priority_english_ticket(kiosk: RunningKiosk) -> None:
    # Asking for help no longer jumps the queue (issue 12): the ticket is for the hall's
    # help item (帮办代办服务 K001, window 24), ordinary, and says what the citizen came for.
    kiosk.wait_ready()
    view = take(kiosk, "A103", help=True, language="en", use_card=False)
    assert view["ticket"]["priority"] == "ordinary" and view["ticket"]["number"].startswith("K")
    assert view["item"]["name"] == "帮办代办服务" and view["help_for"]["name_en"] == "Business licence change"
    assert wait_until(lambda: kiosk.printer.tickets, 5)
    text = kiosk.printer.tickets[0].text
    assert "Assisted and proxy service" in text and "Help with: Business licence change" in text
    assert "Window: 24" in text  # the assisted window, not the A103 windows
    assert "Priority" not in text and "Assistance requested" not in text


def test_a_capped_item_needs_the_card_at_the_kiosk(kiosk: RunningKiosk) -> None:
    kiosk.wait_ready()
    refused = kiosk.post("/api/tickets", {"kind": "service", "code": "F601", "use_card": False})
    assert refused.status_code == 409 and refused.json()["error"] == "id_required_for_capped"
    kiosk.reader.place_card("resident")
    assert wait_until(lambda: kiosk.state()["card"], 5)
    assert take(kiosk, "F601")["state"] == "printing"


def test_restart_drops_unconfirmed_identified_requests(kiosk: RunningKiosk) -> None:
    spool = kiosk.agent.spool
    old = spool.create(kind="service", code="A101", language="zh", help=False,
                       identified=True)
    kiosk.agent._recover_spool()
    assert spool.get(old["id"]) is None


def test_printer_offline_unplugged_and_back(kiosk: RunningKiosk) -> None:
    kiosk.wait_ready()
    kiosk.printer.set_cover_open(True)
    assert wait_until(lambda: kiosk.state()["blocked"] == "printer_cover_open", 2)
    kiosk.printer.set_cover_open(False)
    assert wait_until(lambda: kiosk.state()["blocked"] is None, 2)
    kiosk.printer.unplug()
    assert wait_until(lambda: kiosk.state()["blocked"] == "printer_offline", 3)
    kiosk.printer.replug()
    assert wait_until(lambda: kiosk.state()["blocked"] is None, 5)
    assert take(kiosk)["state"] == "printing"
    assert wait_until(lambda: kiosk.printer.tickets, 5)


def test_id_reader_unplugged_is_reported_absent(kiosk: RunningKiosk, centre: Centre) -> None:
    kiosk.wait_ready()

    def stored() -> dict:
        with sqlite3.connect(centre.db_path) as conn:
            row = conn.execute("SELECT status FROM devices WHERE kind = 'kiosk'").fetchone()
        return json.loads(row[0])  # type: ignore[no-any-return]

    assert wait_until(lambda: stored().get("id_reader") == "ok", 3)
    kiosk.reader.unplug()
    assert wait_until(lambda: stored().get("id_reader") == "absent", 5), stored()
    assert kiosk.state()["blocked"] is None  # tickets go on, anonymously
    kiosk.reader.replug()
    assert wait_until(lambda: stored().get("id_reader") == "ok", 5), stored()


def test_unfollowed_request_is_forgotten_with_its_card(kiosk: RunningKiosk) -> None:
    kiosk.wait_ready()
    spool = kiosk.agent.spool
    job = spool.create(kind="service", code="A101", language="zh", help=False,
                       identified=True)
    kiosk.agent._persons[job["id"]] = {"id_number": "x", "name": "y", "birth_date": "1990-01-01"}
    spool.save({**spool.get(job["id"]), "created_at": 0})  # type: ignore[dict-item]
    assert wait_until(lambda: spool.get(job["id"]) is None, 3)
    assert job["id"] not in kiosk.agent._persons


def test_one_tap_is_for_elderly_card_holders_only(kiosk: RunningKiosk, centre: Centre) -> None:
    from datetime import date

    from devices.id_card import sample_identity

    set_site_setting(centre, elderly_one_tap="K001")
    kiosk.wait_ready()
    kiosk.agent.refresh()

    def tap(serial: object) -> requests.Response:
        return kiosk.post("/api/one-tap", {"serial": serial})

    kiosk.reader.place_card("resident")  # born 1985
    card = wait_until(lambda: kiosk.state()["card"], 5)
    assert card and not card["elderly"]
    refused = tap(card["serial"])
    assert refused.status_code == 409 and refused.json()["error"] == "not_elderly"
    assert tap("1").status_code == 400

    retap(kiosk.reader, sample_identity("resident", birth_date=date(1948, 1, 2)))
    elder = wait_until(lambda: (c := kiosk.state()["card"]) and c["serial"] > card["serial"] and c, 5)
    assert elder and elder["elderly"]
    assert tap(elder["serial"] - 1).json()["error"] == "card_gone"  # only the tap the page saw
    view = tap(elder["serial"]).json()
    assert view["state"] == "printing" and view["ticket"]["priority"] == "elderly"
    assert view["ticket"]["number"].startswith("K") and view["ticket"]["no_show_rule"].startswith("过号")

    set_site_setting(centre, elderly_one_tap=None)
    kiosk.agent.refresh()
    retap(kiosk.reader, sample_identity("resident", birth_date=date(1948, 1, 2)))
    again = wait_until(lambda: (c := kiosk.state()["card"]) and c["serial"] > elder["serial"] and c, 5)
    assert tap(again["serial"]).json()["error"] == "one_tap_off"
