"""The SQL of the retention sweep (`queue_server.people.retention` decides the limits).

Each method changes rows inside the caller's transaction and answers how many it
changed. Nothing here touches what the reports count: statuses, times, outcomes, ratings,
windows and clerks stay, so every figure over the past is the same after a purge.
"""

from __future__ import annotations

from queue_server.storage.repository import Repository

# A registered proxy past retention keeps its cap and its tickets' counts, not who it was.
FORGOTTEN_PROXY_NAME = "—"

# The condition of the partial index `tickets_personal` (migrations `personal_data_index`,
# then `follow_ups`),
# word for word: SQLite uses the index only when the query repeats it.
_HOLDS_PERSONAL = (
    "(person_hash IS NOT NULL OR person_mask IS NOT NULL OR note IS NOT NULL"
    " OR rating_note IS NOT NULL)"
)


class Purges(Repository):
    def forget_ticket_persons(self, site_id: str, before_day: str, limit: int) -> int:
        """Clear the card's keyed hash, the masked name, the clerk's transfer note and the
        citizen's note with a 差评 of at most `limit` tickets of the site from days before `before_day`. The request's
        fingerprint goes too: it is a hash over the card's hash, so it would still tell which
        old tickets were one person's."""
        return self._conn.execute(
            f"""UPDATE tickets SET person_hash = NULL, person_mask = NULL, note = NULL,
                       request_hash = NULL, rating_note = NULL
                WHERE rowid IN (SELECT rowid FROM tickets
                                WHERE site_id = ? AND day < ? AND {_HOLDS_PERSONAL} LIMIT ?)""",
            (site_id, before_day, limit),
        ).rowcount

    def forget_proxies(self, site_id: str, before_day: str, before_at: str) -> list[str]:
        """Proxies of the site deactivated before `before_at` (nothing recorded about them since,
        no ticket of theirs on `before_day` or later) lose their name, user name and card hash,
        here and in the audit log's copies of them. Their tickets keep counting for them in the
        reports, under an anonymous row."""
        ids = [
            row[0]
            for row in self._conn.execute(
                """SELECT p.id FROM proxies p
                   WHERE p.site_id = ? AND p.active = 0 AND p.created_at < ?
                     AND (p.person_hash IS NOT NULL OR p.username IS NOT NULL OR p.name != ?)
                     AND NOT EXISTS (SELECT 1 FROM audit_log l
                                     WHERE l.kind = 'proxy' AND l.target = p.id AND l.at >= ?)
                     AND NOT EXISTS (SELECT 1 FROM tickets t
                                     WHERE t.site_id = p.site_id AND t.proxy_id = p.id
                                       AND t.day >= ?)""",
                (site_id, before_at, FORGOTTEN_PROXY_NAME, before_at, before_day),
            )
        ]
        for proxy_id in ids:
            self._conn.execute(
                "UPDATE proxies SET name = ?, username = NULL, person_hash = NULL WHERE id = ?",
                (FORGOTTEN_PROXY_NAME, proxy_id),
            )
            for column in ("before", "after"):  # the audit rows keep what changed, not who
                self._conn.execute(
                    f"""UPDATE audit_log SET {column} = json_set({column}, '$.name', ?,
                                                                 '$.username', NULL, '$.card', NULL)
                        WHERE kind = 'proxy' AND target = ? AND {column} IS NOT NULL
                          AND json_type({column}) = 'object'""",
                    (FORGOTTEN_PROXY_NAME, proxy_id),
                )
        return ids

    def forget_booking_persons(self, site_id: str, before_day: str, limit: int) -> int:
        """Bookings of the site for days before `before_day` lose the card's keyed hash, the
        masked name, the phone and the request's fingerprint; their slot, item, status and
        times stay for the reports."""
        return self._conn.execute(
            """UPDATE appointments SET person_hash = NULL, person_mask = NULL, phone = NULL,
                       fingerprint = NULL
                WHERE rowid IN (SELECT rowid FROM appointments
                                WHERE site_id = ? AND day < ?
                                  AND (person_hash IS NOT NULL OR person_mask IS NOT NULL) LIMIT ?)""",
            (site_id, before_day, limit),
        ).rowcount

    def delete_finished_sessions(self, now: str) -> int:
        """Staff sessions that can no longer be used (logged out, revoked, or expired)."""
        return self._conn.execute(
            """DELETE FROM tokens WHERE kind = 'session'
               AND (revoked = 1 OR (expires_at IS NOT NULL AND expires_at < ?))""",
            (now,),
        ).rowcount
