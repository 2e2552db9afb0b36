"""Appointments (预约) and the slot plans they are booked in."""

from __future__ import annotations

from queue_server.storage.repository import Repository, Row


class Appointments(Repository):
    def contact_for_ticket(self, ticket_id: str) -> Row | None:
        """The booking a ticket was checked in from (`code`, `phone`, `start`), if any: whom
        a call or a reminder may reach."""
        return self._row(
            "SELECT id, code, phone, start, site_id FROM appointments WHERE ticket_id = ?", ticket_id
        )
