"""Console actions under load: p95 of call-next and finish with 200 clerks and 1,000 screens.

The hall gets 200 extra windows (201–400) serving one item and a pool of waiting tickets,
and the city 40 more stations. The 1,000 screens are connected as in a city: a window sign
per busy window (its counter's room), 20 hall displays, and the rest spread over the
stations' rooms. 200 clerks (threads spread over a few processes, one session each) open
their window and then, every 1–3 s like a busy clerk, call the next ticket and finish it.
Prints the p50/p95/p99 of each action. `--one-room` puts every screen in the hall's room
instead (every screen hears every call: the worst case for the fan-out).
`--clients light` (the default) runs the screens and the clerks as asyncio clients in two
processes (`_light_clients.py`); `--clients socketio` as python-socketio clients and
requests sessions in threads over 12 processes, which on two cores took more CPU than the
centre and measured mostly the clients' own queueing.
`--gateway`: a redis-server, the centre under gunicorn with the message queue (as deployed;
`--workers`) and the push gateway (`python -m queue_server gateway`) beside it: the screens
connect to the gateway, the clerks to the centre.
Usage: python bench/console_latency.py [--clerks 200] [--screens 1000] [--seconds 20] [--one-room]
                                       [--clients light|socketio] [--gateway [--workers 1]]
"""
from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import random
import time
from pathlib import Path

import requests
from _centre import BenchCentre, BenchGateway, BenchRedis, gateway_missing, machine
from _light_clients import Http, hold_screens, host_port, join_screen


def screens_process(url: str, token: str, joins: list[dict], ready, stop, results) -> None:  # type: ignore[no-untyped-def, type-arg]
    import socketio

    clients = []
    heard = [0]
    for join in joins:
        client = socketio.Client(reconnection=False)
        client.on("*", lambda *_: heard.__setitem__(0, heard[0] + 1))
        client.connect(url, auth={"token": token}, transports=["websocket"], wait_timeout=30)
        join_screen(client, join)
        clients.append(client)
    ready.put(len(clients))
    stop.wait()
    results.put(heard[0])
    for client in clients:
        client.disconnect()


def light_screens_process(url: str, token: str, joins: list[dict], ready, stop, results) -> None:  # type: ignore[no-untyped-def, type-arg]
    screens = hold_screens(url, token, joins, ready, stop, on_event=lambda *_: None)
    results.put(sum(s.heard for s in screens))


def light_clerks_process(url: str, token: str, windows: list[int], seconds: float, results) -> None:  # type: ignore[no-untyped-def]
    host, port = host_port(url)
    timings: list[tuple[str, float]] = []

    async def clerk(number: int) -> None:
        http = Http(host, port, token)
        base = f"/api/v1/sites/city-hall/counters/{number}"
        await http.post(f"{base}/open")
        end = time.monotonic() + seconds
        rng = random.Random(number)
        while time.monotonic() < end:
            await asyncio.sleep(rng.uniform(1, 3))
            for action, body in (("call-next", None), ("finish", {"outcome": "completed"})):
                started = time.perf_counter()
                status, _ = await http.post(f"{base}/{action}", body)
                elapsed = time.perf_counter() - started
                timings.append((action if status < 400 else f"{action} {status}", elapsed))
                if status == 204:
                    break
        await http.close()

    async def main() -> None:
        await asyncio.gather(*(clerk(n) for n in windows))

    asyncio.run(main())
    results.put(timings)


def screen_joins(screens: int, clerks: int, one_room: bool) -> list[dict]:  # type: ignore[type-arg]
    if one_room:
        return [{"site": "city-hall"} for _ in range(screens)]
    joins: list[dict] = [{"site": "city-hall", "counter": FIRST_WINDOW + i} for i in range(min(clerks, screens))]  # type: ignore[type-arg]
    joins += [{"site": "city-hall"} for _ in range(min(HALL_DISPLAYS, screens - len(joins)))]
    joins += [{"site": f"station-{i % STATIONS}"} for i in range(screens - len(joins))]
    return joins

FIRST_WINDOW = 201
STATIONS = 40
HALL_DISPLAYS = 20


def add_windows(clerks: int):  # type: ignore[no-untyped-def]
    def prepare(db_path: Path) -> None:
        from queue_server.administration.catalog_import import load_sites
        from queue_server.storage import Database
        from queue_server.tools.demo import demo_sites

        hall = next(s for s in demo_sites() if s["id"] == "city-hall")
        station = next(s for s in demo_sites() if s["id"] == "station-cbd")
        windows = [
            {"number": n, "name": f"压测窗口{n}", "kind": "comprehensive", "profile": [{"service": "A110"}]}
            for n in range(FIRST_WINDOW, FIRST_WINDOW + clerks)
        ]
        stations = [{**station, "id": f"station-{i}", "name": f"驿站{i}"} for i in range(STATIONS)]
        load_sites(Database(db_path), [{**hall, "counters": hall["counters"] + windows}, *stations])

    return prepare


def clerk_process(url: str, token: str, windows: list[int], seconds: float, results) -> None:  # type: ignore[no-untyped-def]
    import threading

    timings: list[tuple[str, float]] = []
    lock = threading.Lock()

    def clerk(number: int) -> None:
        session = requests.Session()
        session.headers["Authorization"] = f"Bearer {token}"
        base = f"{url}/api/v1/sites/city-hall/counters/{number}"
        session.post(f"{base}/open")
        end = time.monotonic() + seconds
        rng = random.Random(number)
        while time.monotonic() < end:
            time.sleep(rng.uniform(1, 3))
            for action, body in (("call-next", None), ("finish", {"outcome": "completed"})):
                started = time.perf_counter()
                response = session.post(f"{base}/{action}", json=body)
                elapsed = time.perf_counter() - started
                with lock:
                    timings.append((action if response.status_code < 400 else f"{action} {response.status_code}", elapsed))
                if response.status_code == 204:
                    break

    threads = [threading.Thread(target=clerk, args=(n,)) for n in windows]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    results.put(timings)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--clerks", type=int, default=200)
    parser.add_argument("--screens", type=int, default=1000)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--one-room", action="store_true", help="every screen in the hall's room")
    parser.add_argument("--clients", choices=["light", "socketio"], default="light")
    parser.add_argument("--gateway", action="store_true", help="redis + gunicorn + the push gateway")
    parser.add_argument("--workers", type=int, default=1, help="gunicorn workers with --gateway")
    args = parser.parse_args()
    light = args.clients == "light"
    redis = gateway = None
    if args.gateway:
        missing = gateway_missing()
        if missing:
            raise SystemExit(missing)
        redis = BenchRedis()
        centre = BenchCentre("FULL", "gunicorn", args.workers, prepare=add_windows(args.clerks), message_queue=redis.url)
    else:
        centre = BenchCentre("FULL", prepare=add_windows(args.clerks))
    try:
        if redis is not None:
            gateway = BenchGateway(centre.db_path, redis.url, centre.env)
        push_url = gateway.url if gateway else centre.url
        session = requests.Session()
        session.headers["Authorization"] = f"Bearer {centre.kiosk_token}"
        for i in range(args.clerks * int(args.seconds)):  # more than the clerks can serve
            session.post(f"{centre.url}/api/v1/sites/city-hall/tickets", json={"service": "A110", "request_id": f"pool-{i}"})
        ctx = multiprocessing.get_context("fork")
        ready, results, stop = ctx.Queue(), ctx.Queue(), ctx.Event()
        joins = screen_joins(args.screens, args.clerks, args.one_room)
        manager = requests.post(
            f"{centre.url}/api/v1/auth/login", json={"username": "manager", "password": "Demo-Hall-2"}, timeout=10
        ).json()["token"]
        share = 1 if light else 8
        target = light_screens_process if light else screens_process
        screens = [ctx.Process(target=target, args=(push_url, manager, joins[i::share], ready, stop, results))
                   for i in range(share) if joins[i::share]]  # fmt: skip
        for process in screens:
            process.start()
        connected = sum(ready.get(timeout=300) for _ in screens)
        windows = list(range(FIRST_WINDOW, FIRST_WINDOW + args.clerks))
        groups = [windows] if light else [windows[i::4] for i in range(4)]
        clerk_results = ctx.Queue()
        clerk_target = light_clerks_process if light else clerk_process
        clerks = [ctx.Process(target=clerk_target, args=(centre.url, centre.admin_token, g, args.seconds, clerk_results)) for g in groups]
        for process in clerks:
            process.start()
        timings = [t for _ in clerks for t in clerk_results.get(timeout=args.seconds + 300)]
        for process in clerks:
            process.join(30)
        stop.set()
        for _ in screens:
            results.get(timeout=60)
        rss = centre.rss_mb()
        gateway_rss = f", gateway RSS {gateway.rss_mb():.0f} MB" if gateway else ""
    finally:
        for server in (gateway, centre, redis):
            if server is not None:
                server.stop()
    layout = "all in the hall's room" if args.one_room else "signs, hall displays and 40 stations"
    deployed = f", the push gateway beside gunicorn × {args.workers} and redis-server" if args.gateway else ""
    print(f"console actions with {args.clerks} clerks and {connected} screens ({layout}){deployed}, {args.clients} clients, centre RSS {rss:.0f} MB{gateway_rss}, on {machine()}")
    for action in sorted({a for a, _ in timings}):
        values = sorted(t * 1000 for a, t in timings if a == action)
        p50, p95, p99 = (percentile(values, q) for q in (0.5, 0.95, 0.99))
        print(f"  {action:<16} n={len(values):5d}   p50 {p50:6.1f} ms   p95 {p95:6.1f} ms   p99 {p99:6.1f} ms")


def percentile(ordered: list[float], fraction: float) -> float:
    return ordered[min(len(ordered) - 1, int(len(ordered) * fraction))]


if __name__ == "__main__":
    main()
