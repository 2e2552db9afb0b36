"""Start a throw-away centre with the demo city for a benchmark, as a separate process.

Also a redis-server for several processes (`BenchRedis`), the push gateway beside the centre
(`BenchGateway`), and what each process used: its memory (`rss_mb`) and CPU time
(`cpu_seconds`, from /proc/<pid>/stat).
"""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def descendants(pid: int) -> list[int]:
    """The process and every process below it (gunicorn's master and its workers)."""
    parents: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:  # gone meanwhile
                continue
            parents.setdefault(int(stat.rsplit(")", 1)[1].split()[1]), []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        one = todo.pop()
        found.append(one)
        todo += parents.get(one, [])
    return found


def cpu_seconds(pid: int) -> float:
    """User + system CPU time the process has used so far (0 once it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS  # utime, stime: fields 14 and 15


def rss_mb(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


class Measured:
    """A server process, measured with whatever it forked (gunicorn's workers)."""

    process: subprocess.Popen  # type: ignore[type-arg]

    def processes(self) -> list[int]:
        return descendants(self.process.pid)

    def rss_mb(self) -> float:
        """Resident memory of the process and its children, summed (pages they share count
        in each: gunicorn's workers share little of the master's)."""
        return sum(rss_mb(pid) for pid in self.processes())

    def cpu_seconds(self) -> float:
        return sum(cpu_seconds(pid) for pid in self.processes())

    def stop(self) -> None:
        """SIGTERM, then SIGKILL after 15 s: a centre holding thousands of threads can take
        longer than a benchmark should wait to end."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class BenchCentre(Measured):
    def __init__(
        self, synchronous: str = "FULL", server: str = "werkzeug", workers: int = 1, prepare=None,  # type: ignore[no-untyped-def]
        message_queue: str | None = None,
    ) -> None:
        self.workers = workers
        from tests.conftest import prepare_demo_database

        self.dir = Path(tempfile.mkdtemp(prefix="hallqueue-bench-"))
        self.db_path = self.dir / "bench.db"
        self.kiosk_token, self.display_token = prepare_demo_database(self.db_path)
        if prepare is not None:  # the benchmark's own additions to the demo city
            prepare(self.db_path)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = dict(os.environ, HALLQUEUE_IGNORE_HOURS="1", HALLQUEUE_SYNCHRONOUS=synchronous, HALLQUEUE_LOG_LEVEL="WARNING")
        if message_queue:
            env["HALLQUEUE_MESSAGE_QUEUE"] = message_queue
        self.env = env  # the settings a gateway beside this centre runs with
        if server == "gunicorn":
            # The production setup of docs/deployment.md: one process, threads, keep-alive.
            env["HALLQUEUE_DB"] = str(self.db_path)
            command = [
                sys.executable, "-m", "gunicorn", "-w", str(self.workers), "--threads", "64", "--worker-connections", "2000",
                "--keep-alive", "30", "-b", f"127.0.0.1:{self.port}", "queue_server.wsgi:app",
            ]  # fmt: skip
        elif server == "granian":
            # The API's server of docs/deployment.md: HTTP parsed in Rust, the app on 32 threads
            # per process (issues arriving together share a group commit), keep-alive.
            env["HALLQUEUE_DB"] = str(self.db_path)
            command = [
                sys.executable, "-m", "granian", "--interface", "wsgi", "--workers", str(self.workers),
                "--blocking-threads", "32", "--no-ws", "--http", "1", "--log-level", "warning",
                "--host", "127.0.0.1", "--port", str(self.port), "queue_server.wsgi:app",
            ]  # fmt: skip
        else:
            command = [sys.executable, "-m", "queue_server", "serve", "--db", str(self.db_path), "--port", str(self.port)]
        self.process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=open(self.dir / "centre.log", "wb"),  # noqa: SIM115
        )
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                requests.get(f"{self.url}/api/v1/health", timeout=1)
                break
            except requests.RequestException:
                time.sleep(0.1)
        token = requests.post(
            f"{self.url}/api/v1/auth/login", json={"username": "admin", "password": "Demo-City-1"}, timeout=10
        ).json()["token"]
        self.admin_token = token



class BenchRedis(Measured):
    """A throw-away redis-server on a loopback port: several centre processes share pushes."""

    def __init__(self) -> None:
        import shutil

        server = shutil.which("redis-server")
        if server is None:
            raise SystemExit("several processes need redis-server: apt-get install redis-server")
        self.dir = Path(tempfile.mkdtemp(prefix="hallqueue-bench-redis-"))
        port = free_port()
        self.url = f"redis://127.0.0.1:{port}/0"
        self.process = subprocess.Popen(
            [server, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", str(self.dir)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                    return
            except OSError:
                time.sleep(0.05)
        raise SystemExit("redis-server did not start")



GATEWAY_MISSING = (
    "this tree has no push gateway: `python -m queue_server gateway` is an unknown command, "
    "so --gateway (and --compare's after row) cannot run here"
)


def gateway_missing() -> str | None:
    """Why the gateway cannot run in this tree (its command unknown), or None: asked before a
    benchmark spends minutes on the rows that do not need it."""
    found = subprocess.run(
        [sys.executable, "-m", "queue_server", "gateway", "--help"], cwd=ROOT, capture_output=True, text=True
    )
    if found.returncode == 0:
        return None
    return GATEWAY_MISSING if "No such command" in found.stderr + found.stdout else found.stderr.strip()[-400:]


class BenchGateway(Measured):
    """The push gateway: its own process holding the screens' and phones' sockets on an event
    loop, fed by the centre's message queue (`python -m queue_server gateway --db DB
    --message-queue URL --port PORT`, settings from HALLQUEUE_* like the centre's).
    Ready when `GET /health` answers 200 (or anything: the port accepts connections)."""

    def __init__(self, db_path: Path | str, message_queue: str, env: dict[str, str] | None = None) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="hallqueue-bench-gateway-"))
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        if env is None:
            env = dict(os.environ, HALLQUEUE_IGNORE_HOURS="1", HALLQUEUE_LOG_LEVEL="WARNING")
        command = [
            sys.executable, "-m", "queue_server", "gateway", "--db", str(db_path),
            "--message-queue", message_queue, "--port", str(self.port),
        ]  # fmt: skip
        log = self.dir / "gateway.log"
        self.process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=open(log, "wb")  # noqa: SIM115
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                said = log.read_text(errors="replace")
                if "No such command" in said:
                    raise SystemExit(GATEWAY_MISSING)
                raise SystemExit(f"the gateway exited with {self.process.returncode}: {said.strip()[-800:]}")
            try:
                requests.get(f"{self.url}/health", timeout=1)
                return  # 200, or at least an answer: the port accepts connections
            except requests.Timeout:  # it accepted the connection: listening
                return
            except requests.ConnectionError:
                time.sleep(0.1)
        self.stop()
        raise SystemExit(f"the gateway did not answer on port {self.port} within 30 s (log: {log})")



def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{os.cpu_count()} cores, {cpu}, Python {sys.version.split()[0]}"
