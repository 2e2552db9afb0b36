"""`GET /api/v1/devices/me`: a device token learns who it is, and nothing else does.

Every principal of the security cast asks: each device hears its own kind, site, window
and name (the kiosk agent takes its site from here); staff get 403, no token 401, and a
revoked device 401, like every other route."""

from __future__ import annotations

import requests

from tests.security.conftest import PRINCIPALS, Cast

EXPECTED = {
    "kiosk": {"kind": "kiosk", "site": "city-hall", "counter": None},
    "display": {"kind": "display", "site": "city-hall", "counter": None},
    "sign": {"kind": "sign", "site": "city-hall", "counter": 1, "name": "sign"},
    "kiosk_out": {"kind": "kiosk", "site": "station-cbd", "counter": None, "name": "kiosk_out"},
}


def ask(cast: Cast, who: str) -> requests.Response:
    return requests.get(cast.centre.api("/devices/me"), headers=cast.headers(who), timeout=10)


def test_each_device_hears_who_it_is_and_no_one_else_does(cast: Cast) -> None:
    for who in PRINCIPALS:
        response = ask(cast, who)
        if who in EXPECTED:
            assert response.status_code == 200, (who, response.text)
            identity = response.json()
            assert set(identity) == {"kind", "site", "counter", "name"}
            assert {k: identity[k] for k in EXPECTED[who]} == EXPECTED[who], who
        else:
            assert response.status_code == (401 if who == "anonymous" else 403), (who, response.text)
            assert response.json()["error"] == ("unauthorized" if who == "anonymous" else "forbidden")


def test_a_revoked_device_is_nobody(cast: Cast) -> None:
    admin = cast.tokens["admin"]
    devices = cast.centre.get("/admin/devices", token=admin).json()["devices"]
    kiosk_out = next(d for d in devices if d["name"] == "kiosk_out" and not d.get("revoked_at"))
    revoked = cast.centre.post(f"/admin/devices/{kiosk_out['id']}/revoke", token=admin)
    assert revoked.status_code == 200, revoked.text
    response = ask(cast, "kiosk_out")
    assert response.status_code == 401 and response.json()["error"] == "unauthorized"
