"""The stages of “一件事” tickets (`ticket_stages`): stored and read as the engine's `Stage`."""

from __future__ import annotations

from datetime import datetime

from queue_server.engine.bundle_stages import Stage
from queue_server.storage.records import from_text, to_text
from queue_server.storage.repository import Repository, Row, marks


def _stage(row: Row) -> Stage:
    return Stage(
        ticket_id=row["ticket_id"],
        position=row["position"],
        service=row["service"],
        counter=row["counter"],
        clerk=row["clerk"],
        started_at=from_text(row["started_at"]),
        finished_at=from_text(row["finished_at"]),
        timed=bool(row["timed"]),
        rating=row["rating"],
        rated_at=from_text(row["rated_at"]),
    )


class TicketStages(Repository):
    def of(self, ticket_id: str) -> list[Stage]:
        """The ticket's stages, in the order they were done."""
        return [
            _stage(row)
            for row in self._rows(
                "SELECT * FROM ticket_stages WHERE ticket_id = ? ORDER BY position", ticket_id
            )
        ]

    def of_tickets(self, ticket_ids: list[str]) -> dict[str, list[Stage]]:
        found: dict[str, list[Stage]] = {t: [] for t in ticket_ids}
        for row in self._rows(
            f"SELECT * FROM ticket_stages WHERE ticket_id IN ({marks(ticket_ids)}) "
            "ORDER BY ticket_id, position",
            *ticket_ids,
        ):
            found[row["ticket_id"]].append(_stage(row))
        return found

    def add(self, stages: list[Stage]) -> None:
        self._conn.executemany(
            """INSERT INTO ticket_stages (ticket_id, position, service, counter, clerk,
                 started_at, finished_at, timed, rating, rated_at)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            [
                (
                    s.ticket_id,
                    s.position,
                    s.service,
                    s.counter,
                    s.clerk,
                    to_text(s.started_at),
                    to_text(s.finished_at),
                    int(s.timed),
                    s.rating,
                    to_text(s.rated_at),
                )
                for s in stages
            ],
        )

    def rate(self, ticket_id: str, position: int, level: int, at: datetime) -> bool:
        """Store the stage's one rating; False when it already has one (`rating IS NULL`
        keeps the once-only rule under races too)."""
        return bool(
            self._conn.execute(
                """UPDATE ticket_stages SET rating = ?, rated_at = ?
                   WHERE ticket_id = ? AND position = ? AND rating IS NULL""",
                (level, to_text(at), ticket_id, position),
            ).rowcount
        )

    def report_rows(self, site_id: str, first_day: str, last_day: str) -> list[Row]:
        """For the bundle stages report: each stage of the site's bundle tickets done in
        the days, with its bundle and the ticket's overall rating."""
        return self._rows(
            """SELECT t.id AS ticket_id, t.bundle, t.rating AS ticket_rating, s.position,
                      s.service, s.counter, s.started_at, s.finished_at, s.timed,
                      s.rating
               FROM ticket_stages s JOIN tickets t ON t.id = s.ticket_id
               WHERE t.site_id = ? AND t.day BETWEEN ? AND ? AND t.bundle IS NOT NULL
               ORDER BY t.bundle, t.id, s.position""",
            site_id,
            first_day,
            last_day,
        )
