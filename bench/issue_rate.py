"""Tickets issued per second over HTTP: durable (synchronous=FULL) and idempotent (request ids).

Each client is a separate process holding one keep-alive connection, issuing
tickets with unique request ids as fast as the centre answers, for a fixed time.
Usage: python bench/issue_rate.py [--seconds 10] [--clients 1,16] [--server gunicorn|granian] [--workers 2]
"""
from __future__ import annotations

import argparse
import multiprocessing
import os
import re
import shutil
import sqlite3
import subprocess
import time
from pathlib import Path

import requests
from _centre import BenchCentre, BenchRedis, machine

SERVICES = ["A101", "B201", "C301", "D401", "E503", "G701"]


def client(url: str, token: str, worker: int, seconds: float, results: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {token}"
    latencies: list[float] = []
    errors = 0
    end = time.monotonic() + seconds
    i = 0
    while time.monotonic() < end:
        body = {"service": SERVICES[i % len(SERVICES)], "request_id": f"bench-{worker}-{i}"}
        started = time.perf_counter()
        response = session.post(f"{url}/api/v1/sites/city-hall/tickets", json=body, timeout=10)
        latencies.append(time.perf_counter() - started)
        if response.status_code != 201:
            errors += 1
        i += 1
    results.put((latencies, errors))


def run(clients: int, seconds: float, server: str) -> dict[str, float]:
    centre = BenchCentre("FULL", server)
    try:
        results: multiprocessing.Queue = multiprocessing.Queue()  # type: ignore[type-arg]
        workers = [
            multiprocessing.Process(target=client, args=(centre.url, centre.kiosk_token, w, seconds, results))
            for w in range(clients)
        ]
        for w in workers:
            w.start()
        collected = [results.get() for _ in workers]
        for w in workers:
            w.join()
        latencies = sorted(x for batch, _ in collected for x in batch)
        errors = sum(e for _, e in collected)
        return {
            "clients": clients,
            "tickets_per_s": len(latencies) / seconds,
            "p50_ms": latencies[len(latencies) // 2] * 1000,
            "p99_ms": latencies[int(len(latencies) * 0.99)] * 1000,
            "errors": errors,
        }
    finally:
        centre.stop()


def run_wrk(clients: int, seconds: float, server: str, workers: int = 1, redis_always: bool = False) -> dict[str, float]:
    """The same load from wrk (C, one Lua-built request id per request): the centre, not the clients, is measured."""
    # Several processes are deployed with a message queue (pushes reach every process's
    # screens), so they are measured with one: each issue's event goes through Redis. So is
    # an API process whose screens' sockets are held by another (`--redis`).
    redis = BenchRedis() if workers > 1 or redis_always else None
    centre = BenchCentre("FULL", server, workers, message_queue=redis.url if redis else None)
    try:
        script = Path(__file__).with_name("issue.lua")
        out = subprocess.run(
            ["wrk", "-t", str(min(clients, 2)), "-c", str(clients), "-d", f"{seconds:.0f}s", "--latency", "-s", str(script), centre.url],
            env=dict(os.environ, HQ_TOKEN=centre.kiosk_token),
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]

        def ms(label: str) -> float:
            value, unit = re.search(rf"{label}\s+([\d.]+)(us|ms|s)", out).groups()  # type: ignore[union-attr]
            return float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]

        bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
        with sqlite3.connect(centre.db_path) as conn:
            stored = conn.execute("SELECT count(*), count(DISTINCT request_id) FROM tickets").fetchone()
        return {
            "clients": clients,
            "tickets_per_s": rate,
            "p50_ms": ms("50%"),
            "p99_ms": ms("99%"),
            "errors": int(bad.group(1)) if bad else 0,
            "stored": stored[0],
            "duplicates": stored[0] - stored[1],
        }
    finally:
        centre.stop()
        if redis is not None:
            redis.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--clients", default="1,16")
    parser.add_argument("--server", choices=["werkzeug", "gunicorn", "granian"], default="gunicorn")
    parser.add_argument("--load", choices=["wrk", "python"], default="wrk" if shutil.which("wrk") else "python")
    parser.add_argument("--workers", type=int, default=1, help="server processes on one database (with more than one, pushes go through a redis-server)")
    parser.add_argument("--redis", action="store_true", help="pushes through a redis-server with one process too (the API apart from the sockets' process, docs/deployment.md)")
    args = parser.parse_args()
    pushes = ", pushes through redis-server" if args.workers > 1 or args.redis else ""
    print(f"issue rate over HTTP ({args.server} × {args.workers}{pushes}, load from {args.load}), synchronous=FULL, on {machine()}")
    for clients in (int(c) for c in args.clients.split(",")):
        r = run_wrk(clients, args.seconds, args.server, args.workers, args.redis) if args.load == "wrk" else run(clients, args.seconds, args.server)
        extra = f"   stored {r['stored']}, duplicates {r['duplicates']}" if "stored" in r else ""
        print(
            f"  {r['clients']:>3} clients: {r['tickets_per_s']:7.0f} tickets/s   "
            f"p50 {r['p50_ms']:.1f} ms   p99 {r['p99_ms']:.1f} ms   errors {r['errors']}{extra}"
        )


if __name__ == "__main__":
    main()
