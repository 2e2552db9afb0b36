"""Window plans (窗口方案推演): a site's drafts, and the measured service times they replay with.

A plan's body is stored as JSON as the plan form saves it (`administration/plan_drafts.py`
reads it into the engine's `PlanWindow`s). Times are `records.to_text` strings.
"""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import datetime
from typing import Any

from queue_server.storage.records import to_text
from queue_server.storage.repository import Repository, Row


def _text(moment: datetime) -> str:
    return to_text(moment)  # type: ignore[return-value]


class WindowPlans(Repository):
    def get(self, site_id: str, plan_id: str) -> Row | None:
        return self._row(
            "SELECT * FROM window_plans WHERE site_id = ? AND id = ?", site_id, plan_id
        )

    def of_site(self, site_id: str) -> list[Row]:
        """The site's plans, newest first."""
        return self._rows(
            "SELECT * FROM window_plans WHERE site_id = ? ORDER BY created_at DESC, id DESC",
            site_id,
        )

    def add(
        self, plan_id: str, site_id: str, name: str, body: dict[str, Any], by: str, now: datetime
    ) -> None:
        self._conn.execute(
            """INSERT INTO window_plans (id, site_id, name, body, created_by, created_at)
               VALUES (?, ?, ?, ?, ?, ?)""",
            (plan_id, site_id, name, json.dumps(body, ensure_ascii=False), by, _text(now)),
        )

    def change(self, plan_id: str, name: str, body: dict[str, Any], now: datetime) -> None:
        self._conn.execute(
            "UPDATE window_plans SET name = ?, body = ?, changed_at = ? WHERE id = ?",
            (name, json.dumps(body, ensure_ascii=False), _text(now), plan_id),
        )

    def delete(self, plan_id: str) -> None:
        self._conn.execute("DELETE FROM window_plans WHERE id = ?", (plan_id,))

    def set_applied(
        self, plan_id: str, applied_from: str, by: str, applied_at: datetime | None
    ) -> None:
        """Record an application: done (`applied_at`) or due on `applied_from` (None)."""
        self._conn.execute(
            """UPDATE window_plans SET applied_from = ?, applied_by = ?, applied_at = ?
               WHERE id = ?""",
            (applied_from, by, None if applied_at is None else _text(applied_at), plan_id),
        )

    def pending(self) -> list[Row]:
        """Plans whose application is still to come, earliest date first."""
        return self._rows(
            """SELECT * FROM window_plans WHERE applied_from IS NOT NULL AND applied_at IS NULL
               ORDER BY applied_from, created_at"""
        )

    def service_minutes(
        self, site_id: str, first_day: str, last_day: str
    ) -> dict[str, list[float]]:
        """Queue key (`S:code`, `B:code`) → minutes each finished ticket of those local days
        took at its counter, in issue order."""
        rows = self._conn.execute(
            """SELECT service, bundle, service_seconds FROM tickets
               WHERE site_id = ? AND day BETWEEN ? AND ? AND status = 'done'
                 AND service_seconds IS NOT NULL AND service_seconds > 0
               ORDER BY issued_at, id""",
            (site_id, first_day, last_day),
        )
        found: dict[str, list[float]] = defaultdict(list)
        for service, bundle, seconds in rows:
            found[f"S:{service}" if service else f"B:{bundle}"].append(seconds / 60)
        return dict(found)
