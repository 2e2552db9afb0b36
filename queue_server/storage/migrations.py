"""Numbered schema migrations, applied at start in one transaction each.

The schema version is SQLite's `user_version`. A migration is a registered
function; new ones are appended, never edited once released.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

MIGRATIONS: list[Callable[[sqlite3.Connection], None]] = []


def migration(func: Callable[[sqlite3.Connection], None]) -> Callable[[sqlite3.Connection], None]:
    MIGRATIONS.append(func)
    return func


def current_version(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def migrate(conn: sqlite3.Connection) -> int:
    """Bring the schema up to date; returns the version reached."""
    version = current_version(conn)
    if version > len(MIGRATIONS):
        raise RuntimeError(
            f"database schema version {version} is newer than this hallqueue ({len(MIGRATIONS)})"
        )
    for number, step in enumerate(MIGRATIONS[version:], start=version + 1):
        conn.execute("BEGIN IMMEDIATE")
        try:
            if current_version(conn) >= number:  # another process got there first
                conn.execute("ROLLBACK")
                continue
            step(conn)
            conn.execute(f"PRAGMA user_version={number}")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")
    return current_version(conn)


@migration
def initial_schema(conn: sqlite3.Connection) -> None:
    statements = """
    CREATE TABLE sites (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        name_en TEXT NOT NULL DEFAULT '',
        kind TEXT NOT NULL,
        parent_id TEXT REFERENCES sites(id),
        timezone TEXT NOT NULL DEFAULT 'Asia/Shanghai',
        hours TEXT,
        settings TEXT NOT NULL DEFAULT '{}',
        last_seq INTEGER NOT NULL DEFAULT 0
    );
    CREATE TABLE services (
        code TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        name_en TEXT NOT NULL DEFAULT '',
        department TEXT NOT NULL,
        domain TEXT NOT NULL,
        prefix TEXT NOT NULL,
        on_the_spot INTEGER NOT NULL DEFAULT 0,
        commitment_allowed INTEGER NOT NULL DEFAULT 0,
        conditions TEXT NOT NULL DEFAULT '[]',
        materials TEXT NOT NULL DEFAULT '[]',
        legal_limit_days INTEGER,
        expected_minutes REAL NOT NULL DEFAULT 10,
        issue_window TEXT,
        last_ticket_minutes INTEGER NOT NULL DEFAULT 0,
        daily_cap INTEGER
    );
    CREATE TABLE bundles (
        code TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        name_en TEXT NOT NULL DEFAULT '',
        prefix TEXT NOT NULL,
        services TEXT NOT NULL DEFAULT '[]',
        description TEXT NOT NULL DEFAULT '',
        expected_minutes REAL NOT NULL DEFAULT 30,
        daily_cap INTEGER
    );
    CREATE TABLE site_offerings (
        site_id TEXT NOT NULL REFERENCES sites(id),
        kind TEXT NOT NULL CHECK (kind IN ('service', 'bundle')),
        code TEXT NOT NULL,
        PRIMARY KEY (site_id, kind, code)
    );
    CREATE TABLE counters (
        id TEXT PRIMARY KEY,
        site_id TEXT NOT NULL REFERENCES sites(id),
        number INTEGER NOT NULL,
        name TEXT NOT NULL,
        kind TEXT NOT NULL,
        profile TEXT NOT NULL DEFAULT '[]',
        state TEXT NOT NULL DEFAULT 'closed',
        pause_reason TEXT,
        state_since TEXT,
        current_ticket_id TEXT,
        clerk TEXT,
        UNIQUE (site_id, number)
    );
    CREATE TABLE tickets (
        id TEXT PRIMARY KEY,
        site_id TEXT NOT NULL REFERENCES sites(id),
        day TEXT NOT NULL,
        prefix TEXT NOT NULL,
        seq_no INTEGER NOT NULL,
        number TEXT NOT NULL,
        service TEXT,
        bundle TEXT,
        channel TEXT NOT NULL,
        priority TEXT NOT NULL,
        status TEXT NOT NULL,
        request_id TEXT,
        request_hash TEXT,
        issued_at TEXT NOT NULL,
        called_at TEXT,
        started_at TEXT,
        finished_at TEXT,
        counter INTEGER,
        clerk TEXT,
        outcome TEXT,
        target_counter INTEGER,
        transferred_at TEXT,
        transfer_count INTEGER NOT NULL DEFAULT 0,
        recall_count INTEGER NOT NULL DEFAULT 0,
        wait_seconds REAL,
        service_seconds REAL,
        local_hour INTEGER,
        weekday INTEGER,
        person_hash TEXT,
        person_mask TEXT,
        note TEXT,
        UNIQUE (site_id, day, prefix, seq_no)
    );
    CREATE UNIQUE INDEX tickets_request ON tickets (site_id, request_id) WHERE request_id IS NOT NULL;
    CREATE INDEX tickets_active ON tickets (site_id, status) WHERE status IN ('waiting', 'called', 'serving');
    CREATE INDEX tickets_site_day ON tickets (site_id, day);
    CREATE INDEX tickets_waiting_service ON tickets (site_id, service, issued_at) WHERE status = 'waiting';
    CREATE INDEX tickets_waiting_bundle ON tickets (site_id, bundle, issued_at) WHERE status = 'waiting';
    CREATE INDEX tickets_service_done ON tickets (site_id, service, finished_at) WHERE status = 'done';
    CREATE TABLE number_sequences (
        site_id TEXT NOT NULL,
        day TEXT NOT NULL,
        prefix TEXT NOT NULL,
        last INTEGER NOT NULL,
        PRIMARY KEY (site_id, day, prefix)
    ) WITHOUT ROWID;
    CREATE TABLE events (
        id TEXT PRIMARY KEY,
        site_id TEXT NOT NULL,
        seq INTEGER NOT NULL,
        type TEXT NOT NULL,
        at TEXT NOT NULL,
        ticket_id TEXT,
        counter INTEGER,
        payload TEXT NOT NULL,
        UNIQUE (site_id, seq)
    );
    CREATE INDEX events_ticket ON events (ticket_id);
    CREATE TABLE staff (
        username TEXT PRIMARY KEY,
        password_hash TEXT NOT NULL,
        role TEXT NOT NULL CHECK (role IN ('admin', 'manager', 'clerk')),
        sites TEXT NOT NULL DEFAULT '[]',
        display_name TEXT NOT NULL DEFAULT '',
        active INTEGER NOT NULL DEFAULT 1,
        created_at TEXT NOT NULL
    );
    CREATE TABLE devices (
        id TEXT PRIMARY KEY,
        kind TEXT NOT NULL CHECK (kind IN ('kiosk', 'display', 'sign')),
        site_id TEXT NOT NULL REFERENCES sites(id),
        name TEXT NOT NULL DEFAULT '',
        created_at TEXT NOT NULL,
        revoked_at TEXT,
        last_seen TEXT,
        status TEXT NOT NULL DEFAULT '{}'
    );
    CREATE TABLE tokens (
        hash TEXT PRIMARY KEY,
        kind TEXT NOT NULL CHECK (kind IN ('session', 'device')),
        subject TEXT NOT NULL,
        created_at TEXT NOT NULL,
        expires_at TEXT,
        revoked INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX tokens_subject ON tokens (subject);
    """
    for statement in statements.split(";"):
        if statement.strip():
            conn.execute(statement)


@migration
def ticket_ratings(conn: sqlite3.Connection) -> None:
    """好差评: one rating per ticket, stored with it (level 1..5, channel, time)."""
    conn.execute("ALTER TABLE tickets ADD COLUMN rating INTEGER CHECK (rating BETWEEN 1 AND 5)")
    conn.execute("ALTER TABLE tickets ADD COLUMN rating_channel TEXT")
    conn.execute("ALTER TABLE tickets ADD COLUMN rated_at TEXT")
    conn.execute(
        "CREATE INDEX tickets_rated ON tickets (site_id, day, counter) WHERE rating IS NOT NULL"
    )


@migration
def audit_log(conn: sqlite3.Connection) -> None:
    """Administration changes: who, what, when, before/after (JSON); read newest first by rowid."""
    conn.execute(
        """CREATE TABLE audit_log (
            id TEXT PRIMARY KEY,
            at TEXT NOT NULL,
            actor TEXT NOT NULL,
            action TEXT NOT NULL,
            kind TEXT NOT NULL,
            target TEXT NOT NULL,
            site_id TEXT,
            before TEXT,
            after TEXT
        )"""
    )
    conn.execute("CREATE INDEX audit_log_kind ON audit_log (kind)")


@migration
def report_index(conn: sqlite3.Connection) -> None:
    """A covering index for the managers' reports: a year of tickets is read from this
    narrow copy (about a quarter of the row) instead of the table."""
    conn.execute(
        """CREATE INDEX tickets_report ON tickets (
             site_id, day, status, service, bundle, counter, clerk, channel, priority,
             local_hour, weekday, outcome, rating, wait_seconds, service_seconds,
             transfer_count, recall_count)"""
    )


@migration
def report_rollups(conn: sqlite3.Connection) -> None:
    """Finished months rolled up per site and grouping, so a year's report reads kilobytes."""
    conn.execute(
        """CREATE TABLE report_rollups (
             site_id TEXT NOT NULL, month TEXT NOT NULL, dim TEXT NOT NULL, value TEXT NOT NULL,
             data TEXT NOT NULL, PRIMARY KEY (site_id, month, dim, value)) WITHOUT ROWID"""
    )
    conn.execute(
        """CREATE TABLE report_rollup_months (
             site_id TEXT NOT NULL, month TEXT NOT NULL, target_seconds REAL NOT NULL,
             built_at TEXT NOT NULL, PRIMARY KEY (site_id, month))"""
    )


@migration
def call_candidate_indexes(conn: sqlite3.Connection) -> None:
    """What call-next reads — the oldest (priority) ticket of a queue, the tickets sent to a
    window — found without walking the site's whole waiting list."""
    conn.execute(
        """CREATE INDEX tickets_waiting_priority_service ON tickets (site_id, service, issued_at)
           WHERE status = 'waiting' AND priority != 'ordinary'"""
    )
    conn.execute(
        """CREATE INDEX tickets_waiting_transfers ON tickets (site_id, target_counter)
           WHERE status = 'waiting' AND target_counter IS NOT NULL"""
    )
    conn.execute(
        """CREATE INDEX tickets_waiting_priority_bundle ON tickets (site_id, bundle, issued_at)
           WHERE status = 'waiting' AND priority != 'ordinary'"""
    )


@migration
def queue_rules(conn: sqlite3.Connection) -> None:
    """Issue 8's rules: a ticket's place in time (a missed call's return moves it), its
    latest call, returns and agent; a counter's own rules and mixing state; agents."""
    for column in (
        "queued_at TEXT",
        "last_called_at TEXT",
        "return_count INTEGER NOT NULL DEFAULT 0",
        "agent_id TEXT",
    ):
        conn.execute(f"ALTER TABLE tickets ADD COLUMN {column}")
    # Every row written from now on carries it; rows that can still be called get it here.
    conn.execute(
        "UPDATE tickets SET queued_at = issued_at WHERE status IN ('waiting', 'called', 'serving')"
    )
    for name in (
        "tickets_waiting_service",
        "tickets_waiting_bundle",
        "tickets_waiting_priority_service",
        "tickets_waiting_priority_bundle",
    ):
        conn.execute(f"DROP INDEX IF EXISTS {name}")
    for column in ("service", "bundle"):
        conn.execute(
            f"""CREATE INDEX tickets_waiting_{column} ON tickets (site_id, {column}, queued_at)
                WHERE status = 'waiting'"""
        )
        conn.execute(
            f"""CREATE INDEX tickets_waiting_priority_{column}
                ON tickets (site_id, {column}, queued_at)
                WHERE status = 'waiting' AND priority != 'ordinary'"""
        )
    conn.execute(
        """CREATE INDEX tickets_person_day ON tickets (site_id, person_hash, day)
           WHERE person_hash IS NOT NULL"""
    )
    conn.execute(
        "CREATE INDEX tickets_agent_day ON tickets (site_id, agent_id, day) WHERE agent_id IS NOT NULL"
    )
    conn.execute("ALTER TABLE counters ADD COLUMN rules TEXT NOT NULL DEFAULT '{}'")
    conn.execute("ALTER TABLE counters ADD COLUMN mix_credit INTEGER NOT NULL DEFAULT 0")
    # The people who take tickets for others: renamed `proxies` by `proxies_not_agents`.
    conn.execute(
        """CREATE TABLE agents (
             id TEXT PRIMARY KEY,
             site_id TEXT NOT NULL REFERENCES sites(id),
             name TEXT NOT NULL,
             kind TEXT NOT NULL,
             username TEXT,
             person_hash TEXT,
             daily_cap INTEGER NOT NULL,
             active INTEGER NOT NULL DEFAULT 1,
             created_at TEXT NOT NULL)"""
    )
    conn.execute("CREATE INDEX agents_person ON agents (person_hash) WHERE person_hash IS NOT NULL")
    conn.execute("CREATE INDEX agents_username ON agents (username) WHERE username IS NOT NULL")


@migration
def ordinary_heads(conn: sqlite3.Connection) -> None:
    """With a mixing ratio call-next also needs each queue's oldest *ordinary* ticket."""
    for column in ("service", "bundle"):
        conn.execute(
            f"""CREATE INDEX tickets_waiting_ordinary_{column}
                ON tickets (site_id, {column}, queued_at)
                WHERE status = 'waiting' AND priority = 'ordinary'"""
        )


@migration
def covering_waiting_indexes(conn: sqlite3.Connection) -> None:
    """People ahead is a count over a queue's waiting tickets at every issue and ticket
    read: with every column it tests in the index (status too: SQLite does not take it from
    the index's WHERE) the count never reads the table."""
    for column in ("service", "bundle"):
        conn.execute(f"DROP INDEX IF EXISTS tickets_waiting_{column}")
        conn.execute(
            f"""CREATE INDEX tickets_waiting_{column}
                ON tickets (site_id, {column}, queued_at, seq_no, priority, target_counter, status)
                WHERE status = 'waiting'"""
        )


@migration
def trust_boundaries(conn: sqlite3.Connection) -> None:
    """A sign's evaluator rates only at its own window (`devices.counter`); an audit row names
    every site its change touched, old and new (`sites`, a JSON list: a scoped admin reads
    only rows wholly inside the scope); stored events lose the masked name and the clerk's
    note, which every screen of the site used to hear."""
    conn.execute("ALTER TABLE devices ADD COLUMN counter INTEGER")
    conn.execute("ALTER TABLE audit_log ADD COLUMN sites TEXT NOT NULL DEFAULT '[]'")
    conn.execute("UPDATE audit_log SET sites = json_array(site_id) WHERE site_id IS NOT NULL")
    conn.execute(
        """UPDATE events
           SET payload = json_remove(payload, '$.ticket.person', '$.ticket.note', '$.data.note')
           WHERE json_type(payload, '$.ticket.person') IS NOT NULL
              OR json_type(payload, '$.ticket.note') IS NOT NULL
              OR json_type(payload, '$.data.note') IS NOT NULL"""
    )


@migration
def personal_data_index(conn: sqlite3.Connection) -> None:
    """The tickets that still hold personal data (a card's hash, a masked name, a clerk's
    note), by day: the retention sweep finds the ones past the site's limit without reading
    the years of tickets it already cleared."""
    conn.execute(
        """CREATE INDEX tickets_personal ON tickets (site_id, day)
           WHERE person_hash IS NOT NULL OR person_mask IS NOT NULL OR note IS NOT NULL"""
    )


@migration
def staff_lockout(conn: sqlite3.Connection) -> None:
    """An account locks after consecutive failed logins (accounts/credentials.py), until an admin unlocks it:
    the count and the moment it locked live with the account, so every process sees them."""
    conn.execute("ALTER TABLE staff ADD COLUMN failed_logins INTEGER NOT NULL DEFAULT 0")
    conn.execute("ALTER TABLE staff ADD COLUMN locked_at TEXT")


@migration
def audit_address(conn: sqlite3.Connection) -> None:
    """Access is on the record from where, too: the client address of the request (NULL for
    the command line); the audit page filters by who and from where."""
    conn.execute("ALTER TABLE audit_log ADD COLUMN address TEXT")
    conn.execute("CREATE INDEX audit_log_actor ON audit_log (actor)")
    conn.execute("CREATE INDEX audit_log_address ON audit_log (address)")


@migration
def help_requests(conn: sqlite3.Connection) -> None:
    """Issue 12: the item a citizen who asked for help came for (the ticket is for the
    site's help item)."""
    conn.execute("ALTER TABLE tickets ADD COLUMN help_for TEXT")


@migration
def proxies_not_agents(conn: sqlite3.Connection) -> None:
    """Issue 13: the people who take tickets for others are proxies (代办人), called agents
    before — "agent" is the kiosk's and the window sign's program. The table, the tickets'
    column, their indexes and the audit kind take the new name; the rows keep what they
    hold (an access row's target such as `city-hall/agents` stays what was recorded)."""
    for index in ("tickets_agent_day", "agents_person", "agents_username"):
        conn.execute(f"DROP INDEX IF EXISTS {index}")
    conn.execute("ALTER TABLE agents RENAME TO proxies")
    conn.execute("ALTER TABLE tickets RENAME COLUMN agent_id TO proxy_id")
    conn.execute(
        "CREATE INDEX tickets_proxy_day ON tickets (site_id, proxy_id, day) WHERE proxy_id IS NOT NULL"
    )
    conn.execute(
        "CREATE INDEX proxies_person ON proxies (person_hash) WHERE person_hash IS NOT NULL"
    )
    conn.execute("CREATE INDEX proxies_username ON proxies (username) WHERE username IS NOT NULL")
    conn.execute("UPDATE audit_log SET kind = 'proxy' WHERE kind = 'agent'")


@migration
def edge_centres(conn: sqlite3.Connection) -> None:
    """Issue 14: stations that keep serving when the network doesn't.

    - devices: any kind the code knows (an `edge` centre, later a booking `platform`), so the
      table loses its CHECK (rebuilt: SQLite cannot drop a constraint); each device's token
      is also kept hashed under its site's key (`site_token_hash`), which the centre that
      serves the site — the city, or the station's own edge centre — checks it with;
    - sites.owner: the edge centre (its device id) that owns the site's queues, or NULL for
      the city; `returning:<id>` while a site goes back to the city;
    - edge_links (the city's view of each edge: last contact, what it still has to send,
      its clock, the configuration it holds) and edge_state (a station's own: what the city
      has acknowledged, its keys, the configuration's digest and age)."""
    conn.execute(
        """CREATE TABLE devices_new (
             id TEXT PRIMARY KEY,
             kind TEXT NOT NULL,
             site_id TEXT NOT NULL REFERENCES sites(id),
             name TEXT NOT NULL DEFAULT '',
             created_at TEXT NOT NULL,
             revoked_at TEXT,
             last_seen TEXT,
             status TEXT NOT NULL DEFAULT '{}',
             counter INTEGER,
             site_token_hash TEXT)"""
    )
    conn.execute(
        """INSERT INTO devices_new (id, kind, site_id, name, created_at, revoked_at, last_seen, status, counter)
           SELECT id, kind, site_id, name, created_at, revoked_at, last_seen, status, counter FROM devices"""
    )
    conn.execute("DROP TABLE devices")
    conn.execute("ALTER TABLE devices_new RENAME TO devices")
    conn.execute("CREATE INDEX devices_site ON devices (site_id)")
    conn.execute("CREATE UNIQUE INDEX devices_site_token ON devices (site_token_hash) WHERE site_token_hash IS NOT NULL")
    conn.execute("ALTER TABLE sites ADD COLUMN owner TEXT")
    conn.execute(
        """CREATE TABLE edge_links (
             site_id TEXT PRIMARY KEY REFERENCES sites(id),
             device_id TEXT NOT NULL,
             last_contact TEXT NOT NULL,
             station_seq INTEGER NOT NULL DEFAULT 0,
             backlog INTEGER NOT NULL DEFAULT 0,
             clock_offset_seconds REAL,
             config_digest TEXT,
             config_at TEXT)"""
    )
    conn.execute("CREATE TABLE edge_state (key TEXT PRIMARY KEY, value TEXT NOT NULL)")


@migration
def appointments(conn: sqlite3.Connection) -> None:
    """Issue 15: bookable slots, appointments and remote tickets.

    - slot_plans: per site and item (a service or a bundle), how its day is cut into slots,
      how many citizens one slot takes, how far ahead it may be booked and the share of
      each slot kept for walk-ins;
    - appointments: one booking; the ID number only as its keyed hash, the name masked, the
      phone number kept until the booking's day is over (reminders and calls reach it), the
      ticket its check-in issued;
    - tickets.arrival: for a remote ticket (线上取号) the citizen is not there yet
      ('expected') until a check-in at the kiosk or a clerk confirms them ('arrived');
      NULL for every ticket taken in the hall."""
    conn.execute(
        """CREATE TABLE slot_plans (
             site_id TEXT NOT NULL REFERENCES sites(id),
             item_kind TEXT NOT NULL CHECK (item_kind IN ('service', 'bundle')),
             item_code TEXT NOT NULL,
             slot_minutes INTEGER NOT NULL,
             capacity INTEGER NOT NULL,
             days_ahead INTEGER NOT NULL,
             walk_in_share REAL NOT NULL DEFAULT 0,
             PRIMARY KEY (site_id, item_kind, item_code))"""
    )
    conn.execute(
        """CREATE TABLE appointments (
             id TEXT PRIMARY KEY,
             code TEXT NOT NULL UNIQUE,
             site_id TEXT NOT NULL REFERENCES sites(id),
             service TEXT,
             bundle TEXT,
             start TEXT NOT NULL,
             day TEXT NOT NULL,
             slot_minutes INTEGER NOT NULL,
             status TEXT NOT NULL,
             channel TEXT NOT NULL,
             booked_by TEXT,
             person_hash TEXT,
             person_mask TEXT,
             phone TEXT,
             request_id TEXT,
             fingerprint TEXT,
             created_at TEXT NOT NULL,
             changed_at TEXT,
             checked_in_at TEXT,
             ticket_id TEXT,
             late INTEGER,
             reminded INTEGER NOT NULL DEFAULT 0)"""
    )
    conn.execute(
        "CREATE UNIQUE INDEX appointments_request ON appointments (site_id, request_id) WHERE request_id IS NOT NULL"
    )
    conn.execute("CREATE INDEX appointments_slot ON appointments (site_id, day, start)")
    conn.execute("CREATE INDEX appointments_person ON appointments (person_hash, day)")
    conn.execute("CREATE INDEX appointments_ticket ON appointments (ticket_id) WHERE ticket_id IS NOT NULL")
    conn.execute("CREATE INDEX appointments_open ON appointments (start) WHERE status = 'booked'")
    conn.execute("ALTER TABLE tickets ADD COLUMN arrival TEXT")


@migration
def webhooks(conn: sqlite3.Connection) -> None:
    """Issue 15: webhooks for the city's SMS or WeChat gateway.

    - webhooks: one subscription: where to POST, the secret it is signed with (kept so the
      centre can sign; shown once, at creation), the events it wants, the sites it covers
      (a JSON list; NULL for every site), whether it wants `ticket.three_ahead` for every
      ticket or only for booked ones (`all_tickets`);
    - webhook_deliveries: one POST to make, its body exactly as it is sent (and re-sent),
      its state (pending → delivered, or failed after the last attempt) and its log;
    - webhook_cursors: per site, the last event of the events log already turned into
      deliveries (moved in the same transaction as the deliveries it made);
    - webhook_three_ahead: the tickets already told they have three or fewer ahead."""
    conn.execute(
        """CREATE TABLE webhooks (
             id TEXT PRIMARY KEY,
             name TEXT NOT NULL DEFAULT '',
             url TEXT NOT NULL,
             secret TEXT NOT NULL,
             events TEXT NOT NULL,
             sites TEXT,
             all_tickets INTEGER NOT NULL DEFAULT 0,
             active INTEGER NOT NULL DEFAULT 1,
             created_by TEXT,
             created_at TEXT NOT NULL,
             changed_at TEXT)"""
    )
    conn.execute(
        """CREATE TABLE webhook_deliveries (
             id TEXT PRIMARY KEY,
             webhook_id TEXT NOT NULL REFERENCES webhooks(id) ON DELETE CASCADE,
             event TEXT NOT NULL,
             site_id TEXT NOT NULL,
             body TEXT NOT NULL,
             status TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'failed')),
             attempts INTEGER NOT NULL DEFAULT 0,
             next_at TEXT,
             last_status INTEGER,
             last_error TEXT,
             created_at TEXT NOT NULL,
             delivered_at TEXT)"""
    )
    conn.execute("CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_at) WHERE status = 'pending'")
    conn.execute("CREATE INDEX webhook_deliveries_log ON webhook_deliveries (webhook_id, created_at)")
    conn.execute("CREATE TABLE webhook_cursors (site_id TEXT PRIMARY KEY, seq INTEGER NOT NULL)")
    conn.execute("CREATE TABLE webhook_three_ahead (ticket_id TEXT PRIMARY KEY, at TEXT NOT NULL)")


@migration
def opening_days(conn: sqlite3.Connection) -> None:
    """Issue 15: the calendar a site opens by (engine/opening_days.py).

    - national_days: the State Council's statutory holidays and make-up working days (调休),
      one row a date; a workday names the weekday whose hours apply (`hours_of`). Seeded
      here from the `chinesecalendar` package, so a new hall knows its years;
    - site_days: a site's own exceptions: closed (`spans` '[]') or its own spans;
    - sites.days: both resolved for the site (ISO date → spans), written whenever the
      calendar, the site's hours or its settings change: a site is loaded on every issue,
      and its row (with the days) is what an edge centre's snapshot copies."""
    from queue_server.storage.opening_days import OpeningDays, seed_rows

    conn.execute(
        """CREATE TABLE national_days (
             day TEXT PRIMARY KEY,
             kind TEXT NOT NULL CHECK (kind IN ('holiday', 'workday')),
             name TEXT NOT NULL DEFAULT '',
             hours_of TEXT NOT NULL DEFAULT 'mon')"""
    )
    conn.execute(
        """CREATE TABLE site_days (
             site_id TEXT NOT NULL REFERENCES sites(id),
             day TEXT NOT NULL,
             spans TEXT NOT NULL DEFAULT '[]',
             note TEXT NOT NULL DEFAULT '',
             PRIMARY KEY (site_id, day))"""
    )
    conn.execute("ALTER TABLE sites ADD COLUMN days TEXT NOT NULL DEFAULT '{}'")
    calendar = OpeningDays(conn)
    calendar.add_national(seed_rows())
    calendar.resolve_all()


@migration
def window_plans(conn: sqlite3.Connection) -> None:
    """Issue 16: window plans (窗口方案推演), drafted by a site's managers.

    One row a plan: its site, name, body (JSON: the windows, each with its profile,
    rules and open hours by weekday), who drafted it and when; `applied_from` the local
    date its windows' profiles apply to the site's counters from (set by an admin),
    `applied_at` when they were applied (NULL while that date is still to come: the
    sweeper applies it then), `applied_by` who asked."""
    conn.execute(
        """CREATE TABLE window_plans (
             id TEXT PRIMARY KEY,
             site_id TEXT NOT NULL REFERENCES sites(id),
             name TEXT NOT NULL,
             body TEXT NOT NULL,
             created_by TEXT,
             created_at TEXT NOT NULL,
             changed_at TEXT,
             applied_from TEXT,
             applied_at TEXT,
             applied_by TEXT)"""
    )
    conn.execute("CREATE INDEX window_plans_site ON window_plans (site_id, created_at)")
    conn.execute(
        "CREATE INDEX window_plans_pending ON window_plans (applied_from) "
        "WHERE applied_from IS NOT NULL AND applied_at IS NULL"
    )


@migration
def follow_ups(conn: sqlite3.Connection) -> None:
    """Issue 16: 好差评 as the rules want it (engine/ratings.py).

    - tickets.rating_reason, rating_note: a 差评's reason from the national list (the
      evaluator's: `not_stated`) and the citizen's optional short text, which retention
      forgets like the other personal fields (the `tickets_personal` index says so);
    - follow_ups: one per 差评 (整改/回访), open until a manager of its site closes it
      with a note; `due_on` is the local day it is due (15 working days by the site's
      calendar)."""
    conn.execute("ALTER TABLE tickets ADD COLUMN rating_reason TEXT")
    conn.execute("ALTER TABLE tickets ADD COLUMN rating_note TEXT")
    conn.execute(
        """CREATE TABLE follow_ups (
             id TEXT PRIMARY KEY,
             site_id TEXT NOT NULL REFERENCES sites(id),
             ticket_id TEXT NOT NULL UNIQUE REFERENCES tickets(id),
             counter INTEGER,
             clerk TEXT,
             level INTEGER NOT NULL CHECK (level IN (1, 2)),
             reason TEXT NOT NULL,
             opened_at TEXT NOT NULL,
             due_on TEXT NOT NULL,
             status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed')),
             closed_by TEXT,
             closed_at TEXT,
             note TEXT)"""
    )
    conn.execute("CREATE INDEX follow_ups_of_site ON follow_ups (site_id, status, opened_at)")
    # The citizen's note may say who they are: retention forgets it with the rest
    # (`Purges.forget_ticket_persons` repeats this condition word for word).
    conn.execute("DROP INDEX tickets_personal")
    conn.execute(
        """CREATE INDEX tickets_personal ON tickets (site_id, day)
           WHERE person_hash IS NOT NULL OR person_mask IS NOT NULL OR note IS NOT NULL
              OR rating_note IS NOT NULL"""
    )


@migration
def promised_waits(conn: sqlite3.Connection) -> None:
    """Issue 16: the wait a ticket was promised at issue (`estimates.wait_band`), so that
    it can be measured against the wait it had (the `estimate_accuracy` report). Older
    tickets keep NULL and are left out of the measure. Bundles' finished tickets get the
    index services have: their measured minutes feed the estimate too."""
    conn.execute("ALTER TABLE tickets ADD COLUMN promised_low INTEGER")
    conn.execute("ALTER TABLE tickets ADD COLUMN promised_high INTEGER")
    conn.execute(
        "CREATE INDEX tickets_bundle_done ON tickets (site_id, bundle, finished_at) WHERE status = 'done'"
    )


@migration
def ticket_stages(conn: sqlite3.Connection) -> None:
    """Issue 16: the stages of a “一件事” ticket (engine/bundle_stages.py).

    One row per item done: its ticket, its position (1, 2, … in the order done), the
    item's service code, the window and clerk, started and finished times, `timed` (0:
    served with other items in a span the clerk did not split), and the citizen's rating
    of that stage (1–5) with when it was given."""
    conn.execute(
        """CREATE TABLE ticket_stages (
             ticket_id TEXT NOT NULL REFERENCES tickets(id),
             position INTEGER NOT NULL,
             service TEXT NOT NULL,
             counter INTEGER,
             clerk TEXT,
             started_at TEXT,
             finished_at TEXT,
             timed INTEGER NOT NULL DEFAULT 1,
             rating INTEGER,
             rated_at TEXT,
             PRIMARY KEY (ticket_id, position),
             UNIQUE (ticket_id, service))"""
    )


# The columns of `sites` whose change is a change of configuration: all but `last_seq`,
# which every event moves (tests/queue_server/storage/test_configuration.py checks that
# this lists every other column).
SITE_CONFIGURATION_COLUMNS = (
    "id", "name", "name_en", "kind", "parent_id", "timezone", "hours", "settings", "owner", "days",
)  # fmt: skip
CONFIGURATION_TABLES = ("sites", "services", "bundles", "site_offerings")


@migration
def configuration_token(conn: sqlite3.Connection) -> None:
    """Issue 18: a token that changes with every change to the sites, the catalogue or what
    the sites offer, so that a process may keep them in memory between changes
    (storage/configuration.py).

    Triggers move it, so every writer does: this process, another one, the command line, an
    edge centre's sync. It is a random value rather than a count: a change rolled back
    leaves its token to no later change, so nothing kept under it can be taken for current."""
    conn.execute(
        "CREATE TABLE configuration_token (id INTEGER PRIMARY KEY CHECK (id = 1), token INTEGER NOT NULL)"
    )
    conn.execute("INSERT INTO configuration_token (id, token) VALUES (1, random())")
    renew = "UPDATE configuration_token SET token = random() WHERE id = 1;"
    for table in CONFIGURATION_TABLES:
        # An event's `UPDATE sites SET last_seq = …` names no configuration column: no new token.
        updated = f"UPDATE OF {', '.join(SITE_CONFIGURATION_COLUMNS)}" if table == "sites" else "UPDATE"
        for name, change in (("insert", "INSERT"), ("delete", "DELETE"), ("update", updated)):
            conn.execute(
                f"CREATE TRIGGER configuration_{table}_{name} AFTER {change} ON {table} BEGIN {renew} END"
            )
