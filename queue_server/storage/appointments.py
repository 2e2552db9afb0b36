"""Appointments (预约) and the slot plans they are booked in."""

from __future__ import annotations

from datetime import datetime

from queue_server.engine.booking import Appointment, AppointmentStatus, SlotPlan
from queue_server.storage import records
from queue_server.storage.repository import Repository, Row

APPOINTMENTS = records.Layout(
    Appointment,
    {
        "status": records.enum_column(AppointmentStatus),
        "start": records.TIME,
        "created_at": records.TIME,
        "changed_at": records.TIME,
        "checked_in_at": records.TIME,
        "late": records.Column(
            load=lambda v: None if v is None else bool(v),
            dump=lambda v: None if v is None else int(v),
        ),
        "reminded": records.FLAG,
    },
)
SLOT_PLANS = records.Layout(SlotPlan, {})
# What holds a place in a slot: a booking still to come, or one checked in.
_HOLDS_PLACE = "status IN ('booked', 'checked_in')"


class Appointments(Repository):
    # --- slot plans -----------------------------------------------------------------

    def plan(self, site_id: str, item_kind: str, item_code: str) -> SlotPlan | None:
        return self._record(
            SLOT_PLANS,
            "SELECT * FROM slot_plans WHERE site_id = ? AND item_kind = ? AND item_code = ?",
            site_id, item_kind, item_code,
        )  # fmt: skip

    def plans(self, site_id: str) -> list[SlotPlan]:
        return self._records(
            SLOT_PLANS,
            "SELECT * FROM slot_plans WHERE site_id = ? ORDER BY item_kind DESC, item_code",
            site_id,
        )

    def save_plan(self, plan: SlotPlan) -> None:
        row = SLOT_PLANS.to_row(plan)
        self._conn.execute(
            """INSERT INTO slot_plans (site_id, item_kind, item_code, slot_minutes, capacity, days_ahead, walk_in_share)
               VALUES (:site_id, :item_kind, :item_code, :slot_minutes, :capacity, :days_ahead, :walk_in_share)
               ON CONFLICT (site_id, item_kind, item_code) DO UPDATE SET slot_minutes=:slot_minutes,
                 capacity=:capacity, days_ahead=:days_ahead, walk_in_share=:walk_in_share""",
            row,
        )

    def delete_plan(self, site_id: str, item_kind: str, item_code: str) -> bool:
        return bool(
            self._conn.execute(
                "DELETE FROM slot_plans WHERE site_id = ? AND item_kind = ? AND item_code = ?",
                (site_id, item_kind, item_code),
            ).rowcount
        )

    # --- bookings ---------------------------------------------------------------------

    def insert(self, appointment: Appointment) -> None:
        row = APPOINTMENTS.to_row(appointment)
        columns = ", ".join(row)
        self._conn.execute(
            f"INSERT INTO appointments ({columns}) VALUES ({', '.join(':' + c for c in row)})", row
        )

    def update(self, appointment: Appointment) -> None:
        row = APPOINTMENTS.to_row(appointment)
        sets = ", ".join(f"{c}=:{c}" for c in row if c != "id")
        self._conn.execute(f"UPDATE appointments SET {sets} WHERE id = :id", row)

    def get(self, appointment_id: str) -> Appointment | None:
        return self._record(APPOINTMENTS, "SELECT * FROM appointments WHERE id = ?", appointment_id)

    def by_code(self, code: str) -> Appointment | None:
        return self._record(APPOINTMENTS, "SELECT * FROM appointments WHERE code = ?", code)

    def code_taken(self, code: str) -> bool:
        return self._row("SELECT 1 FROM appointments WHERE code = ?", code) is not None

    def by_request(self, site_id: str, request_id: str) -> Appointment | None:
        return self._record(
            APPOINTMENTS,
            "SELECT * FROM appointments WHERE site_id = ? AND request_id = ?",
            site_id, request_id,
        )  # fmt: skip

    def by_ticket(self, ticket_id: str) -> Appointment | None:
        return self._record(
            APPOINTMENTS, "SELECT * FROM appointments WHERE ticket_id = ?", ticket_id
        )

    def booked_per_slot(
        self, site_id: str, day: str, service: str | None, bundle: str | None
    ) -> dict[datetime, int]:
        """Places taken in each slot of an item on a local day."""
        rows = self._rows(
            f"""SELECT start, count(*) AS n FROM appointments
                WHERE site_id = ? AND day = ? AND service IS ? AND bundle IS ? AND {_HOLDS_PLACE}
                AND channel != 'remote' GROUP BY start""",
            site_id, day, service, bundle,
        )  # fmt: skip
        return {records.from_text(row["start"]): row["n"] for row in rows}  # type: ignore[misc]

    def person_bookings(
        self, site_id: str, person_hash: str, day: str, service: str | None, bundle: str | None
    ) -> int:
        """The person's bookings of this item on that day that still stand or were used."""
        row = self._row(
            """SELECT count(*) FROM appointments WHERE person_hash = ? AND day = ? AND site_id = ?
               AND service IS ? AND bundle IS ? AND status IN ('booked', 'checked_in', 'awaiting_arrival')""",
            person_hash, day, site_id, service, bundle,
        )  # fmt: skip
        return int(row[0]) if row else 0

    def person_no_shows(self, site_id: str, person_hash: str, since: datetime) -> list[datetime]:
        """When this person's bookings at the site became no-shows since then, newest first."""
        rows = self._rows(
            """SELECT changed_at FROM appointments WHERE person_hash = ? AND site_id = ?
               AND status = 'no_show' AND changed_at >= ? ORDER BY changed_at DESC""",
            person_hash, site_id, records.to_text(since),
        )  # fmt: skip
        return [records.from_text(row[0]) for row in rows]  # type: ignore[misc]

    def person_open(self, site_id: str, person_hash: str, day: str) -> list[Appointment]:
        """The person's bookings at the site that day still to check in, earliest first."""
        return self._records(
            APPOINTMENTS,
            """SELECT * FROM appointments WHERE person_hash = ? AND day = ? AND site_id = ?
               AND status IN ('booked', 'awaiting_arrival') ORDER BY start""",
            person_hash, day, site_id,
        )  # fmt: skip

    def person_checked_in(self, site_id: str, person_hash: str, day: str) -> list[Appointment]:
        """The person's bookings at the site that day already checked in, latest first."""
        return self._records(
            APPOINTMENTS,
            """SELECT * FROM appointments WHERE person_hash = ? AND day = ? AND site_id = ?
               AND status = 'checked_in' ORDER BY checked_in_at DESC""",
            person_hash, day, site_id,
        )  # fmt: skip

    def open_before(self, moment: datetime) -> list[Appointment]:
        """Bookings still to check in whose slot began before `moment` (the no-show sweep)."""
        return self._records(
            APPOINTMENTS,
            "SELECT * FROM appointments WHERE status = 'booked' AND start < ? ORDER BY start",
            records.to_text(moment),
        )

    def to_remind(self, start_from: datetime, start_to: datetime) -> list[Appointment]:
        """Bookings in that span not reminded yet (the day-before reminder)."""
        return self._records(
            APPOINTMENTS,
            """SELECT * FROM appointments WHERE status = 'booked' AND reminded = 0
               AND start >= ? AND start < ? ORDER BY start""",
            records.to_text(start_from), records.to_text(start_to),
        )  # fmt: skip

    def forget_phones(self, before_day: str) -> int:
        """Clear the phone numbers of bookings whose day is over: reminders and calls are done."""
        return self._conn.execute(
            "UPDATE appointments SET phone = NULL WHERE day < ? AND phone IS NOT NULL",
            (before_day,),
        ).rowcount

    def site_day(self, site_id: str, day: str) -> list[Appointment]:
        return self._records(
            APPOINTMENTS,
            "SELECT * FROM appointments WHERE site_id = ? AND day = ? ORDER BY start",
            site_id,
            day,
        )

    def contact_for_ticket(self, ticket_id: str) -> Row | None:
        """The booking a ticket was checked in from (`code`, `phone`, `start`), if any: whom
        a call or a reminder may reach."""
        return self._row(
            "SELECT id, code, phone, start, site_id FROM appointments WHERE ticket_id = ?",
            ticket_id,
        )
