"""Events: every change of a ticket or counter, append-only, numbered per site.

A site's sequence number lives on its row (`sites.last_seq`); each event appended takes
the next one inside the change's own transaction, so numbers are gap-free and in commit
order. The catch-up reads (`since`, `between`) go through the `(site_id, seq)` index.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import orjson

from queue_server.engine.model import Event
from queue_server.storage.repository import Repository, Row, marks

PayloadOf = Callable[[Event, int], dict[str, Any]]


class Events(Repository):
    def append(self, events: Iterable[Event], payload_of: PayloadOf) -> list[dict[str, Any]]:
        """Give each event the next site-wide sequence number and store it; returns payloads."""
        stored = []
        for event in events:
            seq = self._conn.execute(
                "UPDATE sites SET last_seq = last_seq + 1 WHERE id = ? RETURNING last_seq",
                (event.site_id,),
            ).fetchone()[0]
            payload = payload_of(event, seq)
            self._conn.execute(
                "INSERT INTO events (id, site_id, seq, type, at, ticket_id, counter, payload) VALUES (?,?,?,?,?,?,?,?)",
                (
                    event.id,
                    event.site_id,
                    seq,
                    event.type,
                    payload["at"],
                    event.ticket.id if event.ticket else None,
                    event.counter.number if event.counter else None,
                    # orjson inside the write lock: ~4 µs where json.dumps took ~40 (issue
                    # 18); compact UTF-8 text, which every reader parses (and an edge centre
                    # copies as it is).
                    orjson.dumps(payload, option=orjson.OPT_NON_STR_KEYS).decode(),
                ),
            )
            stored.append(payload)
        return stored

    def append_history(self, site_id: str, events: Iterable[Event], payload_of: PayloadOf) -> int:
        """Append many events of one site at once (the simulator's history); returns how many."""
        seq = self.last_seq(site_id)
        rows = []
        for event in events:
            seq += 1
            payload = payload_of(event, seq)
            rows.append(
                (
                    event.id,
                    site_id,
                    seq,
                    event.type,
                    payload["at"],
                    event.ticket.id if event.ticket else None,
                    event.counter.number if event.counter else None,
                    json.dumps(payload, ensure_ascii=False, separators=(",", ":")),
                )
            )
        self._conn.executemany(
            "INSERT INTO events (id, site_id, seq, type, at, ticket_id, counter, payload) VALUES (?,?,?,?,?,?,?,?)",
            rows,
        )
        self._conn.execute("UPDATE sites SET last_seq = ? WHERE id = ?", (seq, site_id))
        return len(rows)

    def last_seq(self, site_id: str) -> int:
        row = self._conn.execute("SELECT last_seq FROM sites WHERE id = ?", (site_id,)).fetchone()
        return int(row[0]) if row else 0

    def since(self, site_id: str, since: int, limit: int = 1000) -> list[dict[str, Any]]:
        rows = self._conn.execute(
            "SELECT payload FROM events WHERE site_id = ? AND seq > ? ORDER BY seq LIMIT ?",
            (site_id, since, limit),
        )
        return [json.loads(r[0]) for r in rows]

    def between(
        self, site_id: str, after: int, upto: int, limit: int, counter: int | None = None
    ) -> list[dict[str, Any]]:
        """A site's events with after < seq <= upto, in order (only one counter's, if given)."""
        mine = "" if counter is None else " AND counter = ?"
        rows = self._conn.execute(
            f"SELECT payload FROM events WHERE site_id = ? AND seq > ? AND seq <= ?{mine} ORDER BY seq LIMIT ?",
            (site_id, after, upto, *(() if counter is None else (counter,)), limit),
        )
        return [json.loads(r[0]) for r in rows]

    def latest_at(
        self, site_id: str, counter: int, types: Iterable[str], after_seq: int
    ) -> str | None:
        """When the counter's latest event of these types after `after_seq` happened."""
        chosen = tuple(types)
        row = self._conn.execute(
            f"""SELECT at FROM events WHERE site_id = ? AND seq > ? AND counter = ?
            AND type IN ({marks(chosen)}) ORDER BY seq DESC LIMIT 1""",
            (site_id, after_seq, counter, *chosen),
        ).fetchone()
        return row["at"] if row else None

    def calls_of_days(self, site_id: str, first_day: str, last_day: str) -> Iterator[Row]:
        """Every `ticket.called` of the site's tickets of these days, in order:
        `ticket_id, counter, at, payload` (the payload as stored, JSON text)."""
        return self._conn.execute(
            """SELECT e.ticket_id, e.counter, e.at, e.payload FROM tickets t
           JOIN events e ON e.ticket_id = t.id AND e.type = 'ticket.called'
           WHERE t.site_id = ? AND t.day BETWEEN ? AND ? ORDER BY e.seq""",
            (site_id, first_day, last_day),
        )
