"""Upgrading from the previous release: its database, made by its own code
(`tests/fixtures/make_release_db.py`), opened by today's `hallqueue serve`.

The centre backs the file up before it migrates it, says so in its log, and every ticket of
the old release is there afterwards, with the same number and outcome; the release's staff
still log in and its kiosk still issues.
"""
from __future__ import annotations

import gzip
import json
import shutil
import sqlite3
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest

from queue_server.storage.migrations import MIGRATIONS
from tests.conftest import CentreProcess, free_port
from tests.queue_server.test_cli import hallqueue

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
RELEASE = json.loads((FIXTURES / "release-v0.1.0.json").read_text(encoding="utf-8"))


@pytest.fixture
def release_db(tmp_path: Path) -> Path:
    """A copy of the release's database where its centre kept it, with its secret beside it."""
    path = tmp_path / "var" / "hallqueue.db"
    path.parent.mkdir(mode=0o700)
    with gzip.open(FIXTURES / "release-v0.1.0.db.gz", "rb") as source, open(path, "wb") as target:
        shutil.copyfileobj(source, target)
    Path(f"{path}.secret").write_text(RELEASE["secret"])
    Path(f"{path}.secret").chmod(0o600)
    return path


def version(path: Path) -> int:
    with closing(sqlite3.connect(path)) as conn:
        return int(conn.execute("PRAGMA user_version").fetchone()[0])


def test_the_fixture_is_the_release_before_this_code(release_db: Path) -> None:
    assert version(release_db) == RELEASE["schema_version"] < len(MIGRATIONS)
    assert len(RELEASE["tickets"]) >= 10 and {t["status"] for t in RELEASE["tickets"]} >= {"done", "called", "waiting"}


def test_serve_backs_up_then_migrates_and_every_ticket_of_the_release_is_there(release_db: Path, tmp_path: Path) -> None:
    log = tmp_path / "centre.log"
    centre = CentreProcess(release_db, free_port(), log)
    centre.start()
    try:
        # Backed up first, the schema as the release left it, and said so in the log.
        copies = list(release_db.parent.glob(f"hallqueue.db.before-v{len(MIGRATIONS)}-*.bak"))
        assert len(copies) == 1
        assert version(copies[0]) == RELEASE["schema_version"]
        with closing(sqlite3.connect(copies[0])) as conn:
            assert conn.execute("SELECT count(*) FROM tickets").fetchone()[0] == len(RELEASE["tickets"])
        assert f"backed up to {copies[0]} before migrating" in log.read_text(encoding="utf-8")
        assert version(release_db) == len(MIGRATIONS)

        # Every ticket of the release, through the API.
        for old in RELEASE["tickets"]:
            response = centre.get(f"/tickets/{old['id']}")
            assert response.status_code == 200, (old, response.text)
            now: dict[str, Any] = response.json()["ticket"]
            assert (now["id"], now["number"], now["site"], now["service"]) == (
                old["id"], old["number"], old["site_id"], old["service"],
            )  # fmt: skip
            if old["status"] == "done":
                assert (now["status"], now["outcome"], now["counter"]) == ("done", old["outcome"], old["counter"])

        # The release's staff and kiosk go on working after the upgrade.
        centre.login(tuple(RELEASE["login"]))  # type: ignore[arg-type]
        fresh = centre.post("/sites/city-hall/tickets", {"service": "A101", "request_id": "after-upgrade"}, token=RELEASE["kiosk_token"])
        assert fresh.status_code == 201, fresh.text
        assert fresh.json()["ticket"]["id"] not in {t["id"] for t in RELEASE["tickets"]}
    finally:
        centre.stop()

    # Started again: already current, no second backup; the file checks sound.
    centre.start()
    centre.stop()
    assert len(list(release_db.parent.glob("hallqueue.db.before-*"))) == 1
    check = hallqueue("db", "check", "--db", str(release_db), "--json")
    assert check.returncode == 0, check.stderr
    assert json.loads(check.stdout)["rows"]["tickets"] == len(RELEASE["tickets"]) + 1
