"""The queries behind the calling screens: a window's console and sign, the hall display,
the console's finding of tickets and proxies, a day's ratings.

Read-only, each through an index; the screens read once and then follow the site's events
(`queue_server.calling.counter_view` and its neighbours put the answers together).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from queue_server import wire
from queue_server.engine.model import Ticket
from queue_server.storage import records
from queue_server.storage.repository import Repository


class CallingReads(Repository):
    # --- a window: its console and its sign -------------------------------------------

    def last_call_reasons(self, ticket_id: str) -> tuple[str | None, str | None]:
        """The rule that called the ticket last, and the clerk's reason when out of turn."""
        row = self._conn.execute(
            """SELECT json_extract(payload, '$.data.reason') AS reason,
                      json_extract(payload, '$.data.out_of_order_reason') AS out_of_order
               FROM events WHERE ticket_id = ? AND type = ? ORDER BY seq DESC LIMIT 1""",
            (ticket_id, wire.TICKET_CALLED),
        ).fetchone()
        return (row["reason"], row["out_of_order"]) if row else (None, None)

    def clerk_day(self, site_id: str, day: str, clerk: str) -> dict[str, Any]:
        """A clerk's day at a site: tickets served, completed on the spot, missed, mean service
        and wait in seconds, ratings (None where nothing was counted)."""
        row = self._conn.execute(
            """SELECT
                 count(*) FILTER (WHERE status = 'done') AS served,
                 count(*) FILTER (WHERE status = 'done' AND outcome = 'completed') AS completed,
                 count(*) FILTER (WHERE status = 'no_show') AS no_show,
                 avg(service_seconds) FILTER (WHERE status = 'done') AS service_seconds,
                 avg(wait_seconds) AS wait_seconds,
                 count(rating) AS rated,
                 avg(rating) AS rating
               FROM tickets WHERE site_id = ? AND day = ? AND clerk = ?""",
            (site_id, day, clerk),
        ).fetchone()
        return dict(row)

    def transfers_out(self, site_id: str, counter: int, since: str) -> int:
        """Tickets the window transferred elsewhere from `since` (an ISO instant) on."""
        row = self._conn.execute(
            "SELECT count(*) FROM events WHERE site_id = ? AND type = ? AND counter = ? AND at >= ?",
            (site_id, wire.TICKET_TRANSFERRED, counter, since),
        ).fetchone()
        return int(row[0])

    # --- the hall display -------------------------------------------------------------

    def tickets_on_show(self, ticket_ids: Sequence[str]) -> dict[str, dict[str, Any]]:
        """id → number, status, called_at of the tickets the windows hold."""
        if not ticket_ids:
            return {}
        marks = ",".join("?" * len(ticket_ids))
        rows = self._conn.execute(
            f"SELECT id, number, status, called_at FROM tickets WHERE id IN ({marks})",
            list(ticket_ids),
        )
        return {row["id"]: dict(row) for row in rows}

    def recent_calls(self, site_id: str, since: str, limit: int) -> list[dict[str, Any]]:
        """The site's last calls and recalls from `since` on, newest first."""
        rows = self._conn.execute(
            """SELECT seq, type, at, json_extract(payload, '$.ticket.number') AS number,
                      ticket_id AS ticket, counter,
                      json_extract(payload, '$.counter.name') AS counter_name
               FROM events WHERE site_id = ? AND type IN (?, ?) AND at >= ?
               ORDER BY seq DESC LIMIT ?""",
            (site_id, wire.TICKET_CALLED, wire.TICKET_RECALLED, since, limit),
        )
        return [dict(row) for row in rows]

    def waiting_per_item(self, site_id: str) -> list[dict[str, Any]]:
        """(service, bundle, waiting) of each item with tickets waiting, the longest line first."""
        rows = self._conn.execute(
            """SELECT service, bundle, count(*) AS waiting FROM tickets
               WHERE site_id = ? AND status = 'waiting' GROUP BY service, bundle
               ORDER BY waiting DESC, service, bundle""",
            (site_id,),
        )
        return [dict(row) for row in rows]

    # --- the console's finding --------------------------------------------------------

    def tickets_of_day(
        self,
        site_id: str,
        day: str,
        status: str,
        *,
        seq_no: int | None = None,
        prefix: str | None = None,
        limit: int,
    ) -> list[Ticket]:
        """The site's tickets of `day` in `status`, in queue order; `seq_no` and `prefix` narrow
        them to a number the citizen shows."""
        where = ["site_id = ?", "day = ?", "status = ?"]
        params: list[Any] = [site_id, day, status]
        if seq_no is not None:
            where.append("seq_no = ?")
            params.append(seq_no)
        if prefix is not None:
            where.append("prefix = ?")
            params.append(prefix)
        rows = self._conn.execute(
            f"SELECT * FROM tickets WHERE {' AND '.join(where)} "
            "ORDER BY coalesce(queued_at, issued_at), seq_no LIMIT ?",
            (*params, limit),
        )
        return [records.ticket_from_row(row) for row in rows]

    def active_proxies(self, site_id: str) -> list[dict[str, Any]]:
        """id, name, kind and daily cap of the site's active proxies (代办人), by name."""
        rows = self._conn.execute(
            "SELECT id, name, kind, daily_cap FROM proxies WHERE site_id = ? AND active = 1 "
            "ORDER BY name, created_at",
            (site_id,),
        )
        return [dict(row) for row in rows]

    # --- ratings (好差评) ----------------------------------------------------------------

    def ratings_of_day(self, site_id: str, day: str) -> list[tuple[int | None, int, int]]:
        """(counter, level, how many) of the site's ratings of `day`."""
        rows = self._conn.execute(
            """SELECT counter, rating, count(*) FROM tickets
               WHERE site_id = ? AND day = ? AND rating IS NOT NULL GROUP BY counter, rating""",
            (site_id, day),
        )
        return [(counter, level, n) for counter, level, n in rows]
