"""Queries and writes over one connection. Callers own the transaction."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from typing import Any

from queue_server.engine.model import Bundle, Counter, Event, Service, Site, Ticket
from queue_server.storage import records

# --- sites and catalogue -------------------------------------------------------------


def get_site(conn: sqlite3.Connection, site_id: str) -> Site | None:
    row = conn.execute("SELECT * FROM sites WHERE id = ?", (site_id,)).fetchone()
    return records.site_from_row(row) if row else None


def list_sites(conn: sqlite3.Connection) -> list[Site]:
    return [records.site_from_row(r) for r in conn.execute("SELECT * FROM sites ORDER BY rowid")]


def upsert_site(conn: sqlite3.Connection, site: Site) -> None:
    row = records.site_to_row(site)
    conn.execute(
        """INSERT INTO sites (id, name, name_en, kind, parent_id, timezone, hours, settings)
           VALUES (:id, :name, :name_en, :kind, :parent_id, :timezone, :hours, :settings)
           ON CONFLICT (id) DO UPDATE SET name=:name, name_en=:name_en, kind=:kind,
             parent_id=:parent_id, timezone=:timezone, hours=:hours, settings=:settings""",
        row,
    )


def get_service(conn: sqlite3.Connection, code: str) -> Service | None:
    row = conn.execute("SELECT * FROM services WHERE code = ?", (code,)).fetchone()
    return records.service_from_row(row) if row else None


def list_services(conn: sqlite3.Connection) -> list[Service]:
    return [
        records.service_from_row(r) for r in conn.execute("SELECT * FROM services ORDER BY rowid")
    ]


def _upsert(conn: sqlite3.Connection, table: str, key: str, row: dict[str, Any]) -> None:
    columns = ", ".join(row)
    names = ", ".join(f":{k}" for k in row)
    updates = ", ".join(f"{k}=:{k}" for k in row if k != key)
    conn.execute(
        f"INSERT INTO {table} ({columns}) VALUES ({names}) ON CONFLICT ({key}) DO UPDATE SET {updates}",
        row,
    )


def upsert_service(conn: sqlite3.Connection, service: Service) -> None:
    _upsert(conn, "services", "code", records.service_to_row(service))


def get_bundle(conn: sqlite3.Connection, code: str) -> Bundle | None:
    row = conn.execute("SELECT * FROM bundles WHERE code = ?", (code,)).fetchone()
    return records.bundle_from_row(row) if row else None


def list_bundles(conn: sqlite3.Connection) -> list[Bundle]:
    return [
        records.bundle_from_row(r) for r in conn.execute("SELECT * FROM bundles ORDER BY rowid")
    ]


def upsert_bundle(conn: sqlite3.Connection, bundle: Bundle) -> None:
    _upsert(conn, "bundles", "code", records.bundle_to_row(bundle))


def set_offerings(
    conn: sqlite3.Connection, site_id: str, services: Iterable[str], bundles: Iterable[str]
) -> None:
    conn.execute("DELETE FROM site_offerings WHERE site_id = ?", (site_id,))
    conn.executemany(
        "INSERT INTO site_offerings (site_id, kind, code) VALUES (?, ?, ?)",
        [(site_id, "service", c) for c in services] + [(site_id, "bundle", c) for c in bundles],
    )


def offerings(conn: sqlite3.Connection, site_id: str) -> tuple[list[str], list[str]]:
    rows = conn.execute(
        "SELECT kind, code FROM site_offerings WHERE site_id = ? ORDER BY rowid", (site_id,)
    ).fetchall()
    return [r["code"] for r in rows if r["kind"] == "service"], [
        r["code"] for r in rows if r["kind"] == "bundle"
    ]


def is_offered(conn: sqlite3.Connection, site_id: str, kind: str, code: str) -> bool:
    return (
        conn.execute(
            "SELECT 1 FROM site_offerings WHERE site_id = ? AND kind = ? AND code = ?",
            (site_id, kind, code),
        ).fetchone()
        is not None
    )


# --- counters ------------------------------------------------------------------------


def get_counter(conn: sqlite3.Connection, site_id: str, number: int) -> Counter | None:
    row = conn.execute(
        "SELECT * FROM counters WHERE site_id = ? AND number = ?", (site_id, number)
    ).fetchone()
    return records.counter_from_row(row) if row else None


def list_counters(conn: sqlite3.Connection, site_id: str) -> list[Counter]:
    rows = conn.execute("SELECT * FROM counters WHERE site_id = ? ORDER BY number", (site_id,))
    return [records.counter_from_row(r) for r in rows]


def open_counters_serving(
    conn: sqlite3.Connection, site_id: str, kind: str, code: str
) -> list[Counter]:
    """The open counters that have this service (or bundle) in their profile."""
    item = "service" if kind == "service" else "bundle"
    rows = conn.execute(
        f"""SELECT * FROM counters WHERE site_id = ? AND state = 'open' AND EXISTS (
              SELECT 1 FROM json_each(counters.profile) AS entry
              WHERE json_extract(entry.value, '$.{item}') = ?)
            ORDER BY number""",
        (site_id, code),
    ).fetchall()
    return [records.counter_from_row(row) for row in rows]


def save_counter(conn: sqlite3.Connection, counter: Counter) -> None:
    _upsert(conn, "counters", "id", records.counter_to_row(counter))


# --- tickets -------------------------------------------------------------------------


def get_ticket(conn: sqlite3.Connection, ticket_id: str) -> Ticket | None:
    row = conn.execute("SELECT * FROM tickets WHERE id = ?", (ticket_id,)).fetchone()
    return records.ticket_from_row(row) if row else None


def ticket_by_request(
    conn: sqlite3.Connection, site_id: str, request_id: str
) -> tuple[Ticket, str] | None:
    row = conn.execute(
        "SELECT * FROM tickets WHERE site_id = ? AND request_id = ?", (site_id, request_id)
    ).fetchone()
    return (records.ticket_from_row(row), row["request_hash"]) if row else None


def active_tickets(conn: sqlite3.Connection, site_id: str) -> list[Ticket]:
    rows = conn.execute(
        "SELECT * FROM tickets WHERE site_id = ? AND status IN ('waiting', 'called', 'serving')",
        (site_id,),
    )
    return [records.ticket_from_row(r) for r in rows]


def waiting_tickets(conn: sqlite3.Connection, site_id: str) -> list[Ticket]:
    return [t for t in active_tickets(conn, site_id) if t.status.value == "waiting"]


def call_candidates(conn: sqlite3.Connection, counter: Counter) -> list[Ticket]:
    """The waiting tickets `calling.choose_next` can pick for this counter, and no more.

    Every rule of the calling order picks either a ticket transferred to this counter or
    the head of one of its queues: the oldest priority ticket or the oldest ordinary
    ticket of each queue (their older one is the queue's oldest, for aging; the mixing
    ratio may want either kind). So these — two per service in the profile, read through
    the waiting-queue indexes — give the same choice as all waiting tickets of the site,
    at a cost that does not grow with the queue (a test compares both on random queues).
    """
    rows = list(
        conn.execute(
            """SELECT * FROM tickets WHERE site_id = ? AND status = 'waiting'
               AND target_counter IS NOT NULL AND target_counter = ?""",
            (counter.site_id, counter.number),
        )
    )
    for entry in counter.profile:
        column, code = ("service", entry.service) if entry.service else ("bundle", entry.bundle)
        for kind in ("priority != 'ordinary'", "priority = 'ordinary'"):
            rows += conn.execute(
                f"""SELECT * FROM tickets WHERE site_id = ? AND status = 'waiting' AND {column} = ?
                    AND target_counter IS NULL AND {kind} ORDER BY queued_at, seq_no, id LIMIT 1""",
                (counter.site_id, code),
            ).fetchall()
    unique = {row["id"]: row for row in rows}
    return [records.ticket_from_row(row) for row in unique.values()]


def queue_head(conn: sqlite3.Connection, ticket: Ticket, limit: int) -> list[Ticket]:
    """The first `limit` tickets of `ticket`'s own waiting line, in queue order."""
    column, code = ("service", ticket.service) if ticket.service else ("bundle", ticket.bundle)
    rows = conn.execute(
        f"""SELECT * FROM tickets WHERE site_id = ? AND status = 'waiting' AND {column} = ?
            AND target_counter IS NULL ORDER BY queued_at, seq_no, id LIMIT ?""",
        (ticket.site_id, code, limit),
    )
    return [records.ticket_from_row(row) for row in rows]


def stale_waiting(conn: sqlite3.Connection, site_id: str, today: str) -> list[Ticket]:
    """Tickets still waiting from an earlier local day (read through the small active index)."""
    return [
        t for t in active_tickets(conn, site_id) if t.status.value == "waiting" and t.day < today
    ]


def issued_today(
    conn: sqlite3.Connection, site_id: str, day: str, service: str | None, bundle: str | None
) -> int:
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
    return int(conn.execute(sql, (site_id, day, code)).fetchone()[0])


def last_number(conn: sqlite3.Connection, site_id: str, day: str, prefix: str) -> int:
    row = conn.execute(
        "SELECT last FROM number_sequences WHERE site_id = ? AND day = ? AND prefix = ?",
        (site_id, day, prefix),
    ).fetchone()
    return int(row[0]) if row else 0


def set_last_number(
    conn: sqlite3.Connection, site_id: str, day: str, prefix: str, last: int
) -> None:
    conn.execute(
        """INSERT INTO number_sequences (site_id, day, prefix, last) VALUES (?, ?, ?, ?)
           ON CONFLICT (site_id, day, prefix) DO UPDATE SET last = excluded.last""",
        (site_id, day, prefix, last),
    )


_INSERT_TICKET = (
    f"INSERT INTO tickets ({', '.join(records.TICKET_COLUMNS)}, request_hash) "
    f"VALUES ({', '.join(':' + c for c in records.TICKET_COLUMNS)}, :request_hash)"
)
_UPDATE_TICKET = (
    "UPDATE tickets SET "
    + ", ".join(
        f"{c}=:{c}" for c in records.TICKET_COLUMNS if c not in ("id", "local_hour", "weekday")
    )
    + " WHERE id = :id"
)


def insert_ticket(
    conn: sqlite3.Connection, ticket: Ticket, timezone: str, request_hash: str | None
) -> None:
    row = records.ticket_to_row(ticket, timezone)
    row["request_hash"] = request_hash
    conn.execute(_INSERT_TICKET, row)


def update_ticket(conn: sqlite3.Connection, ticket: Ticket, timezone: str) -> None:
    conn.execute(_UPDATE_TICKET, records.ticket_to_row(ticket, timezone))


def recent_service_minutes(
    conn: sqlite3.Connection, site_id: str, service: str, limit: int = 50
) -> list[float]:
    rows = conn.execute(
        """SELECT service_seconds FROM tickets
           WHERE site_id = ? AND service = ? AND status = 'done' AND finished_at IS NOT NULL
           ORDER BY finished_at DESC LIMIT ?""",
        (site_id, service, limit),
    )
    return [r[0] / 60 for r in rows if r[0] is not None]


# --- events --------------------------------------------------------------------------


def append_events(
    conn: sqlite3.Connection, events: Iterable[Event], payload_of: Any
) -> list[dict[str, Any]]:
    """Give each event the next site-wide sequence number and store it; returns payloads."""
    stored = []
    for event in events:
        seq = conn.execute(
            "UPDATE sites SET last_seq = last_seq + 1 WHERE id = ? RETURNING last_seq",
            (event.site_id,),
        ).fetchone()[0]
        payload = payload_of(event, seq)
        conn.execute(
            "INSERT INTO events (id, site_id, seq, type, at, ticket_id, counter, payload) VALUES (?,?,?,?,?,?,?,?)",
            (
                event.id,
                event.site_id,
                seq,
                event.type,
                payload["at"],
                event.ticket.id if event.ticket else None,
                event.counter.number if event.counter else None,
                json.dumps(payload, ensure_ascii=False),
            ),
        )
        stored.append(payload)
    return stored


def events_since(
    conn: sqlite3.Connection, site_id: str, since: int, limit: int = 1000
) -> list[dict[str, Any]]:
    rows = conn.execute(
        "SELECT payload FROM events WHERE site_id = ? AND seq > ? ORDER BY seq LIMIT ?",
        (site_id, since, limit),
    )
    return [json.loads(r[0]) for r in rows]


def events_between(
    conn: sqlite3.Connection,
    site_id: str,
    after: int,
    upto: int,
    limit: int,
    counter: int | None = None,
) -> list[dict[str, Any]]:
    """A site's events with after < seq <= upto, in order (only one counter's, if given)."""
    mine = "" if counter is None else " AND counter = ?"
    rows = conn.execute(
        f"SELECT payload FROM events WHERE site_id = ? AND seq > ? AND seq <= ?{mine} ORDER BY seq LIMIT ?",
        (site_id, after, upto, *(() if counter is None else (counter,)), limit),
    )
    return [json.loads(r[0]) for r in rows]


def last_seq(conn: sqlite3.Connection, site_id: str) -> int:
    row = conn.execute("SELECT last_seq FROM sites WHERE id = ?", (site_id,)).fetchone()
    return int(row[0]) if row else 0
