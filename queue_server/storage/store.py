"""The store: every repository over one connection, and the transaction they share.

The rest of the centre reads and writes through a `Store`, never through SQL — as a
sqlite-utils user goes through `db["tickets"]` rather than a cursor: `store.sites.get(…)`,
`store.tickets.insert(…)`, `store.events.append(…)`. A store is bound to one connection,
so everything done through it in a transaction commits or rolls back together:

- `Database.transaction()` gives the store of this thread's connection inside one
  `BEGIN IMMEDIATE … COMMIT`;
- `Operations.commit` hands each change's work function the store of the group commit's
  connection (`begin`, `savepoint`, `commit` below are that group commit's steps);
- `Database.store`, outside a transaction, reads what is committed.

One store per pooled connection is made once and kept with it, so taking one costs nothing;
the stores of one `Database` share what `configuration` keeps.
"""

from __future__ import annotations

from queue_server.storage.appointments import Appointments
from queue_server.storage.audit import AuditLog
from queue_server.storage.booking_reports import BookingReports
from queue_server.storage.calling_reads import CallingReads
from queue_server.storage.catalogue import Catalogue, Offerings
from queue_server.storage.configuration import Configuration, ConfigurationCache
from queue_server.storage.counters import Counters
from queue_server.storage.devices import Devices
from queue_server.storage.events import Events
from queue_server.storage.follow_ups import FollowUps
from queue_server.storage.migrations import current_version
from queue_server.storage.numbers import Numbers
from queue_server.storage.opening_days import OpeningDays
from queue_server.storage.proxies import Proxies
from queue_server.storage.purges import Purges
from queue_server.storage.replication import Replication
from queue_server.storage.reports import Reports
from queue_server.storage.repository import Connection
from queue_server.storage.rollups import Rollups
from queue_server.storage.sites import Sites
from queue_server.storage.staff import Staff
from queue_server.storage.ticket_stages import TicketStages
from queue_server.storage.tickets import Tickets
from queue_server.storage.tokens import Tokens
from queue_server.storage.webhooks import Webhooks
from queue_server.storage.window_plans import WindowPlans


class Store:
    def __init__(self, conn: Connection, configuration: ConfigurationCache | None = None) -> None:
        self._conn = conn
        # the queue
        self.sites = Sites(conn)
        # sites, catalogue and offerings kept between their changes (one cache per process)
        self.configuration = Configuration(conn, configuration)
        self.catalogue = Catalogue(conn)
        self.offerings = Offerings(conn)
        self.counters = Counters(conn)
        self.tickets = Tickets(conn)
        self.numbers = Numbers(conn)
        self.events = Events(conn)
        self.proxies = Proxies(conn)
        self.appointments = Appointments(conn)  # bookings and their slots
        self.opening_days = OpeningDays(conn)  # holidays, make-up days, a site's closures
        self.calling_reads = CallingReads(conn)  # what the calling screens read
        self.window_plans = WindowPlans(conn)  # drafts of other windows, replayed on history
        self.follow_ups = FollowUps(conn)  # 差评 and their 整改/回访
        self.ticket_stages = TicketStages(conn)  # the items of “一件事” tickets, done and rated
        # accounts and administration
        self.staff = Staff(conn)
        self.tokens = Tokens(conn)
        self.devices = Devices(conn)
        self.audit = AuditLog(conn)
        # reports and retention
        self.rollups = Rollups(conn)
        self.reports = Reports(conn)
        self.booking_reports = BookingReports(conn)  # bookings and tickets by channel
        self.purges = Purges(conn)
        # edge centres: what flows between a station and the city
        self.replication = Replication(conn)
        # the city's SMS or WeChat gateway: subscriptions and the deliveries owed to them
        self.webhooks = Webhooks(conn)

    def schema_version(self) -> int:
        """The schema's version (its last migration): a station and its city must agree."""
        return current_version(self._conn)

    # --- the group commit's steps (`Operations.commit`) -------------------------------

    @property
    def in_transaction(self) -> bool:
        return self._conn.in_transaction

    def begin(self) -> None:
        """`BEGIN IMMEDIATE`: the write lock is taken now, not at the first write."""
        self._conn.execute("BEGIN IMMEDIATE")

    def begin_read(self) -> None:
        """A deferred `BEGIN`: a read snapshot, taken at the first read, no lock held."""
        self._conn.execute("BEGIN")

    def commit(self) -> None:
        self._conn.execute("COMMIT")

    def rollback(self) -> None:
        self._conn.execute("ROLLBACK")

    def savepoint(self, name: str) -> None:
        """Mark a point inside the transaction that one change can be rolled back to alone."""
        self._conn.execute(f"SAVEPOINT {name}")

    def rollback_to(self, name: str) -> None:
        self._conn.execute(f"ROLLBACK TO {name}")

    def release(self, name: str) -> None:
        self._conn.execute(f"RELEASE {name}")
