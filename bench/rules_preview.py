"""Rules preview latency: the hall's recent weeks replayed under current and proposed rules.

Builds the demo city with `--days` simulated days of the hall (with its event log, as a
running centre has) into a fresh temporary database, then times `rules_preview.preview`
(load the history, replay it twice, count) for 14 and 28 days, with and without events.
Usage: python bench/rules_preview.py [--days 28]
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _centre import machine  # noqa: E402

from queue_server.administration import rules_preview  # noqa: E402
from queue_server.storage import Database  # noqa: E402
from queue_server.tools.demo import load_demo  # noqa: E402
from queue_server.tools.simulation import simulate  # noqa: E402

END = date(2026, 11, 27)
NOW = datetime.combine(END + timedelta(days=1), datetime.min.time(), tzinfo=UTC) + timedelta(hours=2)
PROPOSAL = {"mix": [1, 1], "max_wait_minutes": 45}


def timed(db: Database, days: int) -> tuple[float, dict]:  # type: ignore[type-arg]
    runs = []
    found: dict = {}  # type: ignore[type-arg]
    for _ in range(5):
        started = time.perf_counter()
        found = rules_preview.preview(db, "city-hall", {"settings": PROPOSAL, "days": days}, NOW)
        runs.append(time.perf_counter() - started)
    return statistics.median(runs), found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--days", type=int, default=28)
    args = parser.parse_args()
    print(machine())
    with tempfile.TemporaryDirectory() as folder:
        db = Database(Path(folder) / "preview.db")
        load_demo(db)
        simulate(db, days=args.days, sites=["city-hall"], end=END)
        for label in ("with events", "without events"):
            for days in (14, args.days):
                seconds, found = timed(db, days)
                print(f"{label:15} {days:3} days: {found['tickets']:6,} tickets, {found['calls']:6,} calls → {seconds * 1000:6.0f} ms (median of 5)")
            db.conn.execute("DELETE FROM events")
        db.close()


if __name__ == "__main__":
    main()
