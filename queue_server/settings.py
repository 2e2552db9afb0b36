"""Every setting of the centre in one declarative list, layered:
defaults → instance file (JSON, `--config`) → environment (`HALLQUEUE_<NAME>`) → overrides.

A test checks that each setting is documented in the manual (docs/settings.md).
"""

from __future__ import annotations

import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from queue_server.storage.private_files import FILE_MODE, private_directory, tighten


@dataclass(frozen=True)
class Setting:
    name: str
    default: Any
    help: str

    @property
    def env(self) -> str:
        return f"HALLQUEUE_{self.name}"


SETTINGS = [
    Setting(
        "DB",
        "var/hallqueue.db",
        "Path of the SQLite database file (created and migrated on start).",
    ),
    Setting("HOST", "127.0.0.1", "Address the centre listens on."),
    Setting("PORT", 8600, "Port the centre listens on."),
    Setting(
        "GATEWAY_PORT",
        8610,
        "Port a push gateway (`hallqueue gateway`) listens on: it holds the screens' and phones' sockets for centres that share a message queue.",
    ),
    Setting(
        "SECRET",
        None,
        "Server secret for token hashes and sessions; generated into `<db>.secret` when unset.",
    ),
    Setting(
        "SYNCHRONOUS",
        "FULL",
        "SQLite `synchronous` pragma: FULL survives power loss, NORMAL only process kills.",
    ),
    Setting(
        "IGNORE_HOURS",
        False,
        "Issue tickets outside opening hours (the demo sets it so it works at night).",
    ),
    Setting(
        "MESSAGE_QUEUE", None, "Redis URL shared by several server processes for Socket.IO pushes."
    ),
    Setting(
        "SWEEP_SECONDS",
        60,
        "How often tickets left waiting from an earlier day are closed as unserved.",
    ),
    Setting(
        "TRUSTED_PROXIES",
        0,
        "Reverse proxies in front of the centre; with N > 0 the client address (login throttling, audit log) comes from X-Forwarded-For.",
    ),
    Setting(
        "PUBLIC_URL",
        "",
        "The centre's address as citizens' phones reach it (e.g. https://qh.example.gov.cn): the QR on tickets and bookings and the phone pages' links use it; empty: the address the kiosk knows the centre by.",
    ),
    Setting(
        "CITIZEN_WRITES_PER_MINUTE",
        20,
        "Bookings, cancellations and remote tickets one client address may send per minute without an account (the phone pages); past it 429 with Retry-After.",
    ),
    Setting(
        "LOGIN_FAILURES_PER_MINUTE",
        60,
        "Failed logins this process checks per minute, from all addresses together; past it logins are refused (429) before any password is hashed.",
    ),
    Setting(
        "PING_SECONDS",
        2,
        "How often the centre sends every connected screen its heartbeat; a screen that hears nothing for twice this long shows “connection lost”.",
    ),
    Setting("LOG_LEVEL", "INFO", "Logging level of the centre."),
    Setting(
        "LOG_FILE",
        None,
        "Also write the log to this file, rotated by size (`serve --log-file`), for machines without journald. One file per process: several processes never share one.",
    ),
    Setting("LOG_FILE_MB", 10.0, "Size of the log file at which it is rotated (megabytes)."),
    Setting("LOG_FILE_COUNT", 5, "How many rotated log files are kept (`centre.log.1` … `.N`)."),
    Setting(
        "DISK_FREE_MIN_MB",
        1024,
        "Health says `degraded` when the file system of the database has less free space than this (megabytes).",
    ),
    Setting(
        "DEVICE_REPORT_SECONDS",
        60.0,
        "How often a hall display page reports its health to its centre (its heartbeat; it also reports at start and on every change). Sign agents take theirs from `hallqueue sign --report-seconds`.",
    ),
    Setting(
        "DEVICE_SILENT_AFTER_SECONDS",
        180.0,
        "A display or window-sign agent that has not reported for this long is flagged offline on the device panel (three missed heartbeats). Kiosks: 180 s.",
    ),
    Setting(
        "EDGE_OF",
        None,
        "This centre is a station's edge centre: the city centre's URL (`serve --edge-of`). It owns its site's queues once the city hands the site over, and exchanges with the city every `EDGE_SYNC_SECONDS`.",
    ),
    Setting(
        "EDGE_TOKEN",
        None,
        "The edge centre's token at the city (`hallqueue device add --kind edge`; `serve --token`).",
    ),
    Setting(
        "EDGE_SYNC_SECONDS",
        2.0,
        "Seconds between an edge centre's exchanges with the city while nothing waits to be sent.",
    ),
    Setting(
        "EDGE_SILENT_SECONDS",
        30.0,
        "After how long without a good exchange a station's edge centre shows as offline on the managers' pages (at the city and at the station).",
    ),
    Setting(
        "WEBHOOK_SECONDS",
        1.0,
        "How often the webhook courier turns new events into deliveries and sends those due (docs/webhooks.md); 0 turns it off.",
    ),
    Setting(
        "WEBHOOK_TIMEOUT_SECONDS",
        5.0,
        "How long the courier waits for a webhook receiver's answer before counting the attempt as failed.",
    ),
    Setting(
        "WEBHOOK_RETRY_SECONDS",
        10.0,
        "The first retry of a failed webhook delivery waits this long; later ones 3, 12, 60 and 360 times as long (10 s, 30 s, 2 min, 10 min, 1 h, then hourly).",
    ),
    Setting(
        "WEBHOOK_ATTEMPTS",
        8,
        "Attempts of a webhook delivery before it is marked failed.",
    ),
    Setting(
        "WEBHOOK_KEEP_DAYS",
        7.0,
        "Delivered and failed webhook deliveries (their bodies hold phone numbers) are deleted after this many days.",
    ),
    Setting(
        "VALIDATE_ANSWERS",
        False,
        "Check every API answer against the model its route declares (the test suite does; a drift answers 500).",
    ),
]

_BY_NAME = {s.name: s for s in SETTINGS}


def _coerce(name: str, value: Any) -> Any:
    default = _BY_NAME[name].default
    if isinstance(value, str):
        if isinstance(default, bool):
            return value.strip().lower() in ("1", "true", "yes", "on")
        if isinstance(default, int):
            return int(value)
        if isinstance(default, float):
            return float(value)
    return value


def load(config_file: str | None = None, overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    values = {s.name: s.default for s in SETTINGS}
    if config_file:
        for key, value in json.loads(Path(config_file).read_text(encoding="utf-8")).items():
            if key.upper() not in _BY_NAME:
                raise ValueError(f"unknown setting {key!r} in {config_file}")
            values[key.upper()] = _coerce(key.upper(), value)
    for setting in SETTINGS:
        if setting.env in os.environ:
            values[setting.name] = _coerce(setting.name, os.environ[setting.env])
    for key, value in (overrides or {}).items():
        if value is not None:
            values[key.upper()] = _coerce(key.upper(), value)
    return values


_MEMORY_SECRET = secrets.token_hex(32).encode()


def secret_source(values: dict[str, Any]) -> tuple[str, str | None]:
    """Where the secret of the centre at `values["DB"]` lives, and the secret (None if it has
    none yet); never creates one. Backups name it: it is never inside the database."""
    if values.get("SECRET"):
        return "the SECRET setting (HALLQUEUE_SECRET or the settings file)", str(values["SECRET"])
    path = Path(f"{values['DB']}.secret")
    if path.exists():
        return f"the file {path}", path.read_text().strip()
    return f"no secret yet (it writes {path} at its first start)", None


def secret_for(values: dict[str, Any]) -> bytes:
    """The configured secret, or one kept beside the database file (never in the repo)."""
    if values.get("SECRET"):
        return str(values["SECRET"]).encode()
    if str(values["DB"]) == ":memory:":  # nothing outlives the process: neither may its secret
        return _MEMORY_SECRET
    path = Path(f"{values['DB']}.secret")
    if not path.exists():
        private_directory(path.parent)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
        except FileExistsError:  # another process wrote it first
            pass
        else:
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_hex(32))
    tighten(path)  # one copied in under a loose umask
    return path.read_text().strip().encode()
