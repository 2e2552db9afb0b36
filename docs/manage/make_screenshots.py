"""Screenshots of the managers' pages for docs/manage/, against a simulated history.

    .venv/bin/python docs/manage/make_screenshots.py [--days 30]

Starts the demo city with `--days` of simulated history and brings the hall to life the
way docs/screenshots.py does for the manuals (windows open, people waiting, a paused
window, a village over its target wait), adds a kiosk out of paper, and takes the
dashboard, the city view and the reports page in headless Chromium.
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
from pathlib import Path
from typing import TYPE_CHECKING

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import screenshots  # noqa: E402  (docs/screenshots.py: the demo city it starts and the hall it fills)

if TYPE_CHECKING:
    from playwright.sync_api import Page

    from tests.conftest import CentreProcess

OUT = Path(__file__).resolve().parent
SYNCED = "() => window.hallqueueManage && window.hallqueueManage.syncs > 0"
LOADED = "() => window.hallqueueReports && window.hallqueueReports.loads > 0"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()

    from playwright.sync_api import sync_playwright

    from tests.conftest import CHROMIUM

    with screenshots.running_centre(args.days) as centre, sync_playwright() as p:
        bring_to_life(centre)
        browser = p.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--headless=new", "--disable-gpu", "--disable-dev-shm-usage"]
        )
        page = browser.new_page(viewport={"width": 1500, "height": 1000}, device_scale_factor=1)
        page.on("pageerror", lambda e: print("page error:", e))
        screenshots.login(page, f"{centre.url}/manage", screenshots.MANAGER)
        shoot(page, SYNCED, args.out / "dashboard.png")
        page.goto(f"{centre.url}/manage#city")
        shoot(page, SYNCED, args.out / "city.png")
        page.goto(f"{centre.url}/manage/reports")
        shoot(page, LOADED, args.out / "reports.png")
        page.emulate_media(media="print")
        page.screenshot(path=str(args.out / "reports-print.png"), full_page=False)
        page.emulate_media(media="screen")
        page.goto(f"{centre.url}/manage?lang=en")
        shoot(page, SYNCED, args.out / "dashboard-en.png", full_page=False)
        browser.close()
    print("screenshots in", args.out)


def shoot(page: Page, ready: str, path: Path, full_page: bool = True) -> None:
    """Once the page says it is `ready` and has settled, a picture of it."""
    page.wait_for_function(ready, timeout=30_000)
    page.wait_for_timeout(500)
    page.screenshot(path=str(path), full_page=full_page)


def bring_to_life(centre: CentreProcess) -> None:
    """The manuals' late morning in the hall, with a kiosk out of paper for the device
    alerts and the open windows open for a while."""
    screenshots.bring_to_life(centre)
    centre.post("/devices/status", {"printer": "out", "id_reader": "ok"}, token=centre.kiosk_token)
    with sqlite3.connect(centre.db_path) as conn:
        conn.execute(
            "UPDATE events SET at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-35 minutes') WHERE type = 'counter.opened'"
        )


if __name__ == "__main__":
    main()
