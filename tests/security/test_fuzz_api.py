"""Schemathesis fuzzes every operation of /api/v1/openapi.json against the real centre.

The app runs in this process (WSGI, the demo city in a fresh database) and every
request carries a city admin's token, so the fuzzer reaches the code behind the
checks as well as the checks. Hypothesis generates both valid and invalid input.
Each response must be no server error, have a status, content type, headers and body
the document declares. Examples per operation are bounded so the run fits CI.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import checks as st_checks

from tests.conftest import copy_demo

EXAMPLES = 30
# Body fields naming records that exist (the rest of the body stays generated).
KNOWN_BODY = {
    "service": "A101",
    "bundle": None,
    "person": None,
    "to_service": "A102",
    "site": "city-hall",
    "outcome": "completed",
}
CHECKS = [
    st_checks.not_a_server_error,
    st_checks.status_code_conformance,
    st_checks.content_type_conformance,
    st_checks.response_headers_conformance,
    st_checks.response_schema_conformance,
]


@pytest.fixture(scope="module")
def fuzzed_app(tmp_path_factory: pytest.TempPathFactory, demo_template: tuple[Path, str, str]) -> Iterator[object]:
    from queue_server.app import create_app

    db_path = tmp_path_factory.mktemp("fuzz") / "hallqueue.db"
    copy_demo(demo_template, db_path)
    app = create_app(overrides={"DB": str(db_path), "IGNORE_HOURS": True, "SYNCHRONOUS": "OFF", "LOG_LEVEL": "CRITICAL"})
    yield app
    app.extensions["hallqueue"].db.close()


@pytest.fixture(scope="module")
def admin_token(fuzzed_app) -> str:  # type: ignore[no-untyped-def]
    client = fuzzed_app.test_client()
    response = client.post("/api/v1/auth/login", json={"username": "admin", "password": "Demo-City-1"})
    return response.get_json()["token"]  # type: ignore[no-any-return]


def existing_records(app, token: str) -> dict[str, object]:  # type: ignore[no-untyped-def]
    """Path parameters naming real records: a site, a counter, a ticket, a device …"""
    client = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    issued = client.post("/api/v1/sites/city-hall/tickets", json={"service": "A101"}, headers=headers)
    devices = client.get("/api/v1/admin/devices", headers=headers).get_json()["devices"]
    return {
        "site": "city-hall",
        "number": 1,
        "ticket_id": issued.get_json()["ticket"]["id"],
        "code": "A101",
        "username": "clerk",
        "device_id": devices[0]["id"],
    }


def operations(app) -> list:  # type: ignore[no-untyped-def,type-arg]
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    return [result.ok() for result in schema.get_all_operations()]


def fuzz(operation, token: str, known: dict[str, object]) -> list[str]:  # type: ignore[no-untyped-def]
    """Run one operation's examples; return what broke (the first failure per operation)."""
    failures: list[str] = []
    # Ending the admin's session or changing its password would turn the rest into 401s.
    ends_session = operation.path in ("/api/v1/auth/logout", "/api/v1/admin/staff/{username}/password")
    auth = "Bearer not-the-admin" if ends_session else f"Bearer {token}"

    @given(case=operation.as_strategy(), real=st.booleans())
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        derandomize=True,
        database=None,
        phases=[Phase.explicit, Phase.generate],
    )
    def run(case, real: bool) -> None:  # type: ignore[no-untyped-def]
        # Half the examples aim at records that exist, so the fuzzer gets past the 404s.
        if real and case.path_parameters:
            for name in case.path_parameters:
                if name in known:
                    case.path_parameters[name] = known[name]
        if real and isinstance(case.body, dict):
            if operation.path.endswith("/tickets"):
                case.body["service"] = "A101"  # one of service or bundle
            for name, value in KNOWN_BODY.items():
                if name in case.body:
                    case.body[name] = value
        case.headers = {**(case.headers or {}), "Authorization": auth}
        case.call_and_validate(checks=CHECKS)

    try:
        run()
    except (Exception, BaseExceptionGroup) as exc:  # reported with the operation's name
        failures.append(f"{operation.method.upper()} {operation.path}: {exc}"[:3000])
    return failures


@pytest.mark.slow
def test_api_conforms_under_fuzzing(fuzzed_app, admin_token: str) -> None:  # type: ignore[no-untyped-def]
    # The queue's own operations first: administration may take services off the hall.
    found = sorted(operations(fuzzed_app), key=lambda operation: "/admin/" in operation.path)
    assert len(found) >= 30
    known = existing_records(fuzzed_app, admin_token)
    failures = [failure for operation in found for failure in fuzz(operation, admin_token, known)]
    assert not failures, "\n\n".join(failures)
