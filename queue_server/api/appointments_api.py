"""Appointments over HTTP: slots, booking and cancelling (citizens without an account,
throttled; the provincial platform with its `platform` token; staff), check-in at the
kiosk, remote tickets (线上取号), the day's bookings for staff, and slot plans (admins).

Each route is declared once (`contract.Routes`); the rules are `engine.booking`'s, the
transactions `calling.appointments`'.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from queue_server.accounts.credentials import Principal
from queue_server.administration import audit
from queue_server.administration.changes import check_scope
from queue_server.api.auth import STAFF_ROLES, require
from queue_server.api.citizen_throttle import throttle_citizen
from queue_server.api.contract import Routes, anyone, issuers, staff
from queue_server.api.schemas.appointments import (
    AppointmentAnswer,
    AppointmentList,
    BookingRequest,
    ChangeRequest,
    CheckInAnswer,
    CheckInRequest,
    RemoteTicketRequest,
    SavedSlotPlan,
    SlotList,
    SlotPlan,
    SlotPlanList,
    SlotsQuery,
)
from queue_server.api.tickets_api import ticket_payload_with_rules
from queue_server.app import hall
from queue_server.calling.appointments import (
    Bookings,
    CheckedIn,
    appointment_payload,
    parse_day,
)
from queue_server.engine import booking
from queue_server.engine.errors import FieldInvalid, UnknownSite
from queue_server.people import persons
from queue_server.wire import iso
from queue_server.wire.shapes import PersonCard

ADMINS = frozenset({"admin"})
PLATFORMS = frozenset({"platform"})
BOOKERS = STAFF_ROLES | PLATFORMS  # who books with a token; citizens book without one
CHANGE = "Writes one audit row in the same transaction; 400 names the field to fix."
plan_changes = Routes(ADMINS, prefix="/admin", footnote=CHANGE)


def bookings() -> Bookings:
    return Bookings(hall().ops)


def slot_start(value: str) -> datetime:
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise FieldInvalid("start", "time")
    return moment.astimezone(UTC)


def booking_url(code: str) -> str | None:
    public = str(hall().settings.get("PUBLIC_URL") or "").rstrip("/")
    return f"{public}/book/code/{code}" if public else f"/book/code/{code}"


def channel_of(site: str, principal: Principal | None) -> tuple[str, str | None]:
    """Who books: a citizen on the phone page (throttled), the platform, or staff."""
    if principal is None:
        throttle_citizen()
        return "phone", None
    require(site, BOOKERS)
    if principal.role == "platform":
        return "platform", principal.name
    return "staff", principal.name


def checked_in_payload(site: str, checked: CheckedIn, principal: Principal) -> dict[str, Any]:
    data = ticket_payload_with_rules(checked.issued, private=True)
    data["appointment"] = appointment_payload(checked.appointment, private=True)
    data["late"] = checked.late
    if principal.role == "kiosk":  # printed in the QR, as an issue's (tickets_api.issue)
        data["key"] = hall().accounts.ticket_key(site, checked.issued.ticket.id)
    return data


# --- citizens and the platform ------------------------------------------------------


@anyone.get(
    "/sites/<site>/slots", query=SlotsQuery, answers={200: SlotList}, errors=(400, 404, 422)
)
def slots(site: str, query: SlotsQuery) -> dict[str, Any]:
    """The bookable slots of an item on a day, with the places left

    Public (the phone page, the provincial platform). Exactly one of `service` or `bundle`;
    a day closed by the calendar, beyond the plan's days ahead or past has no slots; 422
    not_bookable where the site has no slot plan for the item."""
    found = bookings().slots(site, query.service, query.bundle, parse_day(query.date))
    return {
        "site": site,
        "service": query.service,
        "bundle": query.bundle,
        "date": query.date,
        "slots": [{"start": iso(s.start), "capacity": s.capacity, "left": s.left} for s in found],
    }


@anyone.post(
    "/sites/<site>/appointments",
    body=BookingRequest,
    answers={201: AppointmentAnswer, 200: AppointmentAnswer},
    errors=(404, 409, 422, 429),
)
def book_slot(
    site: str, body: BookingRequest, principal: Principal | None
) -> tuple[dict[str, Any], int]:
    """Book a slot (idempotent by request_id)

    A citizen without an account (the phone page; throttled per address, 429), the
    provincial platform with a `platform` token of the site or one above it, or staff of the
    site. The ID number is kept only as its keyed hash, the name masked, the phone until the
    day is over. One booking per person, item and day (409 one_booking_per_day); repeated
    no-shows suspend booking (409 booking_suspended, until when); a full slot is 409
    slot_full."""
    channel, booked_by = channel_of(site, principal)
    if hall().db.store.sites.get(site) is None:
        raise UnknownSite(site=site)
    person = persons.from_card(PersonCard(id_number=body.id_number, name=body.name))
    assert person is not None
    booked = bookings().book(
        site,
        service=body.service,
        bundle=body.bundle,
        start=slot_start(body.start),
        person_hash=hall().accounts.person_hash(site, person.id_number),
        person_mask=persons.mask_name(person.name) or None,
        phone=body.phone,
        request_id=body.request_id,
        channel=channel,
        booked_by=booked_by,
    )
    answer = {
        "appointment": appointment_payload(booked.appointment, private=True),
        "url": booking_url(booked.appointment.code),
    }
    return answer, 201 if booked.created else 200


@anyone.get("/appointments/<code>", answers={200: AppointmentAnswer}, errors=(404, 429))
def booking_by_code(code: str) -> dict[str, Any]:
    """A booking by its code (the phone page)

    Anyone holding the code (throttled per address: codes cannot be walked). The masked
    name and phone are shown, never the ID number."""
    throttle_citizen()
    found = bookings().by_code(code)
    return {"appointment": appointment_payload(found, private=True), "url": booking_url(found.code)}


@anyone.post(
    "/appointments/<code>/cancel", answers={200: AppointmentAnswer}, errors=(404, 409, 429)
)
def cancel_booking(code: str) -> dict[str, Any]:
    """Cancel a booking by its code

    Anyone holding the code (throttled per address), until the site's cut-off before the
    slot (409 booking_cut_off). To change a booking, cancel it and book another slot."""
    throttle_citizen()
    cancelled = bookings().cancel(code)
    return {"appointment": appointment_payload(cancelled, private=True), "url": None}


@anyone.post(
    "/appointments/<code>/change", body=ChangeRequest, answers={200: AppointmentAnswer}, errors=(404, 409, 422, 429)
)
def change_booking(code: str, body: ChangeRequest) -> dict[str, Any]:
    """Move a booking to another slot of the same item, keeping its code

    Anyone holding the code (throttled per address), until the site's cut-off before the
    present slot (409 booking_cut_off), into a slot with a place left (409 slot_full)."""
    throttle_citizen()
    moved = bookings().change(code, slot_start(body.start))
    return {"appointment": appointment_payload(moved, private=True), "url": booking_url(moved.code)}


@anyone.post(
    "/sites/<site>/remote-tickets",
    body=RemoteTicketRequest,
    answers={201: CheckInAnswer, 200: CheckInAnswer},
    errors=(404, 409, 422, 429),
)
def remote_ticket(site: str, body: RemoteTicketRequest) -> tuple[dict[str, Any], int]:
    """Take a same-day ticket on the phone page (线上取号; idempotent by request_id)

    Where the site allows it (`remote_tickets`; else 422 remote_tickets_off). The ticket waits
    in its place but is called only once its citizen checks in at the hall (the booking's
    code or their ID card at a kiosk) or a clerk confirms them (`POST /tickets/{id}/arrive`).
    The answer holds the ticket, its code and the key of its phone page."""
    throttle_citizen()
    person = persons.from_card(PersonCard(id_number=body.id_number, name=body.name))
    assert person is not None
    taken = bookings().take_remote(
        site,
        service=body.service,
        bundle=body.bundle,
        person_hash=hall().accounts.person_hash(site, person.id_number),
        person_mask=persons.mask_name(person.name) or None,
        phone=body.phone,
        request_id=body.request_id,
    )
    data = ticket_payload_with_rules(taken.issued, private=False)
    data["appointment"] = appointment_payload(taken.appointment, private=True)
    data["late"] = False
    data["key"] = hall().accounts.ticket_key(site, taken.issued.ticket.id)
    return data, 201 if taken.issued.created else 200


# --- the hall ----------------------------------------------------------------------------


@issuers.post(
    "/sites/<site>/appointments/check-in",
    body=CheckInRequest,
    answers={200: CheckInAnswer},
    errors=(404, 409, 422),
)
def check_in(site: str, body: CheckInRequest, principal: Principal) -> dict[str, Any]:
    """Check a booking in: its ticket, as an issue answers it

    A kiosk of the site or its staff, with the booking's `code` (typed or scanned), the ID
    `person` the reader read, or both — then they must match (409 person_mismatch, 人证一致).
    On time: the appointment priority class; late: an ordinary ticket (`late`: true, said on
    the screen and the ticket); too early: 409 appointment_too_early with from when; past
    the grace time: 409 appointment_expired. A remote ticket's citizen arrives (it is called
    from now on). Checking in again answers the same ticket."""
    card = persons.from_card(body.person)
    checked = bookings().check_in(
        site,
        code=body.code,
        person_hash=hall().accounts.person_hash(site, card.id_number) if card else None,
        by=principal.name,
    )
    return checked_in_payload(site, checked, principal)


@staff.post("/tickets/<ticket_id>/arrive", answers={200: CheckInAnswer}, errors=(404, 409))
def arrive(ticket_id: str) -> dict[str, Any]:
    """A clerk confirms a remote ticket's citizen is in the hall: it is called from now on

    Staff of the ticket's site."""
    view = hall().ops.ticket_view(ticket_id)
    principal = require(view.ticket.site_id, STAFF_ROLES)
    issued = bookings().confirm_arrival(ticket_id, principal.name)
    found = hall().db.store.appointments.by_ticket(ticket_id)
    assert found is not None  # a remote ticket is always taken with its record
    return checked_in_payload(issued.ticket.site_id, CheckedIn(issued, found, False), principal)


@staff.get(
    "/sites/<site>/appointments", query=SlotsQuery, answers={200: AppointmentList}, errors=(400, 404)
)
def day_bookings(site: str, query: SlotsQuery) -> dict[str, Any]:
    """The site's bookings of a day, by slot (staff of the site; names and phones masked)

    `service` and `bundle` are ignored here: every item's bookings are listed."""
    found = hall().db.store.appointments.site_day(site, parse_day(query.date).isoformat())
    return {"appointments": [appointment_payload(a, private=True) for a in found]}


# --- slot plans (admins; staff read) ---------------------------------------------------


def plan_payload(plan: booking.SlotPlan) -> dict[str, Any]:
    return {
        "item_kind": plan.item_kind,
        "item_code": plan.item_code,
        "slot_minutes": plan.slot_minutes,
        "capacity": plan.capacity,
        "days_ahead": plan.days_ahead,
        "walk_in_share": plan.walk_in_share,
        "bookable": plan.bookable,
    }


@staff.get("/sites/<site>/slot-plans", answers={200: SlotPlanList}, errors=(404,))
def slot_plans(site: str) -> dict[str, Any]:
    """A site's slot plans: which items can be booked, in what slots (staff of the site)"""
    return {"plans": [plan_payload(p) for p in hall().db.store.appointments.plans(site)]}


def _kind(kind: str) -> str:
    if kind not in ("service", "bundle"):
        raise FieldInvalid("item_kind", "choice", choices="service, bundle")
    return kind


@plan_changes.put(
    "/sites/<site>/slot-plans/<kind>/<code>",
    body=SlotPlan,
    answers={200: SavedSlotPlan},
    errors=(404, 422),
    path_doc={"kind": "service or bundle"},
)
def save_slot_plan(
    site: str, kind: str, code: str, body: SlotPlan, principal: Principal
) -> dict[str, Any]:
    """Set how an item the site offers is booked (its slots, capacity, days ahead, walk-ins' share)"""
    check_scope(principal, [site])
    plan = booking.SlotPlan(
        site,
        _kind(kind),
        code,
        body.slot_minutes,
        body.capacity,
        body.days_ahead,
        body.walk_in_share,
    )
    with hall().db.transaction() as store:
        if store.sites.get(site) is None:
            raise UnknownSite(site=site)
        if not store.offerings.offers(site, plan.item_kind, code):
            raise FieldInvalid("item_code", "not_offered", value=code)
        before = store.appointments.plan(site, plan.item_kind, code)
        store.appointments.save_plan(plan)
        audit.record(
            store, principal.name, "update" if before else "create", "slot_plan", f"{site}/{kind}/{code}",
            plan_payload(before) if before else None, plan_payload(plan), site,
        )  # fmt: skip
    return plan_payload(plan)


@plan_changes.delete("/sites/<site>/slot-plans/<kind>/<code>", answers={204: None}, errors=(400, 404))
def delete_slot_plan(site: str, kind: str, code: str, principal: Principal) -> tuple[None, int]:
    """Stop booking an item at the site (bookings made stay)"""
    check_scope(principal, [site])
    with hall().db.transaction() as store:
        before = store.appointments.plan(site, _kind(kind), code)
        if before is None:
            raise FieldInvalid("item_code", "unknown_item", value=code)
        store.appointments.delete_plan(site, kind, code)
        audit.record(
            store,
            principal.name,
            "delete",
            "slot_plan",
            f"{site}/{kind}/{code}",
            plan_payload(before),
            None,
            site,
        )
    return None, 204
