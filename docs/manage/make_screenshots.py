"""Screenshots of the managers' pages for docs/manage/, against a simulated history.

    .venv/bin/python docs/manage/make_screenshots.py [--days 30]

Builds a demo database in a temporary folder, simulates `--days` of history, starts the
centre on a free loopback port, brings the hall to life (windows open, people waiting,
a paused window, a kiosk out of paper, a village over its target wait) and takes the
dashboard, the city view and the reports page in headless Chromium.
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
import tempfile
import threading
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tests.conftest import Centre

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
OUT = Path(__file__).resolve().parent


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()

    from playwright.sync_api import sync_playwright
    from werkzeug.serving import make_server

    from queue_server.app import create_app
    from queue_server.server import QuietHandler
    from queue_server.storage import Database
    from queue_server.tools.simulation import simulate
    from tests.conftest import CHROMIUM, Centre, free_port, prepare_demo_database, wait_for_http

    with tempfile.TemporaryDirectory() as tmp:
        db_path = Path(tmp) / "hallqueue.db"
        kiosk, display = prepare_demo_database(db_path)
        db = Database(db_path)
        totals = simulate(db, args.days, with_events=False)
        db.close()
        print(f"simulated {totals.tickets:,} tickets over {args.days} days")
        app = create_app(overrides={"DB": str(db_path), "IGNORE_HOURS": True})
        port = free_port()
        server = make_server("127.0.0.1", port, app, threaded=True, request_handler=QuietHandler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        centre = Centre(f"http://127.0.0.1:{port}", db_path)
        centre.kiosk_token, centre.display_token = kiosk, display
        wait_for_http(centre.api("/health"))
        bring_to_life(centre)

        with sync_playwright() as p:
            browser = p.chromium.launch(
                executable_path=CHROMIUM, args=["--no-sandbox", "--headless=new", "--disable-gpu", "--disable-dev-shm-usage"]
            )
            page = browser.new_page(viewport={"width": 1500, "height": 1000}, device_scale_factor=1)
            page.on("pageerror", lambda e: print("page error:", e))
            page.goto(f"{centre.url}/manage")
            page.fill("#username", "manager")
            page.fill("#password", "Demo-Hall-2")
            page.click("#login-form button[type=submit]")
            page.wait_for_function("() => window.hallqueueManage && window.hallqueueManage.syncs > 0")
            page.wait_for_timeout(500)
            page.screenshot(path=str(args.out / "dashboard.png"), full_page=True)
            page.goto(f"{centre.url}/manage#city")
            page.wait_for_function("() => window.hallqueueManage && window.hallqueueManage.syncs > 0")
            page.wait_for_timeout(500)
            page.screenshot(path=str(args.out / "city.png"), full_page=True)
            page.goto(f"{centre.url}/manage/reports")
            page.wait_for_function("() => window.hallqueueReports && window.hallqueueReports.loads > 0", timeout=30000)
            page.wait_for_timeout(500)
            page.screenshot(path=str(args.out / "reports.png"), full_page=True)
            page.emulate_media(media="print")
            page.screenshot(path=str(args.out / "reports-print.png"), full_page=False)
            page.emulate_media(media="screen")
            page.goto(f"{centre.url}/manage?lang=en")
            page.wait_for_function("() => window.hallqueueManage && window.hallqueueManage.syncs > 0")
            page.wait_for_timeout(500)
            page.screenshot(path=str(args.out / "dashboard-en.png"), full_page=False)
            browser.close()
        server.shutdown()
        app.extensions["hallqueue"].db.close()
    print("screenshots in", args.out)


def bring_to_life(centre: Centre) -> None:
    for number in (1, 2, 3, 4, 6, 7):
        centre.counter(number, "open")
    for service in ["A101", "A101", "A103", "B201", "B201", "B201", "A101", "C301", "D401", "A102"]:
        centre.issue(service)
    for number in (1, 2, 6):
        centre.counter(number, "call-next")
    centre.counter(1, "start")
    centre.counter(7, "pause", reason="午间休息")
    centre.counter(1, "open", site="town-gutang")
    for _ in range(3):
        centre.issue("D401", site="town-gutang")
    centre.counter(1, "open", site="village-jinqiu")
    centre.issue("C301", site="village-jinqiu")
    centre.issue("C301", site="village-jinqiu")
    centre.post("/devices/status", {"printer": "out", "id_reader": "ok"}, token=centre.kiosk_token)
    conn = sqlite3.connect(centre.db_path)
    conn.execute(
        "UPDATE tickets SET issued_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-' || (12 + rowid % 20) || ' minutes') WHERE status = 'waiting'"
    )
    conn.execute(
        "UPDATE tickets SET issued_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-26 minutes') WHERE status = 'waiting' AND site_id = 'village-jinqiu'"
    )
    conn.execute(
        "UPDATE counters SET state_since = strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-35 minutes') WHERE state != 'closed'"
    )
    conn.execute(
        "UPDATE events SET at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-35 minutes') WHERE type = 'counter.opened'"
    )
    conn.commit()
    conn.close()


if __name__ == "__main__":
    main()
