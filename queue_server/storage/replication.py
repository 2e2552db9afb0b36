"""What flows between an edge centre and the city, as rows: the SQL of replication.

Up (station → city): the station's events are its outbox. A batch is the events after the
last one the city acknowledged, with the rows they changed as they stand (tickets, the
windows touched, the day's number sequences) and the station's audit rows and devices'
health; the city applies a batch in one transaction, each event once by (site, seq) and
in order (a batch that would leave a gap is refused and the station resends from where
the city stands).

Down (city → station): a snapshot of what the station needs to serve alone — its site,
the catalogue it offers, its windows' set-up, the staff who work there, its devices — and
a digest of it, so the station fetches it again only when it changed.

Rows travel as `{"columns": [...], "rows": [[...], ...]}`: the column names once per
table, which a slow line notices.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from queue_server.storage.repository import Repository, Row

# What the station owns and the city keeps a copy of.
TICKET_KEY = "id"
STATE_COLUMNS_OF_COUNTERS = (
    "state",
    "pause_reason",
    "state_since",
    "current_ticket_id",
    "clerk",
    "mix_credit",
)
# A window's set-up is the city's (administration); its state is the station's.
SETUP_COLUMNS_OF_COUNTERS = ("id", "site_id", "number", "name", "kind", "profile", "rules")


def _table(rows: list[Row]) -> dict[str, Any]:
    if not rows:
        return {"columns": [], "rows": []}
    return {"columns": list(rows[0].keys()), "rows": [list(row) for row in rows]}


def table_rows(table: dict[str, Any]) -> list[dict[str, Any]]:
    columns = table.get("columns") or []
    return [dict(zip(columns, row, strict=True)) for row in table.get("rows") or []]


def _placeholders(values: list[Any]) -> str:
    return ",".join("?" * len(values))


class Gap(Exception):
    """The batch starts after an event the city has not got: resend from `since`."""

    def __init__(self, since: int) -> None:
        super().__init__(f"resend the events after seq {since}")
        self.since = since


def audit_acknowledged(batch: dict[str, Any], after_audit: int) -> int:
    """The station's audit cursor once the city has the batch."""
    return max([after_audit, *(row["n"] for row in table_rows(batch.get("audit", {})))])


MOVING = ("sequences", "tickets")  # they move all day and matter only at a hand-over


def digest_of(snapshot_: dict[str, Any]) -> str:
    """What the snapshot says, in 16 hex digits: the station fetches it again when this changes.
    What moves all day (the site's last sequence number, the day's numbers and tickets) is
    left out: it matters only at a hand-over, and the owner — in the site row — says when."""
    stable = {k: v for k, v in snapshot_.items() if k not in MOVING}
    site = snapshot_["site"]
    if "last_seq" in site.get("columns", []):
        at = site["columns"].index("last_seq")
        stable["site"] = {
            **site,
            "rows": [[v for i, v in enumerate(r) if i != at] for r in site["rows"]],
        }
    text = json.dumps(stable, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


class Replication(Repository):
    """The statements of replication, over the store's connection."""

    def _rows_in(self, query: str, values: list[Any], *before: Any) -> list[Row]:
        """The rows of `query`, whose `{marks}` is the `IN (…)` list of `values` (after the
        `before` parameters); none where there are no values, as `IN ()` is not SQL."""
        if not values:
            return []
        sql = query.replace("{marks}", _placeholders(values))
        return self._conn.execute(sql, (*before, *values)).fetchall()

    # --- up: the station's outbox -------------------------------------------------------------

    def outbox(self, site_id: str, after_seq: int, after_audit: int, limit: int) -> dict[str, Any]:
        """The next batch the city has not acknowledged (read in one snapshot by the caller)."""
        events = self._conn.execute(
            """SELECT seq, id, type, at, ticket_id, counter, payload FROM events
               WHERE site_id = ? AND seq > ? ORDER BY seq LIMIT ?""",
            (site_id, after_seq, limit),
        ).fetchall()
        ticket_ids = sorted({row["ticket_id"] for row in events if row["ticket_id"]})
        numbers = sorted({row["counter"] for row in events if row["counter"] is not None})
        tickets = self._rows_in("SELECT * FROM tickets WHERE id IN ({marks})", ticket_ids)
        columns = ", ".join(("number", *STATE_COLUMNS_OF_COUNTERS))
        counters = self._rows_in(
            f"SELECT {columns} FROM counters WHERE site_id = ? AND number IN ({{marks}})",
            numbers,
            site_id,
        )
        days = sorted({row["day"] for row in tickets})
        sequences = self._rows_in(
            "SELECT day, prefix, last FROM number_sequences WHERE site_id = ? AND day IN ({marks})",
            days,
            site_id,
        )
        audit = self._conn.execute(
            "SELECT rowid AS n, * FROM audit_log WHERE rowid > ? AND site_id = ? ORDER BY rowid LIMIT ?",
            (after_audit, site_id, limit),
        ).fetchall()
        return {
            "events": _table(events),
            "tickets": _table(tickets),
            "counters": _table(counters),
            "sequences": _table(sequences),
            "audit": _table(audit),
            "devices": _table(
                self._conn.execute(
                    "SELECT id, last_seen, status FROM devices WHERE site_id = ? AND last_seen IS NOT NULL",
                    (site_id,),
                ).fetchall()
            ),
        }

    def backlog(self, site_id: str, after_seq: int) -> int:
        """Events waiting for the city's acknowledgement."""
        row = self._conn.execute("SELECT last_seq FROM sites WHERE id = ?", (site_id,)).fetchone()
        return max(0, (row["last_seq"] if row else 0) - after_seq)

    # --- up: the city's ingest ------------------------------------------------------------------

    def last_seq(self, site_id: str) -> int:
        row = self._conn.execute("SELECT last_seq FROM sites WHERE id = ?", (site_id,)).fetchone()
        return int(row["last_seq"]) if row else 0

    def ingest(self, site_id: str, batch: dict[str, Any]) -> list[dict[str, Any]]:
        """Apply a station's batch (inside the caller's transaction); returns the payloads of the
        events that were new, in order, for the city's screens. Each event is applied once by
        (site, seq): a batch sent again changes nothing."""
        have = self.last_seq(site_id)
        events = [row for row in table_rows(batch.get("events", {})) if row["seq"] > have]
        events.sort(key=lambda row: row["seq"])
        if events and events[0]["seq"] != have + 1:
            raise Gap(have)
        for expected, row in enumerate(events, start=have + 1):
            if row["seq"] != expected:
                raise Gap(have)
        tickets = table_rows(batch.get("tickets", {}))
        for ticket in tickets:
            if ticket.get("site_id") != site_id:
                raise ValueError("a ticket of another site")
            columns = list(ticket)
            updates = ", ".join(f"{c} = excluded.{c}" for c in columns if c != TICKET_KEY)
            self._conn.execute(
                f"INSERT INTO tickets ({', '.join(columns)}) VALUES ({_placeholders(columns)}) "
                f"ON CONFLICT (id) DO UPDATE SET {updates}",
                [ticket[c] for c in columns],
            )
        for counter in table_rows(batch.get("counters", {})):
            sets = ", ".join(f"{c} = ?" for c in STATE_COLUMNS_OF_COUNTERS)
            self._conn.execute(
                f"UPDATE counters SET {sets} WHERE site_id = ? AND number = ?",
                [counter.get(c) for c in STATE_COLUMNS_OF_COUNTERS] + [site_id, counter["number"]],
            )
        for sequence in table_rows(batch.get("sequences", {})):
            self._conn.execute(
                """INSERT INTO number_sequences (site_id, day, prefix, last) VALUES (?, ?, ?, ?)
                   ON CONFLICT (site_id, day, prefix) DO UPDATE SET last = max(last, excluded.last)""",
                (site_id, sequence["day"], sequence["prefix"], sequence["last"]),
            )
        for entry in table_rows(batch.get("audit", {})):
            entry.pop("n", None)
            if entry.get("site_id") != site_id:
                continue
            columns = list(entry)
            self._conn.execute(
                f"INSERT OR IGNORE INTO audit_log ({', '.join(columns)}) VALUES ({_placeholders(columns)})",
                [entry[c] for c in columns],
            )
        for device in table_rows(batch.get("devices", {})):
            self._conn.execute(
                """UPDATE devices SET last_seen = ?, status = ? WHERE id = ? AND site_id = ?
                   AND (last_seen IS NULL OR last_seen < ?)""",
                (device["last_seen"], device["status"], device["id"], site_id, device["last_seen"]),
            )
        payloads = []
        for row in events:
            self._conn.execute(
                """INSERT INTO events (id, site_id, seq, type, at, ticket_id, counter, payload)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?)""",
                (
                    row["id"],
                    site_id,
                    row["seq"],
                    row["type"],
                    row["at"],
                    row["ticket_id"],
                    row["counter"],
                    row["payload"],
                ),
            )
            payloads.append(json.loads(row["payload"]))
        if events:
            self._conn.execute(
                "UPDATE sites SET last_seq = ? WHERE id = ?", (events[-1]["seq"], site_id)
            )
        return payloads

    # --- down: what a station needs to serve alone ---------------------------------------------

    def snapshot(self, site_id: str, staff: list[str]) -> dict[str, Any]:
        """The station's site and everything it serves with, from the city (no secrets but the
        staff's password hashes, which the station needs to let its clerks log in offline)."""
        offered = self._conn.execute(
            "SELECT kind, code FROM site_offerings WHERE site_id = ? ORDER BY kind, code",
            (site_id,),
        ).fetchall()
        services = [row["code"] for row in offered if row["kind"] == "service"]
        bundles = [row["code"] for row in offered if row["kind"] == "bundle"]
        bundle_rows = self._rows_in(
            "SELECT * FROM bundles WHERE code IN ({marks}) ORDER BY code", bundles
        )
        for row in bundle_rows:  # a bundle's services are needed even where not offered alone
            services += [code for code in json.loads(row["services"]) if code not in services]
        members = self._rows_in(
            """SELECT username, password_hash, role, sites, display_name, active, created_at
               FROM staff WHERE username IN ({marks}) ORDER BY username""",
            staff,
        )
        setup = ", ".join(SETUP_COLUMNS_OF_COUNTERS)
        return {
            # The site with the sites above it (names for its pages; its row's parent must exist),
            # root first.
            "site": _table(
                self._conn.execute(
                    """WITH RECURSIVE up(id, depth) AS (
                         SELECT ?, 0 UNION ALL
                         SELECT sites.parent_id, up.depth + 1 FROM sites JOIN up ON sites.id = up.id
                         WHERE sites.parent_id IS NOT NULL)
                       SELECT sites.* FROM sites JOIN up USING (id) ORDER BY up.depth DESC""",
                    (site_id,),
                ).fetchall()
            ),
            "services": _table(
                self._rows_in("SELECT * FROM services WHERE code IN ({marks}) ORDER BY code", services)
            ),
            "bundles": _table(bundle_rows),
            "offerings": _table(offered),
            "counters": _table(
                self._conn.execute(
                    f"SELECT {setup} FROM counters WHERE site_id = ? ORDER BY number", (site_id,)
                ).fetchall()
            ),
            "staff": _table(members),
            "devices": _table(
                self._conn.execute(
                    """SELECT id, kind, site_id, name, created_at, revoked_at, counter, site_token_hash
                       FROM devices WHERE site_id = ? ORDER BY id""",
                    (site_id,),
                ).fetchall()
            ),
            "proxies": _table(
                self._conn.execute(
                    "SELECT * FROM proxies WHERE site_id = ? ORDER BY id", (site_id,)
                ).fetchall()
            ),
            "sequences": _table(
                self._conn.execute(
                    "SELECT day, prefix, last FROM number_sequences WHERE site_id = ? ORDER BY day DESC, prefix LIMIT 200",
                    (site_id,),
                ).fetchall()
            ),
        }

    # --- down: the station applies what the city sent -------------------------------------------

    def _upsert(
        self, table: str, row: dict[str, Any], key: tuple[str, ...], keep: tuple[str, ...] = ()
    ) -> None:
        """Insert `row`, or update it (all but `key` and the columns in `keep`, which stay local)."""
        columns = list(row)
        updates = ", ".join(
            f"{c} = excluded.{c}" for c in columns if c not in key and c not in keep
        )
        self._conn.execute(
            f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({_placeholders(columns)}) "
            f"ON CONFLICT ({', '.join(key)}) DO "
            + (f"UPDATE SET {updates}" if updates else "NOTHING"),
            [row[c] for c in columns],
        )

    def apply_snapshot(self, site_id: str, snap: dict[str, Any]) -> None:
        """Take the city's configuration of the station's site (inside the caller's transaction).

        What the station makes stays its own: its windows' state, its sequence numbers, its
        staff's failed logins and locks, its devices' last health."""
        for site in table_rows(snap["site"]):  # the sites above it first, then the site
            if site["id"] == site_id:
                # The city's last_seq matters only before the station's first event (a hand-over).
                site["last_seq"] = max(site.get("last_seq") or 0, self.last_seq(site_id))
            else:
                site["owner"] = None
            self._upsert("sites", site, ("id",))
        services = table_rows(snap["services"])
        for service in services:
            self._upsert("services", service, ("code",))
        bundles = table_rows(snap["bundles"])
        for bundle in bundles:
            self._upsert("bundles", bundle, ("code",))
        self._conn.execute("DELETE FROM site_offerings WHERE site_id = ?", (site_id,))
        for offered in table_rows(snap["offerings"]):
            self._conn.execute(
                "INSERT INTO site_offerings (site_id, kind, code) VALUES (?, ?, ?)",
                (site_id, offered["kind"], offered["code"]),
            )
        numbers = []
        for counter in table_rows(snap["counters"]):
            numbers.append(counter["number"])
            existing = self._conn.execute(
                "SELECT id FROM counters WHERE site_id = ? AND number = ?",
                (site_id, counter["number"]),
            ).fetchone()
            if existing is None:
                self._upsert("counters", counter, ("id",))
            else:
                sets = ", ".join(
                    f"{c} = ?"
                    for c in SETUP_COLUMNS_OF_COUNTERS
                    if c not in ("id", "site_id", "number")
                )
                values = [
                    counter[c]
                    for c in SETUP_COLUMNS_OF_COUNTERS
                    if c not in ("id", "site_id", "number")
                ]
                self._conn.execute(
                    f"UPDATE counters SET {sets} WHERE id = ?", [*values, existing["id"]]
                )
        if numbers:  # a window the city removed goes, unless it is serving someone
            self._conn.execute(
                f"""DELETE FROM counters WHERE site_id = ? AND number NOT IN ({_placeholders(numbers)})
                    AND current_ticket_id IS NULL""",
                (site_id, *numbers),
            )
        usernames = []
        for member in table_rows(snap["staff"]):
            usernames.append(member["username"])
            self._upsert("staff", member, ("username",), keep=("failed_logins", "locked_at"))
        gone = (
            self._conn.execute(
                f"SELECT username FROM staff WHERE username NOT IN ({_placeholders(usernames)})",
                usernames,
            ).fetchall()
            if usernames
            else self._conn.execute("SELECT username FROM staff").fetchall()
        )
        for row in gone:  # moved away or removed at the city: no longer works here
            self._conn.execute("UPDATE staff SET active = 0 WHERE username = ?", (row["username"],))
            self._conn.execute(
                "UPDATE tokens SET revoked = 1 WHERE kind = 'session' AND subject = ?",
                (row["username"],),
            )
        for device in table_rows(snap["devices"]):
            self._upsert("devices", device, ("id",), keep=("last_seen", "status"))
        for proxy in table_rows(snap["proxies"]):
            self._upsert("proxies", proxy, ("id",))
        for sequence in table_rows(snap["sequences"]):
            self._conn.execute(
                """INSERT INTO number_sequences (site_id, day, prefix, last) VALUES (?, ?, ?, ?)
                   ON CONFLICT (site_id, day, prefix) DO UPDATE SET last = max(last, excluded.last)""",
                (site_id, sequence["day"], sequence["prefix"], sequence["last"]),
            )
        for ticket in table_rows(snap.get("tickets", {"columns": [], "rows": []})):
            # A hand-over: the city's tickets of the day come with the site; the station's own
            # newer state of a ticket is never overwritten by the city's older one.
            columns = list(ticket)
            self._conn.execute(
                f"INSERT OR IGNORE INTO tickets ({', '.join(columns)}) VALUES ({_placeholders(columns)})",
                [ticket[c] for c in columns],
            )

    def open_tickets(self, site_id: str, day: str) -> dict[str, Any]:
        """A site's tickets of `day` on (a hand-over gives them to the station)."""
        return _table(
            self._conn.execute(
                "SELECT * FROM tickets WHERE site_id = ? AND day >= ?", (site_id, day)
            ).fetchall()
        )

    # --- the edge's own state, the city's view of its edges --------------------------------------

    def edge_state(self) -> dict[str, Any]:
        return {
            row["key"]: json.loads(row["value"])
            for row in self._conn.execute("SELECT key, value FROM edge_state")
        }

    def set_edge_state(self, **values: Any) -> None:
        for key, value in values.items():
            self._conn.execute(
                "INSERT INTO edge_state (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (key, json.dumps(value)),
            )

    def record_contact(self, link: dict[str, Any]) -> None:
        self._upsert("edge_links", link, ("site_id",))

    def edge_links(self) -> list[Row]:
        return self._conn.execute("SELECT * FROM edge_links ORDER BY site_id").fetchall()

    def site_owner(self, site_id: str) -> str | None:
        row = self._conn.execute("SELECT owner FROM sites WHERE id = ?", (site_id,)).fetchone()
        return row["owner"] if row else None

    def set_site_owner(self, site_id: str, owner: str | None) -> None:
        self._conn.execute("UPDATE sites SET owner = ? WHERE id = ?", (owner, site_id))
