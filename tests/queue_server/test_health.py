"""`GET /api/v1/health`: what a monitoring system alerts on, from a real centre."""
from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Any

import pytest
import requests

from queue_server.monitoring import centre_health
from tests.conftest import Centre, free_port

CHECKS = {"database", "assets", "disk", "sweeper", "push"}


def health(centre: Centre) -> dict[str, Any]:
    response = requests.get(centre.api("/health"), timeout=10)
    assert response.status_code == 200
    return response.json()


def test_a_sound_centre_is_ok_on_every_check(centre: Centre) -> None:
    found = health(centre)
    assert found["ok"] is True and found["status"] == "ok"
    assert set(found["checks"]) == CHECKS
    assert all(check["status"] == "ok" for check in found["checks"].values()), found
    assert found["checks"]["disk"]["free_mb"] > 0
    assert found["checks"]["assets"]["missing"] == []
    assert found["checks"]["push"]["message_queue"] is None
    assert "edge" not in found  # only a station's edge centre says how its link stands


@pytest.fixture
def no_assets(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The centre as installed without its front-end libraries (an empty static/vendor)."""
    from queue_server import assets

    empty = tmp_path / "vendor"
    empty.mkdir()
    (empty / "echarts.min.js").write_text("")  # a truncated copy counts as missing too
    monkeypatch.setattr(assets, "VENDOR", empty)
    return empty


def test_missing_page_assets_make_it_degraded_and_are_named(no_assets: Path, centre: Centre) -> None:
    found = health(centre)
    assert found["status"] == "degraded" and found["ok"] is True
    assets = found["checks"]["assets"]
    assert assets["status"] == "degraded"
    assert assets["missing"] == ["socket.io.min.js", "echarts.min.js"]
    assert "make setup" in assets["message"]


def test_the_centre_warns_at_start_when_assets_are_missing(no_assets: Path, db_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    from queue_server.app import create_app

    with caplog.at_level(logging.WARNING, logger="hallqueue"):
        app = create_app(overrides={"DB": str(db_path)})
    app.extensions["hallqueue"].db.close()
    warnings = [r.getMessage() for r in caplog.records if "front-end files missing" in r.getMessage()]
    assert len(warnings) == 1
    assert "socket.io.min.js, echarts.min.js" in warnings[0] and "make setup" in warnings[0]


@pytest.mark.parametrize("centre_settings", [{"DISK_FREE_MIN_MB": 1 << 40}])
def test_little_disk_space_makes_it_degraded(centre: Centre) -> None:
    disk = health(centre)["checks"]["disk"]
    assert disk["status"] == "degraded"
    assert disk["minimum_mb"] == 1 << 40 and disk["free_mb"] < disk["minimum_mb"]
    assert Path(disk["path"]) == centre.db_path.parent.resolve()


@pytest.mark.parametrize("centre_settings", [{"SWEEP_SECONDS": 1}])
def test_the_sweepers_last_run_is_reported(centre: Centre) -> None:
    deadline = time.monotonic() + 10
    while (sweeper := health(centre)["checks"]["sweeper"])["last_run_at"] is None:
        assert time.monotonic() < deadline, "the sweeper never ran"
        time.sleep(0.2)
    assert sweeper["status"] == "ok" and sweeper["every_seconds"] == 1 and sweeper["last_error"] is None


def test_a_late_or_failed_sweep_is_degraded() -> None:
    record = centre_health.SweepRecord(every_seconds=60, started_at=1000.0)
    assert centre_health.sweeper(record, now=1100.0)["status"] == "ok"  # not due yet
    assert centre_health.sweeper(record, now=1000.0 + 3 * 60 + 1)["status"] == "degraded"
    record.ran("closing past days: disk I/O error")
    late = centre_health.sweeper(record, now=record.last_run_at + 1)  # type: ignore[operator]
    assert late["status"] == "degraded" and "disk I/O error" in late["message"]
    record.ran()
    assert centre_health.sweeper(record, now=record.last_run_at + 1)["status"] == "ok"  # type: ignore[operator]


def test_a_database_that_does_not_answer_is_failing() -> None:
    def broken() -> bool:
        raise OSError("disk gone")

    checks = {"database": centre_health.database(broken), "assets": centre_health.page_assets()}
    assert checks["database"]["status"] == "failing" and "disk gone" in checks["database"]["message"]
    assert centre_health.overall(checks) == "failing"
    assert centre_health.overall({"a": {"status": "ok"}, "b": {"status": "degraded"}}) == "degraded"


@pytest.mark.parametrize("centre_settings", [{"MESSAGE_QUEUE": f"redis://:hunter2@127.0.0.1:{free_port()}/0"}])
def test_an_unreachable_message_queue_is_degraded_without_its_password(centre: Centre) -> None:
    found = health(centre)
    push = found["checks"]["push"]
    assert found["status"] == "degraded" and push["status"] == "degraded"
    assert "does not answer" in push["message"]
    assert "hunter2" not in str(found)
    assert push["message_queue"].startswith("redis://127.0.0.1:")


def test_a_message_queue_that_answers_is_ok(redis_url: str, db_path: Path) -> None:  # noqa: F811  (the fixture)
    from queue_server.app import create_app

    app = create_app(overrides={"DB": str(db_path), "MESSAGE_QUEUE": redis_url})
    try:
        found = app.test_client().get("/api/v1/health").get_json()
    finally:
        app.extensions["hallqueue"].db.close()
    assert found["checks"]["push"] == {"status": "ok", "message": "", "message_queue": redis_url}
