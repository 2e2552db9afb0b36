"""A morning's arrivals in a city: screens, phones, clerks and kiosks at 221 sites at once.

The city is the brief's, built on the demo city (which loads 5 sites: the hall with 24
windows, a 商圈 station with 2, a township centre with 3, two village stations with 1): a
second 商圈 station like the first, 17 more township centres like 古塘, and 198 more village
stations like 梨树, each under a township centre in turn — 221 sites, 282 windows. Every site
gets a display token and a kiosk token (`Accounts.add_device`, before the centre starts).

- **Screens** (`--screens`, 1,000), from the windows per site: a sign over every window (it
  joins `{"site", "counter"}`: 282), a display in every site's room (`{"site"}`: 221), and the
  rest in the site rooms of the sites with more than one window, in proportion to their
  windows (the hall's wall and floor displays, the stations' and township centres' further
  screens). With 1,000: the hall 24 signs and 147 displays, a 商圈 station 2 + 13, a township
  centre 3 + 19 or 20, a village one sign and one display. Each joins with its site's display
  token.
- **Clerks** (`--clerks`, 200), one per window: every window of the hall, the stations and
  the township centres (82), then the one window of the first village stations until the
  clerks run out (118 of 200 villages; the others' clerks are out on home visits, their
  stations get no arrivals). Like `console_latency.py`: each opens its window, then every
  1–3 s calls the next ticket and, if one came, finishes it (an admin's token, over one
  keep-alive connection each).
- **Arrivals**: each staffed site's kiosks issue tickets (Poisson) at its windows' capacity
  (a clerk serves one every 2 s on average) times the simulator's load for its kind of site
  at the 9 o'clock peak (`simulation.LOAD` × `HOUR_PROFILE[9]`: hall 0.83, 商圈 0.68,
  township 0.9, village 0.45): about 62 tickets a second across the city with 200 clerks,
  a morning ~450 times faster than the clock (a clerk's 15 minutes in 2 s). `--arrivals`
  sets another total, shared the same way. Citizens arrive on their own schedule and queue
  for the site's kiosks (one for every three windows, at least one: the hall 8), each a
  keep-alive connection with the site's kiosk token; the issue's figures are the requests'.
  Items: those the staffed windows serve, without the capped ones (they would need a card).
- **Phones** (`--phones`, 2,000): the first arrivals' citizens open their ticket's page: a
  connection with `auth={"ticket": id}` and no token, `join {"ticket": id}`, then
  `ticket.event` messages. A centre without that protocol refuses them: the run says so and
  goes on without phones.

Latencies run from the moment the clerk's call-next request is sent (as in
`push_latency.py`) to the moment a screen in the called ticket's site room (or the sign
over its window) hears `ticket.called`, or its phone hears `ticket.event` of type
`ticket.called`. Delivery share: calls heard of those each screen and phone should hear
(a phone counts when it had joined before its ticket was called). CPU: each server
process's user + system time from the first arrival to 2 s after the clerks' last answer
(not the screens' connecting). Requests still unanswered 15 s after the morning are given
up and counted, so a centre that falls behind ends the run too. Clients and servers share
the machine's cores, and the load average is printed: other work on them shows there.

`--gateway`: a redis-server, the centre under gunicorn with the message queue (as deployed;
`--workers`), and the push gateway (`python -m queue_server gateway`): screens and phones
connect to the gateway, clerks and kiosks to the centre. `--compare` runs the threading
centre (Werkzeug's server, one process, before) and then the gateway deployment (after),
and prints both side by side. One run takes about 1.5 minutes, `--compare` twice that.
Usage: python bench/city_push.py [--seconds 60] [--screens 1000] [--clerks 200]
                                 [--phones 2000] [--arrivals PER_SECOND]
                                 [--gateway [--workers 1] | --compare]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import random
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from _centre import (
    BenchCentre,
    BenchGateway,
    BenchRedis,
    cpu_seconds,
    gateway_missing,
    machine,
)
from _light_clients import Http, Refused, Screen, host_port

MEAN_CLERK_SECONDS = 2.0  # a clerk acts every 1–3 s
GRACE_SECONDS = 2.0  # after the last call, for its pushes to arrive
# A centre that falls behind would stretch the run without end: requests still unanswered
# this long after the morning are given up and counted.
CUT_OFF_SECONDS = 15.0
WINDOWS_PER_KIOSK = 3
CONNECTING = 50  # handshakes at a time, per client process


# --- the city ------------------------------------------------------------------------


def city_sites() -> list[dict[str, Any]]:
    """The 221 sites: the demo city's five and their copies, parents listed first."""
    from queue_server.tools.demo import demo_sites

    demo = {s["id"]: s for s in demo_sites()}
    hall, cbd, gutang = demo["city-hall"], demo["station-cbd"], demo["town-gutang"]
    stations = [cbd, {**cbd, "id": "station-2", "name": "便民驿站2", "name_en": "Station 2"}]
    towns = [gutang] + [
        {**gutang, "id": f"town-{i:02d}", "name": f"乡镇便民服务中心{i}", "name_en": f"Town {i}"}
        for i in range(2, 19)
    ]
    villages = [demo["village-jinqiu"], demo["village-lishu"]] + [
        {
            **demo["village-lishu"],
            "id": f"village-{i:03d}",
            "name": f"村便民服务站{i}",
            "name_en": f"Village {i}",
            "parent_id": towns[i % len(towns)]["id"],
        }
        for i in range(3, 201)
    ]
    return [hall, *stations, *towns, *villages]


def staffed_windows(sites: list[dict[str, Any]], clerks: int) -> list[tuple[str, int]]:
    """Every window of the sites with more than one, then the villages' one window each."""
    big = [(s["id"], c["number"]) for s in sites if len(s["counters"]) > 1 for c in s["counters"]]
    small = [
        (s["id"], c["number"]) for s in sites if len(s["counters"]) == 1 for c in s["counters"]
    ]
    return (big + small)[:clerks]


def screen_joins(sites: list[dict[str, Any]], screens: int) -> list[dict[str, Any]]:
    """Signs over every window, a display in every site, the rest where there are more windows."""
    joins = [{"site": s["id"], "counter": c["number"]} for s in sites for c in s["counters"]]
    joins += [{"site": s["id"]} for s in sites]
    big = [s for s in sites if len(s["counters"]) > 1]
    rest = max(0, screens - len(joins))
    windows = sum(len(s["counters"]) for s in big)
    shares = [rest * len(s["counters"]) / windows for s in big]
    counts = [int(x) for x in shares]
    by_remainder = sorted(range(len(big)), key=lambda i: shares[i] - counts[i], reverse=True)
    for i in by_remainder[: rest - sum(counts)]:  # largest remainders get the last few
        counts[i] += 1
    for site, count in zip(big, counts, strict=True):
        joins += [{"site": site["id"]}] * count
    return joins[:screens]


def arrival_rates(
    sites: list[dict[str, Any]], staffed: list[tuple[str, int]], total: float | None
) -> dict[str, float]:
    """Tickets a second per staffed site: its clerks' capacity × the peak load of its kind."""
    from queue_server.engine.model import SiteKind
    from queue_server.tools.simulation import HOUR_PROFILE, LOAD

    kinds = {s["id"]: SiteKind(s["kind"]) for s in sites}
    clerks = Counter(site for site, _ in staffed)
    rates = {
        site: n / MEAN_CLERK_SECONDS * LOAD[kinds[site]] * HOUR_PROFILE[9]
        for site, n in clerks.items()
    }
    if total is not None:
        scale = total / sum(rates.values())
        rates = {site: rate * scale for site, rate in rates.items()}
    return rates


def kiosks_of(sites: list[dict[str, Any]]) -> dict[str, int]:
    """A kiosk for every three windows, at least one: the hall 8, every other site 1."""
    return {s["id"]: max(1, len(s["counters"]) // WINDOWS_PER_KIOSK) for s in sites}


def issuable(sites: list[dict[str, Any]], staffed: list[tuple[str, int]]) -> dict[str, list[str]]:
    """Per staffed site, the items its staffed windows serve that a kiosk issues without a card."""
    from queue_server.tools.demo import demo_catalog_text

    capped = {s["code"] for s in json.loads(demo_catalog_text())["services"] if s["daily_cap"]}
    open_windows = set(staffed)
    found: dict[str, list[str]] = {}
    for site in sites:
        codes = {
            line["service"]
            for c in site["counters"]
            if (site["id"], c["number"]) in open_windows
            for line in c["profile"]
            if "service" in line
        }
        if codes:
            found[site["id"]] = sorted(codes & set(site["services"]) - capped)
    return found


@dataclass
class City:
    sites: list[dict[str, Any]]
    display_tokens: dict[str, str] = field(default_factory=dict)
    kiosk_tokens: dict[str, str] = field(default_factory=dict)

    def prepare(self, db_path: Path) -> None:
        """The sites beyond the demo's, and a display and a kiosk token for each site."""
        from queue_server.accounts.credentials import Accounts
        from queue_server.administration.catalog_import import load_sites
        from queue_server.settings import load, secret_for
        from queue_server.storage import Database

        db = Database(db_path)
        load_sites(db, self.sites)
        accounts = Accounts(db, secret_for(load(overrides={"DB": str(db_path)})))
        for site in self.sites:
            _, self.display_tokens[site["id"]] = accounts.add_device(
                "display", site["id"], "压测屏"
            )
            _, self.kiosk_tokens[site["id"]] = accounts.add_device(
                "kiosk", site["id"], "压测取号机"
            )
        db.close()


# --- the clients: one process for the screens, one for kiosks and phones, one for clerks ---


def screens_process(url: str, joins, tokens, ready, stop, results) -> None:  # type: ignore[no-untyped-def]
    """Hold the screens; hand back, per screen, the tickets it heard called and when."""
    host, port = host_port(url)
    heard: list[dict[str, float]] = [{} for _ in joins]

    def listener(mine: dict[str, float]):  # type: ignore[no-untyped-def]
        def on_event(name: str, payload: Any, arrived: float) -> None:
            if name == "ticket.called":
                mine.setdefault(payload["ticket"]["id"], arrived)

        return on_event

    async def main() -> list[bool]:
        screens = [Screen(listener(h), parse=frozenset({"ticket.called"})) for h in heard]
        gate = asyncio.Semaphore(CONNECTING)

        async def connect(screen: Screen, join: dict[str, Any]) -> bool:
            async with gate:
                try:
                    await screen.connect(host, port, tokens[join["site"]], join)
                    return True
                except (OSError, TimeoutError, asyncio.IncompleteReadError, Refused):
                    return False

        connected = await asyncio.gather(
            *(connect(s, j) for s, j in zip(screens, joins, strict=True))
        )
        ready.put(sum(connected))
        while not stop.is_set():
            await asyncio.sleep(0.05)
        for screen in screens:
            await screen.close()
        return connected

    connected = asyncio.run(main())
    results.put(("screens", {"heard": heard, "connected": connected, "cpu": time.process_time()}))


def kiosks_process(  # type: ignore[no-untyped-def]
    url: str, push_url: str, rates, kiosk_counts, items, tokens, phones, seconds, go, stop, results
) -> None:
    """Each staffed site's kiosks issue at its rate; the first arrivals' phones follow them."""
    host, port = host_port(url)
    push_host, push_port = host_port(push_url)
    issued: list[tuple[str, float]] = []  # (status, seconds) of each issue
    followed: dict[str, dict[str, float | None]] = {}  # ticket → its phone's joined, heard
    refused: list[str] = []
    failed = [0]
    left = [phones]
    unissued = [0]  # arrivals still waiting (or their phone connecting) at the cut-off
    retried = [0]  # issues sent again after a lost connection

    async def phone(ticket: str, gate: asyncio.Semaphore, held: list[Screen]) -> None:
        record: dict[str, float | None] = {"joined": None, "heard": None}

        def on_event(name: str, payload: Any, arrived: float) -> None:
            if (
                name == "ticket.event"
                and payload.get("type") == "ticket.called"
                and payload["ticket"]["id"] == ticket
                and record["heard"] is None
            ):
                record["heard"] = arrived

        screen = Screen(on_event, parse=frozenset({"ticket.event"}))
        held.append(screen)
        async with gate:
            try:
                await screen.connect(
                    push_host, push_port, None, {"ticket": ticket}, auth={"ticket": ticket}
                )
            except Refused as no:
                refused.append(str(no))
                return
            except (TimeoutError, OSError, asyncio.IncompleteReadError):
                failed[0] += 1
                return
        record["joined"] = time.time()
        followed[ticket] = record

    async def kiosk(
        site: str, rate: float, end: float, gate: asyncio.Semaphore, held: list[Screen]
    ) -> None:
        """Citizens arrive on their own schedule (Poisson, not after the last one's ticket)
        and queue for the site's kiosks: a slow centre makes them wait, not come later."""
        pool: asyncio.Queue[Http] = asyncio.Queue()
        for _ in range(kiosk_counts[site]):
            pool.put_nowait(Http(host, port, tokens[site]))
        rng = random.Random(site)
        tasks: list[asyncio.Task[None]] = []

        async def arrive(i: int) -> None:
            http = await pool.get()
            body = {"service": rng.choice(items[site]), "request_id": f"city-{site}-{i}"}
            started = time.perf_counter()
            try:
                try:
                    status, content = await http.post(f"/api/v1/sites/{site}/tickets", body)
                except (OSError, asyncio.IncompleteReadError):
                    # A kept connection the server closed as the request went out: the kiosk
                    # sends it again on a new one (the request id makes it one ticket).
                    retried[0] += 1
                    status, content = await http.post(f"/api/v1/sites/{site}/tickets", body)
            except (OSError, asyncio.IncompleteReadError):
                status, content = 0, b""  # lost twice: counted as an error
            finally:
                pool.put_nowait(http)
            issued.append(
                (str(status) if status else "connection lost", time.perf_counter() - started)
            )
            if status == 201 and left[0] > 0 and not refused:
                left[0] -= 1
                await phone(json.loads(content)["ticket"]["id"], gate, held)

        due = time.monotonic()
        while True:
            due += rng.expovariate(rate)
            if due >= end:
                break
            await asyncio.sleep(max(0.0, due - time.monotonic()))
            tasks.append(asyncio.create_task(arrive(len(tasks))))
        if tasks:
            _, late = await asyncio.wait(
                tasks, timeout=max(0.1, end + CUT_OFF_SECONDS - time.monotonic())
            )
            for task in late:
                task.cancel()
            unissued[0] += len(late)
        while not pool.empty():
            await pool.get_nowait().close()

    async def main() -> None:
        while not go.is_set():
            await asyncio.sleep(0.01)
        end = time.monotonic() + seconds
        gate = asyncio.Semaphore(CONNECTING)
        held: list[Screen] = []
        await asyncio.gather(*(kiosk(site, rate, end, gate, held) for site, rate in rates.items()))
        while not stop.is_set():
            await asyncio.sleep(0.05)
        for screen in held:
            await screen.close()

    asyncio.run(main())
    answer = {
        "issued": issued,
        "followed": followed,
        "refused": refused[:1],
        "failed": failed[0],
        "cut_off": unissued[0],
        "retried": retried[0],
        "kiosks": sum(kiosk_counts[site] for site in rates),
    }
    results.put(("kiosks", {**answer, "cpu": time.process_time()}))


def clerks_process(url: str, token: str, windows, seconds: float, ready, go, results) -> None:  # type: ignore[no-untyped-def]
    """Open every window, then call and finish like a busy clerk; hand back the timings
    and, per ticket called, where and when its call-next was sent."""
    host, port = host_port(url)
    timings: list[tuple[str, float]] = []
    calls: dict[str, tuple[str, int, float]] = {}
    cut_off = [0]  # clerks whose last action was still unanswered at the cut-off

    async def clerk(site: str, number: int, http: Http) -> None:
        base = f"/api/v1/sites/{site}/counters/{number}"
        rng = random.Random(f"{site}/{number}")
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            await asyncio.sleep(rng.uniform(1, 3))
            sent_at = time.time()
            started = time.perf_counter()
            try:
                status, content = await http.post(f"{base}/call-next")
            except (OSError, asyncio.IncompleteReadError):
                timings.append(("call-next, connection lost", time.perf_counter() - started))
                continue
            elapsed = time.perf_counter() - started
            if status != 200:
                label = "call-next, nobody waiting" if status == 204 else f"call-next {status}"
                timings.append((label, elapsed))
                continue
            timings.append(("call-next, called", elapsed))
            calls[json.loads(content)["ticket"]["id"]] = (site, number, sent_at)
            started = time.perf_counter()
            try:
                status, _ = await http.post(f"{base}/finish", {"outcome": "completed"})
                label = "finish" if status == 200 else f"finish {status}"
            except (OSError, asyncio.IncompleteReadError):
                label = "finish, connection lost"
            timings.append((label, time.perf_counter() - started))
        await http.close()

    async def main() -> None:
        https = [Http(host, port, token) for _ in windows]
        gate = asyncio.Semaphore(CONNECTING)

        async def open_window(http: Http, site: str, number: int) -> None:
            async with gate:
                status, content = await http.post(f"/api/v1/sites/{site}/counters/{number}/open")
                if status != 200:
                    raise SystemExit(
                        f"opening window {number} of {site}: {status} {content[:200]!r}"
                    )

        await asyncio.gather(
            *(open_window(h, s, n) for h, (s, n) in zip(https, windows, strict=True))
        )
        ready.put(len(windows))
        while not go.is_set():
            await asyncio.sleep(0.01)
        working = [
            asyncio.create_task(clerk(s, n, h)) for h, (s, n) in zip(https, windows, strict=True)
        ]
        _, late = await asyncio.wait(working, timeout=seconds + CUT_OFF_SECONDS)
        for task in late:
            task.cancel()
        cut_off[0] = len(late)

    asyncio.run(main())
    answer = {"timings": timings, "calls": calls, "cut_off": cut_off[0]}
    results.put(("clerks", {**answer, "cpu": time.process_time()}))


# --- one run -------------------------------------------------------------------------


@dataclass
class Servers:
    """The deployment measured: the centre alone, or redis + the centre + the gateway."""

    centre: BenchCentre
    redis: BenchRedis | None = None
    gateway: BenchGateway | None = None

    @property
    def push_url(self) -> str:
        return self.gateway.url if self.gateway else self.centre.url

    def processes(self) -> dict[int, str]:
        named: dict[int, str] = {}
        centre = self.centre.processes()
        for i, pid in enumerate(centre):
            if len(centre) == 1:
                named[pid] = "centre"
            else:
                named[pid] = "centre (gunicorn master)" if i == 0 else f"centre worker {i}"
        for name, server in (("push gateway", self.gateway), ("redis-server", self.redis)):
            for pid in server.processes() if server else []:
                named[pid] = name
        return named

    def stop(self) -> None:
        for server in (self.gateway, self.centre, self.redis):
            if server is not None:
                server.stop()


def start(city: City, gateway: bool, workers: int) -> Servers:
    if not gateway:
        return Servers(BenchCentre("FULL", prepare=city.prepare))
    redis = BenchRedis()
    try:
        centre = BenchCentre(
            "FULL", "gunicorn", workers, prepare=city.prepare, message_queue=redis.url
        )
    except BaseException:
        redis.stop()
        raise
    servers = Servers(centre, redis)
    try:
        servers.gateway = BenchGateway(centre.db_path, redis.url, centre.env)
    except BaseException:
        servers.stop()
        raise
    return servers


def run(args: argparse.Namespace, gateway: bool) -> dict[str, Any]:
    sites = city_sites()
    city = City(sites)
    staffed = staffed_windows(sites, args.clerks)
    joins = screen_joins(sites, args.screens)
    rates = arrival_rates(sites, staffed, args.arrivals)
    items = issuable(sites, staffed)
    servers = start(city, gateway, args.workers)
    try:
        ctx = multiprocessing.get_context("fork")
        screens_ready, clerks_ready, results = ctx.Queue(), ctx.Queue(), ctx.Queue()
        stop, go = ctx.Event(), ctx.Event()
        centre, push = servers.centre.url, servers.push_url
        connecting = time.monotonic()
        screens = ctx.Process(
            target=screens_process,
            args=(push, joins, city.display_tokens, screens_ready, stop, results),
        )
        screens.start()
        connected = screens_ready.get(timeout=600)
        connecting = time.monotonic() - connecting
        token = servers.centre.admin_token
        clerks = ctx.Process(
            target=clerks_process,
            args=(centre, token, staffed, args.seconds, clerks_ready, go, results),
        )
        kiosks = ctx.Process(
            target=kiosks_process,
            args=(
                centre,
                push,
                rates,
                kiosks_of(sites),
                items,
                city.kiosk_tokens,
                args.phones,
                args.seconds,
                go,
                stop,
                results,
            ),
        )
        clerks.start()
        kiosks.start()
        clerks_ready.get(timeout=600)  # every window open
        rss = {"screens": servers.centre.rss_mb()}
        gateway_rss = {"screens": servers.gateway.rss_mb()} if servers.gateway else {}
        named = servers.processes()
        cpu_before = {pid: cpu_seconds(pid) for pid in named}
        morning = time.monotonic()
        load = [os.getloadavg()[0]]
        go.set()
        collected = dict([results.get(timeout=args.seconds + 300)])  # the clerks', when done
        time.sleep(GRACE_SECONDS)  # for the last calls' pushes
        wall = time.monotonic() - morning
        load.append(os.getloadavg()[0])
        cpu = {pid: cpu_seconds(pid) - cpu_before[pid] for pid in named}
        rss["end"] = servers.centre.rss_mb()
        if servers.gateway:
            gateway_rss["end"] = servers.gateway.rss_mb()
        stop.set()
        while len(collected) < 3:
            name, data = results.get(timeout=300)
            collected[name] = data
        for process in (screens, clerks, kiosks):
            process.join(30)
    finally:
        servers.stop()
    spent: dict[str, float] = Counter()
    for pid, name in named.items():
        spent[name] += cpu[pid]
    return figures(
        joins, staffed, rates, connected, connecting, collected, rss, gateway_rss, dict(spent), wall
    ) | {"load": load}


def percentile(ordered: list[float], fraction: float) -> float:
    return ordered[min(len(ordered) - 1, int(len(ordered) * fraction))] if ordered else float("nan")


def figures(  # type: ignore[no-untyped-def]
    joins, staffed, rates, connected, connecting, collected, rss, gateway_rss, cpu, wall
) -> dict[str, Any]:
    """Everything one run printed, as numbers and words (`show` puts them in lines)."""
    calls: dict[str, tuple[str, int, float]] = collected["clerks"]["calls"]
    up = collected["screens"]["connected"]
    rooms = Counter((j["site"], j.get("counter")) for j, on in zip(joins, up, strict=True) if on)
    expected = sum(
        rooms[(site, None)] + rooms[(site, counter)] for site, counter, _ in calls.values()
    )
    to_screens: list[float] = []
    hall: list[float] = []
    for join, heard in zip(joins, collected["screens"]["heard"], strict=True):
        for ticket, arrived in heard.items():
            call = calls.get(ticket)
            if (
                call is None
                or call[0] != join["site"]
                or join.get("counter") not in (None, call[1])
            ):
                continue
            latency = (arrived - call[2]) * 1000
            to_screens.append(latency)
            if join["site"] == "city-hall":
                hall.append(latency)
    kiosks = collected["kiosks"]
    followed = kiosks["followed"]
    to_phones: list[float] = []
    phones_expected = late_joins = 0
    for ticket, record in followed.items():
        call = calls.get(ticket)
        if call is None:
            continue
        if record["joined"] is not None and record["joined"] > call[2]:
            late_joins += 1  # called before its phone had joined: its page shows it, no event
            continue
        phones_expected += 1
        if record["heard"] is not None:
            to_phones.append((record["heard"] - call[2]) * 1000)
    timings = collected["clerks"]["timings"]
    actions: dict[str, list[float]] = {}
    for label, seconds in timings:
        actions.setdefault(label, []).append(seconds * 1000)
        if label.startswith("call-next"):
            actions.setdefault("call-next (all)", []).append(seconds * 1000)
    issued = kiosks["issued"]
    return {
        "sites": len({j["site"] for j in joins} | {s for s, _ in staffed}),
        "screens": connected,
        "screens_asked": len(joins),
        "hall_screens": sum(n for (site, _), n in rooms.items() if site == "city-hall"),
        "connecting_s": connecting,
        "clerks": len(staffed),
        "staffed_sites": len({s for s, _ in staffed}),
        "arrival_rate": sum(rates.values()),
        "kiosks": kiosks["kiosks"],
        "issued": sum(1 for status, _ in issued if status == "201"),
        "issue_errors": Counter(status for status, _ in issued if status != "201"),
        "issue_retries": kiosks["retried"],
        "issue_ms": sorted(t * 1000 for _, t in issued),
        "cut_off": {"arrivals": kiosks["cut_off"], "clerks": collected["clerks"]["cut_off"]},
        "calls": len(calls),
        "to_screens": sorted(to_screens),
        "to_hall": sorted(hall),
        "screen_delivery": len(to_screens) / expected if expected else float("nan"),
        "phones": len(followed),
        "phones_refused": kiosks["refused"][0] if kiosks["refused"] else None,
        "phones_failed": kiosks["failed"],
        "phones_called": phones_expected,
        "phones_late_joins": late_joins,
        "to_phones": sorted(to_phones),
        "phone_delivery": len(to_phones) / phones_expected if phones_expected else float("nan"),
        "actions": {label: sorted(values) for label, values in actions.items()},
        "rss": rss,
        "gateway_rss": gateway_rss,
        "cpu": cpu,
        "wall_s": wall,
        "clients_cpu": {name: data["cpu"] for name, data in collected.items()},
    }


def lines(r: dict[str, Any], args: argparse.Namespace) -> list[tuple[str, str]]:
    """(what, figure) lines of one run: two runs print side by side."""

    def spread(values: list[float]) -> str:
        if not values:
            return "none"
        return " / ".join(f"{percentile(values, q):.1f}" for q in (0.5, 0.95, 0.99)) + " ms"

    out = [
        ("screens connected", f"{r['screens']} of {r['screens_asked']} in {r['connecting_s']:.0f} s"),
        ("arrivals", f"{r['issued']} tickets ({r['arrival_rate']:.0f}/s asked) at {r['kiosks']} kiosks"),
        ("issue p50/p95/p99", spread(r["issue_ms"])),
        ("calls", f"{r['calls']} by {r['clerks']} clerks at {r['staffed_sites']} sites"),
        ("call → screen p50/p95/p99", spread(r["to_screens"])),
        (f"  the hall's room ({r['hall_screens']} screens)", spread(r["to_hall"])),
        ("  screens' delivery", f"{r['screen_delivery']:.2%} of expected events"),
    ]  # fmt: skip
    if not args.phones:
        out.append(("phones", "none (--phones 0)"))
    elif r["phones_refused"]:
        out.append(("phones", f"refused by this centre ({r['phones_refused'].split(':')[0]})"))
    else:
        out += [
            (
                "phones following tickets",
                f"{r['phones']} (failed to connect: {r['phones_failed']})",
            ),
            ("call → phone p50/p95/p99", spread(r["to_phones"])),
            (
                "  phones' delivery",
                f"{r['phone_delivery']:.2%} of {r['phones_called']} calls"
                f" (+{r['phones_late_joins']} called before their phone joined)",
            ),
        ]
    for label in ("call-next (all)", "call-next, called", "call-next, nobody waiting", "finish"):
        values = r["actions"].get(label, [])
        out.append((f"{label} p50/p95/p99", f"{spread(values)} (n={len(values)})"))
    for label, values in r["actions"].items():
        if label.split()[-1].isdigit() or label.endswith("lost"):  # errors, if any
            out.append((label, f"n={len(values)}"))
    if any(r["cut_off"].values()):
        cut = r["cut_off"]
        out.append((
            f"given up {CUT_OFF_SECONDS:.0f} s after the end",
            f"{cut['arrivals']} arrivals, {cut['clerks']} clerks' actions (unanswered)",
        ))  # fmt: skip
    if r["issue_retries"]:
        out.append(("issues sent again", f"{r['issue_retries']} (a kept connection lost)"))
    if r["issue_errors"]:
        out.append(("issue errors", ", ".join(f"{k}: {v}" for k, v in r["issue_errors"].items())))
    out.append(
        (
            "centre RSS",
            f"{r['rss']['screens']:.0f} MB with the screens, {r['rss']['end']:.0f} MB at the end",
        )
    )
    if r["gateway_rss"]:
        out.append(
            (
                "gateway RSS",
                f"{r['gateway_rss']['screens']:.0f} MB with the screens, {r['gateway_rss']['end']:.0f} MB at the end",
            )
        )
    for name, seconds in r["cpu"].items():
        out.append(
            (
                f"CPU {name}",
                f"{seconds:.1f} s over {r['wall_s']:.0f} s ({seconds / r['wall_s']:.0%} of a core)",
            )
        )
    clients = ", ".join(f"{name} {seconds:.1f} s" for name, seconds in r["clients_cpu"].items())
    out.append(("clients' CPU (whole life)", clients))
    # Other work on the machine (on shared cores) shows here: a figure to read beside it.
    out.append(("machine load (1 min), start → end", " → ".join(f"{x:.1f}" for x in r["load"])))
    return out  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--seconds", type=float, default=60, help="the morning's length (default 60)"
    )
    parser.add_argument("--screens", type=int, default=1000)
    parser.add_argument("--clerks", type=int, default=200)
    parser.add_argument("--phones", type=int, default=2000)
    parser.add_argument("--arrivals", type=float, default=None, help="tickets a second, city-wide")
    deployment = parser.add_mutually_exclusive_group()
    deployment.add_argument(
        "--gateway", action="store_true", help="redis + gunicorn + the push gateway"
    )
    deployment.add_argument(
        "--compare", action="store_true", help="the threading centre, then the gateway"
    )
    parser.add_argument("--workers", type=int, default=1, help="gunicorn workers with --gateway")
    args = parser.parse_args()
    if args.gateway or args.compare:
        missing = gateway_missing()
        if missing:
            raise SystemExit(missing)
    modes = [False, True] if args.compare else [args.gateway]
    names = {False: "threading centre", True: f"gateway (gunicorn × {args.workers} + redis)"}
    print(
        f"a morning in a city of 221 sites: {args.screens} screens, {args.clerks} clerks, "
        f"{args.phones} phones, {args.seconds:.0f} s of arrivals, on {machine()} "
        "(clients and servers share the cores)"
    )
    runs = [lines(run(args, gateway), args) for gateway in modes]
    if len(runs) == 1:
        print(f"  [{names[modes[0]]}]")
        for what, figure in runs[0]:
            print(f"  {what:<40} {figure}")
        return
    before, after = (dict(r) for r in runs)
    order = list(before)
    for i, what in enumerate(after):  # the after run's own lines next to their neighbours
        if what not in order:
            order.insert(order.index(list(after)[i - 1]) + 1 if i else 0, what)
    print(f"  {'':<40} {'before: ' + names[False]:<48} after: {names[True]}")
    for what in order:
        print(f"  {what:<40} {before.get(what, '—'):<48} {after.get(what, '—')}")


if __name__ == "__main__":
    main()
