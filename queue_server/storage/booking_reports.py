"""The reads of the managers' booking reports and the dashboard's booking figures.

Bookings are read from `appointments` (a remote ticket's row, channel `remote`, is not a
booking and is left out); tickets by channel from `tickets` through its (site, day) index.
Each read is one grouped pass over a range of local days of a set of sites.
"""

from __future__ import annotations

from datetime import date

from queue_server.storage.repository import Repository, Row, marks

# A booking, not a remote ticket's row.
_BOOKING = "channel != 'remote'"
# Seconds from the slot's start to the check-in (negative: early), rounded.
_SECONDS = "CAST(round((julianday(checked_in_at) - julianday(start)) * 86400) AS INTEGER)"


class BookingReports(Repository):
    def per_slot(self, sites: tuple[str, ...], start: date, end: date) -> list[Row]:
        """Bookings per site, slot start (UTC text), item and status:
        `site_id, start, item_kind, item_code, status, n`."""
        return self._rows(
            f"""SELECT site_id, start,
                   CASE WHEN service IS NOT NULL THEN 'service' ELSE 'bundle' END AS item_kind,
                   coalesce(service, bundle) AS item_code, status, count(*) AS n
            FROM appointments
            WHERE site_id IN ({marks(sites)}) AND day BETWEEN ? AND ? AND {_BOOKING}
            GROUP BY site_id, start, item_kind, item_code, status
            ORDER BY site_id, start, item_kind DESC, item_code""",
            *sites, str(start), str(end),
        )  # fmt: skip

    def per_item(self, sites: tuple[str, ...], start: date, end: date) -> list[Row]:
        """Bookings per site, item and status, a check-in late or on time:
        `site_id, item_kind, item_code, status, late, n`."""
        return self._rows(
            f"""SELECT site_id,
                   CASE WHEN service IS NOT NULL THEN 'service' ELSE 'bundle' END AS item_kind,
                   coalesce(service, bundle) AS item_code, status, coalesce(late, 0) AS late,
                   count(*) AS n
            FROM appointments
            WHERE site_id IN ({marks(sites)}) AND day BETWEEN ? AND ? AND {_BOOKING}
            GROUP BY site_id, item_kind, item_code, status, late""",
            *sites, str(start), str(end),
        )  # fmt: skip

    def check_in_seconds(self, sites: tuple[str, ...], start: date, end: date) -> list[Row]:
        """Check-ins per site and second from their slot's start (negative: early), on time
        or late: `site_id, seconds, late, n`."""
        return self._rows(
            f"""SELECT site_id, {_SECONDS} AS seconds, coalesce(late, 0) AS late, count(*) AS n
            FROM appointments
            WHERE site_id IN ({marks(sites)}) AND day BETWEEN ? AND ? AND {_BOOKING}
              AND status = 'checked_in' AND checked_in_at IS NOT NULL
            GROUP BY site_id, seconds, late ORDER BY seconds""",
            *sites, str(start), str(end),
        )  # fmt: skip

    def tickets_by_channel(self, sites: tuple[str, ...], start: date, end: date) -> list[Row]:
        """Tickets issued per site, local day and channel: `site_id, day, channel, n`."""
        return self._rows(
            f"""SELECT site_id, day, channel, count(*) AS n FROM tickets
            WHERE site_id IN ({marks(sites)}) AND day BETWEEN ? AND ?
            GROUP BY site_id, day, channel""",
            *sites, str(start), str(end),
        )  # fmt: skip

    def day_bookings(self, site_id: str, day: str) -> dict[str, int]:
        """A site's bookings of one local day per status (the dashboard)."""
        rows = self._rows(
            f"""SELECT status, count(*) AS n FROM appointments
            WHERE site_id = ? AND day = ? AND {_BOOKING} GROUP BY status""",
            site_id, day,
        )  # fmt: skip
        return {row["status"]: row["n"] for row in rows}

    def day_channels(self, site_id: str, day: str) -> dict[str, int]:
        """A site's tickets of one local day per channel (the dashboard)."""
        rows = self._rows(
            "SELECT channel, count(*) AS n FROM tickets WHERE site_id = ? AND day = ? GROUP BY channel",
            site_id, day,
        )  # fmt: skip
        return {row["channel"]: row["n"] for row in rows}
