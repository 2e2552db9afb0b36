"""The courier: the one worker that turns the events log into deliveries and sends them.

Each round it (1) follows each site's events log from its cursor and, in one transaction
with moving the cursor, writes a delivery per subscription for each `ticket.called`,
`ticket.recalled` and `ticket.no_show`, and one `ticket.three_ahead` per ticket that a
call brought to three or fewer people ahead; (2) POSTs the deliveries whose time has
come, signed, one at a time, with a short timeout, and records each answer. Nothing
here runs in a request: a gateway that hangs holds this thread, never a call.
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import logging
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from devices.loop_thread import LoopThread
from queue_server import webhooks
from queue_server.calling.operations import Operations
from queue_server.engine.model import Site, TicketStatus
from queue_server.storage import Row, Store
from queue_server.storage.records import from_text
from queue_server.wire import ticket_payload

log = logging.getLogger("hallqueue.webhooks")

# Multiples of the retry base (10 s by default: 10 s, 30 s, 2 min, 10 min, 1 h, then hourly).
BACKOFF = (1, 3, 12, 60, 360)
EVENTS_PER_ROUND = 500  # of one site, per transaction: the write lock is held briefly
SENDS_PER_ROUND = 50
FORGET_EVERY_SECONDS = 3600.0
USER_AGENT = "hallqueue-webhooks/1"


@dataclass(frozen=True)
class Timing:
    every_seconds: float = 1.0
    timeout_seconds: float = 5.0
    retry_seconds: float = 10.0
    attempts: int = 8
    keep_days: float = 7.0

    @classmethod
    def from_settings(cls, values: dict[str, Any]) -> Timing:
        return cls(
            float(values["WEBHOOK_SECONDS"]),
            float(values["WEBHOOK_TIMEOUT_SECONDS"]),
            float(values["WEBHOOK_RETRY_SECONDS"]),
            int(values["WEBHOOK_ATTEMPTS"]),
            float(values["WEBHOOK_KEEP_DAYS"]),
        )

    def retry_after(self, attempts: int) -> float | None:
        """Seconds before the next try after `attempts` failed ones; None: no more tries."""
        if attempts >= self.attempts:
            return None
        return self.retry_seconds * BACKOFF[min(attempts, len(BACKOFF)) - 1]


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """`sha256=` and the hex HMAC-SHA256 of `timestamp.body` under the subscription's secret."""
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect is an answer that is not 2xx (urllib would re-send a POST as a GET)."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


# Straight to the gateway: no proxy from the environment, no redirects.
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirects())


def post(url: str, secret: str, delivery: str, event: str, body: bytes, timeout: float) -> tuple[int | None, str | None]:
    """POST one delivery; (HTTP status or None, error or None: None means delivered)."""
    timestamp = str(int(time.time()))
    request = urllib.request.Request(
        url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": USER_AGENT,
            "X-Hallqueue-Event": event,
            "X-Hallqueue-Delivery": delivery,
            "X-Hallqueue-Timestamp": timestamp,
            "X-Hallqueue-Signature": signature(secret, timestamp, body),
        },
    )
    try:
        with _OPENER.open(request, timeout=timeout) as answer:
            status = int(answer.status)
    except urllib.error.HTTPError as refused:
        return refused.code, f"HTTP {refused.code}"
    except urllib.error.URLError as failed:
        return None, f"{type(failed.reason).__name__}: {failed.reason}"[:300]
    except (OSError, http.client.HTTPException) as failed:  # timeouts, resets, bad answers
        return None, f"{type(failed).__name__}: {failed}"[:300]
    if 200 <= status < 300:
        return status, None
    return status, f"HTTP {status}"


class Courier:
    def __init__(self, ops: Operations, timing: Timing, send: Callable[..., tuple[int | None, str | None]] = post) -> None:
        self.ops = ops
        self.db = ops.db
        self.timing = timing
        self.send = send
        self.thread = LoopThread(self._loop, name="webhooks", join_timeout=timing.timeout_seconds + 2)
        self._forgot_at = 0.0

    # --- the thread -------------------------------------------------------------------

    def start(self) -> None:
        self.db.before_closing(self.stop)
        self.thread.start()

    def stop(self) -> None:
        self.thread.stop()

    def _loop(self) -> None:
        while not self.thread.stopping.wait(self.timing.every_seconds):
            if self.db.closed:  # the centre is gone: never reopen its file
                return
            try:
                self.round()
            except Exception:  # a failed round must not end the thread; the next one retries
                log.exception("the webhook courier's round failed")

    def round(self) -> int:
        """One round: follow the logs, send what is due; returns how many were sent."""
        if not self.db.store.webhooks.any_active():
            return 0  # nobody to tell: one indexed read a round
        self.follow()
        sent = self.send_due()
        if time.monotonic() - self._forgot_at > FORGET_EVERY_SECONDS:
            self._forgot_at = time.monotonic()
            with self.db.transaction() as store:
                store.webhooks.forget_finished(self.ops.clock() - timedelta(days=self.timing.keep_days))
        return sent

    # --- (1) the events log into deliveries ---------------------------------------------

    def follow(self) -> int:
        """Turn each site's new events into deliveries; returns how many were made."""
        made = 0
        covered = self.db.store.webhooks.covered_sites()
        for site in self.db.store.sites.all():
            if covered is not None and site.id not in covered:
                continue  # nobody listens there (a subscription starts its sites' cursors)
            reading = self.db.store
            if reading.webhooks.cursor(site.id) >= reading.events.last_seq(site.id):
                continue
            with self.db.transaction() as store:  # the deliveries and the cursor, together
                made += self._follow_site(store, site)
        return made

    def _follow_site(self, store: Store, site: Site) -> int:
        events = store.events.since(site.id, store.webhooks.cursor(site.id), EVENTS_PER_ROUND)
        if not events:
            return 0
        now = self.ops.clock()
        made = 0
        called = False
        for event in events:
            kind = event["type"]
            if kind not in webhooks.FROM_THE_LOG or not event.get("ticket"):
                continue
            called = called or kind == webhooks.TICKET_CALLED
            at = from_text(event["at"]) or now
            data = self._ticket_data(store, event["ticket"], event.get("counter"))
            made += store.webhooks.enqueue_at(site.id, kind, data, at, now)
        if called:
            made += self._three_ahead(store, site, now)
        store.webhooks.move_cursor(site.id, int(events[-1]["seq"]))
        return made

    def _three_ahead(self, store: Store, site: Site, now: datetime) -> int:
        """After a call: one `ticket.three_ahead` for each waiting ticket with three or
        fewer ahead not told before — booked tickets (a gateway has their phone) for every
        subscription, the others only for subscriptions that ask for every ticket."""
        wanting = store.webhooks.wants(site.id, webhooks.TICKET_THREE_AHEAD)
        if not wanting:
            return 0
        every_ticket = any(row["all_tickets"] for row in wanting)
        waiting = [t for t in store.tickets.waiting(site.id) if t.status == TicketStatus.WAITING]
        booked = store.webhooks.booked_tickets(t.id for t in waiting)
        told = store.webhooks.told_three_ahead(t.id for t in waiting)
        made = 0
        for ticket in waiting:
            if ticket.id in told or (ticket.id not in booked and not every_ticket):
                continue
            ahead = self.ops.people_ahead(store, site, ticket)
            if ahead > webhooks.AHEAD:
                continue
            data = {**self._ticket_data(store, ticket_payload(ticket), None), "ahead": ahead}
            made += store.webhooks.enqueue_at(
                site.id, webhooks.TICKET_THREE_AHEAD, data, now, now,
                all_tickets_only=ticket.id not in booked,
            )  # fmt: skip
            store.webhooks.mark_three_ahead(ticket.id, now)
        return made

    @staticmethod
    def _ticket_data(store: Store, ticket: dict[str, Any], counter: dict[str, Any] | None) -> dict[str, Any]:
        """What a gateway needs to tell the citizen: the ticket, its item, its window, and
        for a ticket checked in from a booking the booking's code and phone — never a name
        or an ID number."""
        data: dict[str, Any] = {
            "ticket": ticket["id"],
            "number": ticket["number"],
            "site": ticket["site"],
            "service": ticket.get("service"),
            "bundle": ticket.get("bundle"),
            "counter": counter["number"] if counter else ticket.get("counter"),
            "counter_name": counter.get("name") if counter else None,
        }
        contact = store.appointments.contact_for_ticket(ticket["id"])
        if contact is not None:
            data["code"] = contact["code"]
            data["phone"] = contact["phone"]
        return data

    # --- (2) sending ----------------------------------------------------------------------

    def send_due(self) -> int:
        """POST the deliveries whose time has come; returns how many were delivered."""
        delivered = 0
        for row in self.db.store.webhooks.due(self.ops.clock(), SENDS_PER_ROUND):
            if self.thread.stopping.is_set():
                break
            delivered += self._send(row)
        return delivered

    def _send(self, row: Row) -> int:
        status, error = self.send(
            row["url"], row["secret"], row["id"], row["event"], row["body"].encode(),
            self.timing.timeout_seconds,
        )  # fmt: skip
        now = self.ops.clock()
        with self.db.transaction() as store:
            if error is None:
                store.webhooks.delivered(row["id"], status or 200, now)
                return 1
            wait = self.timing.retry_after(int(row["attempts"]) + 1)
            retry_at = None if wait is None else now + timedelta(seconds=wait)
            store.webhooks.missed(row["id"], status, error, retry_at)
        log.info(
            "webhook delivery %s (%s) to subscription %s failed: %s; %s",
            row["id"], row["event"], row["webhook_id"], error,
            "giving up" if retry_at is None else f"retry in {wait:g} s",
        )  # fmt: skip
        return 0
