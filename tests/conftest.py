"""Fixtures shared by the whole suite: database files, live servers, clients, browsers."""
from __future__ import annotations

import contextlib
import logging
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import weakref
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

ROOT = Path(__file__).resolve().parent.parent
# Every answer of every centre the tests start (in this process or another) is checked
# against the model its route declares: the OpenAPI document cannot drift from the truth.
os.environ.setdefault("HALLQUEUE_VALIDATE_ANSWERS", "1")
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
CHROMIUM = next((p for p in ("/usr/lib/chromium/chromium", "/usr/bin/chromium") if Path(p).exists()), None)


@contextlib.contextmanager
def log_to_file(path: Path, format: str = "%(levelname)s %(name)s: %(message)s") -> Iterator[Path]:
    """Every log record of this process, at DEBUG, into `path` (for personal-data scans)."""
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(logging.Formatter(format))
    root = logging.getLogger()
    previous = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        yield path
    finally:
        root.setLevel(previous)
        root.removeHandler(handler)
        handler.close()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for_http(url: str, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if requests.get(url, timeout=1).status_code < 500:
                return
        except requests.RequestException:
            pass
        time.sleep(0.05)
    raise TimeoutError(f"nothing answered at {url}")


# --- skips that fail in CI -----------------------------------------------------------


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if CHROMIUM is not None:
        return
    skip = pytest.mark.skip(
        reason="headless Chromium not found: install it with `sudo apt-get install chromium` to run browser tests"
    )
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


def pytest_terminal_summary(terminalreporter, exitstatus: int, config: pytest.Config) -> None:  # type: ignore[no-untyped-def]
    skipped = terminalreporter.stats.get("skipped", [])
    if IN_CI and skipped:
        terminalreporter.write_line(f"CI=true: {len(skipped)} test(s) skipped; a skip fails the run in CI", red=True)


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if IN_CI and reporter is not None and reporter.stats.get("skipped") and session.exitstatus == 0:
        session.exitstatus = 1


# --- the centre ----------------------------------------------------------------------


@pytest.fixture(scope="module", autouse=True)
def databases_closed_after_the_module() -> Iterator[None]:
    """Every database a test module opened (a centre made for a test client, say) is closed
    when the module ends: closing ends the centre's workers (sweeper, heartbeat, webhooks),
    which would otherwise run, each with its open file, until the suite ends."""
    from queue_server.storage import Database

    opened: list[weakref.ref[Database]] = []
    original = Database.__init__

    def recording(self: Database, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **kwargs)
        opened.append(weakref.ref(self))

    Database.__init__ = recording  # type: ignore[method-assign]
    try:
        yield
    finally:
        Database.__init__ = original  # type: ignore[method-assign]
        for ref in opened:
            db = ref()
            if db is not None:
                db.close()


class Centre:
    """A running centre with the demo city, its accounts, and helpers to call it."""

    ADMIN = ("admin", "Demo-City-1")
    CLERK = ("clerk", "Demo-Desk-3")

    def __init__(self, url: str, db_path: Path) -> None:
        self.url = url
        self.db_path = db_path
        self.kiosk_token = ""
        self.display_token = ""
        self._tokens: dict[str, str] = {}

    def api(self, path: str) -> str:
        return f"{self.url}/api/v1{path}"

    def login(self, who: tuple[str, str] = ADMIN) -> str:
        if who[0] not in self._tokens:
            response = requests.post(self.api("/auth/login"), json={"username": who[0], "password": who[1]}, timeout=10)
            response.raise_for_status()
            self._tokens[who[0]] = response.json()["token"]
        return self._tokens[who[0]]

    def session(self, token: str | None = None) -> requests.Session:
        session = requests.Session()
        if token:
            session.headers["Authorization"] = f"Bearer {token}"
        return session

    def post(self, path: str, body: dict | None = None, token: str | None = None, **kwargs):  # type: ignore[no-untyped-def]
        headers = {"Authorization": f"Bearer {token or self.login()}"}
        headers.update(kwargs.pop("headers", {}))
        return requests.post(self.api(path), json=body if body is not None else {}, headers=headers, timeout=10, **kwargs)

    def get(self, path: str, token: str | None = None, **kwargs):  # type: ignore[no-untyped-def]
        headers = kwargs.pop("headers", {})
        if token:
            headers["Authorization"] = f"Bearer {token}"
        return requests.get(self.api(path), headers=headers, timeout=10, **kwargs)

    def issue(self, service: str = "A101", site: str = "city-hall", **body):  # type: ignore[no-untyped-def]
        body = {"service": service, **body} if "bundle" not in body else body
        response = self.post(f"/sites/{site}/tickets", body, token=self.kiosk_token if site == "city-hall" else None)
        assert response.status_code in (200, 201), response.text
        return response.json()

    def counter(self, number: int, action: str, site: str = "city-hall", **body):  # type: ignore[no-untyped-def]
        return self.post(f"/sites/{site}/counters/{number}/{action}", body)


def prepare_demo_database(db_path: Path) -> tuple[str, str]:
    """The demo city with demo users; returns (kiosk token, display token) for the hall."""
    from queue_server.accounts.credentials import Accounts
    from queue_server.settings import load, secret_for
    from queue_server.storage import Database
    from queue_server.tools.demo import DEMO_USERS, load_demo

    db = Database(db_path)
    load_demo(db)
    accounts = Accounts(db, secret_for(load(overrides={"DB": str(db_path)})))
    for username, password, role, sites in DEMO_USERS:
        accounts.add_user(username, password, role, sites)
    _, kiosk = accounts.add_device("kiosk", "city-hall", "test kiosk")
    _, display = accounts.add_device("display", "city-hall", "test display")
    db.close()
    return kiosk, display


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "hallqueue.db"


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, str]:
    """The demo database built once (password hashing is slow on purpose), copied per test."""
    path = tmp_path_factory.mktemp("template") / "hallqueue.db"
    kiosk, display = prepare_demo_database(path)
    return path, kiosk, display


def copy_demo(template: tuple[Path, str, str], db_path: Path) -> tuple[str, str]:
    source, kiosk, display = template
    shutil.copyfile(source, db_path)
    shutil.copyfile(f"{source}.secret", f"{db_path}.secret")
    return kiosk, display


@pytest.fixture
def centre_settings() -> dict[str, Any]:
    """More settings for the `centre` (short intervals, say): a test module overrides this."""
    return {}


@pytest.fixture
def centre(db_path: Path, demo_template: tuple[Path, str, str], centre_settings: dict[str, Any]) -> Iterator[Centre]:
    """The real centre in this process, on a free loopback port (threads, websockets)."""
    from werkzeug.serving import make_server

    from queue_server.app import create_app
    from queue_server.server import QuietHandler

    kiosk, display = copy_demo(demo_template, db_path)
    app = create_app(
        overrides={"DB": str(db_path), "IGNORE_HOURS": True, "SYNCHRONOUS": "NORMAL", **centre_settings}
    )
    port = free_port()
    server = make_server("127.0.0.1", port, app, threaded=True, request_handler=QuietHandler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    running = Centre(f"http://127.0.0.1:{port}", db_path)
    running.kiosk_token, running.display_token = kiosk, display
    wait_for_http(running.api("/health"))
    yield running
    server.shutdown()
    app.extensions["hallqueue"].db.close()


class CentreProcess(Centre):
    """The centre as a separate process (`hallqueue serve`), so tests can kill and restart it."""

    def __init__(
        self,
        db_path: Path,
        port: int,
        log_path: Path,
        args: tuple[str, ...] = (),
        env: dict[str, str] | None = None,
        prefix: tuple[str, ...] = (),
    ) -> None:
        super().__init__(f"http://127.0.0.1:{port}", db_path)
        self.port = port
        self.log_path = log_path
        self.args = args  # more of `hallqueue serve`'s options (an edge centre's)
        self.env = env or {}
        self.prefix = prefix  # a command the centre runs under (faketime)
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        env = dict(os.environ, HALLQUEUE_IGNORE_HOURS="1", PYTHONUNBUFFERED="1", **self.env)
        log = open(self.log_path, "ab")  # noqa: SIM115  (closed with the process)
        serve = [sys.executable, "-m", "queue_server", "serve", "--db", str(self.db_path), "--port", str(self.port)]
        self.process = subprocess.Popen(
            [*self.prefix, *serve, *self.args],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,  # its own process group: a prefix (faketime) forks the centre
        )
        wait_for_http(self.api("/health"))

    def _signal(self, number: signal.Signals) -> None:
        assert self.process is not None
        try:
            os.killpg(self.process.pid, number)
        except ProcessLookupError:  # gone already, or started outside its own group
            self.process.send_signal(number)

    def kill(self) -> None:
        if self.process and self.process.poll() is None:
            self._signal(signal.SIGKILL)
            self.process.wait(10)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self._signal(signal.SIGTERM)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()


@pytest.fixture
def redis_url(tmp_path: Path) -> Iterator[str]:
    server = shutil.which("redis-server")
    if server is None:
        pytest.skip("redis-server not found: install it with `sudo apt-get install redis-server`")
    port = free_port()
    process = subprocess.Popen(
        [server, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", str(tmp_path)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        import redis

        client = redis.Redis(host="127.0.0.1", port=port)
        deadline = time.monotonic() + 10
        while True:
            try:
                client.ping()
                break
            except redis.exceptions.ConnectionError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.terminate()
        process.wait(10)


class GatewayProcess:
    """A push gateway (`hallqueue gateway`) as a separate process, on the centre's database
    and message queue."""

    def __init__(self, db_path: Path, port: int, log_path: Path, message_queue: str, env: dict[str, str] | None = None) -> None:
        self.url = f"http://127.0.0.1:{port}"
        self.port = port
        self.db_path = db_path
        self.log_path = log_path
        self.message_queue = message_queue
        self.env = env or {}
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        env = dict(os.environ, PYTHONUNBUFFERED="1", **self.env)
        log = open(self.log_path, "ab")  # noqa: SIM115  (closed with the process)
        command = [sys.executable, "-m", "queue_server", "gateway", "--db", str(self.db_path), "--port", str(self.port)]
        self.process = subprocess.Popen(
            [*command, "--message-queue", self.message_queue],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        wait_for_http(f"{self.url}/health")

    def health(self) -> tuple[int, dict]:  # type: ignore[type-arg]
        answer = requests.get(f"{self.url}/health", timeout=5)
        return answer.status_code, answer.json()

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)


@pytest.fixture
def tight_join_budget(monkeypatch: pytest.MonkeyPatch) -> None:
    """Joins budgeted at 200 replayed events a second per token, a burst of 100, refused
    past a 1 s wait (a join costs 10): the defaults scaled down, so refusals come at
    predictable moments. Request it before the `centre` it applies to."""
    from queue_server.calling import catch_up

    monkeypatch.setattr(catch_up, "EVENTS_PER_SECOND", 200.0)
    monkeypatch.setattr(catch_up, "BURST_EVENTS", 100)
    monkeypatch.setattr(catch_up, "MAX_WAIT_SECONDS", 1.0)


def fill_log(db_path: Path, site: str, count: int) -> int:
    """Grow a site's event log to `count` events by copying its last one (there must be
    one); returns the site's last_seq."""
    import json
    import sqlite3
    import uuid

    with sqlite3.connect(db_path, isolation_level=None) as conn:
        conn.execute("BEGIN IMMEDIATE")
        last = conn.execute("SELECT last_seq FROM sites WHERE id = ?", (site,)).fetchone()[0]
        row = conn.execute(
            "SELECT type, at, ticket_id, counter, payload FROM events WHERE site_id = ? AND seq = ?", (site, last)
        ).fetchone()
        for seq in range(last + 1, count + 1):
            payload = {**json.loads(row[4]), "seq": seq, "id": uuid.uuid4().hex}
            conn.execute(
                "INSERT INTO events (id, site_id, seq, type, at, ticket_id, counter, payload) VALUES (?,?,?,?,?,?,?,?)",
                (payload["id"], site, seq, row[0], row[1], row[2], row[3], json.dumps(payload, ensure_ascii=False)),
            )
        conn.execute("UPDATE sites SET last_seq = ? WHERE id = ?", (max(last, count), site))
        conn.execute("COMMIT")
    return max(last, count)


def spend_join_budget(centre: Centre, token: str) -> None:
    """Under `tight_join_budget`: one join with since=0 over a log of 1,000 events takes the
    token's next 5 s, so its joins are refused for the next 3.5 s or so."""
    import socketio

    from queue_server import wire

    centre.issue("A101")
    fill_log(centre.db_path, "city-hall", 1000)
    replaying = threading.Event()
    client = socketio.Client(reconnection=False)
    client.on(wire.CATCH_UP, lambda _page: replaying.set())
    client.connect(centre.url, auth={"token": token}, transports=["websocket"], wait_timeout=5)
    client.emit(wire.JOIN, {"site": "city-hall", "since": 0})
    assert replaying.wait(5), "the budget-spending join was not replayed"
    client.disconnect()


@pytest.fixture
def slow_replay(monkeypatch: pytest.MonkeyPatch) -> None:
    """The in-process centre waits 50 ms before each page of a join's backlog (as a busy
    centre may): events made meanwhile reach the joining screen live, before the pages they
    follow, every time — the race a screen's catch-up must order."""
    from queue_server.calling import push

    paced = push.wait_until

    def slowly(moment: float) -> None:
        time.sleep(0.05)
        paced(moment)

    monkeypatch.setattr(push, "wait_until", slowly)


class Screen:
    """A screen as the real ones behave, over python-socketio: follows one site, rejoins with
    the last seq it applied after every (re)connect, puts each join's backlog and the live
    events in order through `wire.CatchUp`, and joins again after a `too_many_joins`.
    `events` is what it applied, `acks` every answer to its joins."""

    def __init__(self, url: str, token: str, site: str = "city-hall", since: int | None = 0) -> None:
        import socketio

        from queue_server import wire

        self.site = site
        self.events: list[dict] = []  # type: ignore[type-arg]
        self.acks: list[dict] = []  # type: ignore[type-arg]
        self.follow = wire.CatchUp(self.events.append, since, contiguous=True)  # one site's room
        self.client = socketio.Client(reconnection=True, reconnection_delay=0.1, reconnection_delay_max=0.5)
        for name in wire.EVENT_TYPES:
            self.client.on(name, self.follow.event)
        self.client.on(wire.CATCH_UP, self.follow.page)
        self.client.on("connect", self._join)
        self.token = token
        self.connect(url)

    def connect(self, url: str) -> None:
        self.client.connect(url, auth={"token": self.token}, transports=["websocket"], wait_timeout=5)

    def reconnect(self, url: str, away: float = 0.0) -> None:
        """Drop the connection (even in the middle of a catch-up) and connect to `url`."""
        self.client.disconnect()
        time.sleep(away)
        self.connect(url)

    def _join(self) -> None:
        from queue_server import wire

        since = self.follow.joining()
        self.client.emit(wire.JOIN, {"site": self.site, "since": since}, callback=self._joined)

    def _join_again(self) -> None:
        if self.client.connected:  # else the next connect joins
            self._join()

    def _joined(self, ack: dict | None = None) -> None:  # type: ignore[type-arg]
        from queue_server import wire

        self.acks.append(ack or {})
        self.follow.joined(ack)
        retry = wire.join_retry_seconds(ack)
        if retry is not None:
            threading.Timer(retry, self._join_again).start()

    @property
    def seqs(self) -> list[int]:
        return [e["seq"] for e in self.events]

    def wait_for(self, seq: int, timeout: float = 10.0) -> bool:
        """Until it has applied `seq` (and is not catching up); False at the timeout."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.events and self.events[-1]["seq"] >= seq and not self.follow.holding:
                return True
            time.sleep(0.02)
        return False

    def close(self) -> None:
        self.client.disconnect()


@pytest.fixture
def centre_process(db_path: Path, tmp_path: Path, demo_template: tuple[Path, str, str]) -> Iterator[CentreProcess]:
    kiosk, display = copy_demo(demo_template, db_path)
    running = CentreProcess(db_path, free_port(), tmp_path / "centre.log")
    running.kiosk_token, running.display_token = kiosk, display
    running.start()
    yield running
    running.stop()


@pytest.fixture(scope="session")
def chromium_path() -> str:
    if CHROMIUM is None:
        pytest.skip("headless Chromium not found: install it with `sudo apt-get install chromium`")
    return CHROMIUM


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:  # type: ignore[type-arg]
    """pytest-playwright launches Debian's Chromium; never a downloaded browser."""
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--headless=new",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


def which(name: str) -> str | None:
    return shutil.which(name)
