"""Follow-ups of 差评 (整改/回访): one per bad rating, open until a manager closes it."""

from __future__ import annotations

from queue_server.storage.repository import Repository, Row


class FollowUps(Repository):
    def open(
        self,
        follow_up_id: str,
        site_id: str,
        ticket_id: str,
        counter: int | None,
        clerk: str | None,
        level: int,
        reason: str,
        opened_at: str | None,
        due_on: str,
    ) -> None:
        """Open a ticket's follow-up; nothing when it has one (a station's batch sent again)."""
        self._conn.execute(
            """INSERT OR IGNORE INTO follow_ups (id, site_id, ticket_id, counter, clerk, level, reason,
                 opened_at, due_on) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            (follow_up_id, site_id, ticket_id, counter, clerk, level, reason, opened_at, due_on),
        )

    def get(self, follow_up_id: str) -> Row | None:
        return self._row(_SELECT + " WHERE f.id = ?", follow_up_id)

    def of_site(self, site_id: str, status: str | None = None) -> list[Row]:
        """The site's follow-ups with their ticket's number and item, oldest first."""
        if status is None:
            return self._rows(_SELECT + " WHERE f.site_id = ? ORDER BY f.opened_at", site_id)
        return self._rows(
            _SELECT + " WHERE f.site_id = ? AND f.status = ? ORDER BY f.opened_at", site_id, status
        )

    def close(self, follow_up_id: str, by: str, at: str, note: str) -> bool:
        """Close an open follow-up; False when it was closed already (the guard holds under races)."""
        return bool(
            self._conn.execute(
                """UPDATE follow_ups SET status = 'closed', closed_by = ?, closed_at = ?, note = ?
                   WHERE id = ? AND status = 'open'""",
                (by, at, note, follow_up_id),
            ).rowcount
        )

    def ratings_between(self, site_id: str, start: str, end: str) -> list[Row]:
        """The site's rated tickets rated in [start, end) (UTC text moments), with their
        item and follow-up: what the national system's export carries."""
        return self._rows(
            """SELECT t.id, t.site_id, t.number, t.rating, t.rating_channel, t.rated_at, t.rating_reason,
                      t.counter, t.service, t.bundle, f.status AS follow_up_status
                 FROM tickets t LEFT JOIN follow_ups f ON f.ticket_id = t.id
                WHERE t.site_id = ? AND t.rating IS NOT NULL AND t.rated_at >= ? AND t.rated_at < ?
                ORDER BY t.rated_at""",
            site_id,
            start,
            end,
        )


_SELECT = """SELECT f.*, t.number AS ticket_number, t.service, t.bundle
               FROM follow_ups f JOIN tickets t ON t.id = f.ticket_id"""
