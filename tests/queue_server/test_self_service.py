"""Jumping the queue by saying so (issue 12, item 8), refused at the centre.

The attacker holds a kiosk's token (or drives a kiosk): they ask for a priority class,
tick "need help" to be served first, or take capped tickets (passports, real estate: the
黄牛's targets) without an ID card so no per-person limit sees them. Staff, who see the
person, confirm priority and issue without a card.
"""

from __future__ import annotations

import json
import sqlite3
from typing import Any

import pytest

from tests.conftest import Centre

SITE = "city-hall"
YOUNG = {"id_number": "330102199001011234", "name": "李小明", "birth_date": "1990-01-01"}
OLD = {"id_number": "330102195003081234", "name": "王秀英", "birth_date": "1950-03-08"}


def kiosk_issue(centre: Centre, body: dict[str, Any], lang: str = "zh"):  # type: ignore[no-untyped-def]
    return centre.post(
        f"/sites/{SITE}/tickets", body, token=centre.kiosk_token, headers={"Accept-Language": lang}
    )


def set_settings(centre: Centre, **values: object) -> None:
    with sqlite3.connect(centre.db_path) as conn:
        row = conn.execute("SELECT settings FROM sites WHERE id = ?", (SITE,)).fetchone()
        settings = {k: v for k, v in {**json.loads(row[0]), **values}.items() if v is not None}
        conn.execute("UPDATE sites SET settings = ? WHERE id = ?", (json.dumps(settings), SITE))


def set_daily_cap(centre: Centre, service: str, cap: int | None) -> None:
    with sqlite3.connect(centre.db_path) as conn:
        conn.execute("UPDATE services SET daily_cap = ? WHERE code = ?", (cap, service))


def events_of(centre: Centre, kind: str) -> list[dict[str, Any]]:
    events = centre.get(f"/sites/{SITE}/events?since=0", token=centre.display_token).json()["events"]
    return [e for e in events if e["type"] == kind]


def clerk_of_another_site(centre: Centre) -> str:
    made = centre.post(
        "/admin/staff",
        {"username": "cbd-clerk", "password": "Station-Desk-9", "role": "clerk", "sites": ["station-cbd"]},
    )
    assert made.status_code == 201, made.text
    return centre.login(("cbd-clerk", "Station-Desk-9"))


# --- a kiosk asks for a class ---------------------------------------------------------------


@pytest.mark.parametrize("claimed", ["assisted", "elderly", "disabled", "appointment"])
def test_a_kiosk_token_cannot_choose_a_priority_class(centre: Centre, claimed: str) -> None:
    refused = kiosk_issue(centre, {"service": "A101", "priority": claimed, "person": YOUNG})
    assert refused.status_code == 403
    body = refused.json()
    assert body["error"] == "priority_needs_staff" and "工作人员" in body["message"]
    english = kiosk_issue(centre, {"service": "A101", "priority": claimed}, lang="en")
    assert "confirmed by staff" in english.json()["message"]
    with sqlite3.connect(centre.db_path) as conn:
        assert conn.execute("SELECT count(*) FROM tickets").fetchone()[0] == 0


def test_the_centre_still_gives_the_classes_it_can_check(centre: Centre) -> None:
    ordinary = kiosk_issue(centre, {"service": "A101", "priority": "ordinary"})
    assert ordinary.status_code == 201 and ordinary.json()["ticket"]["priority"] == "ordinary"
    elderly = kiosk_issue(centre, {"service": "A102", "person": OLD})  # from the birth date
    assert elderly.json()["ticket"]["priority"] == "elderly"
    staff = centre.post(f"/sites/{SITE}/tickets", {"service": "A103", "priority": "assisted"}, token=centre.login(Centre.CLERK))
    assert staff.status_code == 201 and staff.json()["ticket"]["priority"] == "assisted"


# --- help routes, it does not jump ----------------------------------------------------------


def test_help_goes_to_the_help_window_without_priority(centre: Centre) -> None:
    answer = kiosk_issue(centre, {"service": "A101", "help": True, "request_id": "h1"})
    assert answer.status_code == 201, answer.text
    ticket = answer.json()["ticket"]
    # The demo hall's help item: 帮办代办服务 K001, which the assisted window 24 serves.
    assert ticket["service"] == "K001" and ticket["number"].startswith("K")
    assert ticket["priority"] == "ordinary"
    assert ticket["help_for"] == "service:A101"
    again = kiosk_issue(centre, {"service": "A101", "help": True, "request_id": "h1"})
    assert again.status_code == 200 and again.json()["ticket"]["id"] == ticket["id"]
    # Every screen and the console see what the citizen came for.
    issued = events_of(centre, "ticket.issued")
    assert issued[-1]["ticket"]["help_for"] == "service:A101"
    centre.counter(24, "open")
    called = centre.counter(24, "call-next").json()["ticket"]
    assert called["id"] == ticket["id"] and called["help_for"] == "service:A101"


def test_help_for_an_item_that_cannot_be_taken_now_is_refused(centre: Centre) -> None:
    set_settings(centre, require_id_for_capped=False)
    set_daily_cap(centre, "A103", 1)
    assert kiosk_issue(centre, {"service": "A103"}).status_code == 201
    full = kiosk_issue(centre, {"service": "A103", "help": True})
    assert full.status_code == 409 and full.json()["error"] == "daily_cap_reached"
    elsewhere = kiosk_issue(centre, {"service": "F601", "help": True, "person": YOUNG})
    assert elsewhere.status_code == 201  # offered here
    not_here = centre.post("/sites/village-jinqiu/tickets", {"service": "F601", "help": True})
    assert not_here.status_code == 422 and not_here.json()["error"] == "not_offered"


def test_without_a_help_item_the_ticket_is_for_the_item_marked_as_help(centre: Centre) -> None:
    set_settings(centre, help_item=None)
    ticket = kiosk_issue(centre, {"service": "A101", "help": True}).json()["ticket"]
    assert ticket["service"] == "A101" and ticket["priority"] == "ordinary"
    assert ticket["help_for"] == "service:A101"
    assert kiosk_issue(centre, {"service": "A101", "help": "yes"}).status_code == 400


# --- an ID card for capped items ------------------------------------------------------------


def test_an_anonymous_kiosk_ticket_for_a_capped_item_is_refused(centre: Centre) -> None:
    # 普通护照申领 F601: 60 a day in the demo hall, which sets require_id_for_capped.
    refused = kiosk_issue(centre, {"service": "F601"})
    assert refused.status_code == 409
    body = refused.json()
    assert body["error"] == "id_required_for_capped"
    assert "每日限量（60 个）" in body["message"] and "每人限取" in body["message"] and "身份证" in body["message"]
    english = kiosk_issue(centre, {"service": "F601"}, lang="en").json()["message"]
    assert "limited per day (60 tickets) and per person" in english and "ID card" in english
    # The same through "need help", and a capped bundle.
    assert kiosk_issue(centre, {"service": "F601", "help": True}).json()["error"] == "id_required_for_capped"
    assert kiosk_issue(centre, {"bundle": "Y04"}).json()["error"] == "id_required_for_capped"
    # A kiosk claiming to be the console changes nothing: the token says who asks.
    assert kiosk_issue(centre, {"service": "F601", "channel": "staff"}).status_code == 409
    with sqlite3.connect(centre.db_path) as conn:
        assert conn.execute("SELECT count(*) FROM tickets").fetchone()[0] == 0


def test_with_a_card_at_the_kiosk_or_at_the_console_it_is_issued(centre: Centre) -> None:
    assert kiosk_issue(centre, {"service": "F601", "person": YOUNG}).status_code == 201
    assert kiosk_issue(centre, {"service": "A101"}).status_code == 201  # no cap, no card needed
    staff = centre.post(f"/sites/{SITE}/tickets", {"service": "F601"}, token=centre.login(Centre.CLERK))
    assert staff.status_code == 201  # the clerk sees the person
    set_settings(centre, require_id_for_capped=False)
    assert kiosk_issue(centre, {"service": "F601"}).status_code == 201


# --- staff confirm priority ------------------------------------------------------------------


def test_staff_confirm_a_priority_and_every_screen_hears_it(centre: Centre) -> None:
    for _ in range(3):
        kiosk_issue(centre, {"service": "A103"})
    set_settings(centre, help_item=None)  # the help request stays in the A103 queue
    later = kiosk_issue(centre, {"service": "A103", "help": True}).json()
    assert later["ticket"]["priority"] == "ordinary" and later["ahead"] == 3
    clerk = centre.login(Centre.CLERK)
    raised = centre.post(
        f"/tickets/{later['ticket']['id']}/priority", {"priority": "assisted", "reason": "行动不便，需协助"}, token=clerk
    )
    assert raised.status_code == 200, raised.text
    assert raised.json()["ticket"]["priority"] == "assisted" and raised.json()["ahead"] == 0
    event = events_of(centre, "ticket.prioritized")[-1]
    assert event["ticket"]["id"] == later["ticket"]["id"]
    # The reason (free text about the citizen) is in the audit row, never in the event screens hear.
    assert event["data"] == {"priority": "assisted", "was": "ordinary", "by": "clerk"}
    # On the administration's record too (who, what before, why), for the site's managers.
    audit = centre.get("/admin/audit?kind=ticket", token=centre.login()).json()["entries"]
    assert [(e["actor"], e["action"], e["before"], e["after"]["priority"], e["after"]["reason"]) for e in audit] == [
        ("clerk", "prioritize", {"priority": "ordinary"}, "assisted", "行动不便，需协助")
    ]
    # It is called before the ordinary tickets that came earlier.
    centre.counter(3, "open")
    assert centre.counter(3, "call-next").json()["ticket"]["id"] == later["ticket"]["id"]


def test_who_may_confirm_and_what(centre: Centre) -> None:
    ticket = kiosk_issue(centre, {"service": "A101"}).json()["ticket"]
    path = f"/tickets/{ticket['id']}/priority"
    body = {"priority": "disabled", "reason": "轮椅"}
    other = clerk_of_another_site(centre)
    assert centre.post(path, body, token=other).status_code == 403
    assert centre.post(path, body, token=centre.kiosk_token).status_code == 403
    assert centre.post(path, body, token=centre.display_token).status_code == 403
    assert centre.post(path, body, token="not-a-token").status_code == 401
    clerk = centre.login(Centre.CLERK)
    for wrong in ({"priority": "ordinary", "reason": "x"}, {"priority": "appointment", "reason": "x"},
                  {"priority": "vip", "reason": "x"}, {"priority": "elderly"}, {"priority": "elderly", "reason": " "}):
        answer = centre.post(path, wrong, token=clerk)
        assert answer.status_code == 400, (wrong, answer.text)
    with sqlite3.connect(centre.db_path) as conn:
        assert conn.execute("SELECT priority FROM tickets WHERE id = ?", (ticket["id"],)).fetchone()[0] == "ordinary"
    assert centre.post(path, body, token=clerk).json()["ticket"]["priority"] == "disabled"
    centre.counter(1, "open")
    centre.counter(1, "call", ticket=ticket["id"], reason="system_fault")
    late = centre.post(path, {"priority": "elderly", "reason": "x"}, token=clerk)
    assert late.status_code == 409 and late.json()["error"] == "invalid_transition"
