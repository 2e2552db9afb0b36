"""Access is on the record: logins, report files, the watch report and deliberate views of
personal data each leave an audit row with who and from where — and a failed login never
leaves the password it tried.

Each test does the action, then reads the audit log as an admin would.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import requests

from queue_server.app import create_app
from tests.conftest import Centre, copy_demo

MANAGER = ("manager", "Demo-Hall-2")
RANGE = {"from": "2026-03-02", "to": "2026-03-03"}


def audit(centre: Centre, **params: str) -> list[dict[str, Any]]:
    response = centre.get("/admin/audit", token=centre.login(), params=params)
    assert response.status_code == 200, response.text
    return response.json()["entries"]  # type: ignore[no-any-return]


def newest(centre: Centre, kind: str) -> dict[str, Any]:
    return audit(centre, kind=kind)[0]


def test_logins_are_on_the_record_with_the_name_tried_and_never_the_password(centre: Centre) -> None:
    tried = "Not-Her-Password-8127"
    centre.login()  # the admin who reads the log afterwards
    for username in ("clerk", "no-such-user"):
        failed = requests.post(centre.api("/auth/login"), json={"username": username, "password": tried}, timeout=10)
        assert failed.status_code == 401
    assert requests.post(centre.api("/auth/login"), json={"username": "clerk", "password": "Demo-Desk-3"}, timeout=10).ok
    rows = audit(centre, kind="login")
    ok, unknown, wrong = rows[0], rows[1], rows[2]
    assert (ok["action"], ok["actor"], ok["address"]) == ("login", "clerk", "127.0.0.1")
    assert (unknown["action"], unknown["actor"], unknown["after"]) == ("login_failed", "no-such-user", {"account": "unknown"})
    assert (wrong["action"], wrong["actor"], wrong["address"]) == ("login_failed", "clerk", "127.0.0.1")
    assert wrong["after"] == {"failures": 1, "locked": False}
    assert [r["actor"] for r in audit(centre, actor="no-such-user")] == ["no-such-user"]
    # The password tried is nowhere: not in the log, not in the database file or its WAL.
    assert tried not in str(audit(centre, limit="500"))
    for path in (centre.db_path, Path(f"{centre.db_path}-wal")):
        if path.exists():
            assert tried.encode() not in path.read_bytes(), path


def test_report_files_are_on_the_record_and_screen_reads_are_not(centre: Centre) -> None:
    manager = centre.login(MANAGER)
    assert centre.get("/reports/throughput", token=manager, params=RANGE).status_code == 200
    assert audit(centre, kind="report") == []  # a report on screen is the manager's daily work
    for fmt in ("csv", "xlsx"):
        exported = centre.get("/reports/throughput", token=manager, params={**RANGE, "format": fmt, "site": "city-hall"})
        assert exported.status_code == 200
        row = newest(centre, "report")
        assert (row["action"], row["actor"], row["address"], row["target"]) == ("export", "manager", "127.0.0.1", f"throughput.{fmt}")
        assert row["site"] == "city-hall"
        assert row["after"]["from"] == RANGE["from"] and row["after"]["to"] == RANGE["to"] and "rows" in row["after"]
    out_of_order = centre.get("/reports/out-of-order", token=manager, params={**RANGE, "format": "csv", "table": "latest"})
    assert out_of_order.status_code == 200
    assert newest(centre, "report")["target"] == "out-of-order-latest.csv"


def test_every_read_of_the_watch_report_is_on_the_record(centre: Centre) -> None:
    manager = centre.login(MANAGER)
    assert centre.get("/reports/heavy-holders", token=manager, params=RANGE).status_code == 200
    row = newest(centre, "report")
    assert (row["action"], row["actor"], row["target"]) == ("view", "manager", "heavy-holders.json")
    assert set(row["after"]) >= {"identities_rows", "proxies_rows", "from", "to"}
    assert centre.get("/reports/heavy-holders", token=manager, params={**RANGE, "format": "csv", "table": "proxies"}).status_code == 200
    row = newest(centre, "report")
    assert (row["action"], row["target"]) == ("export", "heavy-holders-proxies.csv")


def test_deliberate_views_of_personal_data_are_on_the_record(centre: Centre) -> None:
    person = {"id_number": "11010519491231002X", "name": "欧阳秀兰", "birth_date": "1949-12-31"}
    issued = centre.post("/sites/city-hall/tickets", {"service": "A101", "person": person}, token=centre.kiosk_token)
    assert issued.status_code in (200, 201), issued.text
    number = issued.json()["ticket"]["number"]
    clerk = centre.login(Centre.CLERK)

    assert centre.get("/sites/city-hall/tickets", token=clerk, params={"status": "waiting"}).status_code == 200
    assert audit(centre, kind="personal_data") == []  # the console's working list is not a lookup
    found = centre.get("/sites/city-hall/tickets", token=clerk, params={"number": number.lower()})
    assert found.json()["tickets"][0]["person"]
    row = newest(centre, "personal_data")
    assert (row["action"], row["actor"], row["address"], row["site"]) == ("view", "clerk", "127.0.0.1", "city-hall")
    assert row["target"] == f"city-hall/tickets/{number}"
    assert row["after"] == {"status": "waiting", "found": [number], "named": 1}
    assert "欧阳" not in str(row) and "11010519491231002X" not in str(row)

    assert centre.get("/admin/sites/city-hall/proxies", token=centre.login()).status_code == 200
    row = newest(centre, "personal_data")
    assert (row["actor"], row["target"]) == ("admin", "city-hall/proxies")


def test_behind_a_trusted_proxy_the_record_holds_the_clients_address(tmp_path: Path, demo_template) -> None:  # type: ignore[no-untyped-def]
    db = tmp_path / "proxied.db"
    copy_demo(demo_template, db)
    client = create_app(overrides={"DB": str(db), "TRUSTED_PROXIES": 1}).test_client()
    forwarded = {"X-Forwarded-For": "10.20.30.40"}
    token = client.post("/api/v1/auth/login", json={"username": "admin", "password": "Demo-City-1"}, headers=forwarded).get_json()["token"]
    headers = {**forwarded, "Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/reports/summary", query_string={**RANGE, "format": "csv"}, headers=headers).status_code == 200
    entries = client.get("/api/v1/admin/audit", query_string={"address": "10.20.30.40"}, headers=headers).get_json()["entries"]
    assert [(e["kind"], e["action"]) for e in entries] == [("report", "export"), ("login", "login")]
    assert client.get("/api/v1/admin/audit", query_string={"address": "127.0.0.1"}, headers=headers).get_json()["entries"] == []
