"""Weak passwords are refused wherever a password is set: the admin API (add, reset), the
library the CLI and the demo use, and the CLI itself — naming the field and what is missing."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import requests

from queue_server.accounts.credentials import Accounts
from queue_server.accounts.passwords import WeakPassword
from queue_server.settings import load, secret_for
from queue_server.storage import Database
from tests.conftest import ROOT, Centre, copy_demo

NEW_CLERK = {"username": "zhao", "role": "clerk", "sites": ["city-hall"]}


@pytest.mark.parametrize(
    ("password", "code", "zh", "en"),
    [
        ("zhao-1", "field_password", "10–128 个字符", "10–128 characters"),
        ("counter-window", "field_password_classes", "缺少大写字母、数字", "no capital letters or digits"),
        ("Zhao-window-7", "field_password_username", "不能包含用户名", "must not contain the username"),
        ("P@ssw0rd2024", "field_password_common", "太常见", "too common"),
    ],
)
def test_admin_add_and_reset_refuse_weak_passwords_naming_the_field(
    centre: Centre, password: str, code: str, zh: str, en: str
) -> None:
    for lang, words in (("zh-CN", zh), ("en", en)):
        added = centre.post("/admin/staff", {**NEW_CLERK, "password": password}, headers={"Accept-Language": lang})
        assert added.status_code == 400, added.text
        assert (added.json()["error"], added.json()["field"]) == (code, "password")
        assert words in added.json()["message"]
    assert centre.post("/admin/staff", {**NEW_CLERK, "password": "Window-Seven-7"}).status_code == 201
    reset = centre.post("/admin/staff/zhao/password", {"password": password})
    assert reset.status_code == 400 and reset.json()["field"] == "password" and reset.json()["error"] == code
    # Nothing weak was stored: the old password still works.
    ok = requests.post(centre.api("/auth/login"), json={"username": "zhao", "password": "Window-Seven-7"}, timeout=10)
    assert ok.status_code == 200


def test_the_library_refuses_a_weak_password(tmp_path: Path, demo_template) -> None:  # type: ignore[no-untyped-def]
    db_path = tmp_path / "lib.db"
    copy_demo(demo_template, db_path)
    accounts = Accounts(Database(db_path), secret_for(load(overrides={"DB": str(db_path)})))
    with pytest.raises(WeakPassword) as refused:
        accounts.add_user("zhao", "zhao-desk-2024", "clerk", ["city-hall"])
    assert refused.value.rule == "username"
    assert accounts.db.query_one("SELECT 1 FROM staff WHERE username = 'zhao'") is None


def test_the_cli_refuses_a_weak_password_and_says_what_is_missing(tmp_path: Path, demo_template) -> None:  # type: ignore[no-untyped-def]
    db_path = tmp_path / "cli.db"
    copy_demo(demo_template, db_path)
    done = subprocess.run(
        [sys.executable, "-m", "queue_server", "user", "add", "zhao", "--role", "clerk", "--site", "city-hall", "--db", str(db_path)],
        cwd=ROOT, input="counter-window\n", capture_output=True, text=True, timeout=60, env={"LANG": "en_US.UTF-8", "PATH": "/usr/bin:/bin"},
    )  # fmt: skip
    assert done.returncode != 0
    assert "three of: capital letters, small letters, digits, symbols (it has no capital letters or digits)" in done.stderr
