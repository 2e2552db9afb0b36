"""Who may call each write route and join each room: one table, checked against the url_map.

Every state-changing route of the centre (any method but GET/HEAD/OPTIONS, pages
included) must have a row here, or the first test fails: a new route cannot ship
without someone deciding who may call it. Each row says which principals may call
it; everyone else gets 401 (no token) or 403 (a token without the role or the site).
The principals are the demo's (see conftest): devices of the hall and of another
site, a clerk and a manager of the hall, a manager of another subtree, an admin of
the whole city and an admin of one other site.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
import requests
import socketio

from queue_server import wire
from tests.conftest import Centre
from tests.security.conftest import PRINCIPALS, Cast

SITE = "city-hall"
WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}

Maker = Callable[[Cast, str], Any]


@dataclass(frozen=True)
class Row:
    allowed: frozenset[str]
    path: str | Maker
    body: dict[str, Any] | Maker | None = None
    fresh_session: bool = False  # the call ends the session it is made with


def admin_token(cast: Cast) -> str:
    return cast.tokens["admin"]  # type: ignore[return-value]


def waiting_ticket(cast: Cast) -> str:
    response = cast.centre.post(f"/sites/{SITE}/tickets", {"service": "A101"}, token=admin_token(cast))
    assert response.status_code == 201, response.text
    return response.json()["ticket"]["id"]  # type: ignore[no-any-return]


PRINTED_KEYS: dict[str, str] = {}  # ticket id → the key its printed QR carries


def rated_at_window_one(cast: Cast) -> str:
    """A ticket taken at the hall's kiosk (so the key of its QR is known), served at window 1."""
    centre, token = cast.centre, admin_token(cast)
    issued = centre.post(f"/sites/{SITE}/tickets", {"service": "A101"}, token=centre.kiosk_token)
    assert issued.status_code == 201, issued.text
    PRINTED_KEYS["last"] = issued.json()["key"]
    centre.post(f"/sites/{SITE}/counters/1/open", token=token)  # 409 when open already
    called = centre.post(f"/sites/{SITE}/counters/1/call-next", token=token)
    assert called.json()["ticket"]["id"] == issued.json()["ticket"]["id"], called.text
    finished = centre.post(f"/sites/{SITE}/counters/1/finish", {"outcome": "completed"}, token=token)
    assert finished.status_code == 200, finished.text
    return issued.json()["ticket"]["id"]  # type: ignore[no-any-return]


def hall_follow_up(cast: Cast, _: str) -> str:
    """A 差评 given on the phone for a ticket served at window 1: its follow-up's close path."""
    ticket = rated_at_window_one(cast)
    rated = requests.post(  # the citizen's phone: no token, the printed key
        cast.centre.api(f"/tickets/{ticket}/rating"),
        json={"level": 1, "key": PRINTED_KEYS["last"], "reason": "slow"},
        timeout=10,
    )
    assert rated.status_code == 201, rated.text
    listed = cast.centre.get(f"/sites/{SITE}/follow-ups?status=open", token=admin_token(cast)).json()
    found = [f["id"] for f in listed["follow_ups"] if f["ticket"] == ticket]
    return f"/follow-ups/{found[0]}/close"


def missed_ticket(cast: Cast) -> str:
    """A ticket called at window 1 and marked missed (过号), ready to come back."""
    centre, token = cast.centre, admin_token(cast)
    ticket = waiting_ticket(cast)
    centre.post(f"/sites/{SITE}/counters/1/open", token=token)  # 409 when open already
    called = centre.post(
        f"/sites/{SITE}/counters/1/call", {"ticket": ticket, "reason": "system_fault"}, token=token
    )
    assert called.status_code == 200, called.text
    centre.post(f"/sites/{SITE}/counters/1/recall", token=token)  # the demo hall calls twice
    missed = centre.post(f"/sites/{SITE}/counters/1/no-show", token=token)
    assert missed.status_code == 200, missed.text
    return called.json()["ticket"]["id"]  # type: ignore[no-any-return]


def hall_device(cast: Cast, who: str) -> str:
    response = cast.centre.post(
        "/admin/devices", {"kind": "display", "site": SITE, "name": f"for-{who}"}, token=admin_token(cast)
    )
    assert response.status_code == 201, response.text
    return response.json()["device"]["id"]  # type: ignore[no-any-return]


def hall_proxy(cast: Cast, who: str) -> str:
    response = cast.centre.post(
        f"/admin/sites/{SITE}/proxies", {"kind": "registered", "id_number": f"11010519800101{PRINCIPALS.index(who):04d}",
        "name": "代办员", "daily_cap": 5}, token=admin_token(cast)
    )  # fmt: skip
    assert response.status_code == 201, response.text
    return response.json()["proxy"]["id"]  # type: ignore[no-any-return]


def hall_webhook(cast: Cast, who: str) -> str:
    """A subscription for the hall alone (nothing listens at its address)."""
    response = cast.centre.post(
        "/admin/webhooks", {"name": f"for-{who}", "url": "http://127.0.0.1:9/hook", "events": ["ticket.called"],
        "sites": [SITE]}, token=admin_token(cast)
    )  # fmt: skip
    assert response.status_code == 201, response.text
    return response.json()["webhook"]["id"]  # type: ignore[no-any-return]


ONE_THING_WINDOWS = {"clerk": 21, "manager": 22, "admin": 23}  # the hall's 一件事 windows


def bundle_at_window(cast: Cast, who: str) -> int:
    """A “一件事” ticket from the hall's kiosk, called at `who`'s one-thing window by `who`."""
    centre = cast.centre
    number, token = ONE_THING_WINDOWS[who], cast.tokens[who]
    issued = centre.post(f"/sites/{SITE}/tickets", {"bundle": "Y01"}, token=centre.kiosk_token)
    assert issued.status_code == 201, issued.text
    PRINTED_KEYS["last"] = issued.json()["key"]
    centre.post(f"/sites/{SITE}/counters/{number}/open", token=token)  # 409 when open already
    centre.post(f"/sites/{SITE}/counters/{number}/finish", {"outcome": "completed"}, token=token)
    called = centre.post(
        f"/sites/{SITE}/counters/{number}/call",
        {"ticket": issued.json()["ticket"]["id"], "reason": "system_fault"},
        token=token,
    )
    assert called.status_code == 200, called.text
    return number


def stage_done_path(cast: Cast, who: str) -> str:
    number = bundle_at_window(cast, who) if who in ONE_THING_WINDOWS else 21
    return f"/sites/{SITE}/counters/{number}/stage-done"


def finished_bundle_stage(cast: Cast, who: str) -> str:
    """A “一件事” ticket served to the end at window 23 (its stages closed by the finish)."""
    number = bundle_at_window(cast, "admin")
    finished = cast.centre.post(
        f"/sites/{SITE}/counters/{number}/finish", {"outcome": "completed"}, token=admin_token(cast)
    )
    assert finished.status_code == 200, finished.text
    return f"/tickets/{finished.json()['ticket']['id']}/stages/A102/rating"


PLAN_PATH = f"/admin/sites/{SITE}/slot-plans/service/A103"


def hall_plan(cast: Cast, _: str) -> str:
    """A slot plan of the hall's (made again for each caller, so each may delete it)."""
    response = requests.put(
        cast.centre.api(PLAN_PATH), json=PLAN, headers={"Authorization": f"Bearer {admin_token(cast)}"}, timeout=10
    )
    assert response.status_code == 200, response.text
    return PLAN_PATH


def site_body(cast: Cast, _: str) -> dict[str, Any]:
    site = cast.centre.get(f"/sites/{SITE}").json()["site"]
    return {k: site.get(k) for k in ("name", "name_en", "kind", "parent", "timezone", "hours")}


def offerings_body(cast: Cast, _: str) -> dict[str, Any]:
    detail = cast.centre.get(f"/sites/{SITE}").json()
    return {
        "services": [s["code"] for s in detail["services"]],
        "bundles": [b["code"] for b in detail["bundles"]],
    }


def catalog_body(cast: Cast, _: str) -> dict[str, Any]:
    text = cast.centre.get("/admin/catalog", token=admin_token(cast)).text
    return {"format": "json", "text": text}


PLAN = {"slot_minutes": 30, "capacity": 40, "days_ahead": 7, "walk_in_share": 0.25}

WINDOW_PLAN = {
    "name": "合并窗口",
    "windows": [{"number": 1, "name": "综合窗口", "profile": [{"service": "A101", "weight": 1}]}],
}


def hall_window_plan(cast: Cast, _: str) -> str:
    """A window plan of the hall's (made again for each caller, so each may delete it)."""
    response = cast.centre.post(f"/sites/{SITE}/window-plans", WINDOW_PLAN, token=admin_token(cast))
    assert response.status_code == 201, response.text
    return f"/sites/{SITE}/window-plans/{response.json()['id']}"



def person_of(who: str, offset: int = 0) -> dict[str, str]:
    from devices.id_card import make_id_number

    return {"id_number": make_id_number(seq=100 + offset + PRINCIPALS.index(who)), "name": "预约人"}


def bookable_start(cast: Cast) -> str:
    """The first slot of A101 at the hall open to booking (a slot plan is set first)."""
    from datetime import date, timedelta

    plan = requests.put(
        cast.centre.api(f"/admin/sites/{SITE}/slot-plans/service/A101"),
        json=PLAN, headers=cast.headers("admin"), timeout=10,
    )  # fmt: skip
    assert plan.status_code == 200, plan.text
    for ahead in range(1, 8):
        day = (date.today() + timedelta(days=ahead)).isoformat()
        slots = cast.centre.get(f"/sites/{SITE}/slots?service=A101&date={day}").json()["slots"]
        if slots:
            return str(slots[0]["start"])
    raise AssertionError("no bookable slot within a week")


def booking_body(cast: Cast, who: str) -> dict[str, Any]:
    return {"service": "A101", "start": bookable_start(cast), **person_of(who)}


def booked_code(cast: Cast, who: str) -> str:
    made = requests.post(
        cast.centre.api(f"/sites/{SITE}/appointments"),
        json={"service": "A101", "start": bookable_start(cast), **person_of(who, 20)},
        timeout=10,
    )
    assert made.status_code == 201, made.text
    return str(made.json()["appointment"]["code"])


def remote_tickets_on(cast: Cast) -> None:
    import sqlite3

    with sqlite3.connect(cast.centre.db_path) as conn:
        conn.execute(
            "UPDATE sites SET settings = json_set(settings, '$.remote_tickets', json('true')) WHERE id = ?", (SITE,)
        )


def remote_body(cast: Cast, who: str) -> dict[str, Any]:
    remote_tickets_on(cast)
    return {"service": "A102", **person_of(who, 40)}


def remote_ticket(cast: Cast, who: str, offset: int) -> dict[str, Any]:
    remote_tickets_on(cast)
    taken = requests.post(
        cast.centre.api(f"/sites/{SITE}/remote-tickets"), json={"service": "A102", **person_of(who, offset)}, timeout=10
    )
    assert taken.status_code == 201, taken.text
    return taken.json()  # type: ignore[no-any-return]


ADMIN = frozenset({"admin"})
STAFF = frozenset({"clerk", "manager", "admin"})
ISSUERS = STAFF | {"kiosk"}
DEVICES = frozenset({"kiosk", "display", "sign", "kiosk_out"})
EVERYONE = frozenset(PRINCIPALS)
SERVICE = {"name": "测试事项", "department": "测试局", "domain": "comprehensive", "prefix": "Q", "expected_minutes": 12}

ROUTES: dict[tuple[str, str], Row] = {
    # accounts
    ("POST", "/api/v1/auth/login"): Row(
        EVERYONE, "/auth/login", {"username": "clerk", "password": "Demo-Desk-3"}
    ),
    ("POST", "/api/v1/auth/logout"): Row(
        STAFF | {"manager_out", "admin_out"}, "/auth/logout", fresh_session=True
    ),
    # tickets and counters
    ("POST", "/api/v1/sites/<site>/tickets"): Row(ISSUERS, f"/sites/{SITE}/tickets", {"service": "A101"}),
    ("POST", "/api/v1/tickets/<ticket_id>/cancel"): Row(
        ISSUERS, lambda cast, who: f"/tickets/{waiting_ticket(cast)}/cancel"
    ),
    ("POST", "/api/v1/tickets/<ticket_id>/return"): Row(
        ISSUERS, lambda cast, who: f"/tickets/{missed_ticket(cast)}/return"
    ),
    # staff of the ticket's site confirm a priority class (a kiosk may not claim one)
    ("POST", "/api/v1/tickets/<ticket_id>/priority"): Row(
        STAFF,
        lambda cast, who: f"/tickets/{waiting_ticket(cast)}/priority",
        {"priority": "assisted", "reason": "行动不便"},
    ),
    ("POST", "/api/v1/sites/<site>/counters/<int:number>/<action>"): Row(
        STAFF, lambda cast, who: f"/sites/{SITE}/counters/{2 + PRINCIPALS.index(who)}/open"
    ),
    # the citizen's phone (no token, the printed QR's key) and the evaluator of the window
    # that served it (the sign enrolled for window 1) rate a finished ticket
    ("POST", "/api/v1/tickets/<ticket_id>/rating"): Row(
        frozenset({"anonymous", "sign"}),
        lambda cast, who: f"/tickets/{rated_at_window_one(cast)}/rating",
        lambda cast, who: {"level": 5, "key": PRINTED_KEYS["last"]},
    ),
    # a 差评's follow-up is closed by the managers and admins of its site
    ("POST", "/api/v1/follow-ups/<follow_up_id>/close"): Row(
        frozenset({"manager", "admin"}), hall_follow_up, {"note": "已回访，致歉并说明"}
    ),
    # the clerk holding a one-thing window marks an item of its current 一件事 ticket done
    ("POST", "/api/v1/sites/<site>/counters/<int:number>/stage-done"): Row(
        STAFF, stage_done_path, {"service": "A102"}
    ),
    # the citizen alone rates a stage, with the printed QR's key (evaluators rate the whole)
    ("POST", "/api/v1/tickets/<ticket_id>/stages/<service>/rating"): Row(
        frozenset({"anonymous"}),
        finished_bundle_stage,
        lambda cast, who: {"level": 4, "key": PRINTED_KEYS["last"]},
    ),
    ("POST", "/api/v1/devices/status"): Row(DEVICES, "/devices/status", {"printer": "ok"}),
    # a station's edge centre exchanges for its own site only: none of these principals may
    # (tests/edge/test_edge_centres.py shows the site's edge may and another site's may not)
    ("POST", "/api/v1/edge/sync"): Row(frozenset(), "/edge/sync", {"release": 0, "batch": {}}),
    # administration: the city's admin only (the other admin's site is not the hall)
    ("POST", "/api/v1/admin/sites"): Row(
        ADMIN, "/admin/sites", lambda cast, who: {"id": f"x-{who.replace('_', '-')}", "name": "X", "kind": "hall"}
    ),
    ("PUT", "/api/v1/admin/sites/<site>"): Row(ADMIN, f"/admin/sites/{SITE}", site_body),
    # the hall's own settings (waits, announcements, queue rules): its managers may too
    ("PUT", "/api/v1/admin/sites/<site>/settings"): Row(
        frozenset({"manager", "admin"}), f"/admin/sites/{SITE}/settings", {}
    ),
    ("PUT", "/api/v1/admin/sites/<site>/offerings"): Row(ADMIN, f"/admin/sites/{SITE}/offerings", offerings_body),
    ("PUT", "/api/v1/admin/sites/<site>/counters/<int:number>"): Row(
        ADMIN,
        f"/admin/sites/{SITE}/counters/31",
        {"name": "X", "kind": "comprehensive", "profile": [{"service": "A101", "weight": 1}]},
    ),
    # trying rules on history saves nothing: the site's managers may too
    ("POST", "/api/v1/admin/sites/<site>/rules/preview"): Row(
        frozenset({"manager", "admin"}), f"/admin/sites/{SITE}/rules/preview", {"settings": {"mix": [1, 2]}, "days": 3}
    ),
    ("POST", "/api/v1/admin/catalog/import"): Row(ADMIN, "/admin/catalog/import", catalog_body),
    ("PUT", "/api/v1/admin/services/<code>"): Row(ADMIN, "/admin/services/Q001", SERVICE),
    ("PUT", "/api/v1/admin/bundles/<code>"): Row(
        ADMIN, "/admin/bundles/QB1", {"name": "测试一件事", "prefix": "QB", "services": ["A101"]}
    ),
    ("POST", "/api/v1/admin/staff"): Row(
        ADMIN,
        "/admin/staff",
        lambda cast, who: {
            "username": f"u-{who}",
            "password": "long-enough-1",
            "role": "clerk",
            "sites": [SITE],
        },
    ),
    ("PUT", "/api/v1/admin/staff/<username>"): Row(ADMIN, "/admin/staff/victim", {"display_name": "改名"}),
    ("POST", "/api/v1/admin/staff/<username>/password"): Row(
        ADMIN, "/admin/staff/victim/password", {"password": "another-pass-1"}
    ),
    ("POST", "/api/v1/admin/staff/<username>/unlock"): Row(ADMIN, "/admin/staff/victim/unlock", {}),
    ("POST", "/api/v1/admin/devices"): Row(ADMIN, "/admin/devices", {"kind": "kiosk", "site": SITE, "name": "x"}),
    ("POST", "/api/v1/admin/devices/<device_id>/revoke"): Row(
        ADMIN, lambda cast, who: f"/admin/devices/{hall_device(cast, who)}/revoke"
    ),
    # a site's proxies (帮办代办): admins of the site
    ("POST", "/api/v1/admin/sites/<site>/proxies"): Row(
        ADMIN, f"/admin/sites/{SITE}/proxies", {"kind": "staff", "username": "clerk", "daily_cap": 5}
    ),
    ("PUT", "/api/v1/admin/sites/<site>/proxies/<proxy_id>"): Row(
        ADMIN, lambda cast, who: f"/admin/sites/{SITE}/proxies/{hall_proxy(cast, who)}", {"daily_cap": 9}
    ),
    # appointments: citizens book without a token (the platform with its own), staff of the
    # site too; a kiosk, a display or a sign may not; anyone holding a code may cancel it
    ("POST", "/api/v1/sites/<site>/appointments"): Row(
        frozenset({"anonymous"}) | STAFF, f"/sites/{SITE}/appointments", booking_body
    ),
    ("POST", "/api/v1/appointments/<code>/cancel"): Row(
        EVERYONE, lambda cast, who: f"/appointments/{booked_code(cast, who)}/cancel"
    ),
    ("POST", "/api/v1/appointments/<code>/change"): Row(
        EVERYONE,
        lambda cast, who: f"/appointments/{booked_code(cast, who)}/change",
        lambda cast, who: {"start": bookable_start(cast)},
    ),
    ("POST", "/api/v1/sites/<site>/remote-tickets"): Row(EVERYONE, f"/sites/{SITE}/remote-tickets", remote_body),
    # checking in at the hall: its kiosks and staff
    ("POST", "/api/v1/sites/<site>/appointments/check-in"): Row(
        ISSUERS,
        f"/sites/{SITE}/appointments/check-in",
        lambda cast, who: {"code": remote_ticket(cast, who, 60)["appointment"]["code"]},
    ),
    ("POST", "/api/v1/tickets/<ticket_id>/arrive"): Row(
        STAFF, lambda cast, who: f"/tickets/{remote_ticket(cast, who, 80)['ticket']['id']}/arrive"
    ),
    ("PUT", "/api/v1/admin/sites/<site>/slot-plans/<kind>/<code>"): Row(
        ADMIN, f"/admin/sites/{SITE}/slot-plans/service/A103", PLAN
    ),
    ("DELETE", "/api/v1/admin/sites/<site>/slot-plans/<kind>/<code>"): Row(
        ADMIN,
        lambda cast, who: (
            requests.put(
                cast.centre.api(f"/admin/sites/{SITE}/slot-plans/service/A104"), json=PLAN,
                headers=cast.headers("admin"), timeout=10,
            ) and f"/admin/sites/{SITE}/slot-plans/service/A104"
        ),
    ),
    # the calendar: the national list is the whole city's (its admins); a site's own days
    # (a market-day closure) are its admins' and managers'
    ("PUT", "/api/v1/admin/calendar/<int:year>"): Row(
        ADMIN, "/admin/calendar/2031", {"days": [{"date": "2031-01-01", "kind": "holiday", "name": "元旦"}]}
    ),
    ("PUT", "/api/v1/admin/sites/<site>/days/<day>"): Row(
        frozenset({"manager", "admin"}), f"/admin/sites/{SITE}/days/2031-03-03", {"closed": True, "note": "停电检修"}
    ),
    ("DELETE", "/api/v1/admin/sites/<site>/days/<day>"): Row(
        frozenset({"manager", "admin"}),
        lambda cast, who: (
            requests.put(
                cast.centre.api(f"/admin/sites/{SITE}/days/2031-04-0{1 + PRINCIPALS.index(who) % 9}"),
                json={"closed": True}, headers=cast.headers("admin"), timeout=10,
            ) and f"/admin/sites/{SITE}/days/2031-04-0{1 + PRINCIPALS.index(who) % 9}"
        ),
    ),
    # window plans (窗口方案推演): the site's managers draft and replay; its admins apply
    # (a date far ahead: due, not applied, so the demo's counters stay as they are)
    ("POST", "/api/v1/sites/<site>/window-plans"): Row(
        frozenset({"manager", "admin"}), f"/sites/{SITE}/window-plans", WINDOW_PLAN
    ),
    ("PUT", "/api/v1/sites/<site>/window-plans/<plan>"): Row(
        frozenset({"manager", "admin"}), hall_window_plan, WINDOW_PLAN
    ),
    ("DELETE", "/api/v1/sites/<site>/window-plans/<plan>"): Row(
        frozenset({"manager", "admin"}), hall_window_plan
    ),
    ("POST", "/api/v1/sites/<site>/window-plans/<plan>/replay"): Row(
        frozenset({"manager", "admin"}), lambda cast, who: f"{hall_window_plan(cast, who)}/replay", {"weeks": 1}
    ),
    ("POST", "/api/v1/sites/<site>/window-plans/<plan>/apply"): Row(
        ADMIN, lambda cast, who: f"{hall_window_plan(cast, who)}/apply", {"from": "2031-01-06"}
    ),
    # the gateway's webhooks: admins of every site a subscription covers (admin_out: not the hall)
    ("POST", "/api/v1/admin/webhooks"): Row(
        ADMIN, "/admin/webhooks", {"url": "http://127.0.0.1:9/hook", "events": ["ticket.called"], "sites": [SITE]}
    ),
    ("PUT", "/api/v1/admin/webhooks/<webhook_id>"): Row(
        ADMIN, lambda cast, who: f"/admin/webhooks/{hall_webhook(cast, who)}", {"active": False}
    ),
    ("DELETE", "/api/v1/admin/webhooks/<webhook_id>"): Row(
        ADMIN, lambda cast, who: f"/admin/webhooks/{hall_webhook(cast, who)}"
    ),
    ("POST", "/api/v1/admin/webhooks/<webhook_id>/ping"): Row(
        ADMIN, lambda cast, who: f"/admin/webhooks/{hall_webhook(cast, who)}/ping"
    ),
}


def write_rules() -> set[tuple[str, str]]:
    from queue_server.app import create_app

    app = create_app(overrides={"DB": ":memory:"})
    found = set()
    for rule in app.url_map.iter_rules():
        for method in (rule.methods or set()) & WRITE_METHODS:
            found.add((method, rule.rule))
    return found


def test_every_write_route_has_a_row() -> None:
    rules = write_rules()
    missing = rules - set(ROUTES)
    assert not missing, f"write routes without a row in the access table: {sorted(missing)}"
    assert not set(ROUTES) - rules, "rows for routes that no longer exist"


def _value(value: Any, cast: Cast, who: str) -> Any:
    return value(cast, who) if callable(value) else value


@pytest.mark.parametrize("route", sorted(ROUTES), ids=lambda r: f"{r[0]} {r[1]}")
def test_who_may_call(cast: Cast, route: tuple[str, str]) -> None:
    method, _ = route
    row = ROUTES[route]
    centre = cast.centre
    if route[1].startswith("/api/v1/admin/staff/<username>"):
        made = centre.post(
            "/admin/staff",
            {"username": "victim", "password": "Target-pass-1", "role": "clerk", "sites": [SITE]},
            token=admin_token(cast),
        )
        assert made.status_code == 201, made.text
    wrong = []
    for who in PRINCIPALS:
        token = cast.fresh_staff_token(who) if row.fresh_session else cast.tokens[who]
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        response = requests.request(
            method,
            centre.api(_value(row.path, cast, who)),
            json=_value(row.body, cast, who) if row.body is not None else {},
            headers=headers,
            timeout=10,
        )
        if who in row.allowed:
            expected = "2xx"
            ok = 200 <= response.status_code < 300
        else:
            expected = "401" if who == "anonymous" else "403"
            ok = response.status_code == int(expected)
        if not ok:
            wrong.append(f"{who}: expected {expected}, got {response.status_code} {response.text[:160]}")
    assert not wrong, "\n".join(wrong)


# --- rooms ---------------------------------------------------------------------------------

# (join data, principals that may join). The rest are answered `forbidden` and hear nothing.
# Managers' and admins' scopes cover the subtree of their sites: the hall is the root of
# the demo tree, so its manager covers the stations below it; the township's manager only
# its own subtree. A clerk covers exactly the sites named (the hall's clerk: the hall);
# a device only its own site.
HALL_STAFF = frozenset({"clerk", "manager", "admin"})
HALL_MANAGERS = frozenset({"manager", "admin"})
ROOMS: list[tuple[dict[str, Any], frozenset[str]]] = [
    ({"site": SITE}, HALL_STAFF | {"kiosk", "display", "sign"}),
    ({"site": SITE, "counter": 1}, HALL_STAFF | {"kiosk", "display", "sign"}),
    ({"site": "station-cbd"}, HALL_MANAGERS | {"kiosk_out", "admin_out"}),
    ({"site": "station-cbd", "counter": 1}, HALL_MANAGERS | {"kiosk_out", "admin_out"}),
    ({"site": "village-lishu"}, HALL_MANAGERS | {"manager_out"}),
]


def test_every_room_kind_has_a_row() -> None:
    kinds = {("counter" in data) for data, _ in ROOMS}
    assert kinds == {True, False}  # site rooms and counter rooms; `managers` is joined on connect
    # A ticket's room: joined only by its followers (test_a_tickets_room_is_its_phones_alone).


def test_who_may_join(cast: Cast) -> None:
    centre = cast.centre
    wrong = []
    anonymous = socketio.Client(reconnection=False)
    with pytest.raises(socketio.exceptions.ConnectionError):
        anonymous.connect(centre.url, transports=["websocket"], wait_timeout=5)
    for who in PRINCIPALS[1:]:
        client = socketio.Client(reconnection=False)
        heard: list[dict[str, Any]] = []
        for name in wire.EVENT_TYPES:
            client.on(name, heard.append)
        client.on(wire.CATCH_UP, lambda page, heard=heard: heard.extend(page["events"]))
        client.connect(centre.url, auth={"token": cast.tokens[who]}, transports=["websocket"], wait_timeout=5)
        try:
            for data, allowed in ROOMS:
                ack = client.call(wire.JOIN, {**data, "since": 0}, timeout=5)
                if ack.get("ok") != (who in allowed):
                    wrong.append(f"{who} joining {data}: {ack}")
            # What it heard (the replayed backlogs) belongs to sites it may join.
            sites = {event["site"] for event in heard}
            may = {data["site"] for data, allowed in ROOMS if who in allowed}
            if not sites <= may:
                wrong.append(f"{who} heard events of {sites - may}")
        finally:
            client.disconnect()
    assert not wrong, "\n".join(wrong)


def test_a_tickets_room_is_its_phones_alone(cast: Cast) -> None:
    """A ticket's room (`ticket:<id>`) is joined only by a tokenless socket that connected to
    follow that ticket; no token joins one, and a follower joins nothing else."""
    centre = cast.centre
    mine, other = waiting_ticket(cast), waiting_ticket(cast)
    wrong = []
    for who in PRINCIPALS[1:]:
        client = socketio.Client(reconnection=False)
        client.connect(centre.url, auth={"token": cast.tokens[who]}, transports=["websocket"], wait_timeout=5)
        try:
            ack = client.call(wire.JOIN, {"ticket": mine}, timeout=5)
            if ack != {"ok": False, "error": "forbidden"}:
                wrong.append(f"{who} joining the room of a ticket: {ack}")
        finally:
            client.disconnect()
    follower = socketio.Client(reconnection=False)
    heard: list[Any] = []
    follower.on("*", lambda name, data: heard.append((name, data)))
    follower.connect(centre.url, auth={"ticket": mine}, transports=["websocket"], wait_timeout=5)
    try:
        for data, _ in ROOMS:
            ack = follower.call(wire.JOIN, {**data, "since": 0}, timeout=5)
            if ack != {"ok": False, "error": "forbidden"}:
                wrong.append(f"a follower joining {data}: {ack}")
        if follower.call(wire.JOIN, {"ticket": other}, timeout=5)["ok"]:
            wrong.append("a follower joined another ticket's room")
        if not follower.call(wire.JOIN, {"ticket": mine}, timeout=5)["ok"]:
            wrong.append("a follower could not join its own ticket's room")
    finally:
        follower.disconnect()
    replayed = [data for name, data in heard if name == wire.CATCH_UP or name in wire.EVENT_TYPES]
    if replayed:
        wrong.append(f"a follower heard site events: {replayed[:2]}")
    assert not wrong, "\n".join(wrong)


def test_only_city_wide_staff_hear_the_managers_room(cast: Cast) -> None:
    """The `managers` room (every site's events) is joined on connect by city-wide tokens only."""
    centre = cast.centre
    listeners: dict[str, list[dict[str, Any]]] = {}
    clients = []
    for who in PRINCIPALS[1:]:
        client = socketio.Client(reconnection=False)
        heard: list[dict[str, Any]] = []
        for name in wire.EVENT_TYPES:
            client.on(name, heard.append)
        client.connect(centre.url, auth={"token": cast.tokens[who]}, transports=["websocket"], wait_timeout=5)
        listeners[who] = heard
        clients.append(client)
    try:
        centre.post("/sites/station-cbd/tickets", {"service": "A110"}, token=admin_token(cast))
        import time

        time.sleep(0.5)
    finally:
        for client in clients:
            client.disconnect()
    assert [who for who, heard in listeners.items() if heard] == ["admin"]


def test_revoked_tokens_are_refused_everywhere(centre: Centre) -> None:
    """A revoked device is refused by the API and on connect, and its open socket is closed."""
    import time

    from queue_server.accounts.credentials import PRINCIPAL_CACHE_SECONDS
    from queue_server.calling.push import REVALIDATE_SECONDS

    admin = centre.login()
    enrolled = centre.post("/admin/devices", {"kind": "display", "site": SITE, "name": "lost"}, token=admin).json()
    token = enrolled["token"]
    assert centre.get(f"/sites/{SITE}/board", token=token).status_code == 200
    open_socket = socketio.Client(reconnection=False)
    heard: list[dict[str, Any]] = []
    for name in wire.EVENT_TYPES:
        open_socket.on(name, heard.append)
    open_socket.connect(centre.url, auth={"token": token}, transports=["websocket"], wait_timeout=5)
    assert open_socket.call(wire.JOIN, {"site": SITE}, timeout=5)["ok"] is True

    centre.post(f"/admin/devices/{enrolled['device']['id']}/revoke", token=admin)
    deadline = time.monotonic() + PRINCIPAL_CACHE_SECONDS + 2 * REVALIDATE_SECONDS + 2
    while open_socket.connected and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not open_socket.connected, "the revoked display's socket is still open"
    centre.issue("A101")
    time.sleep(0.3)
    assert heard == []
    assert centre.get(f"/sites/{SITE}/board", token=token).status_code == 401
    client = socketio.Client(reconnection=False)
    with pytest.raises(socketio.exceptions.ConnectionError):
        client.connect(centre.url, auth={"token": token}, transports=["websocket"], wait_timeout=5)
