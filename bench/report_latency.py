"""Report latency over a year of a city's history (≥ 1 million tickets).

Builds the history once (the demo city plus as many copies of its hall as needed, simulated for a year by
`hallqueue history simulate`'s engine, without the event log) into --db, then times every report
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

from queue_server.administration.catalog_import import load_sites  # noqa: E402
from queue_server.reports import registry as reports  # noqa: E402
from queue_server.storage import Database  # noqa: E402
from queue_server.tools.demo import demo_sites, is_empty, load_demo  # noqa: E402
from queue_server.tools.simulation import simulate  # noqa: E402

END = date(2026, 10, 31)
DAYS = 365


def build(db: Database, tickets: int) -> None:
    """Simulate the demo city for a year, adding copies of its hall until there are enough tickets."""
    if is_empty(db):
        load_demo(db)
    hall = next(s for s in demo_sites() if s["id"] == "city-hall")
    started = time.monotonic()

    def progress(day: str, totals) -> None:  # type: ignore[no-untyped-def]
        print(f"\r  simulating {day}: {totals.tickets:,} new tickets ({time.monotonic() - started:.0f} s)", end="", file=sys.stderr)

    sites = None  # the first round: every site of the demo city
    while db.query_one("SELECT count(*) FROM tickets")[0] < tickets:
        simulate(db, DAYS, sites=sites, end=END, with_events=False, progress=progress)
        have = db.query_one("SELECT count(*) FROM tickets")[0]
        if have >= tickets:
            break
        # About 180,000 tickets a year per hall: add as many copies as the rest needs.
        count = len([r for r in db.query("SELECT id FROM sites WHERE id LIKE 'city-hall-%'")])
        more = max(1, -(-(tickets - have) // 180_000))
        sites = [f"city-hall-{i}" for i in range(count + 2, count + 2 + more)]
        load_sites(db, [{**hall, "id": s, "name": f"分中心{s[-1]}", "parent_id": "city-hall"} for s in sites])
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
    query = reports.make_query(db.store, END - timedelta(days=DAYS - 1), END, sites)
    print(f"reports over {total:,} tickets, {len(sites)} sites, {DAYS} days, on {machine()}")
    started = time.perf_counter()
    reports.summary(db.store, query)  # rolls up every finished month once (kept for later reports)
    print(f"  first report, rolling up {DAYS // 30} months × {len(sites)} sites: {time.perf_counter() - started:.1f} s (once)")
    cases = [("summary", None), ("throughput", "day"), ("throughput", "hour"), ("throughput", "service"),
             ("throughput", "department"), ("throughput", "clerk"), ("times", "site"), ("times", "service"),
             ("outcomes", None), ("ratings", "site"), ("channels", None), ("heatmap", None)]  # fmt: skip
    worst = 0.0
    for name, by in cases:
        timings = []
        for _ in range(3):
            started = time.perf_counter()
            table = reports.run_report(db.store, name, query, by)
            timings.append(time.perf_counter() - started)
        worst = max(worst, max(timings))
        print(f"  {name + (' by ' + by if by else ''):<24} first {timings[0] * 1000:7.0f} ms   then {min(timings[1:]) * 1000:7.0f} ms   ({len(table['rows'])} rows)")
    print(f"  slowest: {worst * 1000:.0f} ms (target < 1000 ms)")


if __name__ == "__main__":
    main()
