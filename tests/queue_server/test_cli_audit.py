"""The staff and device lifecycle on the command line, through the admin pages' operations:
each change is checked as the pages check it and shows on the admin audit page, by
`cli:<login>`, while the centre runs on the same database."""
from __future__ import annotations

import getpass
import json
import time
from pathlib import Path
from typing import Any

import requests

from queue_server.accounts.credentials import PRINCIPAL_CACHE_SECONDS
from tests.conftest import Centre
from tests.queue_server.test_cli import hallqueue

ACTOR = f"cli:{getpass.getuser()}"


def changes(centre: Centre) -> list[dict[str, Any]]:
    response = centre.get("/admin/audit", token=centre.login(), params={"limit": 500})
    assert response.status_code == 200, response.text
    return [e for e in response.json()["entries"] if e["kind"] not in ("login", "report", "personal_data")]


def run_ok(*args: str, stdin: str = "") -> str:
    done = hallqueue(*args, stdin=stdin)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_staff_lifecycle_is_audited_and_takes_effect(centre: Centre) -> None:
    db = str(centre.db_path)
    before = len(changes(centre))
    run_ok("user", "add", "wu", "--role", "clerk", "--site", "city-hall", "--db", db, stdin="Counter-Desk-7\n")
    assert centre.login(("wu", "Counter-Desk-7"))
    run_ok("user", "add", "wu", "--role", "clerk", "--site", "city-hall", "--name", "吴", "--db", db, stdin="Counter-Desk-8\n")
    run_ok("user", "deactivate", "wu", "--db", db)
    refused = requests.post(centre.api("/auth/login"), json={"username": "wu", "password": "Counter-Desk-8"}, timeout=10)
    assert refused.status_code == 401  # a deactivated account cannot log in
    listed = json.loads(run_ok("user", "list", "--site", "city-hall", "--format", "json", "--db", db))
    assert {"username": "wu", "active": False, "display_name": "吴"}.items() <= next(u for u in listed if u["username"] == "wu").items()
    run_ok("user", "reactivate", "wu", "--db", db)
    assert centre.login(("wu", "Counter-Desk-8"))

    rows = changes(centre)[: len(changes(centre)) - before]
    done = [(r["actor"], r["kind"], r["action"], r["target"]) for r in reversed(rows)]
    assert done == [
        (ACTOR, "staff", "create", "wu"),
        (ACTOR, "staff", "update", "wu"),
        (ACTOR, "staff", "reset_password", "wu"),
        (ACTOR, "staff", "deactivate", "wu"),
        (ACTOR, "staff", "update", "wu"),
    ]
    assert all(r["address"] is None for r in rows)  # not an HTTP request
    assert rows[0]["before"]["active"] is False and rows[0]["after"]["active"] is True  # newest first
    assert "Counter-Desk" not in json.dumps(rows)  # never a password


def test_unlock_device_site_and_catalog_changes_are_audited(centre: Centre, tmp_path: Path) -> None:
    from queue_server.accounts.credentials import AccountLocked, Accounts, LoginFailed
    from queue_server.settings import load, secret_for
    from queue_server.storage import Database

    db = str(centre.db_path)
    accounts = Accounts(Database(db), secret_for(load(overrides={"DB": db})))
    for _ in range(5):
        try:
            accounts.login("clerk", "wrong-password")
        except (LoginFailed, AccountLocked):
            pass
    before = len(changes(centre))
    run_ok("user", "unlock", "clerk", "--db", db)

    out = run_ok("device", "add", "--kind", "kiosk", "--site", "city-hall", "--name", "hall 2", "--db", db)
    kiosk_id, token = out.split()[1], out.strip().splitlines()[-1]
    assert centre.get("/devices/me", token=token).status_code == 200
    listed = json.loads(run_ok("device", "list", "--site", "city-hall", "--kind", "kiosk", "--format", "json", "--db", db))
    assert any(d["id"] == kiosk_id and d["revoked_at"] is None for d in listed)
    run_ok("device", "revoke", kiosk_id, "--db", db)
    # Its token stops working; a centre running on the database notices within its principal
    # cache's 5 s (PRINCIPAL_CACHE_SECONDS), as it does for a revoke on another centre process.
    deadline = time.monotonic() + PRINCIPAL_CACHE_SECONDS + 3
    while centre.get("/devices/me", token=token).status_code != 401:
        assert time.monotonic() < deadline, "the revoked token still works"
        time.sleep(0.2)
    table = run_ok("device", "list", "--site", "city-hall", "--db", db)
    assert any(line.startswith(kiosk_id) and "revoked" in line for line in table.splitlines())

    edge_id = run_ok("device", "add", "--kind", "edge", "--site", "station-cbd", "--db", db).split()[1]
    run_ok("site", "hand-over", "station-cbd", "--to", edge_id, "--db", db)
    run_ok("site", "take-back", "station-cbd", "--force", "--db", db)

    catalog = tmp_path / "catalog.json"
    catalog.write_text(json.dumps({"services": [{
        "code": "Z901", "name": "测试事项", "department": "测试局", "domain": "comprehensive", "prefix": "Z",
    }]}), encoding="utf-8")  # fmt: skip
    run_ok("catalog", "import", str(catalog), "--db", db)

    rows = changes(centre)[: len(changes(centre)) - before]
    done = [(r["actor"], r["kind"], r["action"], r["target"]) for r in reversed(rows)]
    assert done[:3] == [
        (ACTOR, "staff", "unlock", "clerk"),
        (ACTOR, "device", "enrol", kiosk_id),
        (ACTOR, "device", "revoke", kiosk_id),
    ]
    assert done[3][1:] == ("device", "enrol", edge_id)
    assert [d[1:3] for d in done[4:]] == [("site", "hand_over"), ("site", "take_back_forced"), ("catalog", "import")]
    assert {d[0] for d in done} == {ACTOR}
