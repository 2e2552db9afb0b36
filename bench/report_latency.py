"""Report latency over a year of a city's history (≥ 1 million tickets).

Builds the history once (the demo city plus copies of its hall, simulated for a year by
`hallqueue simulate`'s engine, without the event log) into --db, then times every report
over the whole year and the whole city, cold and warm.
Usage: python bench/report_latency.py [--db var/bench-history.db] [--tickets 1000000]
"""
from __future__ import annotations

import argparse
import sys
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _centre import machine  # noqa: E402

from queue_server import reports  # noqa: E402
from queue_server.catalog import load_sites  # noqa: E402
from queue_server.demo import demo_sites, is_empty, load_demo  # noqa: E402
from queue_server.simulation import simulate  # noqa: E402
from queue_server.storage import Database  # noqa: E402

END = date(2026, 10, 31)
DAYS = 365


def build(db: Database, tickets: int) -> None:
    have = db.query_one("SELECT count(*) FROM tickets")[0]
    if have >= tickets:
        return
    if is_empty(db):
        load_demo(db)
    hall = next(s for s in demo_sites() if s["id"] == "city-hall")
    # About 700 tickets a working day per hall: enough copies of the hall to reach the target.
    copies = max(0, round(tickets / (DAYS * 0.72 * 700)) - 1)
    load_sites(db, [{**hall, "id": f"city-hall-{i}", "name": f"分中心{i}", "parent_id": "city-hall"} for i in range(2, copies + 2)])
    started = time.monotonic()

    def progress(day: str, totals) -> None:  # type: ignore[no-untyped-def]
        print(f"\r  simulating {day}: {totals.tickets:,} tickets ({time.monotonic() - started:.0f} s)", end="", file=sys.stderr)

    simulate(db, DAYS, end=END, with_events=False, progress=progress)
    print(file=sys.stderr)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", default="var/bench-history.db")
    parser.add_argument("--tickets", type=int, default=1_000_000)
    args = parser.parse_args()
    db = Database(args.db, synchronous="NORMAL")
    build(db, args.tickets)
    conn = db.conn
    total = conn.execute("SELECT count(*) FROM tickets").fetchone()[0]
    sites = [r[0] for r in conn.execute("SELECT id FROM sites")]
    query = reports.make_query(conn, END - timedelta(days=DAYS - 1), END, sites)
    print(f"reports over {total:,} tickets, {len(sites)} sites, {DAYS} days, on {machine()}")
    cases = [("summary", None), ("throughput", "day"), ("throughput", "hour"), ("throughput", "service"),
             ("throughput", "department"), ("throughput", "clerk"), ("times", "site"), ("times", "service"),
             ("outcomes", None), ("ratings", "site"), ("channels", None), ("heatmap", None)]  # fmt: skip
    worst = 0.0
    for name, by in cases:
        timings = []
        for _ in range(3):
            started = time.perf_counter()
            table = reports.run_report(conn, name, query, by)
            timings.append(time.perf_counter() - started)
        worst = max(worst, max(timings))
        print(f"  {name + (' by ' + by if by else ''):<24} first {timings[0] * 1000:7.0f} ms   then {min(timings[1:]) * 1000:7.0f} ms   ({len(table['rows'])} rows)")
    print(f"  slowest: {worst * 1000:.0f} ms (target < 1000 ms)")


if __name__ == "__main__":
    main()
