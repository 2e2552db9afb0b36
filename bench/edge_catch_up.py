"""A station's busy day caught up over a 64 kbit/s line: bytes per ticket, seconds.

A city centre and a village's edge centre run as processes; the line between them is a
`tests.edge.link.Link`. The line is cut, the station lives a busy day (each ticket
issued at the kiosk, called, served and finished, some rated), then the line comes back
at 64 kbit/s (8,000 bytes a second each way) and the clock runs until the station's outbox
is empty. Printed: tickets, events, bytes that crossed the line (both ways) per ticket,
and the seconds the catch-up took.

    .venv/bin/python bench/edge_catch_up.py [--tickets 600] [--rate 8000]
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.conftest import CentreProcess, free_port, prepare_demo_database  # noqa: E402
from tests.edge.conftest import TOWN_MANAGER, VILLAGE, enrol, hallqueue, wait_until  # noqa: E402
from tests.edge.link import Link  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=600, help="the station's day (a busy township: 300-600)")
    parser.add_argument("--rate", type=float, default=8000.0, help="bytes per second each way (64 kbit/s: 8000)")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="hallqueue-edge-bench-"))
    city_db = work / "city" / "hallqueue.db"
    city_db.parent.mkdir()
    prepare_demo_database(city_db)
    edge_id, edge_token = enrol(city_db, "edge")
    _, kiosk = enrol(city_db, "kiosk")
    env = {"HALLQUEUE_LOG_LEVEL": "WARNING", "HALLQUEUE_SYNCHRONOUS": "NORMAL"}
    city = CentreProcess(city_db, free_port(), work / "city.log", env=env)
    city.start()
    link = Link(city.port)
    station_db = work / "station" / "hallqueue.db"
    station_db.parent.mkdir()
    station = CentreProcess(
        station_db, free_port(), work / "station.log",
        args=("--edge-of", link.url, "--token", edge_token),
        env={**env, "HALLQUEUE_EDGE_SYNC_SECONDS": "1"},
    )  # fmt: skip
    station.start()
    try:
        hallqueue("site", "hand-over", VILLAGE, "--to", edge_id, "--db", str(city_db))
        health = lambda: requests.get(station.api("/health"), timeout=5).json()["edge"]  # noqa: E731
        wait_until(lambda: health()["serving"], 30, "the station serves the village")
        clerk = station.login(TOWN_MANAGER)
        station.post(f"/sites/{VILLAGE}/counters/1/open", {}, token=clerk)
        link.cut()
        print(f"a busy day at the station, the line down: {args.tickets} tickets …", flush=True)
        for i in range(args.tickets):
            issued = requests.post(
                station.api(f"/sites/{VILLAGE}/tickets"), json={"service": "C301"},
                headers={"Authorization": f"Bearer {kiosk}"}, timeout=10,
            ).json()  # fmt: skip
            station.post(f"/sites/{VILLAGE}/counters/1/call-next", {}, token=clerk)
            station.post(f"/sites/{VILLAGE}/counters/1/finish", {"outcome": "completed"}, token=clerk)
            if i % 3 == 0:  # a third of them rated on the phone
                ticket = issued["ticket"]["id"]
                requests.post(station.api(f"/tickets/{ticket}/rating"), json={"level": 5, "key": issued["key"]}, timeout=10)
        waiting = health()["backlog"]
        link.sent = link.received = 0
        link.rate = args.rate
        started = time.monotonic()
        link.restore()
        wait_until(lambda: health()["backlog"] == 0, 3600, "the outbox is empty")
        took = time.monotonic() - started
        crossed = link.sent + link.received
        print(f"events waiting: {waiting}; line: {args.rate * 8 / 1000:.0f} kbit/s each way")
        print(f"bytes up {link.sent:,}, down {link.received:,}: {crossed / args.tickets:,.0f} bytes per ticket")
        print(f"caught up in {took:.1f} s ({args.tickets} tickets, {waiting / took:.0f} events/s)")
    finally:
        station.stop()
        link.close()
        city.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
