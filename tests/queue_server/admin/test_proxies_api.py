"""A site's proxies (帮办代办) over /api/v1/admin/sites/{site}/proxies: registered by an admin
of the site, audited, the card's number never kept or shown; caps enforced end to end."""
from __future__ import annotations

from typing import Any

import pytest
import requests

from queue_server.accounts.credentials import Accounts
from queue_server.settings import load, secret_for
from queue_server.storage import Database
from tests.conftest import Centre

SITE = "city-hall"
CARD = "11010519800101003X"
CARD_NAME = "司马光明"  # masked: 司马**
OTHER_CARD = "330102199001011234"
CITIZEN = {"id_number": "110105195001010011", "name": "欧阳秀兰", "birth_date": "1950-01-01"}
CLERK = ("clerk", "Demo-Desk-3")
SECRETS = (CARD, CARD.lower(), CARD[:-1], CARD_NAME, OTHER_CARD, CITIZEN["id_number"], CITIZEN["name"])


def put(centre: Centre, path: str, body: Any, token: str | None = None, lang: str = "zh-CN") -> requests.Response:
    headers = {"Authorization": f"Bearer {token or centre.login()}", "Accept-Language": lang}
    return requests.put(centre.api(path), json=body, headers=headers, timeout=10)


def register(centre: Centre, body: dict[str, Any], token: str | None = None, lang: str = "zh-CN", site: str = SITE) -> requests.Response:
    return centre.post(f"/admin/sites/{site}/proxies", body, token=token, headers={"Accept-Language": lang})


def listed(centre: Centre, site: str = SITE) -> dict[str, dict[str, Any]]:
    response = centre.get(f"/admin/sites/{site}/proxies", token=centre.login())
    assert response.status_code == 200, response.text
    return {a["id"]: a for a in response.json()["proxies"]}


def person_hash(centre: Centre, number: str) -> str:
    db = Database(centre.db_path)
    try:
        return Accounts(db, secret_for(load(overrides={"DB": str(centre.db_path)}))).person_hash("city-hall", number)
    finally:
        db.close()


def no_secret_in(text: str) -> None:
    for secret in SECRETS:
        assert secret not in text, f"{secret!r} shown in clear"


def issue(centre: Centre, token: str, lang: str = "zh-CN", **body: Any) -> requests.Response:
    return centre.post(f"/sites/{SITE}/tickets", {"service": "A101", **body}, token=token, headers={"Accept-Language": lang})


# --- registering, listing, changing ------------------------------------------------------


def test_register_list_change_and_audit(centre: Centre) -> None:
    staff = register(centre, {"kind": "staff", "username": "clerk", "daily_cap": 3})
    assert staff.status_code == 201, staff.text
    proxy = staff.json()["proxy"]
    assert (proxy["kind"], proxy["username"], proxy["daily_cap"], proxy["active"], proxy["card"]) == (
        "staff", "clerk", 3, True, None,
    )
    assert proxy["name"]  # the staff member's name or user name

    card = register(centre, {"kind": "registered", "id_number": CARD, "name": CARD_NAME, "daily_cap": 8})
    assert card.status_code == 201, card.text
    no_secret_in(card.text)
    registered = card.json()["proxy"]
    assert registered["name"] == "司马**"
    assert registered["card"] == person_hash(centre, CARD)[:8]
    assert registered["username"] is None

    no_secret_in(centre.get(f"/admin/sites/{SITE}/proxies", token=centre.login()).text)
    proxies = listed(centre)
    assert {a["id"]: (a["daily_cap"], a["today"], a["active"]) for a in proxies.values()} == {
        proxy["id"]: (3, 0, True),
        registered["id"]: (8, 0, True),
    }

    # The cap changes; then the proxy is deactivated: two audit rows, before and after.
    changed = put(centre, f"/admin/sites/{SITE}/proxies/{registered['id']}", {"daily_cap": 12})
    assert changed.status_code == 200 and changed.json()["proxy"]["daily_cap"] == 12, changed.text
    off = put(centre, f"/admin/sites/{SITE}/proxies/{registered['id']}", {"active": False})
    assert off.status_code == 200 and off.json()["proxy"]["active"] is False, off.text
    again = put(centre, f"/admin/sites/{SITE}/proxies/{registered['id']}", {"active": False})
    assert again.status_code == 200

    log = centre.get("/admin/audit", token=centre.login(), params={"kind": "proxy"})
    rows = log.json()["entries"]
    assert [(r["action"], r["target"]) for r in rows] == [
        ("deactivate", registered["id"]),
        ("update", registered["id"]),
        ("create", registered["id"]),
        ("create", proxy["id"]),
    ]  # the repeated deactivation changed nothing and logged nothing
    assert rows[1]["before"]["daily_cap"] == 8 and rows[1]["after"]["daily_cap"] == 12
    assert rows[2]["before"] is None and rows[2]["site"] == SITE
    no_secret_in(log.text)
    # The stored hash is in the proxies table only, never in the log.
    assert person_hash(centre, CARD) not in log.text
    no_secret_in(centre.db_path.read_bytes().decode("utf-8", "ignore"))


def test_field_errors_name_the_field_and_never_repeat_the_number(centre: Centre) -> None:
    def error(body: dict[str, Any], field: str, code: str, lang: str = "zh-CN") -> str:
        response = register(centre, body, lang=lang)
        assert response.status_code == 400, response.text
        assert (response.json()["field"], response.json()["error"]) == (field, code), response.text
        no_secret_in(response.text)
        return response.json()["message"]  # type: ignore[no-any-return]

    assert error({"kind": "registered", "id_number": "12-34", "name": "王五", "daily_cap": 5}, "id_number", "field_id_number") == "身份证号码格式不对"
    error({"kind": "registered", "name": "王五", "daily_cap": 5}, "id_number", "field_required")
    error({"kind": "registered", "id_number": CARD, "daily_cap": 5}, "name", "field_required")
    error({"kind": "registered", "id_number": CARD, "name": "王五", "daily_cap": 0}, "daily_cap", "field_integer")
    error({"kind": "someone", "daily_cap": 5}, "kind", "field_choice")
    assert "nobody" in error({"kind": "staff", "username": "nobody", "daily_cap": 5}, "username", "field_unknown_staff", "en")
    # The township's manager does not work at the hall.
    assert error({"kind": "staff", "username": "town", "daily_cap": 5}, "username", "field_staff_not_at_site", "en") == (
        "This staff member does not work at this site: town"
    )

    assert register(centre, {"kind": "registered", "id_number": CARD, "name": CARD_NAME, "daily_cap": 5}).status_code == 201
    # The same card twice (lower-case x is the same card): refused without saying the number.
    message = error({"kind": "registered", "id_number": CARD.lower(), "name": "别人", "daily_cap": 5}, "id_number", "field_card_taken")
    assert message == "这张身份证已登记为本网点的代办人"
    assert register(centre, {"kind": "staff", "username": "clerk", "daily_cap": 5}).status_code == 201
    error({"kind": "staff", "username": "clerk", "daily_cap": 9}, "username", "field_taken")
    # The same card may be a proxy at another site.
    assert register(centre, {"kind": "registered", "id_number": CARD, "name": CARD_NAME, "daily_cap": 5}, site="station-cbd").status_code == 201


def test_only_an_admin_of_the_site(centre: Centre) -> None:
    admin = centre.login()
    made = centre.post(
        "/admin/staff",
        {"username": "station-admin", "password": "Cbd-Desk-Key-9", "role": "admin", "sites": ["station-cbd"]},
        token=admin,
    )
    assert made.status_code == 201, made.text
    body = {"kind": "registered", "id_number": CARD, "name": CARD_NAME, "daily_cap": 5}
    for who, status in (
        (CLERK, 403),
        (("manager", "Demo-Hall-2"), 403),
        (("station-admin", "Cbd-Desk-Key-9"), 403),
    ):
        token = centre.login(who)
        assert register(centre, body, token=token).status_code == status, who
        assert centre.get(f"/admin/sites/{SITE}/proxies", token=token).status_code == status, who
    assert centre.get(f"/admin/sites/{SITE}/proxies").status_code == 401
    assert register(centre, body, token=centre.kiosk_token).status_code == 403
    # The station's admin manages the station's proxies, not the hall's.
    station = centre.login(("station-admin", "Cbd-Desk-Key-9"))
    assert register(centre, body, token=station, site="station-cbd").status_code == 201
    hall_proxy = register(centre, body).json()["proxy"]
    assert put(centre, f"/admin/sites/{SITE}/proxies/{hall_proxy['id']}", {"active": False}, token=station).status_code == 403
    # A proxy is changed through its own site only.
    assert put(centre, f"/admin/sites/station-cbd/proxies/{hall_proxy['id']}", {"active": False}, token=station).status_code == 404
    assert put(centre, f"/admin/sites/{SITE}/proxies/nope", {"active": False}).status_code == 404
    assert centre.get("/admin/sites/nowhere/proxies", token=admin).status_code == 404


# --- caps, end to end --------------------------------------------------------------------


def test_a_staff_proxy_issues_up_to_the_cap(centre: Centre) -> None:
    proxy = register(centre, {"kind": "staff", "username": "clerk", "daily_cap": 2}).json()["proxy"]
    clerk = centre.login(CLERK)
    first = issue(centre, clerk)
    assert first.status_code == 201, first.text
    assert issue(centre, clerk, service="A102").status_code == 201
    refused = issue(centre, clerk, service="A103")
    assert refused.status_code == 409, refused.text
    assert refused.json()["error"] == "proxy_cap_reached"
    assert "今日取号已达上限（2 个）" in refused.json()["message"]
    english = issue(centre, clerk, lang="en", service="A103")
    assert english.json()["message"] == f"Proxy {proxy['name']} has taken today's 2 tickets"
    assert listed(centre)[proxy["id"]]["today"] == 2

    # A cancelled ticket leaves room again; a deactivated proxy is no longer counted.
    assert centre.post(f"/tickets/{first.json()['ticket']['id']}/cancel", token=clerk).status_code == 200
    assert issue(centre, clerk, service="A103").status_code == 201
    assert issue(centre, clerk, service="A104").status_code == 409
    assert put(centre, f"/admin/sites/{SITE}/proxies/{proxy['id']}", {"active": False}).status_code == 200
    assert issue(centre, clerk, service="A104").status_code == 201
    assert listed(centre)[proxy["id"]]["today"] == 2  # the last ticket was not the proxy's


def test_staff_name_a_registered_proxy_and_a_kiosk_cannot(centre: Centre) -> None:
    proxy = register(centre, {"kind": "registered", "id_number": CARD, "name": CARD_NAME, "daily_cap": 1}).json()["proxy"]
    admin = centre.login()
    assert issue(centre, admin, proxy=proxy["id"]).status_code == 201
    refused = issue(centre, admin, proxy=proxy["id"], service="A102")
    assert refused.status_code == 409 and refused.json()["error"] == "proxy_cap_reached", refused.text
    assert "司马**" in refused.json()["message"]
    no_secret_in(refused.text)

    at_kiosk = issue(centre, centre.kiosk_token, proxy=proxy["id"])
    assert at_kiosk.status_code == 400 and at_kiosk.json()["error"] == "invalid_input", at_kiosk.text
    assert listed(centre)[proxy["id"]]["today"] == 1

    # A deactivated proxy cannot be named any more.
    put(centre, f"/admin/sites/{SITE}/proxies/{proxy['id']}", {"active": False})
    gone = issue(centre, admin, proxy=proxy["id"], service="A103")
    assert gone.status_code == 404 and gone.json()["error"] == "unknown_proxy", gone.text


def test_a_proxy_card_at_the_kiosk_counts_against_the_proxy_cap(centre: Centre) -> None:
    """The hall allows 3 tickets per person and item a day and one active ticket; its
    registered proxy takes 4 for the same item with their own card, then meets their cap."""
    proxy = register(centre, {"kind": "registered", "id_number": CARD, "name": CARD_NAME, "daily_cap": 4}).json()["proxy"]
    person = {"id_number": CARD, "name": CARD_NAME, "birth_date": "1980-01-01"}
    for n in range(4):
        taken = issue(centre, centre.kiosk_token, person=person, request_id=f"proxy-{n}")
        assert taken.status_code == 201, (n, taken.text)
    refused = issue(centre, centre.kiosk_token, person=person, request_id="proxy-4")
    assert refused.status_code == 409 and refused.json()["error"] == "proxy_cap_reached", refused.text
    no_secret_in(refused.text)
    assert listed(centre)[proxy["id"]]["today"] == 4

    # A citizen's card meets the one-active-ticket rule at once: no proxy there.
    assert issue(centre, centre.kiosk_token, person=CITIZEN, request_id="citizen-0").status_code == 201
    second = issue(centre, centre.kiosk_token, person=CITIZEN, request_id="citizen-1")
    assert second.status_code == 409 and second.json()["error"] == "one_active_ticket", second.text


@pytest.mark.parametrize("lang,expected", [("zh-CN", "代办人 司马** 今日取号已达上限（1 个）"), ("en", "Proxy 司马** has taken today's 1 tickets")])
def test_the_cap_message_in_both_languages(centre: Centre, lang: str, expected: str) -> None:
    proxy = register(centre, {"kind": "registered", "id_number": CARD, "name": CARD_NAME, "daily_cap": 1}).json()["proxy"]
    admin = centre.login()
    assert issue(centre, admin, proxy=proxy["id"]).status_code == 201
    refused = issue(centre, admin, lang=lang, proxy=proxy["id"], service="A102")
    assert refused.json()["message"] == expected
