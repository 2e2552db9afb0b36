"""Which enrolled devices need someone: silent past their kind's interval, or reporting a fault.

Every field device reports to its own centre at start, on each change and every interval
(`device_status.py`): a kiosk (printer, ID reader) at least once a minute, a hall display
page (live feed, voice) and a sign agent (live feed, sign, evaluator) every
`DEVICE_REPORT_SECONDS`. An edge centre does not report: its exchanges with the city (every
`EDGE_SYNC_SECONDS`) are its heartbeat, and the city's last contact its `last_seen`. Silence
is the one fault a device cannot report, so it is judged here, against the kind's interval
(`Silence`); a device never heard from is not judged (not installed yet).

The rules are plain data over plain data: the device panel (`reports/dashboard.py`) and the
managers' live page (`static/manage.js`, which applies pushed `device.status` events and
repeats the rules in between) say the same thing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from queue_server.storage.records import from_text

KIOSK_SILENT_AFTER_SECONDS = 180  # a kiosk reports at least once a minute: three missed
PRINTER_ALERTS = ("near_end", "out", "cover_open", "offline")
BUS_DEVICES = ("sign", "evaluator")  # on a sign agent's RS-485 bus


@dataclass(frozen=True)
class Silence:
    """After how many seconds without a report each kind of device counts as offline."""

    kiosk: float = KIOSK_SILENT_AFTER_SECONDS
    display: float = 180.0
    sign: float = 180.0
    edge: float = 30.0

    @classmethod
    def from_settings(cls, settings: dict[str, Any]) -> Silence:
        device = float(settings["DEVICE_SILENT_AFTER_SECONDS"])
        return cls(display=device, sign=device, edge=float(settings["EDGE_SILENT_SECONDS"]))

    def after(self, kind: str) -> float | None:
        value = getattr(self, kind, None)
        return float(value) if value is not None else None


def status_alerts(status: dict[str, Any]) -> list[str]:
    """The faults a device reported: alert codes (`alert_<code>` in `wire/words.py`)."""
    alerts = []
    if status.get("printer") in PRINTER_ALERTS:
        alerts.append("printer_" + status["printer"])
    if status.get("id_reader") == "absent":
        alerts.append("id_reader_absent")
    if status.get("connected") == "no":
        alerts.append("live_feed_lost")
    if status.get("voice") in ("none", "failed"):
        alerts.append("voice_" + status["voice"])
    for part in BUS_DEVICES:
        if status.get(part) in ("not_answering", "disconnected"):
            alerts.append(f"{part}_{status[part]}")
    return alerts


def is_silent(kind: str, last_seen: str | None, now: datetime, silence: Silence) -> bool:
    """Heard from once, and not within its kind's interval since."""
    limit = silence.after(kind)
    if limit is None or not last_seen:
        return False
    return (now - from_text(last_seen)).total_seconds() > limit  # type: ignore[operator]


def health(
    kind: str, status: dict[str, Any], last_seen: str | None, now: datetime, silence: Silence
) -> tuple[bool, list[str]]:
    """(offline, alerts) of one device: `<kind>_offline` first, then what it reported. What a
    silent device last reported is still shown: it is the last known state."""
    offline = is_silent(kind, last_seen, now, silence)
    return offline, ([f"{kind}_offline"] if offline else []) + status_alerts(status)
