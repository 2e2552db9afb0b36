"""An account locks after 5 failed logins in a row, until an admin unlocks it; a locked
account refuses even the right password; and none of it tells a guesser which usernames exist.

Attempts come from changing addresses (TRUSTED_PROXIES + X-Forwarded-For) so the per-address
back-off does not hide the lockout behind a 429.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from queue_server.accounts.credentials import MAX_FAILED_LOGINS
from queue_server.app import create_app
from tests.conftest import copy_demo


def proxied(tmp_path: Path, demo_template):  # type: ignore[no-untyped-def]
    db = tmp_path / "lockout.db"
    copy_demo(demo_template, db)
    return create_app(overrides={"DB": str(db), "TRUSTED_PROXIES": 1}).test_client(), db


def login(client, username: str, password: str, address: str, lang: str = "zh-CN"):  # type: ignore[no-untyped-def]
    return client.post(
        "/api/v1/auth/login",
        json={"username": username, "password": password},
        headers={"X-Forwarded-For": address, "Accept-Language": lang},
    )


def audit(client, token: str, **params: str) -> list[dict]:  # type: ignore[type-arg, no-untyped-def]
    answer = client.get("/api/v1/admin/audit", query_string=params, headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 200, answer.get_data(as_text=True)
    return answer.get_json()["entries"]  # type: ignore[no-any-return]


def test_five_failures_lock_the_account_even_against_the_right_password(tmp_path: Path, demo_template) -> None:  # type: ignore[no-untyped-def]
    client, db = proxied(tmp_path, demo_template)
    admin = login(client, "admin", "Demo-City-1", "10.0.0.1").get_json()["token"]
    for n in range(MAX_FAILED_LOGINS):
        assert login(client, "clerk", f"Guess-word-{n}", f"198.51.100.{n}").status_code == 401
    right = login(client, "clerk", "Demo-Desk-3", "10.0.0.7")
    assert right.status_code == 403, right.get_data(as_text=True)
    assert right.get_json()["error"] == "account_locked"
    assert "联系管理员" in right.get_json()["message"]
    english = login(client, "clerk", "Demo-Desk-3", "10.0.0.8", lang="en")
    assert "ask an administrator" in english.get_json()["message"]
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT locked_at FROM staff WHERE username = 'clerk'").fetchone()[0] is not None

    rows = audit(client, admin, actor="clerk")
    assert [r["action"] for r in rows[:3]] == ["login_locked", "login_locked", "lock"]
    assert rows[2]["address"] == f"198.51.100.{MAX_FAILED_LOGINS - 1}"
    assert rows[2]["after"] == {"failures": MAX_FAILED_LOGINS, "locked": True}
    staff = {s["username"]: s for s in client.get("/api/v1/admin/staff", headers={"Authorization": f"Bearer {admin}"}).get_json()["staff"]}
    assert staff["clerk"]["locked"] is True

    unlocked = client.post("/api/v1/admin/staff/clerk/unlock", json={}, headers={"Authorization": f"Bearer {admin}", "X-Forwarded-For": "10.0.0.1"})
    assert unlocked.status_code == 200 and unlocked.get_json()["staff"]["locked"] is False
    row = audit(client, admin, kind="staff")[0]
    assert (row["action"], row["actor"], row["target"], row["address"]) == ("unlock", "admin", "clerk", "10.0.0.1")
    assert row["before"]["locked"] is True and row["after"]["locked"] is False
    assert login(client, "clerk", "Demo-Desk-3", "10.0.0.7").status_code == 200


def test_a_success_clears_the_count_so_only_consecutive_failures_lock(tmp_path: Path, demo_template) -> None:  # type: ignore[no-untyped-def]
    client, _ = proxied(tmp_path, demo_template)
    for n in range(MAX_FAILED_LOGINS - 1):
        assert login(client, "clerk", "Guess-word-1", f"198.51.100.{n}").status_code == 401
    assert login(client, "clerk", "Demo-Desk-3", "10.0.0.7").status_code == 200
    for n in range(MAX_FAILED_LOGINS - 1):
        assert login(client, "clerk", "Guess-word-1", f"198.51.100.{n + 50}").status_code == 401
    assert login(client, "clerk", "Demo-Desk-3", "10.0.0.7").status_code == 200


def test_lockout_tells_a_guesser_nothing_about_which_usernames_exist(tmp_path: Path, demo_template) -> None:  # type: ignore[no-untyped-def]
    client, _ = proxied(tmp_path, demo_template)
    answers = {}
    for username in ("clerk", "nobody-here"):
        for n in range(MAX_FAILED_LOGINS + 2):
            answer = login(client, username, "Guess-word-1", f"198.51.100.{n}" if username == "clerk" else f"198.51.101.{n}")
            answers.setdefault(username, []).append((answer.status_code, answer.get_json()))
    # A locked account and an unknown name answer the wrong password the same way, every time.
    assert answers["clerk"] == answers["nobody-here"]
    assert {code for code, _ in answers["clerk"]} == {401}


def test_an_admin_unlocks_from_the_command_line_too(tmp_path: Path, demo_template) -> None:  # type: ignore[no-untyped-def]
    import json
    import subprocess
    import sys

    from tests.conftest import ROOT

    client, db = proxied(tmp_path, demo_template)
    for n in range(MAX_FAILED_LOGINS):
        login(client, "admin", "Guess-word-1", f"198.51.100.{n}")
    assert login(client, "admin", "Demo-City-1", "10.0.0.1").status_code == 403  # every admin locked out
    done = subprocess.run(
        [sys.executable, "-m", "queue_server", "user", "unlock", "admin", "--db", str(db)],
        cwd=ROOT, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert login(client, "admin", "Demo-City-1", "10.0.0.1").status_code == 200
    with sqlite3.connect(db) as conn:
        actor, action, address, after = conn.execute(
            "SELECT actor, action, address, after FROM audit_log WHERE kind = 'staff' ORDER BY rowid DESC LIMIT 1"
        ).fetchone()
    assert actor.startswith("cli:") and action == "unlock" and address is None
    assert json.loads(after)["locked"] is False
    unknown = subprocess.run(
        [sys.executable, "-m", "queue_server", "user", "unlock", "nobody", "--db", str(db)],
        cwd=ROOT, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert unknown.returncode != 0 and "nobody" in unknown.stderr
