"""`make demo`: the whole system on its embedded defaults, with the demo city.

The first run creates `var/demo.db` with the demo city, demo staff, enrolled demo devices
and a simulated month of history. Every run then starts the centre, a kiosk for the hall
whose printer and ID reader are simulators on ptys, and simulated LED signs and
evaluators for the hall's first windows, each driven by its own sign agent — and prints
where to look. Opening hours are ignored so the demo works at any time of day.
"""
from __future__ import annotations

import json
import logging
import os
import signal
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from queue_server.accounts.credentials import Accounts
from queue_server.settings import load, secret_for
from queue_server.storage import Database
from queue_server.storage.private_files import private_directory
from queue_server.tools.demo import (
    DEMO_USERS,
    add_demo_proxies,
    add_demo_window_plans,
    is_empty,
    load_demo,
)

VAR = Path(os.environ.get("HALLQUEUE_DEMO_DIR", "var"))
DB_PATH = VAR / "demo.db"
TOKENS_PATH = VAR / "demo-devices.json"  # demo device tokens (git-ignored, local only)
EDGE_DB_PATH = VAR / "demo-edge.db"  # the village station's own edge centre
EDGE_SITE = "village-jinqiu"
HOST = "127.0.0.1"
PORT = int(os.environ.get("HALLQUEUE_DEMO_PORT", "8600"))
EDGE_PORT = int(os.environ.get("HALLQUEUE_DEMO_EDGE_PORT", "8601"))
KIOSK_PORT = int(os.environ.get("HALLQUEUE_DEMO_KIOSK_PORT", "8700"))
HISTORY_DAYS = int(os.environ.get("HALLQUEUE_DEMO_HISTORY_DAYS", "30"))
# The last days of the history keep their event log (the out-of-order calls report reads the
# calls' events); the earlier ones are written without, which is faster.
EVENT_DAYS = 7
SIGNED_WINDOWS = [1, 2, 3, 4, 5]

log = logging.getLogger("hallqueue.demo")


def prepare() -> dict[str, Any]:
    """The demo database and its device tokens (created on the first run only)."""
    private_directory(VAR)
    db = Database(DB_PATH)
    tokens: dict[str, Any] = json.loads(TOKENS_PATH.read_text()) if TOKENS_PATH.exists() else {}
    if is_empty(db) or "signs" not in tokens:
        if is_empty(db):
            load_demo(db)
            add_demo_proxies(db)
            if HISTORY_DAYS > 0:
                from queue_server.tools.simulation import book_ahead, simulate

                print(f"simulating {HISTORY_DAYS} days of history for the reports …", flush=True)
                recent = simulate(db, min(EVENT_DAYS, HISTORY_DAYS))
                earlier = simulate(db, HISTORY_DAYS, with_events=False)  # skips the recent days
                tickets = recent.tickets + earlier.tickets
                ahead = book_ahead(db)
                add_demo_window_plans(db)  # drafts to replay on the history just made
                print(f"  {tickets:,} tickets; {ahead:,} bookings for today and the coming week", flush=True)
        accounts = Accounts(db, secret_for(load(overrides={"DB": str(DB_PATH)})))
        for username, password, role, sites in DEMO_USERS:
            accounts.add_user(username, password, role, sites)
        tokens = {}
        for kind in ("kiosk", "display"):
            _, tokens[kind] = accounts.add_device(kind, "city-hall", f"demo {kind}")
        # One sign per window, enrolled for it: its evaluator rates only that window's tickets.
        tokens["signs"] = {
            str(n): accounts.add_device("sign", "city-hall", f"demo sign {n}", n)[1]
            for n in SIGNED_WINDOWS
        }
        TOKENS_PATH.write_text(json.dumps(tokens, indent=1))
        TOKENS_PATH.chmod(0o600)
    if "edge" not in tokens:
        tokens["edge"] = _enrol_edge(db)
        TOKENS_PATH.write_text(json.dumps(tokens, indent=1))
        TOKENS_PATH.chmod(0o600)
    db.close()
    return tokens


def _enrol_edge(db: Database) -> dict[str, str]:
    """A village station with its own edge centre, handed its site: the demo's weak link."""
    from queue_server.edge.city import hand_over

    accounts = Accounts(db, secret_for(load(overrides={"DB": str(DB_PATH)})))
    edge_id, edge_token = accounts.add_device("edge", EDGE_SITE, "金秋村便民服务站 边缘服务")
    _, kiosk = accounts.add_device("kiosk", EDGE_SITE, "demo village kiosk")
    _, display = accounts.add_device("display", EDGE_SITE, "demo village display")
    hand_over(db, accounts, "demo", EDGE_SITE, edge_id)
    return {"id": edge_id, "token": edge_token, "kiosk": kiosk, "display": display}


def start_edge_centre(tokens: dict[str, Any]) -> Callable[[], None]:
    """The village's edge centre in a thread of this process, with its own database."""
    from werkzeug.serving import make_server

    from queue_server.app import create_app
    from queue_server.server import QuietHandler

    app = create_app(
        overrides={
            "DB": str(EDGE_DB_PATH),
            "IGNORE_HOURS": True,
            "HOST": HOST,
            "PORT": EDGE_PORT,
            "EDGE_OF": f"http://{HOST}:{PORT}",
            "EDGE_TOKEN": tokens["edge"]["token"],
        }
    )
    server = make_server(HOST, EDGE_PORT, app, threaded=True, request_handler=QuietHandler)
    threading.Thread(target=server.serve_forever, name="edge-centre", daemon=True).start()
    uplink = app.extensions["hallqueue"].uplink

    def stop() -> None:
        uplink.stop()
        server.shutdown()

    return stop


def start_centre() -> Callable[[], None]:
    """The centre in a thread of this process (Werkzeug, WebSocket-capable)."""
    from werkzeug.serving import make_server

    from queue_server.app import create_app
    from queue_server.server import QuietHandler

    app = create_app(overrides={"DB": str(DB_PATH), "IGNORE_HOURS": True, "HOST": HOST, "PORT": PORT})
    server = make_server(HOST, PORT, app, threaded=True, request_handler=QuietHandler)
    threading.Thread(target=server.serve_forever, name="centre", daemon=True).start()
    return server.shutdown


def banner(tokens: dict[str, Any], kiosk_url: str | None, signs_control: str | None) -> str:
    base = f"http://{HOST}:{PORT}"
    users = "\n".join(
        f"    {u:<8} / {p:<18} ({r}{', ' + ', '.join(s) if s else ', all sites'})" for u, p, r, s in DEMO_USERS
    )
    kiosk = f"  kiosk (touch UI)   {kiosk_url}\n" if kiosk_url else ""
    signs = (
        f"  window signs 1–5   simulated; press an evaluator key: hallqueue simulator control {signs_control} press rating=5 address=101\n"
        if signs_control
        else ""
    )
    return f"""
hallqueue demo — 演示城市已就绪 (the demo city is ready)
  start page         {base}/                             (what each screen is for, 中文 / English)
  clerk console      {base}/console                      (log in as clerk / Demo-Desk-3)
  hall display       {base}/display/city-hall?token={tokens['display']}
  station display    {base}/display/city-hall?token={tokens['display']}&layout=small
{kiosk}{signs}  centre API         {base}/api/v1/sites   (OpenAPI {base}/api/v1/openapi.json)
  book a slot        {base}/book/city-hall                (citizens' phone page: 预约 A101, D401, E501, F601, B206, Y04)
                     slots {base}/admin/slots   today's bookings on the dashboard, the booking reports under reports
  manager dashboard  {base}/manage   reports {base}/manage/reports   (manager / Demo-Hall-2)
                     window plans {base}/manage/plans (two drafts to replay)   差评 follow-ups {base}/manage/follow-ups
  administration     {base}/admin                        (admin / Demo-City-1)
  village edge centre http://{HOST}:{EDGE_PORT}/   金秋村 (village-jinqiu) serves itself, even with the line down
                     console http://{HOST}:{EDGE_PORT}/console (town / Demo-Gutang-4)
                     display http://{HOST}:{EDGE_PORT}/display/{EDGE_SITE}?token={tokens['edge']['display']}&layout=small
  database           {DB_PATH}     device tokens {TOKENS_PATH}     simulators {VAR / 'demo-kiosk'}
  staff logins (demo only):
{users}
Press Ctrl+C to stop.
"""


def main() -> None:
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    tokens = prepare()
    stops: list[Callable[[], None]] = [start_centre()]
    centre = f"http://{HOST}:{PORT}"
    try:
        stops.append(start_edge_centre(tokens))
    except Exception as exc:  # the rest of the demo still runs
        print(f"village edge centre not started: {exc}", file=sys.stderr)
    kiosk_url = signs_control = None
    try:
        from kiosk.demo_kiosk import start_demo_kiosk

        kiosk_url, stop_kiosk = start_demo_kiosk(centre, tokens["kiosk"], str(VAR / "demo-kiosk"), port=KIOSK_PORT)
        stops.append(stop_kiosk)
    except Exception as exc:  # the rest of the demo still runs
        print(f"kiosk not started: {exc}", file=sys.stderr)
    try:
        from displays.demo_signs import start_demo_signs

        sign_tokens = {int(n): token for n, token in tokens["signs"].items()}
        signs, signs_control = start_demo_signs(centre, sign_tokens, "city-hall")
        stops.append(signs.stop)
    except Exception as exc:
        print(f"window signs not started: {exc}", file=sys.stderr)
    print(banner(tokens, kiosk_url, signs_control), flush=True)
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    try:
        done.wait()
    except KeyboardInterrupt:
        pass
    for stop in reversed(stops):
        try:
            stop()
        except Exception:  # stopping is best effort
            log.exception("stopping a demo part failed")


if __name__ == "__main__":
    main()
