"""Tickets: issuing, calling and the reads the queue's screens and rules need.

The statements of the hot paths (issuing, calling the next ticket, a ticket's place in
line) each read through an index; `tests/queue_server/test_query_plans.py` keeps them so.
"""

from __future__ import annotations

from collections.abc import Iterable

from queue_server.engine.model import Counter, Priority, Ticket
from queue_server.storage import records
from queue_server.storage.repository import Repository, Row

_INSERT = (
    f"INSERT INTO tickets ({', '.join(records.TICKET_COLUMNS)}, request_hash) "
    f"VALUES ({', '.join(':' + c for c in records.TICKET_COLUMNS)}, :request_hash)"
)
_UPDATE = (
    "UPDATE tickets SET "
    + ", ".join(
        f"{c}=:{c}" for c in records.TICKET_COLUMNS if c not in ("id", "local_hour", "weekday")
    )
    + " WHERE id = :id"
)
_ACTIVE = "status IN ('waiting', 'called', 'serving')"


def _item(service: str | None, bundle: str | None) -> tuple[str, str | None]:
    """The column and code of a ticket's waiting line: its service, else its bundle."""
    return ("service", service) if service else ("bundle", bundle)


class Tickets(Repository):
    # --- one ticket -------------------------------------------------------------------

    def get(self, ticket_id: str) -> Ticket | None:
        row = self._conn.execute("SELECT * FROM tickets WHERE id = ?", (ticket_id,)).fetchone()
        return records.ticket_from_row(row) if row else None

    def existing(self, ticket_ids: Iterable[str]) -> set[str]:
        """Which of these tickets are still stored (the others were purged)."""
        wanted = list(ticket_ids)
        found: set[str] = set()
        for start in range(0, len(wanted), 500):  # SQLite's bound on parameters
            chunk = wanted[start : start + 500]
            marks = ", ".join("?" * len(chunk))
            rows = self._conn.execute(f"SELECT id FROM tickets WHERE id IN ({marks})", chunk)
            found.update(row[0] for row in rows)
        return found

    def by_request(self, site_id: str, request_id: str) -> tuple[Ticket, str] | None:
        """The ticket an earlier request with this id got, with that request's fingerprint."""
        row = self._conn.execute(
            "SELECT * FROM tickets WHERE site_id = ? AND request_id = ?", (site_id, request_id)
        ).fetchone()
        return (records.ticket_from_row(row), row["request_hash"]) if row else None

    def insert(self, ticket: Ticket, timezone: str, request_hash: str | None) -> None:
        row = records.ticket_to_row(ticket, timezone)
        row["request_hash"] = request_hash
        self._conn.execute(_INSERT, row)

    def update(self, ticket: Ticket, timezone: str) -> None:
        self._conn.execute(_UPDATE, records.ticket_to_row(ticket, timezone))

    def rate(
        self,
        ticket_id: str,
        level: int,
        channel: str,
        at: str | None,
        reason: str | None = None,
        note: str | None = None,
    ) -> bool:
        """Store the ticket's one rating (a 差评 with its reason and the citizen's note);
        False when it already has one. The `rating IS NULL` guard makes the one-per-ticket
        rule hold under races too."""
        return bool(
            self._conn.execute(
                """UPDATE tickets SET rating = ?, rating_channel = ?, rated_at = ?,
                     rating_reason = ?, rating_note = ?
                   WHERE id = ? AND rating IS NULL""",
                (level, channel, at, reason, note, ticket_id),
            ).rowcount
        )

    def rating(self, ticket_id: str) -> Row | None:
        """`id, rating, rating_channel, rated_at, rating_reason` of the ticket; None when there
        is no such ticket."""
        return self._conn.execute(
            "SELECT id, rating, rating_channel, rated_at, rating_reason FROM tickets WHERE id = ?",
            (ticket_id,),
        ).fetchone()

    # --- the waiting lines ------------------------------------------------------------

    def active(self, site_id: str) -> list[Ticket]:
        """The site's tickets waiting, called or being served (read through the small active index)."""
        rows = self._conn.execute(
            f"SELECT * FROM tickets WHERE site_id = ? AND {_ACTIVE}", (site_id,)
        )
        return [records.ticket_from_row(r) for r in rows]

    def waiting(self, site_id: str) -> list[Ticket]:
        return [t for t in self.active(site_id) if t.status.value == "waiting"]

    def stale_waiting(self, site_id: str, today: str) -> list[Ticket]:
        """Tickets still waiting from an earlier local day."""
        return [t for t in self.active(site_id) if t.status.value == "waiting" and t.day < today]

    def call_candidates(self, counter: Counter) -> list[Ticket]:
        """The waiting tickets `call_order.choose_next` can pick for this counter, and no more.

        Every rule of the calling order picks either a ticket transferred to this counter or
        the head of one of its queues: the oldest priority ticket or the oldest ordinary
        ticket of each queue (their older one is the queue's oldest, for aging; the mixing
        ratio may want either kind). So these — two per service in the profile, read through
        the waiting-queue indexes — give the same choice as all waiting tickets of the site,
        at a cost that does not grow with the queue (a test compares both on random queues).
        """
        rows = list(
            self._conn.execute(
                """SELECT * FROM tickets WHERE site_id = ? AND status = 'waiting'
               AND target_counter IS NOT NULL AND target_counter = ? AND arrival IS NOT 'expected'""",
                (counter.site_id, counter.number),
            )
        )
        for entry in counter.profile:
            column, code = _item(entry.service, entry.bundle)
            for kind in ("priority != 'ordinary'", "priority = 'ordinary'"):
                rows += self._conn.execute(
                    f"""SELECT * FROM tickets WHERE site_id = ? AND status = 'waiting' AND {column} = ?
                    AND target_counter IS NULL AND {kind} AND arrival IS NOT 'expected'
                    ORDER BY queued_at, seq_no, id LIMIT 1""",
                    (counter.site_id, code),
                ).fetchall()
        unique = {row["id"]: row for row in rows}
        return [records.ticket_from_row(row) for row in unique.values()]

    def queue_head(self, ticket: Ticket, limit: int) -> list[Ticket]:
        """The first `limit` tickets of `ticket`'s own waiting line, in queue order."""
        column, code = _item(ticket.service, ticket.bundle)
        rows = self._conn.execute(
            f"""SELECT * FROM tickets WHERE site_id = ? AND status = 'waiting' AND {column} = ?
            AND target_counter IS NULL ORDER BY queued_at, seq_no, id LIMIT ?""",
            (ticket.site_id, code, limit),
        )
        return [records.ticket_from_row(row) for row in rows]

    def ahead_of(self, ticket: Ticket) -> tuple[int, int]:
        """In `ticket`'s waiting line: the tickets of its own kind (priority or ordinary)
        queued before it, and all those of the other kind (`estimates.people_ahead`'s rule)."""
        column, code = _item(ticket.service, ticket.bundle)
        earlier = "(queued_at < :at OR (queued_at = :at AND seq_no < :seq))"
        mine = (
            "(priority != 'ordinary')"
            if ticket.priority != Priority.ORDINARY
            else "(priority = 'ordinary')"
        )
        row = self._conn.execute(
            f"""SELECT count(*) FILTER (WHERE {mine} AND {earlier}) AS same_kind_ahead,
                       count(*) FILTER (WHERE NOT {mine}) AS other_kind
                FROM tickets WHERE site_id = :site AND status = 'waiting'
                AND {column} = :code AND target_counter IS NULL""",
            # The ticket itself is neither earlier than itself nor of the other kind, so the
            # count needs no `id != :id` (which would read the table for every ticket).
            {
                "site": ticket.site_id,
                "code": code,
                "at": records.to_text(ticket.queue_time),
                "seq": ticket.seq_no,
            },
        ).fetchone()
        return row["same_kind_ahead"], row["other_kind"]

    def waiting_by_item(self, site_id: str) -> list[Row]:
        """Per waiting line of the site: `service`, `bundle`, `n` waiting and the `oldest` issue time."""
        return self._conn.execute(
            """SELECT service, bundle, count(*) AS n, min(issued_at) AS oldest FROM tickets
           WHERE site_id = ? AND status = 'waiting' GROUP BY service, bundle""",
            (site_id,),
        ).fetchall()

    def active_briefs(self, site_id: str) -> list[Row]:
        """The site's active tickets, only the columns a dashboard shows."""
        return self._conn.execute(
            f"""SELECT id, number, status, service, bundle, priority, issued_at, called_at,
                  started_at, target_counter FROM tickets
           WHERE site_id = ? AND {_ACTIVE}""",
            (site_id,),
        ).fetchall()

    # --- counts for the day's rules ---------------------------------------------------

    def issued_on(self, site_id: str, day: str, service: str | None, bundle: str | None) -> int:
        """Tickets of this service (or bundle) issued at the site on `day`."""
        code: str | None
        if service:
            sql, code = (
                "SELECT count(*) FROM tickets WHERE site_id = ? AND day = ? AND service = ?",
                service,
            )
        else:
            sql, code = (
                "SELECT count(*) FROM tickets WHERE site_id = ? AND day = ? AND bundle = ?",
                bundle,
            )
        return int(self._conn.execute(sql, (site_id, day, code)).fetchone()[0])

    def held_by(
        self, site_id: str, person_hash: str, day: str, service: str | None, bundle: str | None
    ) -> tuple[int, int, str | None]:
        """One card's tickets of this item on `day` (cancelled ones not counted): how many,
        how many still active, and the number of the latest active one."""
        column, code = _item(service, bundle)
        row = self._conn.execute(
            f"""SELECT count(*) AS today,
                   count(*) FILTER (WHERE {_ACTIVE}) AS active,
                   max(number) FILTER (WHERE {_ACTIVE}) AS held
            FROM tickets WHERE site_id = ? AND person_hash = ? AND day = ?
            AND {column} = ? AND status != 'cancelled'""",
            (site_id, person_hash, day, code),
        ).fetchone()
        return row["today"], row["active"], row["held"]

    def day_counts(self, site_id: str, day: str) -> tuple[int, int, int]:
        """Tickets of the site's `day`: issued, done, no-show."""
        row = self._conn.execute(
            """SELECT count(*) AS issued, sum(status = 'done') AS done,
                  sum(status = 'no_show') AS no_show FROM tickets WHERE site_id = ? AND day = ?""",
            (site_id, day),
        ).fetchone()
        return row["issued"] or 0, row["done"] or 0, row["no_show"] or 0

    def recent_service_minutes(self, site_id: str, service: str, limit: int = 50) -> list[float]:
        """How long the service's latest finished tickets took, newest first."""
        return self.recent_minutes(site_id, service, None, limit)

    def recent_minutes(
        self, site_id: str, service: str | None, bundle: str | None, limit: int = 50
    ) -> list[float]:
        """How long the latest finished tickets of a service (or bundle) took, newest first."""
        column, code = _item(service, bundle)
        rows = self._conn.execute(
            f"""SELECT service_seconds FROM tickets
           WHERE site_id = ? AND {column} = ? AND status = 'done' AND finished_at IS NOT NULL
           ORDER BY finished_at DESC LIMIT ?""",
            (site_id, code, limit),
        )
        return [r[0] / 60 for r in rows if r[0] is not None]

    def promises(self, sites: Iterable[str], first_day: str, last_day: str) -> list[Row]:
        """Called tickets of the days that were promised a wait: site, item, local hour of
        issue, the band and the wait they had (`estimate_accuracy`)."""
        chosen = list(sites)
        marks = ", ".join("?" for _ in chosen)
        return self._conn.execute(
            f"""SELECT site_id, service, bundle, local_hour, promised_low, promised_high,
                  wait_seconds FROM tickets
           WHERE site_id IN ({marks}) AND day BETWEEN ? AND ?
             AND promised_low IS NOT NULL AND wait_seconds IS NOT NULL
           ORDER BY site_id, service, bundle, local_hour""",
            (*chosen, first_day, last_day),
        ).fetchall()

    # --- history ----------------------------------------------------------------------

    def of_days(self, site_id: str, first_day: str, last_day: str) -> list[Ticket]:
        """The site's tickets of these local days (inclusive)."""
        rows = self._conn.execute(
            "SELECT * FROM tickets WHERE site_id = ? AND day BETWEEN ? AND ?",
            (site_id, first_day, last_day),
        )
        return [records.ticket_from_row(row) for row in rows]

    def any_on(self, site_id: str, day: str) -> bool:
        return (
            self._conn.execute(
                "SELECT 1 FROM tickets WHERE site_id = ? AND day = ? LIMIT 1", (site_id, day)
            ).fetchone()
            is not None
        )

    def day_span(self, site_id: str) -> tuple[str | None, str | None]:
        """The site's first and last local day with a ticket (None, None without any)."""
        first, last = self._conn.execute(
            "SELECT min(day), max(day) FROM tickets WHERE site_id = ?", (site_id,)
        ).fetchone()
        return first, last

    def insert_history(self, tickets: Iterable[Ticket], timezone: str) -> None:
        """Store finished days at once (the simulator's history), without request fingerprints."""
        rows = []
        for ticket in tickets:
            row = records.ticket_to_row(ticket, timezone)
            row["request_hash"] = None
            rows.append(row)
        if rows:
            columns = list(rows[0])
            self._conn.executemany(
                f"INSERT INTO tickets ({', '.join(columns)}) VALUES ({', '.join(':' + c for c in columns)})",
                rows,
            )

    def set_rating(
        self, ticket_id: str, level: int, channel: str, at: str | None, reason: str | None = None
    ) -> None:
        """Give a stored ticket a rating, over any it had (the simulator's history)."""
        self._conn.execute(
            """UPDATE tickets SET rating = ?, rating_channel = ?, rated_at = ?, rating_reason = ?
               WHERE id = ?""",
            (level, channel, at, reason, ticket_id),
        )
