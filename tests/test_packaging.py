"""The wheel `make dist` builds installs per role and works (issue 17).

Built as a release would be, then installed from PyPI at the locked versions into clean
virtualenvs outside the repository, as on the hall's machines: with [centre] it serves pages
whose front-end libraries come from inside the wheel; with [kiosk] or [sign] the centre's
stack is not there and the agent's command runs; no production install holds a test tool.
About a minute with a warm pip cache (see docs/installation.md).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from tests.conftest import ROOT, free_port, wait_for_http

pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]

TEST_TOOLS = {"pytest", "playwright", "mypy", "schemathesis", "hypothesis", "ruff"}
CENTRE_STACK = {"flask-socketio", "gunicorn", "openpyxl", "redis", "sqlite-utils"}


def run(*args: str | Path, cwd: Path, timeout: float = 300) -> str:
    done = subprocess.run(
        [str(a) for a in args], cwd=cwd, env=clean_env(), capture_output=True, text=True, timeout=timeout
    )
    assert done.returncode == 0, f"{args}: {done.stdout[-2000:]}\n{done.stderr[-3000:]}"
    return done.stdout


def clean_env() -> dict[str, str]:
    """This process's environment without what points into the repository or its settings."""
    return {
        k: v for k, v in os.environ.items()
        if not k.startswith(("HALLQUEUE_", "PYTHON", "VIRTUAL_ENV", "PYTEST"))
    }


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    run("make", "dist", f"DIST={out}", cwd=ROOT)
    wheels = list(out.glob("hallqueue-*-py3-none-any.whl"))
    assert len(wheels) == 1 and list(out.glob("hallqueue-*.tar.gz")), sorted(out.iterdir())
    return wheels[0]


def install(wheel: Path, extra: str, where: Path) -> Path:
    """A clean virtualenv outside the repository with hallqueue[extra] from the wheel."""
    run(sys.executable, "-m", "venv", where, cwd=where.parent)
    python = where / "bin" / "python"
    run(python, "-m", "pip", "install", "-q", "-c", ROOT / "requirements.lock", f"{wheel}[{extra}]", cwd=where.parent)
    return python


def installed(python: Path) -> set[str]:
    listing = run(python, "-m", "pip", "list", "--format=freeze", cwd=python.parent)
    return {re.sub(r"[-_.]+", "-", line.partition("==")[0]).lower() for line in listing.splitlines()}


def test_the_wheel_carries_what_serve_and_kiosk_read(wheel: Path) -> None:
    import zipfile

    names = set(zipfile.ZipFile(wheel).namelist())
    for tracked in run("git", "ls-files", "queue_server", "kiosk", "devices", "displays", cwd=ROOT).split():
        assert tracked in names, f"{tracked} is not in the wheel"
    assert {"queue_server/static/vendor/socket.io.min.js", "queue_server/static/vendor/echarts.min.js"} <= names
    assert not [n for n in names if n.startswith(("tests/", "bench/", "docs/")) or "/.copied" in n]
    assert any(n.endswith(".dist-info/licenses/LICENSE") for n in names)


@pytest.fixture
def centre_venv(wheel: Path, tmp_path: Path) -> Path:
    return install(wheel, "centre", tmp_path / "centre-venv")


@pytest.fixture
def served(centre_venv: Path, tmp_path: Path) -> Iterator[str]:
    port = free_port()
    home = tmp_path / "hall"
    home.mkdir()
    log = open(tmp_path / "serve.log", "wb")  # noqa: SIM115  (closed below)
    process = subprocess.Popen(
        [centre_venv.parent / "hallqueue", "serve", "--demo", "--db", home / "hallqueue.db",
         "--host", "127.0.0.1", "--port", str(port)],
        cwd=home, env=dict(clean_env(), HALLQUEUE_IGNORE_HOURS="1"),
        stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
    )
    try:
        url = f"http://127.0.0.1:{port}"
        wait_for_http(f"{url}/api/v1/health", timeout=60)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)
        log.close()


def test_a_centre_installed_from_the_wheel_serves_working_pages(
    centre_venv: Path, served: str, tmp_path: Path
) -> None:
    where = run(centre_venv, "-c", "import queue_server; print(queue_server.__file__)", cwd=tmp_path)
    assert where.startswith(str(centre_venv.parent.parent)), where  # the wheel's, not the checkout's
    named: set[str] = set()
    for page in ("/", "/console", "/manage", "/manage/reports"):
        answer = requests.get(served + page, timeout=10)
        assert answer.status_code == 200 and "<html" in answer.text.lower(), page
        # every script and style sheet the page names answers, the npm libraries included
        for src in re.findall(r'(?:src|href)="(/static/[^"?]+)', answer.text):
            assert requests.get(served + src, timeout=10).status_code == 200, f"{page} names {src}"
            named.add(src)
    assert {"/static/vendor/socket.io.min.js", "/static/vendor/echarts.min.js"} <= named, named
    for library, sign in (("socket.io.min.js", "Socket.IO"), ("echarts.min.js", "echarts")):
        answer = requests.get(f"{served}/static/vendor/{library}", timeout=10)
        assert answer.status_code == 200, library
        assert "javascript" in answer.headers["Content-Type"], answer.headers["Content-Type"]
        assert len(answer.content) > 10_000 and sign in answer.text[:5000]
    packages = installed(centre_venv)
    assert CENTRE_STACK <= packages
    assert packages & TEST_TOOLS == set()


def test_a_kiosk_pc_gets_the_agent_without_the_centre_stack(wheel: Path, tmp_path: Path) -> None:
    python = install(wheel, "kiosk", tmp_path / "kiosk-venv")
    packages = installed(python)
    assert {"flask", "waitress", "python-escpos", "pyserial", "python-socketio"} <= packages
    assert packages & (CENTRE_STACK | TEST_TOOLS) == set()
    hallqueue = python.parent / "hallqueue"
    assert "--printer" in run(hallqueue, "kiosk", "--help", cwd=tmp_path)
    refused = subprocess.run(
        [hallqueue, "serve", "--db", tmp_path / "x.db"], cwd=tmp_path, env=clean_env(),
        capture_output=True, text=True, timeout=60,
    )
    assert refused.returncode == 1  # failed: this machine lacks the centre's packages
    assert "pip install 'hallqueue[centre]'" in refused.stderr and "Traceback" not in refused.stderr


def test_a_sign_pc_gets_only_the_sign_agent(wheel: Path, tmp_path: Path) -> None:
    python = install(wheel, "sign", tmp_path / "sign-venv")
    packages = installed(python)
    assert {"pyserial", "python-socketio", "requests", "pydantic", "click"} <= packages
    assert packages & (CENTRE_STACK | TEST_TOOLS | {"flask", "python-escpos", "pillow"}) == set()
    assert "--evaluator" in run(python.parent / "hallqueue", "sign", "--help", cwd=tmp_path)
