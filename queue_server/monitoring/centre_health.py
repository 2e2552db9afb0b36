"""The centre's own health, for `GET /api/v1/health` and a monitoring system that alerts on it.

Each check says `ok`, `degraded` (the centre serves, something needs a person: missing
page assets, little disk left, a late sweep, a push channel down) or `failing` (it cannot
serve: the database does not answer). The overall `status` is the worst of them.
"""

from __future__ import annotations

import shutil
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from queue_server import assets

OK, DEGRADED, FAILING = "ok", "degraded", "failing"
_RANK = {OK: 0, DEGRADED: 1, FAILING: 2}
# A sweep counts as late after this many of its intervals without a run.
SWEEPS_MISSED = 3


@dataclass
class SweepRecord:
    """What the sweeper (closing past days, monthly roll-ups, personal-data retention) last did."""

    every_seconds: float
    started_at: float = field(default_factory=time.time)
    last_run_at: float | None = None
    last_error: str | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def ran(self, error: str | None = None) -> None:
        with self._lock:
            self.last_run_at = time.time()
            self.last_error = error


def overall(checks: dict[str, dict[str, Any]]) -> str:
    return max((check["status"] for check in checks.values()), key=_RANK.__getitem__, default=OK)


def database(answers: Callable[[], bool]) -> dict[str, Any]:
    try:
        ok = answers()
    except Exception as exc:  # any failure to answer is the answer
        return {"status": FAILING, "message": f"the database does not answer: {exc}"}
    return {"status": OK if ok else FAILING, "message": "" if ok else "the database does not answer"}


def page_assets(vendor: Path | None = None) -> dict[str, Any]:
    absent = assets.missing(vendor)
    if not absent:
        return {"status": OK, "message": "", "missing": []}
    return {
        "status": DEGRADED,
        "message": f"front-end files missing from static/vendor ({', '.join(absent)}): pages will not work; {assets.HOW_TO_FIX}",
        "missing": absent,
    }


def disk(db_path: str, minimum_mb: float) -> dict[str, Any]:
    folder = Path(db_path).resolve().parent if db_path != ":memory:" else Path.cwd()
    free_mb = shutil.disk_usage(folder).free / (1 << 20)
    found: dict[str, Any] = {"free_mb": round(free_mb), "minimum_mb": minimum_mb, "path": str(folder)}
    if free_mb < minimum_mb:
        return {"status": DEGRADED, "message": f"{free_mb:.0f} MB free where the database is, under {minimum_mb:.0f} MB", **found}
    return {"status": OK, "message": "", **found}


def sweeper(record: SweepRecord | None, now: float | None = None) -> dict[str, Any]:
    if record is None:
        return {"status": OK, "message": "no sweeper in this process", "last_run_at": None}
    now = time.time() if now is None else now
    last = record.last_run_at
    found: dict[str, Any] = {
        "last_run_at": _iso(last),
        "every_seconds": record.every_seconds,
        "last_error": record.last_error,
    }
    since = now - (last if last is not None else record.started_at)
    if since > SWEEPS_MISSED * record.every_seconds:
        return {"status": DEGRADED, "message": f"the sweeper has not run for {since:.0f} s", **found}
    if record.last_error:
        return {"status": DEGRADED, "message": f"the last sweep failed: {record.last_error}", **found}
    return {"status": OK, "message": "", **found}


def push(message_queue: str | None, ping: Callable[[], bool] | None) -> dict[str, Any]:
    """Pushes leave this process through Socket.IO; with several processes, through the
    message queue, which must answer."""
    if not message_queue or ping is None:
        return {"status": OK, "message": "", "message_queue": None}
    shown = _without_credentials(message_queue)
    try:
        answered = ping()
    except Exception as exc:
        return {"status": DEGRADED, "message": f"the message queue does not answer: {exc}", "message_queue": shown}
    if not answered:
        return {"status": DEGRADED, "message": "the message queue does not answer", "message_queue": shown}
    return {"status": OK, "message": "", "message_queue": shown}


def redis_ping(url: str) -> Callable[[], bool]:
    """A ping of the Redis the pushes go through (one client, short timeouts)."""
    import redis

    client = redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1)
    return lambda: bool(client.ping())


def _without_credentials(url: str) -> str:
    """The URL as health may show it: no user or password."""
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.port is not None:
        host = f"{host}:{parts.port}"
    return urlunsplit(parts._replace(netloc=host))


def _iso(moment: float | None) -> str | None:
    if moment is None:
        return None
    from datetime import UTC, datetime

    return datetime.fromtimestamp(moment, UTC).isoformat().replace("+00:00", "Z")
