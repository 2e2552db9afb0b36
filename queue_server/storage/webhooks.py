"""Webhooks: the gateway's subscriptions, the deliveries owed to them, and how far the
events log has been turned into deliveries (the outbox).

A delivery is written in the transaction of what it tells (a booking, by `enqueue`) or
in the one that moves the site's cursor past the event (the delivery worker), so a
crash neither loses one nor makes one twice; sending happens later, on the worker's
thread, from these rows. Times are `records.to_text` strings, which sort as text.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from queue_server.engine.ids import new_id
from queue_server.storage.records import to_text
from queue_server.storage.repository import Repository, Row, marks

# An active subscription to event ? covering site ?, made before ? (its creation time).
_SUBSCRIBED = """active = 1
    AND EXISTS (SELECT 1 FROM json_each(webhooks.events) WHERE value = ?)
    AND (sites IS NULL OR EXISTS (SELECT 1 FROM json_each(webhooks.sites) WHERE value = ?))"""


def _text(moment: datetime) -> str:
    return to_text(moment)  # type: ignore[return-value]


class Webhooks(Repository):
    # --- subscriptions ------------------------------------------------------------------

    def add(
        self,
        webhook_id: str,
        name: str,
        url: str,
        secret: str,
        events: Iterable[str],
        sites: Iterable[str] | None,
        all_tickets: bool,
        created_by: str,
        now: datetime,
    ) -> None:
        self._conn.execute(
            """INSERT INTO webhooks (id, name, url, secret, events, sites, all_tickets, active,
               created_by, created_at) VALUES (?,?,?,?,?,?,?,1,?,?)""",
            (
                webhook_id, name, url, secret, json.dumps(sorted(set(events))),
                None if sites is None else json.dumps(sorted(set(sites))),
                int(all_tickets), created_by, _text(now),
            ),
        )  # fmt: skip

    def change(self, webhook_id: str, fields: dict[str, Any], now: datetime) -> None:
        """Set these of `name, url, events, sites, all_tickets, active` (sites None: all)."""
        stored = dict(fields)
        for key in ("events", "sites"):
            if key in stored and stored[key] is not None:
                stored[key] = json.dumps(sorted(set(stored[key])))
        for key in ("all_tickets", "active"):
            if key in stored:
                stored[key] = int(stored[key])
        allowed = {"name", "url", "events", "sites", "all_tickets", "active"}
        if not set(stored) <= allowed:
            raise ValueError(f"not a webhook's field: {sorted(set(stored) - allowed)}")
        sets = ", ".join(f"{key} = :{key}" for key in stored)
        self._conn.execute(
            f"UPDATE webhooks SET {sets}{', ' if sets else ''}changed_at = :changed_at WHERE id = :id",
            {**stored, "changed_at": _text(now), "id": webhook_id},
        )

    def remove(self, webhook_id: str) -> None:
        """The subscription and its delivery log."""
        self._conn.execute("DELETE FROM webhook_deliveries WHERE webhook_id = ?", (webhook_id,))
        self._conn.execute("DELETE FROM webhooks WHERE id = ?", (webhook_id,))

    def get(self, webhook_id: str) -> Row | None:
        return self._row("SELECT * FROM webhooks WHERE id = ?", webhook_id)

    def all(self) -> list[Row]:
        return self._rows("SELECT * FROM webhooks ORDER BY created_at, id")

    def any_active(self) -> bool:
        return self._row("SELECT 1 FROM webhooks WHERE active = 1 LIMIT 1") is not None

    def covered_sites(self) -> set[str] | None:
        """The sites some active subscription covers; None: every site (one covers all)."""
        covered: set[str] = set()
        for row in self._rows("SELECT sites FROM webhooks WHERE active = 1"):
            if row["sites"] is None:
                return None
            covered.update(json.loads(row["sites"]))
        return covered

    def wants(self, site_id: str, event: str) -> list[Row]:
        """The active subscriptions to `event` that cover the site."""
        return self._rows(f"SELECT * FROM webhooks WHERE {_SUBSCRIBED}", event, site_id)

    # --- deliveries -------------------------------------------------------------------

    def enqueue(self, site_id: str, event: str, data: dict[str, Any], now: datetime) -> int:
        """One pending delivery of `event` at the site for each active subscription to it
        that covers the site; returns how many (0, after one indexed read, when none).
        Call it inside the transaction of what it tells: it commits or rolls back with it."""
        return self.enqueue_at(site_id, event, data, now, now)

    def enqueue_at(
        self,
        site_id: str,
        event: str,
        data: dict[str, Any],
        at: datetime,
        now: datetime,
        only: str | None = None,
        all_tickets_only: bool = False,
    ) -> int:
        """As `enqueue`, for something that happened `at` (an event of the log): only the
        subscriptions made by then get it; `only` limits it to one subscription (a ping),
        `all_tickets_only` to those that want every ticket, not only booked ones."""
        mine = " AND id = ?" if only is not None else ""
        mine += " AND all_tickets = 1" if all_tickets_only else ""
        rows = self._rows(
            f"SELECT id FROM webhooks WHERE {_SUBSCRIBED} AND created_at <= ?{mine}",
            event, site_id, _text(at), *((only,) if only is not None else ()),
        )  # fmt: skip
        for row in rows:
            self.add_delivery(row["id"], site_id, event, data, at, now)
        return len(rows)

    def add_delivery(
        self, webhook_id: str, site_id: str, event: str, data: dict[str, Any], at: datetime, now: datetime
    ) -> str:
        """One pending delivery to one subscription, due now; returns its id. Its body is
        stored as it will be sent, so every attempt sends the same bytes."""
        delivery_id = new_id()
        body = {"id": delivery_id, "event": event, "site": site_id, "at": _text(at), "data": data}
        self._conn.execute(
            """INSERT INTO webhook_deliveries (id, webhook_id, event, site_id, body, status,
               attempts, next_at, created_at) VALUES (?,?,?,?,?,'pending',0,?,?)""",
            (
                delivery_id, webhook_id, event, site_id,
                json.dumps(body, ensure_ascii=False, separators=(",", ":")),
                _text(now), _text(now),
            ),
        )  # fmt: skip
        return delivery_id

    def send_pending_now(self, now: datetime) -> int:
        """Every pending delivery is due now (an admin's "retry now"; tests on a moved clock)."""
        return self._conn.execute(
            "UPDATE webhook_deliveries SET next_at = ? WHERE status = 'pending'", (_text(now),)
        ).rowcount

    def due(self, now: datetime, limit: int) -> list[Row]:
        """Pending deliveries of active subscriptions whose time has come, oldest first,
        with the subscription's `url` and `secret`."""
        return self._rows(
            """SELECT d.id, d.webhook_id, d.event, d.body, d.attempts, w.url, w.secret
               FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id
               WHERE d.status = 'pending' AND d.next_at <= ? AND w.active = 1
               ORDER BY d.next_at LIMIT ?""",
            _text(now), limit,
        )  # fmt: skip

    def delivered(self, delivery_id: str, status: int, now: datetime) -> None:
        self._conn.execute(
            """UPDATE webhook_deliveries SET status = 'delivered', attempts = attempts + 1,
               last_status = ?, last_error = NULL, next_at = NULL, delivered_at = ? WHERE id = ?""",
            (status, _text(now), delivery_id),
        )

    def missed(
        self, delivery_id: str, status: int | None, error: str, retry_at: datetime | None
    ) -> None:
        """One attempt failed: try again at `retry_at`, or (None) give up: `failed`."""
        self._conn.execute(
            """UPDATE webhook_deliveries SET attempts = attempts + 1, last_status = ?,
               last_error = ?, next_at = ?, status = ? WHERE id = ?""",
            (
                status, error[:500], None if retry_at is None else _text(retry_at),
                "pending" if retry_at is not None else "failed", delivery_id,
            ),
        )  # fmt: skip

    def log(self, webhook_id: str, limit: int, before: int | None) -> list[Row]:
        """A subscription's deliveries, newest first (by row number: ids made in the same
        millisecond do not sort by time): a page of `limit` made before row `before`."""
        older = " AND rowid < ?" if before is not None else ""
        return self._rows(
            f"""SELECT rowid AS number, id, event, site_id, status, attempts, next_at, last_status,
                last_error, created_at, delivered_at FROM webhook_deliveries
                WHERE webhook_id = ?{older} ORDER BY rowid DESC LIMIT ?""",
            webhook_id, *((before,) if before is not None else ()), limit,
        )  # fmt: skip

    def forget_finished(self, before: datetime) -> int:
        """Delivered and failed deliveries made before then: their bodies hold phone numbers."""
        return self._conn.execute(
            "DELETE FROM webhook_deliveries WHERE status != 'pending' AND created_at < ?",
            (_text(before),),
        ).rowcount

    # --- following the events log -------------------------------------------------------

    def cursor(self, site_id: str) -> int:
        row = self._row("SELECT seq FROM webhook_cursors WHERE site_id = ?", site_id)
        return int(row["seq"]) if row else 0

    def move_cursor(self, site_id: str, seq: int) -> None:
        self._conn.execute(
            """INSERT INTO webhook_cursors (site_id, seq) VALUES (?, ?)
               ON CONFLICT (site_id) DO UPDATE SET seq = excluded.seq""",
            (site_id, seq),
        )

    def start_cursors(self, site_ids: Iterable[str]) -> None:
        """Sites not followed yet are followed from their last event on (the history before a
        subscription is nobody's to deliver)."""
        chosen = tuple(site_ids)
        self._conn.execute(
            f"""INSERT OR IGNORE INTO webhook_cursors (site_id, seq)
                SELECT id, last_seq FROM sites WHERE id IN ({marks(chosen)})""",
            chosen,
        )

    def booked_tickets(self, ticket_ids: Iterable[str]) -> set[str]:
        """Which of these tickets were checked in from a booking (a gateway can reach them)."""
        chosen = tuple(ticket_ids)
        rows = self._rows(
            f"SELECT ticket_id FROM appointments WHERE ticket_id IN ({marks(chosen)})", *chosen
        )
        return {row["ticket_id"] for row in rows}

    def told_three_ahead(self, ticket_ids: Iterable[str]) -> set[str]:
        chosen = tuple(ticket_ids)
        rows = self._rows(
            f"SELECT ticket_id FROM webhook_three_ahead WHERE ticket_id IN ({marks(chosen)})",
            *chosen,
        )
        return {row["ticket_id"] for row in rows}

    def mark_three_ahead(self, ticket_id: str, now: datetime) -> None:
        self._conn.execute(
            "INSERT OR IGNORE INTO webhook_three_ahead (ticket_id, at) VALUES (?, ?)",
            (ticket_id, _text(now)),
        )
