"""The centre's log file where there is no journald: rotated by size, a few files kept."""
from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from queue_server import log_files
from queue_server.settings import load
from tests.conftest import CentreProcess, copy_demo, free_port


@pytest.fixture
def handlers() -> Iterator[list[logging.Handler]]:
    """The file handlers a test adds to the root logger, taken off again after it."""
    added: list[logging.Handler] = []
    yield added
    for handler in added:
        logging.getLogger().removeHandler(handler)
        handler.close()


def test_the_log_file_rotates_by_size_and_keeps_count_files(tmp_path: Path, handlers: list[logging.Handler]) -> None:
    path = tmp_path / "logs" / "centre.log"
    values = load(overrides={"LOG_FILE": str(path), "LOG_FILE_MB": 0.002, "LOG_FILE_COUNT": 2})  # ~2 KB a file
    handler = log_files.configure(values)
    assert handler is not None
    handlers.append(handler)
    assert log_files.configure(values) is handler  # a second app in the process shares it

    log = logging.getLogger("hallqueue.test")
    for i in range(200):
        log.warning("line %03d of the log", i)
    handler.flush()

    names = sorted(p.name for p in path.parent.iterdir())
    assert names == ["centre.log", "centre.log.1", "centre.log.2"]  # the oldest went
    limit = 0.002 * (1 << 20)
    assert all((path.parent / name).stat().st_size <= limit for name in names)
    assert "line 199 of the log" in path.read_text(encoding="utf-8")
    assert "line 000 of the log" not in "".join((path.parent / n).read_text(encoding="utf-8") for n in names)


def test_no_log_file_unless_asked(tmp_path: Path, handlers: list[logging.Handler]) -> None:
    assert log_files.configure(load(overrides={"DB": str(tmp_path / "x.db")})) is None


def test_serve_writes_its_log_to_the_file_named(tmp_path: Path, db_path: Path, demo_template: tuple[Path, str, str]) -> None:
    copy_demo(demo_template, db_path)
    log_file = tmp_path / "centre.log"
    centre = CentreProcess(db_path, free_port(), tmp_path / "stdout.log", args=("--log-file", str(log_file)))
    centre.start()
    try:
        assert centre.get("/health").json()["status"] in ("ok", "degraded")
    finally:
        centre.stop()
    text = log_file.read_text(encoding="utf-8")
    assert "WARNING hallqueue: hallqueue serve runs Werkzeug's development server" in text
