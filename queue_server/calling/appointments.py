"""Bookings: slots, booking, cancelling, checking in, remote tickets and the no-show sweep.

The shell around `engine.booking`: each change is one transaction of the centre's group
commit (`Operations.commit`), so a booking and the tickets of the same site never race.
A check-in issues its ticket through `Operations.issue_ticket` with a request id made from
the booking's id: a retried or doubled check-in gives the same ticket, never a second.
What a citizen's phone or the city's gateway should hear (booked, reminded, cancelled,
missed) is queued in the same transaction as the change (`store.webhooks.enqueue`, when
the centre has webhooks), so none is lost or sent for a change that did not happen.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from typing import Any, TypeVar

from queue_server import wire
from queue_server.calling.operations import Issued, Operations
from queue_server.engine import booking, hours
from queue_server.engine.booking import Appointment, AppointmentStatus, Slot, SlotPlan
from queue_server.engine.errors import (
    AppointmentNotOpen,
    FieldInvalid,
    InvalidInput,
    NotBookable,
    PersonMismatch,
    RemoteTicketsOff,
    RequestIdReused,
    SiteOwnedByEdge,
    UnknownAppointment,
    UnknownBundle,
    UnknownService,
    UnknownSite,
)
from queue_server.engine.ids import new_id
from queue_server.engine.model import Channel, Priority, Site
from queue_server.storage import Store

T = TypeVar("T")
REMOTE = "remote"  # the channel of a remote ticket's record (线上取号)
REMIND_FROM = time(9, 0)  # the day-before reminder is queued from this local time on


@dataclass(frozen=True)
class Booked:
    appointment: Appointment
    created: bool


@dataclass(frozen=True)
class CheckedIn:
    issued: Issued
    appointment: Appointment
    late: bool


def _fingerprint(*values: object) -> str:
    return hashlib.sha256(json.dumps([str(v) for v in values]).encode()).hexdigest()[:32]


class Bookings:
    def __init__(self, ops: Operations) -> None:
        self.ops = ops
        self.db = ops.db

    @property
    def clock(self) -> Any:
        return self.ops.clock

    # --- reads --------------------------------------------------------------------------

    def slots(self, site_id: str, service: str | None, bundle: str | None, day: date) -> list[Slot]:
        store = self.db.store
        site, plan = self._site_and_plan(store, site_id, service, bundle)
        booked = store.appointments.booked_per_slot(site_id, day.isoformat(), service, bundle)
        return booking.slots(site, plan, day, booked, self.clock())

    def by_code(self, code: str) -> Appointment:
        found = self.db.store.appointments.by_code(booking.normal_code(code))
        if found is None:
            raise UnknownAppointment()
        return found

    # --- changes ------------------------------------------------------------------------

    def book(
        self,
        site_id: str,
        *,
        service: str | None,
        bundle: str | None,
        start: datetime,
        person_hash: str,
        person_mask: str | None,
        phone: str | None,
        request_id: str | None,
        channel: str,
        booked_by: str | None = None,
    ) -> Booked:
        """Book one place in a slot, idempotently by `request_id`."""
        fingerprint = _fingerprint(service, bundle, start.isoformat(), person_hash, phone)

        def work(store: Store) -> Booked:
            site, plan = self._site_and_plan(store, site_id, service, bundle)
            if request_id is not None:
                earlier = store.appointments.by_request(site_id, request_id)
                if earlier is not None:
                    if earlier.fingerprint != fingerprint:
                        raise RequestIdReused(request_id=request_id)
                    return Booked(earlier, created=False)
            self._check_owned(store, site)
            now = self.clock()
            day_text = hours.local_day(start, site.timezone)
            taken = store.appointments.booked_per_slot(site_id, day_text, service, bundle)
            booking.check_slot(site, plan, start, taken.get(start, 0), now)
            rules = booking.booking_rules(site)
            booking.check_person(
                site,
                store.appointments.person_bookings(site_id, person_hash, day_text, service, bundle),
                store.appointments.person_no_shows(
                    site_id, person_hash, now - timedelta(days=rules.no_show_days)
                ),
                now,
            )
            appointment = Appointment(
                id=new_id(int(now.timestamp() * 1000)),
                code=self._new_code(store),
                site_id=site_id,
                service=service,
                bundle=bundle,
                start=start,
                day=day_text,
                slot_minutes=plan.slot_minutes,
                status=AppointmentStatus.BOOKED,
                channel=channel,
                booked_by=booked_by,
                person_hash=person_hash,
                person_mask=person_mask,
                phone=phone,
                request_id=request_id,
                fingerprint=fingerprint,
                created_at=now,
            )
            store.appointments.insert(appointment)
            self._tell(store, "appointment.booked", appointment, now)
            return Booked(appointment, created=True)

        result: Booked = self._write(work)
        return result

    def cancel(self, code: str) -> Appointment:
        """Cancel a booking by its code, up to the site's cut-off before its slot."""

        def work(store: Store) -> Appointment:
            appointment = self._by_code(store, code)
            site = self._site(store, appointment.site_id)
            if appointment.status == AppointmentStatus.CANCELLED:
                return appointment  # cancelled already (a second tap)
            if appointment.status != AppointmentStatus.BOOKED:
                raise AppointmentNotOpen(status=appointment.status.value)
            now = self.clock()
            booking.check_cancel(site, appointment.start, now)
            cancelled = replace(appointment, status=AppointmentStatus.CANCELLED, changed_at=now)
            store.appointments.update(cancelled)
            self._tell(store, "appointment.cancelled", cancelled, now)
            return cancelled

        result: Appointment = self._write(work)
        return result

    def change(self, code: str, start: datetime) -> Appointment:
        """Move a booking to another slot of the same item, keeping its code: until the
        cut-off before its present slot, into a slot with a place left, one booking of the
        item a day still."""

        def work(store: Store) -> Appointment:
            appointment = self._by_code(store, code)
            site, plan = self._site_and_plan(store, appointment.site_id, appointment.service, appointment.bundle)
            if appointment.status != AppointmentStatus.BOOKED:
                raise AppointmentNotOpen(status=appointment.status.value)
            if start == appointment.start:
                return appointment  # asked twice
            now = self.clock()
            booking.check_cancel(site, appointment.start, now)
            day_text = hours.local_day(start, site.timezone)
            taken = store.appointments.booked_per_slot(site.id, day_text, appointment.service, appointment.bundle)
            booking.check_slot(site, plan, start, taken.get(start, 0), now)
            if day_text != appointment.day and appointment.person_hash is not None:
                booking.check_person(
                    site,
                    store.appointments.person_bookings(
                        site.id, appointment.person_hash, day_text, appointment.service, appointment.bundle
                    ),
                    [],
                    now,
                )
            moved = replace(appointment, start=start, day=day_text, changed_at=now, reminded=False)
            store.appointments.update(moved)
            self._tell(store, "appointment.changed", moved, now)
            return moved

        return self._write(work)

    def check_in(
        self,
        site_id: str,
        *,
        code: str | None,
        person_hash: str | None,
        by: str,
    ) -> CheckedIn:
        """Check a booking in at the hall: by its code, or by the card of the person who
        booked; with both, they must match (人证一致). A booking issues its ticket (on time:
        the appointment class; late: ordinary); a remote ticket's citizen arrives."""
        if code is None and person_hash is None:
            raise InvalidInput("give the booking's code or tap the ID card", field="code")
        store = self.db.store
        site = self._site(store, site_id)
        now = self.clock()
        if code is not None:
            appointment = self._by_code(store, code)
            if appointment.site_id != site_id:
                raise UnknownAppointment()
            if person_hash is not None and person_hash != appointment.person_hash:
                raise PersonMismatch()
        else:
            assert person_hash is not None
            today = hours.local_day(now, site.timezone)
            # A card tapped again after its check-in finds the same ticket, never a second.
            waiting = store.appointments.person_open(site_id, person_hash, today) or (
                store.appointments.person_checked_in(site_id, person_hash, today)
            )
            if not waiting:
                raise UnknownAppointment()
            appointment = min(waiting, key=lambda a: abs((a.start - now).total_seconds()))
        if appointment.status == AppointmentStatus.AWAITING_ARRIVAL:
            return self._arrive(appointment, by)
        if appointment.status == AppointmentStatus.CHECKED_IN and appointment.ticket_id:
            issued = self.ops.ticket_view(appointment.ticket_id)  # a second tap: the same ticket
            return CheckedIn(issued, appointment, bool(appointment.late))
        if appointment.status != AppointmentStatus.BOOKED:
            raise AppointmentNotOpen(status=appointment.status.value)
        decided = booking.check_in_class(site, appointment.start, now)
        issued = self.ops.issue_ticket(
            site_id,
            service=appointment.service,
            bundle=appointment.bundle,
            request_id=f"appointment:{appointment.id}",
            channel=Channel.APPOINTMENT,
            priority=decided.priority,
            person_hash=appointment.person_hash,
            person_mask=appointment.person_mask,
        )
        checked = self._mark_checked_in(appointment.id, issued, decided.late)
        return CheckedIn(issued, checked, decided.late)

    def take_remote(
        self,
        site_id: str,
        *,
        service: str | None,
        bundle: str | None,
        person_hash: str,
        person_mask: str | None,
        phone: str | None,
        request_id: str | None,
    ) -> CheckedIn:
        """A same-day ticket taken on the phone page (线上取号): it waits in its place and is
        called once its citizen checks in at the hall. Its record carries the code the
        kiosk takes, and binds the ticket to the card of the person who took it."""
        store = self.db.store
        site = self._site(store, site_id)
        if not booking.remote_tickets_allowed(site):
            raise RemoteTicketsOff(site=site_id)
        if request_id is not None:
            earlier = store.appointments.by_request(site_id, request_id)
            if earlier is not None and earlier.ticket_id is not None:
                return CheckedIn(self.ops.ticket_view(earlier.ticket_id), earlier, late=False)
        ticket_request = f"remote:{request_id}" if request_id else None
        issued = self.ops.issue_ticket(
            site_id,
            service=service,
            bundle=bundle,
            request_id=ticket_request,
            channel=Channel.ONLINE,
            priority=Priority.ORDINARY,
            person_hash=person_hash,
            person_mask=person_mask,
            expected=True,
        )
        ticket = issued.ticket

        def work(store: Store) -> Appointment:
            earlier = store.appointments.by_ticket(ticket.id)
            if earlier is not None:
                return earlier
            record = Appointment(
                id=new_id(int(ticket.issued_at.timestamp() * 1000)),
                code=self._new_code(store),
                site_id=site_id,
                service=ticket.service,
                bundle=ticket.bundle,
                start=ticket.issued_at,
                day=ticket.day,
                slot_minutes=0,
                status=AppointmentStatus.AWAITING_ARRIVAL,
                channel=REMOTE,
                person_hash=person_hash,
                person_mask=person_mask,
                phone=phone,
                request_id=request_id,
                created_at=ticket.issued_at,
                ticket_id=ticket.id,
            )
            store.appointments.insert(record)
            return record

        record: Appointment = self._write(work)
        return CheckedIn(issued, record, late=False)

    def confirm_arrival(self, ticket_id: str, by: str) -> Issued:
        """A clerk saw the citizen of a remote ticket: it is called from now on."""
        issued = self.ops.arrive(ticket_id, by)
        appointment = self.db.store.appointments.by_ticket(ticket_id)
        if appointment is not None and appointment.status == AppointmentStatus.AWAITING_ARRIVAL:
            self._mark_checked_in(appointment.id, issued, late=False)
        return issued

    def sweep(self) -> int:
        """Bookings past their grace time become no-shows (they count toward the person's
        rule); tomorrow's bookings are reminded once, from 09:00 the day before; phone
        numbers of past days are forgotten. Returns how many bookings were missed."""
        now = self.clock()

        def work(store: Store) -> int:
            missed = 0
            sites: dict[str, Site] = {}
            for appointment in store.appointments.open_before(now):
                site = sites.get(appointment.site_id) or self._site(store, appointment.site_id)
                sites[site.id] = site
                if now <= booking.no_show_after(site, appointment.start):
                    continue
                gone = replace(appointment, status=AppointmentStatus.NO_SHOW, changed_at=now)
                store.appointments.update(gone)
                self._tell(store, "appointment.no_show", gone, now)
                missed += 1
            for appointment in store.appointments.to_remind(now, now + timedelta(hours=48)):
                site = sites.get(appointment.site_id) or self._site(store, appointment.site_id)
                sites[site.id] = site
                local = hours.local_time(now, site.timezone)
                tomorrow = (local.date() + timedelta(days=1)).isoformat()
                # The day before, from the morning on: nobody gets an SMS at midnight.
                if appointment.day != tomorrow or local.time() < REMIND_FROM:
                    continue
                store.appointments.update(replace(appointment, reminded=True))
                self._tell(store, "appointment.reminder", appointment, now)
            store.appointments.forget_phones((now - timedelta(days=1)).date().isoformat())
            return missed

        result: int = self._write(work)
        return result

    # --- inside ---------------------------------------------------------------------------

    def _write(self, work: Callable[[Store], T]) -> T:
        """One transaction of bookings alone: no ticket changes, so no event to publish."""
        with self.db.transaction() as store:
            return work(store)

    def _arrive(self, appointment: Appointment, by: str) -> CheckedIn:
        assert appointment.ticket_id is not None
        issued = self.ops.arrive(appointment.ticket_id, by)
        checked = self._mark_checked_in(appointment.id, issued, late=False)
        return CheckedIn(issued, checked, late=False)

    def _mark_checked_in(self, appointment_id: str, issued: Issued, late: bool) -> Appointment:
        def work(store: Store) -> Appointment:
            appointment = store.appointments.get(appointment_id)
            assert appointment is not None
            if appointment.status == AppointmentStatus.CHECKED_IN:
                return appointment
            now = self.clock()
            checked = replace(
                appointment,
                status=AppointmentStatus.CHECKED_IN,
                checked_in_at=now,
                changed_at=now,
                ticket_id=issued.ticket.id,
                late=late,
            )
            store.appointments.update(checked)
            return checked

        result: Appointment = self._write(work)
        return result

    def _tell(self, store: Store, event: str, appointment: Appointment, now: datetime) -> None:
        store.webhooks.enqueue(appointment.site_id, event, appointment_message(appointment), now)

    def _site(self, store: Store, site_id: str) -> Site:
        site = store.sites.get(site_id)
        if site is None:
            raise UnknownSite(site=site_id)
        return site

    def _check_owned(self, store: Store, site: Site) -> None:
        # A station's edge centre checks citizens in; the city cannot book for it (yet).
        if site.owner is not None:
            raise SiteOwnedByEdge(site=site.id, owner=store.devices.name_of(site.owner))

    def _site_and_plan(
        self, store: Store, site_id: str, service: str | None, bundle: str | None
    ) -> tuple[Site, SlotPlan]:
        site = self._site(store, site_id)
        if (service is None) == (bundle is None):
            raise InvalidInput("give exactly one of service or bundle", field="service")
        if service is not None and store.catalogue.service(service) is None:
            raise UnknownService(service=service)
        if bundle is not None and store.catalogue.bundle(bundle) is None:
            raise UnknownBundle(bundle=bundle)
        kind, code = ("service", service) if service else ("bundle", bundle)
        assert code is not None
        plan = store.appointments.plan(site_id, kind, code)
        if plan is None or not store.offerings.offers(site_id, kind, code):
            raise NotBookable("the item cannot be booked at this site", item=code)
        return site, plan

    def _by_code(self, store: Store, code: str) -> Appointment:
        found = store.appointments.by_code(booking.normal_code(code))
        if found is None:
            raise UnknownAppointment()
        return found

    @staticmethod
    def _new_code(store: Store) -> str:
        while True:
            code = booking.new_code()
            if not store.appointments.code_taken(code):
                return code


def appointment_message(appointment: Appointment) -> dict[str, Any]:
    """What a booking's event tells the city's gateway: the code, the slot, the item and
    the phone to reach; never the ID number nor the name."""
    return {
        "appointment": appointment.id,
        "code": appointment.code,
        "site": appointment.site_id,
        "service": appointment.service,
        "bundle": appointment.bundle,
        "start": wire.iso(appointment.start),
        "status": appointment.status.value,
        "phone": appointment.phone,
        "ticket": appointment.ticket_id,
    }


def appointment_payload(appointment: Appointment, private: bool = False) -> dict[str, Any]:
    """A booking as its holder sees it (the code is theirs); `private` adds the masked name
    and phone (the site's staff, the booking's own answer)."""
    payload: dict[str, Any] = {
        "id": appointment.id,
        "code": appointment.code,
        "site": appointment.site_id,
        "service": appointment.service,
        "bundle": appointment.bundle,
        "start": wire.iso(appointment.start),
        "day": appointment.day,
        "slot_minutes": appointment.slot_minutes,
        "status": appointment.status.value,
        "channel": appointment.channel,
        "ticket": appointment.ticket_id,
        "late": appointment.late,
    }
    if private:
        payload["person"] = appointment.person_mask
        payload["phone"] = mask_phone(appointment.phone)
    return payload


def mask_phone(phone: str | None) -> str | None:
    """138****5678: enough for its holder to recognise, not to call."""
    if not phone:
        return None
    return phone[:3] + "****" + phone[-4:] if len(phone) >= 8 else "****"


def parse_day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise FieldInvalid("date", "date") from None
