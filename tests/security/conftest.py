"""Security fixtures: the live centre with a principal of every kind, in and out of scope."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
import requests

from tests.conftest import Centre

# Who may be asking. The routes under test concern the city hall (`city-hall`);
# "out" principals hold tokens for other sites only.
STAFF_LOGINS = {
    "clerk": Centre.CLERK,
    "manager": ("manager", "Demo-Hall-2"),
    "admin": Centre.ADMIN,
    "manager_out": ("town", "Demo-Gutang-4"),
    "admin_out": ("station-admin", "Cbd-Desk-Key-9"),
}
# The hall's sign hangs over window 1, the window the tests serve at.
DEVICE_ENROLMENTS = {"sign": ("sign", "city-hall", 1), "kiosk_out": ("kiosk", "station-cbd", None)}
PRINCIPALS = (
    "anonymous",
    "kiosk",
    "display",
    "sign",
    "kiosk_out",
    "clerk",
    "manager",
    "admin",
    "manager_out",
    "admin_out",
)


@dataclass
class Cast:
    """A token per principal name (None for anonymous)."""

    centre: Centre
    tokens: dict[str, str | None]

    def headers(self, who: str) -> dict[str, str]:
        token = self.tokens[who]
        return {"Authorization": f"Bearer {token}"} if token else {}

    def fresh_staff_token(self, who: str) -> str | None:
        """A new session for a staff principal (for routes that end the session)."""
        if who in STAFF_LOGINS:
            username, password = STAFF_LOGINS[who]
            response = requests.post(
                self.centre.api("/auth/login"), json={"username": username, "password": password}, timeout=10
            )
            assert response.status_code == 200, response.text
            return response.json()["token"]  # type: ignore[no-any-return]
        return self.tokens[who]


@pytest.fixture
def cast(centre: Centre) -> Cast:
    admin = centre.login()
    made = centre.post(
        "/admin/staff",
        {"username": "station-admin", "password": "Cbd-Desk-Key-9", "role": "admin", "sites": ["station-cbd"]},
        token=admin,
    )
    assert made.status_code == 201, made.text
    tokens: dict[str, str | None] = {
        "anonymous": None,
        "kiosk": centre.kiosk_token,
        "display": centre.display_token,
    }
    for who, (kind, site, counter) in DEVICE_ENROLMENTS.items():
        body = {"kind": kind, "site": site, "name": who, "counter": counter}
        response = centre.post("/admin/devices", body, token=admin)
        assert response.status_code == 201, response.text
        tokens[who] = response.json()["token"]
    for who, login in STAFF_LOGINS.items():
        tokens[who] = centre.login(login)
    assert set(tokens) == set(PRINCIPALS)
    return Cast(centre, tokens)
