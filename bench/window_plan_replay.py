"""Window plan replay time: four weeks of the demo hall through two plans, side by side.

Builds the demo city with `--days` simulated days of the hall (as `make demo` has 30)
into a fresh temporary database, drafts a plan that merges the hall's first two windows
into one, and times `plan_drafts.replay` (load the tickets and measured service times,
draw, simulate today's plan and the draft) over the last `--weeks` complete weeks.
Usage: python bench/window_plan_replay.py [--days 30] [--weeks 4]
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

from queue_server.administration import plan_drafts  # noqa: E402
from queue_server.api.schemas.window_plans import ReplayRequest  # noqa: E402
from queue_server.storage import Database  # noqa: E402
from queue_server.tools.demo import load_demo  # noqa: E402
from queue_server.tools.simulation import simulate  # noqa: E402

SITE = "city-hall"
END = date(2026, 11, 27)
NOW = datetime.combine(END + timedelta(days=1), datetime.min.time(), tzinfo=UTC) + timedelta(hours=2)


def merged_plan(db: Database) -> str:
    windows = plan_drafts.current_windows(db.store.counters.of_site(SITE))
    first, second, *rest = windows
    profile = {(p.get("service"), p.get("bundle")): p for p in [*first["profile"], *second["profile"]]}
    body = {"windows": [{**first, "profile": list(profile.values())}, *rest]}
    with db.transaction() as store:
        store.window_plans.add("bench-plan", SITE, "merged 1+2", body, "bench", NOW)
    return "bench-plan"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--weeks", type=int, default=4)
    args = parser.parse_args()
    print(machine())
    with tempfile.TemporaryDirectory() as folder:
        db = Database(Path(folder) / "plans.db")
        load_demo(db)
        simulate(db, days=args.days, sites=[SITE], end=END)
        plan = merged_plan(db)
        request = ReplayRequest.model_validate({"weeks": args.weeks})
        runs, found = [], {}
        for _ in range(3):
            started = time.perf_counter()
            found = plan_drafts.replay(db, SITE, plan, request, NOW)
            runs.append(time.perf_counter() - started)
        base, draft = found["baseline"], found["plan"]
        print(
            f"{args.weeks} weeks ({found['days_with_history']} days with history), {found['tickets']:,} tickets, "
            f"{base['windows']} windows against {draft['windows']}: {statistics.median(runs):.2f} s "
            f"(median of 3; both simulations alone {found['seconds']:.2f} s)"
        )
        for label, outcome in (("today's plan", base), ("merged 1+2", draft)):
            everyone = outcome["items"]["all"]
            print(
                f"  {label:13} average {everyone['average_minutes']} min, p90 {everyone['p90_minutes']} min, "
                f"within target {outcome['within_target_share']:.1%}, not served {outcome['not_served']}"
            )
        db.close()


if __name__ == "__main__":
    main()
