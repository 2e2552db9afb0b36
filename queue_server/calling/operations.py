"""The imperative shell around the engine.

Each operation opens one `BEGIN IMMEDIATE` transaction, loads what the engine
needs, lets the engine decide, stores the changed records, appends the events with
their site-wide sequence numbers, commits, and only then publishes the events.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from queue_server import wire
from queue_server.administration import audit
from queue_server.calling import self_service
from queue_server.calling.follow_ups import open_follow_up
from queue_server.engine import bundle_stages, estimates, hours, lifecycle, ratings, rules
from queue_server.engine.call_order import CallingPolicy
from queue_server.engine.errors import (
    AlreadyRated,
    InvalidInput,
    NotOffered,
    RequestIdReused,
    SiteOwnedByEdge,
    UnknownBundle,
    UnknownCounter,
    UnknownService,
    UnknownSite,
    UnknownTicket,
)
from queue_server.engine.ids import new_id
from queue_server.engine.lifecycle import Change
from queue_server.engine.model import (
    EXPECTED,
    Bundle,
    Channel,
    Counter,
    Event,
    Outcome,
    Priority,
    Service,
    Site,
    Ticket,
    TicketStatus,
)
from queue_server.people import proxies
from queue_server.people.persons import check_holdings
from queue_server.storage import Database, Store
from queue_server.storage.configuration import ConfigurationView

Publisher = Callable[[list[dict[str, Any]]], None]

COUNTER_ACTIONS = (
    "open",
    "pause",
    "close",
    "call-next",
    "call",
    "recall",
    "start",
    "finish",
    "no-show",
    "transfer",
    "take-over",  # managers only (the API checks the role): another clerk's window
)


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Issued:
    ticket: Ticket
    ahead: int
    estimated_wait_minutes: int
    created: bool  # False when an earlier request with the same id is answered again
    # The band around the estimate (约 15–25 分钟): what a ticket is promised at issue.
    band: estimates.WaitBand = estimates.WaitBand(0, 0, 0)
    # What the transaction already read, so the answer is built without reading them again
    # (None where the caller had no reason to read them); not part of the ticket's identity.
    site: Site | None = field(default=None, compare=False)
    item: Service | Bundle | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Rating:
    ticket_id: str
    level: int
    channel: str
    at: str
    reason: str | None = None  # a 差评's (engine.ratings.BAD_REASONS, or not_stated)


@dataclass(frozen=True)
class CounterResult:
    counter: Counter
    ticket: Ticket | None


def _request_fingerprint(
    service: str | None,
    bundle: str | None,
    channel: str,
    priority: str,
    person: str | None,
    *extra: str | None,
) -> str:
    # Fields added later join only when given, so earlier requests keep their fingerprint.
    given = [value for value in extra if value is not None]
    text = json.dumps([service, bundle, channel, priority, person, *given])
    return hashlib.sha256(text.encode()).hexdigest()[:32]


Work = Callable[[Store], tuple[Any, list[Change], Site]]


class _Job:
    """One change waiting for (or done by) a group commit."""

    __slots__ = ("work", "done", "result", "error", "payloads")

    def __init__(self, work: Work) -> None:
        self.work = work
        self.done = False
        self.result: Any = None
        self.error: Exception | None = None
        self.payloads: list[dict[str, Any]] = []


def _creates_ticket(change: Change) -> bool:
    return any(event.type == wire.TICKET_ISSUED for event in change.events)


class Operations:
    def __init__(
        self,
        db: Database,
        publish: Publisher | None = None,
        clock: Callable[[], datetime] = utcnow,
        ignore_hours: bool = False,
        serves_as: Callable[[], str | None] = lambda: None,
    ) -> None:
        self.db = db
        self.publish: Publisher = publish or (lambda payloads: None)
        self.clock = clock
        self.ignore_hours = ignore_hours
        # Which centre this is: None for the city, an edge centre's device id at a station.
        # A site's queues change only at the centre that owns them (`owns`).
        self.serves_as = serves_as
        self._sweep_lock = threading.Lock()
        self._pending: list[_Job] = []
        self._pending_lock = threading.Lock()

    # --- the one way to change anything (used by the other shell modules too) -------

    def commit(self, work: Work) -> Any:
        """Run `work` in a transaction, store its changes and events, then publish them.

        Group commit: a change queues its work; whichever thread holds the write lock
        runs every queued change in one `BEGIN IMMEDIATE` transaction, each under its
        own savepoint (a failing change is rolled back alone), commits once — one
        fsync for the batch — and publishes the events in sequence order. A change is
        acknowledged only after that commit. `work` must read and write only through the
        store it is given (bound to the batch's connection): it may run on another thread.
        """
        job = _Job(work)
        with self._pending_lock:
            self._pending.append(job)
        with self.db.write_lock:
            if not job.done:
                with self._pending_lock:
                    batch, self._pending = self._pending, []
                self._run_batch(batch)
        if job.error is not None:
            raise job.error
        return job.result

    def _run_batch(self, batch: list[_Job]) -> None:
        store = self.db.store
        try:
            store.begin()
            for job in batch:
                store.savepoint("change")
                try:
                    job.result, changes, site = job.work(store)
                    job.payloads = self._save(store, changes, site)
                except Exception as exc:  # this change fails alone; the others go on
                    store.rollback_to("change")
                    job.error = exc
                store.release("change")
            store.commit()
        except BaseException as exc:
            if store.in_transaction:
                store.rollback()
            for job in batch:
                job.error = job.error or (exc if isinstance(exc, Exception) else RuntimeError(str(exc)))
                job.payloads = []
            for job in batch:
                job.done = True
            if not isinstance(exc, Exception):
                raise
            return
        payloads = [p for job in batch for p in job.payloads]
        for job in batch:
            job.done = True
        if payloads:
            self.publish(payloads)

    def owns(self, site: Site) -> bool:
        """Whether this centre owns the site's queues (the city: every site no edge owns)."""
        return site.owner == self.serves_as()

    def _save(self, store: Store, changes: list[Change], site: Site) -> list[dict[str, Any]]:
        if changes and not self.owns(site):
            # One choke point for every change: the transaction (its savepoint) is undone.
            raise SiteOwnedByEdge(site=site.id, owner=store.devices.name_of(site.owner or ""))
        payloads: list[dict[str, Any]] = []
        for change in changes:
            if change.counter is not None:
                store.counters.save(change.counter)
            # A new ticket was inserted by `issue_ticket` itself (with its request fingerprint).
            if change.ticket is not None and not _creates_ticket(change):
                store.tickets.update(change.ticket, site.timezone)
            payloads.extend(store.events.append(change.events, wire.event_payload))
        # A change to a ticket of a finished month (a late rating, a day closed after
        # midnight) makes that month's report roll-up stale.
        this_month = hours.local_day(self.clock(), site.timezone)[:7]
        stale = {
            event.ticket.day
            for change in changes
            for event in change.events
            if event.ticket is not None and event.ticket.day[:7] < this_month
        }
        if stale:
            store.rollups.forget_months(site.id, stale)
        return payloads

    # --- lookups ----------------------------------------------------------------------

    def _site(self, store: Store, site_id: str) -> Site:
        # Kept in memory between changes of the configuration (storage/configuration.py).
        site = store.configuration.current().site(site_id)
        if site is None:
            raise UnknownSite(site=site_id)
        return site

    def _ticket_and_site(self, store: Store, ticket_id: str) -> tuple[Ticket, Site]:
        ticket = store.tickets.get(ticket_id)
        if ticket is None:
            raise UnknownTicket(ticket=ticket_id)
        return ticket, self._site(store, ticket.site_id)

    def _counter(self, store: Store, site_id: str, number: int) -> Counter:
        counter = store.counters.get(site_id, number)
        if counter is None:
            raise UnknownCounter(counter=number)
        return counter

    def _item(
        self, catalogue: ConfigurationView, service: str | None, bundle: str | None
    ) -> Service | Bundle:
        if (service is None) == (bundle is None):
            raise InvalidInput("give exactly one of service or bundle", field="service")
        if service is not None:
            found = catalogue.service(service)
            if found is None:
                raise UnknownService(service=service)
            return found
        found_bundle = catalogue.bundle(bundle)  # type: ignore[arg-type]
        if found_bundle is None:
            raise UnknownBundle(bundle=bundle)
        return found_bundle

    def policy(self, site: Site, counter: Counter | None = None) -> CallingPolicy:
        return rules.calling_policy(site, counter)

    # --- issuing ----------------------------------------------------------------------

    def issue_ticket(
        self,
        site_id: str,
        service: str | None = None,
        bundle: str | None = None,
        request_id: str | None = None,
        channel: Channel = Channel.KIOSK,
        priority: Priority = Priority.ORDINARY,
        person_hash: str | None = None,
        person_mask: str | None = None,
        appointment_at: datetime | None = None,
        proxy_id: str | None = None,
        issuer: str | None = None,
        help_requested: bool = False,
        unattended: bool = False,
        expected: bool = False,
    ) -> Issued:
        """Issue one ticket, idempotently by `request_id`.

        `appointment_at` (an appointment checked in) decides its class by the site's
        tolerance window; a proxy (named, the staff `issuer`, or the card tapped) takes
        it under the proxy's cap, anyone else identified by card under the one-person
        limits; remote channels leave the walk-in part of a daily cap. `help_requested`
        routes it to the site's help item (`self_service`); `unattended` (a kiosk: no staff
        sees the person) needs a card for capped items where the site says so; `expected`
        (a remote ticket) waits in its place but is called once its citizen arrives.
        """
        fingerprint = _request_fingerprint(
            service,
            bundle,
            channel.value,
            priority.value,
            person_hash,
            wire.iso(appointment_at),
            proxy_id,
            "help" if help_requested else None,
            "expected" if expected else None,
        )

        def work(store: Store) -> tuple[Issued, list[Change], Site]:
            # The site, its item and its offer, as of this transaction, mostly from memory.
            configuration = store.configuration.current()
            site = configuration.site(site_id)
            if site is None:
                raise UnknownSite(site=site_id)
            if request_id is not None:
                earlier = store.tickets.by_request(site_id, request_id)
                if earlier is not None:
                    ticket, earlier_fingerprint = earlier
                    if earlier_fingerprint != fingerprint:
                        raise RequestIdReused(request_id=request_id)
                    return self._issued(store, site, ticket, created=False), [], site
            wanted = self._item(configuration, service, bundle)
            now = self.clock()
            day = hours.local_day(now, site.timezone)
            if unattended and person_hash is None:
                self_service.check_identified(site, wanted, identified=False)
            item, help_for = wanted, None
            if help_requested:
                item = self._help_route(store, site, wanted, now, day, channel)
                help_for = self_service.item_key(wanted)
                if unattended and person_hash is None:
                    self_service.check_identified(site, item, identified=False)
            ticket_class = priority
            if appointment_at is not None:
                window = rules.appointment_window(site)
                on_time = rules.appointment_priority(window, appointment_at, now, site.timezone)
                # A late appointment becomes ordinary, unless the card gives a class anyway.
                if priority in (Priority.ORDINARY, Priority.APPOINTMENT):
                    ticket_class = on_time
            proxy = proxies.proxy_for(store, site_id, proxy_id, issuer, person_hash)
            if proxy is not None:
                proxies.check_cap(store, proxy, day)
            kind = "service" if isinstance(item, Service) else "bundle"
            if proxy is None and person_hash is not None:
                check_holdings(
                    store,
                    site_id,
                    site.settings,
                    day,
                    person_hash,
                    item.code if kind == "service" else None,
                    item.code if kind == "bundle" else None,
                )
            change = lifecycle.issue(
                site,
                item,
                offered=configuration.offers(site_id, kind, item.code),
                now=now,
                last_seq_no=store.numbers.last(site_id, day, item.prefix),
                issued_today=self._issued_today(store, site_id, day, item),
                channel=channel,
                priority=ticket_class,
                request_id=request_id,
                person_hash=person_hash,
                person_mask=person_mask,
                ignore_hours=self.ignore_hours,
                reserved=lifecycle.walk_in_reserved(item.daily_cap, rules.walk_in_share(site)),
                proxy_id=proxy.id if proxy is not None else None,
                help_for=help_for,
                arrival=EXPECTED if expected else None,
            )
            assert change.ticket is not None
            ticket = change.ticket
            store.numbers.set_last(site_id, day, ticket.prefix, ticket.seq_no)
            # Its place and promise are read before it is stored (it is not ahead of itself);
            # the promise is kept with it, to be measured once it is called. (Records made
            # here rather than copied by `replace`: this runs inside the write lock.)
            ahead, band = self._position(store, site, ticket, item)
            ticket = replace(ticket, promised_low=band.low, promised_high=band.high)
            issued = Issued(ticket, ahead, band.minutes, True, band, site, item)
            store.tickets.insert(ticket, site.timezone, fingerprint)
            event = replace(
                change.events[0],
                ticket=ticket,
                data={
                    "ahead": ahead,
                    "estimated_wait_minutes": band.minutes,
                    "wait_band": {"low": band.low, "high": band.high},
                },
            )
            return issued, [Change(events=(event,), ticket=ticket, counter=change.counter)], site

        return self.commit(work)

    @staticmethod
    def _issued_today(
        store: Store, site_id: str, day: str, item: Service | Bundle
    ) -> int:
        """Tickets of a capped item issued today (0 for an item without a cap: not counted)."""
        if item.daily_cap is None:
            return 0
        if isinstance(item, Service):
            return store.tickets.issued_on(site_id, day, item.code, None)
        return store.tickets.issued_on(site_id, day, None, item.code)

    def _help_route(
        self,
        store: Store,
        site: Site,
        wanted: Service | Bundle,
        now: datetime,
        day: str,
        channel: Channel,
    ) -> Service | Bundle:
        """The item a citizen asking for help is issued: the site's help item, once the item
        wanted could be taken now (offered, open, not full); the item itself where the site
        names no help item it offers."""
        kind = "service" if isinstance(wanted, Service) else "bundle"
        if not store.offerings.offers(site.id, kind, wanted.code):
            raise NotOffered(item=wanted.code, site=site.id)
        lifecycle.check_can_issue(
            site,
            wanted,
            now,
            self._issued_today(store, site.id, day, wanted),
            self.ignore_hours,
            channel,
            lifecycle.walk_in_reserved(wanted.daily_cap, rules.walk_in_share(site)),
        )
        code = self_service.help_item_code(site.settings)
        helper: Service | Bundle | None = None
        if code is not None:
            helper = store.catalogue.service(code) or store.catalogue.bundle(code)
        if helper is None:
            return wanted
        helper_kind = "service" if isinstance(helper, Service) else "bundle"
        return helper if store.offerings.offers(site.id, helper_kind, helper.code) else wanted

    def _issued(
        self,
        store: Store,
        site: Site,
        ticket: Ticket,
        created: bool,
        item: Service | Bundle | None = None,
    ) -> Issued:
        ahead, band = self._position(store, site, ticket, item)
        return Issued(ticket, ahead, band.minutes, created, band, site, item)

    def _position(
        self, store: Store, site: Site, ticket: Ticket, item: Service | Bundle | None = None
    ) -> tuple[int, estimates.WaitBand]:
        """People ahead (the rule of `estimates.people_ahead`, counted in SQL) and the wait:
        with the other queues' tickets its windows will call first, at the queue's measured
        minutes, over the open windows serving it (`estimates.wait_band`)."""
        if ticket.status != TicketStatus.WAITING:
            return 0, estimates.WaitBand(0, 0, 0)
        same_kind_ahead, other_kind = store.tickets.ahead_of(ticket)
        open_ = store.counters.open_at(site.id)
        serving = [c for c in open_ if ticket.queue_key in c.weights]
        ahead = estimates.ahead_by_mix(
            same_kind_ahead,
            other_kind,
            ticket.priority != Priority.ORDINARY,
            rules.queue_mix(site, serving),
        )
        others = 0.0
        if any(len(c.weights) > 1 for c in serving):  # a window shared with other queues
            waiting = {
                f"S:{r['service']}" if r["service"] else f"B:{r['bundle']}": r["n"]
                for r in store.tickets.waiting_by_item(site.id)
            }
            others = estimates.others_ahead(open_, ticket.queue_key, waiting)
        measured = store.tickets.recent_minutes(site.id, ticket.service, ticket.bundle)
        band = estimates.wait_band(
            ahead + others,
            estimates.blended_minutes(self._expected_minutes(store, ticket, item), measured),
            len(serving),
            estimates.spread_of(measured),
            idle=any(c.current_ticket_id is None for c in serving),
        )
        return ahead, band

    def people_ahead(self, store: Store, site: Site, ticket: Ticket) -> int:
        """People ahead of a waiting ticket, as its ticket page says (0 once it is called)."""
        return self._position(store, site, ticket)[0]

    @staticmethod
    def _expected_minutes(
        store: Store, ticket: Ticket, item: Service | Bundle | None = None
    ) -> float:
        """The catalogue's minutes for the ticket's item; `item`, where the caller has it,
        saves a read."""
        if ticket.service:
            found = item if isinstance(item, Service) else store.catalogue.service(ticket.service)
            return found.expected_minutes if found else 10.0
        in_bundle = item if isinstance(item, Bundle) else None
        if in_bundle is None and ticket.bundle:
            in_bundle = store.catalogue.bundle(ticket.bundle)
        return in_bundle.expected_minutes if in_bundle else 30.0

    def ticket_view(self, ticket_id: str) -> Issued:
        store = self.db.store
        ticket, site = self._ticket_and_site(store, ticket_id)
        return self._issued(store, site, ticket, created=False)

    def prioritize(self, ticket_id: str, priority: Priority, reason: str, by: str) -> Issued:
        """Staff confirm a priority class of a waiting ticket; every screen hears it."""

        def work(store: Store) -> tuple[Issued, list[Change], Site]:
            ticket, site = self._ticket_and_site(store, ticket_id)
            change = lifecycle.prioritize(ticket, priority, self.clock(), reason, by)
            assert change.ticket is not None
            if change.events:  # on the administration's record too, beside the event
                audit.record(
                    store, by, "prioritize", "ticket", f"{ticket.site_id}/{ticket.number}",
                    {"priority": ticket.priority.value},
                    {"priority": priority.value, "reason": reason.strip(), "ticket": ticket.id},
                    ticket.site_id,
                )  # fmt: skip
            return self._issued(store, site, change.ticket, created=False), [change], site

        return self.commit(work)

    def arrive(self, ticket_id: str, by: str) -> Issued:
        """A remote ticket's citizen is in the hall: it is called in its place from now on."""

        def work(store: Store) -> tuple[Issued, list[Change], Site]:
            ticket, site = self._ticket_and_site(store, ticket_id)
            change = lifecycle.arrive(ticket, self.clock(), by)
            assert change.ticket is not None
            return self._issued(store, site, change.ticket, created=False), [change], site

        return self.commit(work)

    def cancel_ticket(self, ticket_id: str) -> Ticket:
        def work(store: Store) -> tuple[Ticket, list[Change], Site]:
            ticket, site = self._ticket_and_site(store, ticket_id)
            change = lifecycle.cancel(ticket, self.clock())
            return change.ticket, [change], site  # type: ignore[return-value]

        return self.commit(work)

    # --- counters ---------------------------------------------------------------------

    def counter_action(
        self,
        site_id: str,
        number: int,
        action: str,
        clerk: str | None = None,
        reason: str = "",
        outcome: str | None = None,
        to_service: str | None = None,
        to_counter: int | None = None,
        note: str = "",
        ticket_id: str | None = None,
    ) -> CounterResult | None:
        """Apply one console action; None for call-next when nobody is waiting."""
        if action not in COUNTER_ACTIONS:
            raise InvalidInput(f"unknown action {action!r}", field="action")
        parsed_outcome = None
        if action == "finish":
            try:
                parsed_outcome = Outcome(outcome or "")
            except ValueError:
                raise InvalidInput(
                    "outcome must be one of " + ", ".join(o.value for o in Outcome), field="outcome"
                ) from None

        def work(store: Store) -> tuple[CounterResult | None, list[Change], Site]:
            site = self._site(store, site_id)
            counter = self._counter(store, site_id, number)
            now = self.clock()
            current = (
                store.tickets.get(counter.current_ticket_id)
                if counter.current_ticket_id
                else None
            )
            change: Change | None
            if action == "take-over":
                change = lifecycle.take_over(counter, now, clerk or "", reason)
                # On the administration's record too, beside the event every console hears.
                audit.record(
                    store, clerk or "", "take_over", "counter", f"{site_id}/{number}",
                    {"clerk": counter.clerk}, {"clerk": clerk, "reason": reason.strip()}, site_id,
                )  # fmt: skip
                return CounterResult(change.counter or counter, current), [change], site
            lifecycle.check_holder(counter, clerk)
            if action == "open":
                change = lifecycle.open_counter(counter, now, clerk)
            elif action == "pause":
                change = lifecycle.pause_counter(counter, now, reason)
            elif action == "close":
                change = lifecycle.close_counter(counter, now)
            elif action == "call-next":
                candidates = store.tickets.call_candidates(counter)
                policy = self.policy(site, counter)
                change = lifecycle.call_next(counter, candidates, now, policy, clerk)
                if change is None:
                    return None, [], site
            elif action == "call":
                wanted = store.tickets.get(ticket_id) if ticket_id else None
                change = lifecycle.call_ticket(counter, wanted, now, reason, clerk)
            elif action == "recall":
                change = lifecycle.recall(counter, current, now, rules.no_show_policy(site))
            elif action == "start":
                change = lifecycle.start(counter, current, now)
            elif action == "finish":
                change = lifecycle.finish(counter, current, now, parsed_outcome)  # type: ignore[arg-type]
                if current is not None and current.bundle:
                    self._close_stages(store, current, now)
            elif action == "no-show":
                change = lifecycle.no_show(counter, current, now, rules.no_show_policy(site))
            else:
                change = self._transfer(
                    store, site, counter, current, now, to_service, to_counter, note
                )
            result = CounterResult(
                counter=change.counter or counter, ticket=change.ticket or current
            )
            return result, [change], site

        return self.commit(work)

    def _close_stages(self, store: Store, ticket: Ticket, now: datetime) -> None:
        """A bundle ticket's finish closes its stages (engine/bundle_stages.py)."""
        bundle = store.catalogue.bundle(ticket.bundle or "")
        if bundle is not None:
            done = store.ticket_stages.of(ticket.id)
            store.ticket_stages.add(bundle_stages.close_at_finish(ticket, bundle, done, now))

    def return_missed(self, ticket_id: str) -> Issued:
        """A missed ticket's citizen is back (过号返回): put it in line by the site's rule."""

        def work(store: Store) -> tuple[Issued, list[Change], Site]:
            ticket, site = self._ticket_and_site(store, ticket_id)
            now = self.clock()
            policy = rules.no_show_policy(site)
            line: list[Ticket] = []
            if policy.return_places is not None and ticket.status == TicketStatus.NO_SHOW:
                line = store.tickets.queue_head(ticket, policy.return_places + 1)
            change = lifecycle.return_missed(
                ticket, now, hours.local_day(now, site.timezone), policy, line
            )
            assert change.ticket is not None
            return self._issued(store, site, change.ticket, created=False), [change], site

        issued: Issued = self.commit(work)
        # The position is read after the ticket is back in line.
        return self.ticket_view(issued.ticket.id)

    def _transfer(
        self,
        store: Store,
        site: Site,
        counter: Counter,
        current: Ticket | None,
        now: datetime,
        to_service: str | None,
        to_counter: int | None,
        note: str,
    ) -> Change:
        target_service = None
        target_counter = None
        if to_service is not None:
            target_service = store.catalogue.service(to_service)
            if target_service is None:
                raise UnknownService(service=to_service)
            if not store.offerings.offers(site.id, "service", to_service):
                from queue_server.engine.errors import NotOffered

                raise NotOffered(item=to_service, site=site.id)
        if to_counter is not None:
            target_counter = self._counter(store, site.id, to_counter)
        return lifecycle.transfer(counter, current, now, target_service, target_counter, note)

    # --- ratings (好差评) ----------------------------------------------------------------

    def rate_ticket(
        self,
        ticket_id: str,
        level: int,
        channel: str,
        at_counter: int | None = None,
        reason: str | None = None,
        note: str | None = None,
    ) -> Rating:
        """Store the one rating of a finished ticket and record `ticket.rated`; a 差评
        takes its reason (`ratings.check_reason`) and opens a follow-up (整改/回访) due in
        15 working days of the site's calendar.

        Whether the caller may rate at all (the QR's key, the evaluator's window) is the
        API's to check; when, and at which window, is the engine's (`ratings`)."""
        if not isinstance(level, int) or isinstance(level, bool) or level not in wire.RATING_LEVELS:
            raise InvalidInput("level must be a whole number from 1 to 5", field="level")
        if channel not in ratings.CHANNELS:
            raise InvalidInput("unknown rating channel", field="channel")

        def work(store: Store) -> tuple[Rating, list[Change], Site]:
            ticket, site = self._ticket_and_site(store, ticket_id)
            now = self.clock()
            ratings.check_rateable(ticket, channel, now, site.settings, at_counter)
            prior = store.tickets.rating(ticket_id)
            if prior is not None and prior["rating"] is not None:  # said before a missing reason
                raise AlreadyRated(ticket=ticket_id)
            stated = ratings.check_reason(level, channel, reason, note)
            if not store.tickets.rate(
                ticket_id, level, channel, wire.iso(now), stated, note if stated else None
            ):
                raise AlreadyRated(ticket=ticket_id)
            if stated is not None:
                open_follow_up(store, site, ticket_id, ticket.counter, ticket.clerk, level, stated, now)
            event = Event(
                type=wire.TICKET_RATED,
                site_id=site.id,
                at=now,
                ticket=ticket,
                data={"level": level, "channel": channel, "counter": ticket.counter},
                id=new_id(),
            )
            rating = Rating(ticket_id, level, channel, wire.iso(now), stated)  # type: ignore[arg-type]
            return rating, [Change(events=(event,))], site

        return self.commit(work)

    def rating_of(self, ticket_id: str) -> Rating | None:
        row = self.db.store.tickets.rating(ticket_id)
        if row is None:
            raise UnknownTicket(ticket=ticket_id)
        if row["rating"] is None:
            return None
        return Rating(
            row["id"], row["rating"], row["rating_channel"], row["rated_at"], row["rating_reason"]
        )

    # --- reading ----------------------------------------------------------------------

    def events_since(self, site_id: str, since: int, limit: int = 1000) -> list[dict[str, Any]]:
        store = self.db.store
        self._site(store, site_id)
        return store.events.since(site_id, since, limit)

    def close_past_days(self) -> int:
        """Close tickets still waiting from an earlier local day as unserved."""
        closed = 0
        with self._sweep_lock:
            reading = self.db.store
            for site in reading.sites.all():
                if not self.owns(site):  # its own centre closes its days
                    continue
                today = hours.local_day(self.clock(), site.timezone)
                if not reading.tickets.stale_waiting(site.id, today):
                    continue

                def work(
                    store: Store, site: Site = site, today: str = today
                ) -> tuple[int, list[Change], Site]:
                    changes = lifecycle.close_day(
                        store.tickets.stale_waiting(site.id, today), self.clock()
                    )
                    return len(changes), changes, site

                closed += self.commit(work)
        return closed
