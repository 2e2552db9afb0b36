"""The screenshots of the Chinese manuals (docs/zh/), saved into docs/img/.

    make screenshots        # or: .venv/bin/python docs/screenshots.py [--days 30] [--out DIR]

Builds the demo city in a temporary folder with `--days` of simulated history, starts the
centre on a free loopback port as its own process (`hallqueue serve`, so it can be frozen
for the "connection lost" banner), a kiosk agent whose printer and ID reader are
simulators, brings the hall to life (windows open, people waiting, a paused window, a
proxy, a locked account) and drives the real pages in headless Chromium, as the tests do.
Each picture is at most 1280 px wide and saved as a 256-colour PNG, so the repository
stays small; the text on them stays sharp.
"""

from __future__ import annotations

import argparse
import io
import os
import signal
import sqlite3
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
OUT = ROOT / "docs" / "img"
MAX_WIDTH = 1280
DESK = {"width": 1280, "height": 800}  # consoles, managers' and admin pages
WALL = {"width": 1280, "height": 720}  # a hall display (1920×1080 scaled down by the page)
KIOSK = {"width": 1080, "height": 1920}  # the kiosk's portrait touch screen, saved at half size
CLERK = ("clerk", "Demo-Desk-3")
MANAGER = ("manager", "Demo-Hall-2")
ADMIN = ("admin", "Demo-City-1")

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

    from tests.conftest import CentreProcess


def save(page: Page, out: Path, name: str, full_page: bool = False, scale: float = 1.0) -> None:
    """The page as a small PNG: scaled to at most MAX_WIDTH (or by `scale`), 256 colours."""
    from PIL import Image

    image = Image.open(io.BytesIO(page.screenshot(full_page=full_page))).convert("RGB")
    width = min(MAX_WIDTH, int(image.width * scale))
    if width != image.width:
        image = image.resize((width, round(image.height * width / image.width)), Image.Resampling.LANCZOS)
    image.quantize(colors=256, method=Image.Quantize.MEDIANCUT).save(out / f"{name}.png", optimize=True)
    print(f"  {name}.png", flush=True)


def new_page(browser: Browser, viewport: dict[str, int]) -> Page:
    """A tab as a hall's PC shows it: Chinese, on the city's clock (the demo sites' zone)."""
    return browser.new_page(viewport=viewport, locale="zh-CN", timezone_id="Asia/Shanghai")  # type: ignore[arg-type]


def login(page: Page, url: str, who: tuple[str, str]) -> None:
    page.goto(url)
    page.fill("#username", who[0])
    page.fill("#password", who[1])
    page.click("#login-form button[type=submit]")


# --- the demo city, alive ------------------------------------------------------------------


@contextmanager
def running_centre(days: int) -> Iterator[CentreProcess]:
    from queue_server.storage import Database
    from queue_server.tools.simulation import simulate
    from tests.conftest import CentreProcess, free_port, prepare_demo_database

    with tempfile.TemporaryDirectory() as tmp:
        db_path = Path(tmp) / "hallqueue.db"
        kiosk, display = prepare_demo_database(db_path)
        if days:
            db = Database(db_path)
            totals = simulate(db, days, with_events=False)
            db.close()
            print(f"simulated {totals.tickets:,} tickets over {days} days", flush=True)
        centre = CentreProcess(db_path, free_port(), Path(tmp) / "centre.log")
        centre.kiosk_token, centre.display_token = kiosk, display
        centre.start()
        try:
            yield centre
        finally:
            centre.stop()


def bring_to_life(centre: CentreProcess) -> None:
    """A late morning in the hall: windows at work, people waiting for a while, a window at
    lunch, a village over its target wait, a proxy at the assisted window."""
    from devices.id_card import sample_identity

    for number in (1, 2, 4, 6, 7, 24):  # window 3 is the clerk's: opened from the console
        centre.counter(number, "open")
    for service in ["A101", "A101", "A103", "B201", "B201", "B201", "A101", "C301", "D401", "A102", "A101", "A103"]:
        centre.issue(service)
    for number in (1, 2, 6):
        centre.counter(number, "call-next")
    centre.counter(2, "start")
    centre.counter(7, "pause", reason="午间休息")
    centre.counter(1, "open", site="town-gutang")
    for _ in range(3):
        centre.issue("D401", site="town-gutang")
    centre.counter(1, "open", site="village-jinqiu")
    centre.issue("C301", site="village-jinqiu")
    centre.issue("C301", site="village-jinqiu")
    centre.post("/admin/sites/city-hall/proxies", {"kind": "staff", "username": "clerk", "daily_cap": 20})
    card = sample_identity("resident", name="张建国")
    centre.post(
        "/admin/sites/city-hall/proxies",
        {"kind": "registered", "name": card.name, "id_number": card.id_number, "daily_cap": 30},
    )
    # Backdated, so waits and service times read as a real morning's, not 0 minutes.
    with sqlite3.connect(centre.db_path) as conn:
        conn.execute(
            "UPDATE tickets SET issued_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-' || (8 + rowid % 20) || ' minutes') "
            "WHERE status IN ('waiting', 'called', 'serving') AND issued_at > strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-1 hours')"
        )
        conn.execute(
            "UPDATE tickets SET issued_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-26 minutes') "
            "WHERE status = 'waiting' AND site_id = 'village-jinqiu'"
        )
        conn.execute("UPDATE counters SET state_since = strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-35 minutes') WHERE state != 'closed'")


def lock_an_account(centre: CentreProcess) -> None:
    """The township's manager mistypes five times: the staff page shows 已锁定 and 解锁."""
    import requests

    for _ in range(5):
        requests.post(centre.api("/auth/login"), json={"username": "town", "password": "wrong-Pass-9"}, timeout=10)


@contextmanager
def frozen(centre: CentreProcess) -> Iterator[None]:
    """The centre stopped (not killed): screens hear no heartbeat and say so."""
    assert centre.process is not None
    os.kill(centre.process.pid, signal.SIGSTOP)
    try:
        yield
    finally:
        os.kill(centre.process.pid, signal.SIGCONT)


# --- the pictures -----------------------------------------------------------------------


def console(browser: Browser, centre: CentreProcess, out: Path) -> Page:
    page = new_page(browser, DESK)
    login(page, f"{centre.url}/console", CLERK)
    page.wait_for_selector("#counter-select option", state="attached")
    page.select_option("#counter-select", "3")
    save(page, out, "console-pick")
    page.click("#pick-form button[type=submit]")
    page.wait_for_selector('#conn[data-state="online"]')
    page.wait_for_selector('#counter-state[data-state="closed"]')
    page.keyboard.press("o")
    page.wait_for_selector('#counter-state[data-state="open"]')
    page.keyboard.press("n")
    page.wait_for_selector('#current:not(:empty)')
    page.wait_for_timeout(800)
    save(page, out, "console-called")
    for key, dialog, name in (("f", "#dlg-finish", "console-finish"), ("t", "#dlg-transfer", "console-transfer"),
                              ("p", "#dlg-pause", "console-pause")):  # fmt: skip
        page.keyboard.press(key)
        page.wait_for_selector(f"{dialog}[open]")
        page.wait_for_timeout(300)
        save(page, out, name)
        page.keyboard.press("Escape")
        page.wait_for_selector(dialog, state="hidden")
    page.keyboard.press("i")
    page.wait_for_selector("#dlg-issue[open]")
    page.wait_for_selector("#issue-proxy option:nth-child(2)", state="attached")
    page.select_option("#issue-item", index=1)
    page.select_option("#issue-class", index=3)
    page.select_option("#issue-proxy", index=1)
    page.wait_for_timeout(300)
    save(page, out, "console-issue")
    page.keyboard.press("Escape")
    return page


def display(browser: Browser, centre: CentreProcess, out: Path) -> None:
    page = new_page(browser, WALL)
    page.goto(f"{centre.url}/display/city-hall?token={centre.display_token}")
    page.wait_for_function("() => window.hallqueueDisplay && window.hallqueueDisplay.renders > 0")
    page.wait_for_timeout(1000)
    save(page, out, "display")
    page.close()


def kiosk(browser: Browser, centre: CentreProcess, out: Path, workdir: Path) -> None:
    from kiosk.demo_kiosk import start_demo_kiosk
    from tests.conftest import free_port

    url, stop = start_demo_kiosk(centre.url, centre.kiosk_token, str(workdir), port=free_port())
    try:
        page = new_page(browser, KIOSK)
        page.goto(url)
        page.wait_for_selector("#bundles .tile", timeout=20_000)
        page.wait_for_timeout(800)
        save(page, out, "kiosk-home", scale=0.5)
        page.locator("#services .tile", has_text="个体工商户设立登记").click()
        page.wait_for_selector("#screen-item:not([hidden])")
        page.locator("#item-take").click()
        page.locator("#identify-skip").click()
        page.locator("#confirm-go").click()
        page.wait_for_selector('#result-print[data-state="printed"]', timeout=15_000)
        save(page, out, "kiosk-ticket", scale=0.5)
        page.close()
    finally:
        stop()


def manage(browser: Browser, centre: CentreProcess, out: Path) -> None:
    page = new_page(browser, DESK)
    login(page, f"{centre.url}/manage", MANAGER)
    synced = "() => window.hallqueueManage && window.hallqueueManage.syncs > 0 && window.hallqueueManage.renders > 0"
    page.wait_for_function(synced)
    page.wait_for_timeout(800)
    save(page, out, "manage-dashboard")
    page.goto(f"{centre.url}/manage#city")
    page.wait_for_function(synced)
    page.wait_for_timeout(800)
    save(page, out, "manage-city")
    page.goto(f"{centre.url}/manage/reports")
    page.wait_for_function("() => window.hallqueueReports && window.hallqueueReports.loads > 0", timeout=30_000)
    page.wait_for_timeout(800)
    save(page, out, "manage-reports")
    page.close()


def admin(browser: Browser, centre: CentreProcess, out: Path) -> None:
    page = new_page(browser, DESK)
    for section in ("sites", "catalog", "counters", "staff", "devices", "proxies", "settings", "audit"):
        page.goto(f"{centre.url}/admin/{section}")
        if page.locator("#login").is_visible():
            page.fill("#username", ADMIN[0])
            page.fill("#password", ADMIN[1])
            page.click("#login-form button[type=submit]")
        page.wait_for_function("() => window.hallqueueAdmin && window.hallqueueAdmin.ready", timeout=10_000)
        page.wait_for_timeout(500)
        save(page, out, f"admin-{section}")
    page.close()


def offline(console_page: Page, centre: CentreProcess, out: Path) -> None:
    with frozen(centre):
        console_page.wait_for_function("() => document.body.classList.contains('offline')", timeout=10_000)
        console_page.wait_for_timeout(300)
        save(console_page, out, "console-offline")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--days", type=int, default=30, help="days of simulated history for the reports")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()

    from playwright.sync_api import sync_playwright

    from tests.conftest import CHROMIUM

    if CHROMIUM is None:
        sys.exit("headless Chromium not found: sudo apt-get install chromium fonts-wqy-microhei")
    args.out.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    with running_centre(args.days) as centre, tempfile.TemporaryDirectory() as kiosk_dir, sync_playwright() as p:
        bring_to_life(centre)
        browser = p.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--headless=new", "--disable-gpu", "--disable-dev-shm-usage"]
        )
        steps: list[Callable[[], object]] = [
            lambda: display(browser, centre, args.out),
            lambda: kiosk(browser, centre, args.out, Path(kiosk_dir)),
            lambda: manage(browser, centre, args.out),
            lambda: lock_an_account(centre),
            lambda: admin(browser, centre, args.out),
        ]
        console_page = console(browser, centre, args.out)
        for step in steps:
            step()
        offline(console_page, centre, args.out)
        browser.close()
    print(f"screenshots in {args.out} ({time.monotonic() - started:.0f} s)")


if __name__ == "__main__":
    main()
