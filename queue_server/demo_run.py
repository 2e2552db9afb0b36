"""`make demo`: the whole system on its embedded defaults, with the demo city.

Creates (once) `var/demo.db` with the demo city, demo staff and enrolled demo
devices, then runs the centre on http://127.0.0.1:8600/ and prints where to look.
Opening hours are ignored so the demo works at any time of day.
"""
from __future__ import annotations

import json
import os
from pathlib import Path

from .accounts import Accounts
from .demo import DEMO_USERS, is_empty, load_demo
from .settings import load, secret_for
from .storage import Database

VAR = Path(os.environ.get("HALLQUEUE_DEMO_DIR", "var"))
DB_PATH = VAR / "demo.db"
TOKENS_PATH = VAR / "demo-devices.json"  # demo device tokens (git-ignored, local only)
HOST, PORT = "127.0.0.1", int(os.environ.get("HALLQUEUE_DEMO_PORT", "8600"))


def prepare() -> dict[str, str]:
    """The demo database and its device tokens (created on the first run only)."""
    VAR.mkdir(parents=True, exist_ok=True)
    db = Database(DB_PATH)
    if is_empty(db) or not TOKENS_PATH.exists():
        if is_empty(db):
            load_demo(db)
        accounts = Accounts(db, secret_for(load(overrides={"DB": str(DB_PATH)})))
        for username, password, role, sites in DEMO_USERS:
            accounts.add_user(username, password, role, sites)
        tokens = {}
        for kind in ("kiosk", "display", "sign"):
            _, tokens[kind] = accounts.add_device(kind, "city-hall", f"demo {kind}")
        TOKENS_PATH.write_text(json.dumps(tokens, indent=1))
        TOKENS_PATH.chmod(0o600)
    db.close()
    return json.loads(TOKENS_PATH.read_text())  # type: ignore[no-any-return]


def banner(tokens: dict[str, str]) -> str:
    base = f"http://{HOST}:{PORT}"
    users = "\n".join(f"    {u:<8} / {p:<18} ({r}{', ' + ', '.join(s) if s else ', all sites'})" for u, p, r, s in DEMO_USERS)
    return f"""
hallqueue demo — 演示城市已就绪
  centre API       {base}/api/v1/sites         (OpenAPI: {base}/api/v1/openapi.json)
  hall site        {base}/api/v1/sites/city-hall
  database         {DB_PATH}
  staff logins (demo only):
{users}
  device tokens    {TOKENS_PATH}
  kiosk token      {tokens['kiosk']}
Press Ctrl+C to stop.
"""


def main() -> None:
    from .server import run

    tokens = prepare()
    print(banner(tokens), flush=True)
    run(db_path=str(DB_PATH), host=HOST, port=PORT, extra={"IGNORE_HOURS": True})


if __name__ == "__main__":
    main()
