"""Call → event received latency with N connected Socket.IO clients, and the server's memory.

The clients (display-like: token, join the hall's room) are spread over a few
processes. A clerk calls tickets over HTTP; each client stamps when the
`ticket.called` event arrives. Latency = arrival − the moment the call was sent.
`--clients-kind light` (the default) uses the asyncio clients of `_light_clients.py`
(one or two processes); `socketio` uses python-socketio clients (three threads each, up to
eight processes), which on two cores compete with the centre they measure.
`--gateway`: a redis-server, the centre under gunicorn with the message queue (as deployed;
`--workers`) and the push gateway (`python -m queue_server gateway`) beside it; the screens
connect to the gateway, the clerk's calls go to the centre. `--compare` runs the threading
centre (before) and then the gateway deployment (after) for each count, one row each.
Usage: python bench/push_latency.py [--clients 10,100,1000] [--calls 30] [--clients-kind light|socketio]
                                    [--gateway [--workers 1] | --compare]
"""
from __future__ import annotations

import argparse
import multiprocessing
import statistics
import time

import requests
import socketio
from _centre import BenchCentre, BenchGateway, BenchRedis, gateway_missing, machine
from _light_clients import hold_screens, join_screen


def listener_process(url: str, token: str, count: int, ready, stop, results) -> None:  # type: ignore[no-untyped-def]
    arrivals: list[tuple[str, float]] = []
    clients = []
    for _ in range(count):
        client = socketio.Client(reconnection=False)

        def on_called(payload, _arrivals=arrivals) -> None:  # type: ignore[no-untyped-def]
            _arrivals.append((payload["ticket"]["number"], time.time()))

        client.on("ticket.called", on_called)
        client.connect(url, auth={"token": token}, transports=["websocket"], wait_timeout=30)
        join_screen(client, {"site": "city-hall"})
        clients.append(client)
    ready.put(count)
    stop.wait()
    results.put(arrivals)
    for client in clients:
        client.disconnect()


def light_listener_process(url: str, token: str, count: int, ready, stop, results) -> None:  # type: ignore[no-untyped-def]
    arrivals: list[tuple[str, float]] = []

    def heard(name: str, payload, arrived: float) -> None:  # type: ignore[no-untyped-def]
        if name == "ticket.called":
            arrivals.append((payload["ticket"]["number"], arrived))

    joins = [{"site": "city-hall"}] * count
    hold_screens(url, token, joins, ready, stop, on_event=heard, parse=frozenset({"ticket.called"}))
    results.put(arrivals)


def run(clients: int, calls: int, kind: str = "light", gateway: bool = False, workers: int = 1) -> dict[str, float]:
    redis = gateway_process = None
    if gateway:
        redis = BenchRedis()
        centre = BenchCentre("FULL", "gunicorn", workers, message_queue=redis.url)
    else:
        centre = BenchCentre("FULL")
    try:
        if redis is not None:
            gateway_process = BenchGateway(centre.db_path, redis.url, centre.env)
        push_url = gateway_process.url if gateway_process else centre.url
        # Python clients are slow readers: spread them so the centre, not they, is measured.
        processes = max(1, min(8, -(-clients // 25))) if kind == "socketio" else (1 if clients < 500 else 2)
        target = listener_process if kind == "socketio" else light_listener_process
        ctx = multiprocessing.get_context("fork")
        ready, results, stop = ctx.Queue(), ctx.Queue(), ctx.Event()
        shares = [clients // processes + (1 if i < clients % processes else 0) for i in range(processes)]
        workers = [
            ctx.Process(target=target, args=(push_url, centre.display_token, n, ready, stop, results))
            for n in shares
        ]
        for w in workers:
            w.start()
        connected = sum(ready.get(timeout=300) for _ in workers)
        rss = centre.rss_mb()
        gateway_rss = gateway_process.rss_mb() if gateway_process else 0.0
        session = requests.Session()
        session.headers["Authorization"] = f"Bearer {centre.admin_token}"
        api = f"{centre.url}/api/v1/sites/city-hall"
        session.post(f"{api}/counters/1/open")
        # One call not measured: the centre's first call after a start is cold (about 30 ms:
        # first statements prepared, code paths warmed), and with 10 screens it alone would be
        # the p99.
        session.post(f"{api}/tickets", json={"service": "A101", "request_id": "lat-warm-up"})
        session.post(f"{api}/counters/1/call-next")
        session.post(f"{api}/counters/1/finish", json={"outcome": "completed"})
        time.sleep(0.2)
        sent: dict[str, float] = {}
        for i in range(calls):
            session.post(f"{api}/tickets", json={"service": "A101", "request_id": f"lat-{i}"})
            sent_at = time.time()
            called = session.post(f"{api}/counters/1/call-next").json()
            sent[called["ticket"]["number"]] = sent_at
            session.post(f"{api}/counters/1/finish", json={"outcome": "completed"})
            time.sleep(0.05 if clients < 500 else 0.3)
        time.sleep(1.0)
        stop.set()
        arrivals = [a for _ in workers for a in results.get(timeout=60)]
        for w in workers:
            w.join(30)
        latencies = sorted((arrived - sent[number]) * 1000 for number, arrived in arrivals if number in sent)
        expected = connected * calls
        return {
            "clients": connected,
            "median_ms": statistics.median(latencies),
            "p99_ms": latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))],
            "delivered": len(latencies) / expected,
            "rss_mb": rss,
            "gateway_rss_mb": gateway_rss,
        }
    finally:
        for server in (gateway_process, centre, redis):
            if server is not None:
                server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--clients", default="10,100,1000")
    parser.add_argument("--calls", type=int, default=30)
    parser.add_argument("--clients-kind", choices=["light", "socketio"], default="light")
    deployment = parser.add_mutually_exclusive_group()
    deployment.add_argument("--gateway", action="store_true", help="redis + gunicorn + the push gateway")
    deployment.add_argument("--compare", action="store_true", help="the threading centre, then the gateway")
    parser.add_argument("--workers", type=int, default=1, help="gunicorn workers with --gateway")
    args = parser.parse_args()
    if args.gateway or args.compare:
        missing = gateway_missing()
        if missing:
            raise SystemExit(missing)
    modes = [False, True] if args.compare else [args.gateway]
    deployed = f"the push gateway beside gunicorn × {args.workers} and redis-server"
    where = {(False,): "", (True,): f", {deployed}", (False, True): f": the threading centre (before), {deployed} (after)"}
    print(f"call → every screen ({args.clients_kind} clients){where[tuple(modes)]}, on {machine()} (clients and centre share the cores)")
    for n in (int(c) for c in args.clients.split(",")):
        for gateway in modes:
            r = run(n, args.calls, args.clients_kind, gateway, args.workers)
            label = ("after " if gateway else "before") if args.compare else ""
            memory = f"centre RSS {r['rss_mb']:.0f} MB"
            if gateway:
                memory += f", gateway RSS {r['gateway_rss_mb']:.0f} MB"
            print(
                f"  {label}{r['clients']:>5} clients: median {r['median_ms']:6.1f} ms   p99 {r['p99_ms']:7.1f} ms   "
                f"delivered {r['delivered']:.1%}   {memory}"
            )


if __name__ == "__main__":
    main()
