"""Start a throw-away centre with the demo city for a benchmark, as a separate process."""
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


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class BenchCentre:
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

    def rss_mb(self) -> float:
        with open(f"/proc/{self.process.pid}/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
        return 0.0

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(10)


class BenchRedis:
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

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(10)


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
