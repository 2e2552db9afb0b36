"""The spine of /api/v1: sites, tickets, windows' actions, events, logins.

Each route is declared once (`contract.Routes`): who may call it, the models of what it
takes and answers, its summary and description in its docstring; the OpenAPI document is
made from the same declarations.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Response, jsonify, request

from queue_server import wire
from queue_server.accounts.credentials import Principal
from queue_server.accounts.login_throttle import login_throttle
from queue_server.api.auth import ISSUERS, MANAGERS, STAFF_ROLES, bearer_token, require
from queue_server.api.contract import anyone, issuers, readers, staff
from queue_server.api.schemas import (
    CounterActionRequest,
    CounterAnswer,
    EventsAnswer,
    EventsQuery,
    Health,
    LoginAnswer,
    LoginRequest,
    Ok,
    PriorityRequest,
    SiteList,
    TicketAnswer,
)
from queue_server.app import hall
from queue_server.calling import rules_view, self_service, site_view, ticket_view
from queue_server.calling.operations import COUNTER_ACTIONS, Issued
from queue_server.engine.errors import FieldInvalid, InvalidInput
from queue_server.engine.model import Channel, Priority
from queue_server.people import persons
from queue_server.wire.shapes import IssuedTicket, IssueRequest, SiteDetail
from queue_server.wire.words import pick_language


def language() -> str:
    return pick_language(request.headers.get("Accept-Language"))


def appointment_time(value: str | None) -> datetime | None:
    """An ISO 8601 time with its offset (e.g. 2026-11-28T09:30:00+08:00)."""
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise FieldInvalid("appointment_at", "time")
    return moment


# --- public reads --------------------------------------------------------------------


@anyone.get("/openapi.json", answers={200: dict[str, Any]})
def openapi() -> Response:
    """This document"""
    from queue_server.api.document import openapi_document

    return jsonify(openapi_document())


@anyone.get("/health", answers={200: Health})
def health() -> dict[str, Any]:
    """Health for monitoring: the database, page assets, disk space, the sweeper, push"""
    from queue_server.monitoring import centre_health as checks

    centre = hall()
    found: dict[str, Any] = {
        "database": checks.database(centre.db.answers),
        "assets": checks.page_assets(),
        "disk": checks.disk(centre.db.path, float(centre.settings["DISK_FREE_MIN_MB"])),
        "sweeper": checks.sweeper(centre.sweeps),
        "push": checks.push(centre.settings["MESSAGE_QUEUE"], centre.push_ping),
    }
    status = checks.overall(found)
    found = {"ok": status != checks.FAILING, "status": status, "checks": found}
    if hall().uplink is not None:  # a station's edge centre: how its link to the city stands
        from queue_server.edge.station import link_state

        found["edge"] = link_state(hall().db).health(hall().settings["EDGE_SILENT_SECONDS"])
    return found


@anyone.get("/sites", answers={200: SiteList})
def sites() -> dict[str, Any]:
    """All sites (the site tree via `parent`)"""
    return {"sites": site_view.list_sites(hall().db)}


@anyone.get("/sites/<site>", answers={200: SiteDetail}, errors=(404,))
def site(site: str, principal: Principal | None) -> dict[str, Any]:
    """One site now: windows, offered services and bundles, waiting counts, estimated waits

    Public (kiosks, phones, anyone); a window's current ticket and clerk only to the site's staff."""
    detail = site_view.site_detail(hall().db, site)
    if principal is None or not principal.is_staff or not principal.covers(site):
        # Public (kiosks, phones, anyone): whose ticket a window serves and which clerk
        # sits there are the site's staff's to know.
        for counter in detail["counters"]:
            counter["current_ticket"] = None
            counter["clerk"] = None
    # Kiosks show what is left of each capped item and the rules, in both languages.
    store, now = hall().db.store, hall().ops.clock()
    found = store.sites.get(site)
    assert found is not None
    for entry in detail["services"]:
        entry["quota"] = rules_view.item_quota(
            store, found, entry["code"], None, entry["daily_cap"], now
        )
    for entry in detail["bundles"]:
        entry["quota"] = rules_view.item_quota(
            store, found, None, entry["code"], entry["daily_cap"], now
        )
    detail["rules"] = rules_view.all_sentences(found)
    # Here rather than in each issue answer: a kiosk reads this view anyway (every few
    # seconds and on each live event), so an issue carries not a byte more.
    detail["public_url"] = str(hall().settings.get("PUBLIC_URL") or "").rstrip("/") or None
    detail["opening"] = site_view.opening(found, now)  # a kiosk says when it next opens
    return detail


def require_at_ticket_site(ticket_id: str, roles: frozenset[str]) -> Principal:
    """The caller, if it holds one of `roles` and covers the ticket's site (404: no such
    ticket). For the routes of a ticket, whose path names no site."""
    return require(hall().ops.ticket_view(ticket_id).ticket.site_id, roles)


def ticket_payload_with_rules(issued: Issued, private: bool) -> dict[str, Any]:
    """A ticket with its site's rules in the reader's language and its item's quota;
    `private` (the site's staff, the kiosk that issued it) adds the masked name and note."""
    return ticket_view.with_rules(hall().ops, issued, language(), private)


@anyone.get("/tickets/<ticket_id>", answers={200: IssuedTicket}, errors=(404,))
def ticket(ticket_id: str, principal: Principal | None) -> dict[str, Any]:
    """A ticket with its live position (the phone page)

    Anyone with the id; the masked name and the clerk's note only to the site's staff."""
    # The same view a phone following the ticket by push is answered with (ticket_follow).
    issued = hall().ops.ticket_view(ticket_id)
    private = principal is not None and principal.is_staff and principal.covers(issued.ticket.site_id)
    return ticket_payload_with_rules(issued, private)


@issuers.post("/tickets/<ticket_id>/return", answers={200: IssuedTicket}, errors=(404, 409))
def return_missed(ticket_id: str) -> dict[str, Any]:
    """A missed ticket's citizen is back (过号返回): put it in line by the site's rule

    Staff or a kiosk of the ticket's site; the site's missed-call rule decides the place."""
    require_at_ticket_site(ticket_id, ISSUERS)
    return ticket_payload_with_rules(hall().ops.return_missed(ticket_id), private=True)


# --- accounts ------------------------------------------------------------------------


@anyone.post("/auth/login", body=LoginRequest, answers={200: LoginAnswer}, errors=(401, 403, 429))
def login(body: LoginRequest) -> dict[str, Any]:
    """Log in: a session token for the console and the managers' and admin pages

    Throttled before any password is hashed (429 with Retry-After); an account locks after
    repeated failures until an admin unlocks it (403 account_locked)."""
    # Whether this attempt may cost a password hash at all is decided first, per
    # (username, address), per address, per process and at once: see accounts/login_throttle.py.
    address = request.remote_addr
    with login_throttle().attempt(body.username, address) as attempt:
        token = hall().accounts.login(body.username, body.password, address)
        attempt.succeeded()
    principal = hall().accounts.principal(token)
    assert principal is not None
    sites = sorted(principal.sites) if not principal.all_sites else None
    return {"token": token, "username": body.username, "role": principal.role, "sites": sites}


@staff.post("/auth/logout", answers={200: Ok})
def logout() -> dict[str, Any]:
    """End this session"""
    hall().accounts.logout(bearer_token())  # type: ignore[arg-type]
    return {"ok": True}


# --- tickets -------------------------------------------------------------------------


@issuers.post(
    "/sites/<site>/tickets",
    body=IssueRequest,
    answers={201: IssuedTicket, 200: IssuedTicket},
    errors=(404, 409, 422),
)
def issue(site: str, body: IssueRequest, principal: Principal) -> tuple[dict[str, Any], int]:
    """Issue a ticket (idempotent by request_id)

    A kiosk token of the site or staff covering it. The same request_id again returns the
    same ticket with 200. A kiosk may not choose a priority class (403
    priority_needs_staff): the card's birth date gives elderly, `appointment_at` gives
    appointment, staff confirm the rest (`POST /tickets/{ticket_id}/priority`). Where the
    site sets `require_id_for_capped`, a kiosk's request without `person` for an item with
    a daily cap is refused (409 id_required_for_capped)."""
    unattended = principal.role == "kiosk"  # nobody of the staff sees the person
    default_channel = Channel.KIOSK if unattended else Channel.STAFF
    channel = Channel(body.channel) if body.channel else default_channel
    priority = Priority(body.priority)
    if unattended:
        self_service.check_unattended_priority(priority)
    if body.proxy is not None and unattended:
        raise InvalidInput("proxies are named by staff; at a kiosk the proxy taps their card", field="proxy")
    # An ID card read at the kiosk: only its keyed hash and the masked name are kept.
    person = persons.from_card(body.person)
    if person is not None:
        priority = persons.site_priority(hall().db.store, site, person, priority, hall().ops.clock())
    issued = hall().ops.issue_ticket(
        site,
        service=body.service,
        bundle=body.bundle,
        request_id=body.request_id,
        channel=channel,
        priority=priority,
        person_hash=hall().accounts.person_hash(site, person.id_number) if person else None,
        person_mask=persons.mask_name(person.name) or None if person else None,
        appointment_at=appointment_time(body.appointment_at),
        proxy_id=body.proxy,
        issuer=principal.name if principal.is_staff else None,
        help_requested=body.help,
        unattended=unattended,
    )
    data = ticket_payload_with_rules(issued, private=True)
    if unattended:
        # Printed in the ticket's QR (`/t/<id>#k=<key>`): the paper is the right to rate.
        data["key"] = hall().accounts.ticket_key(site, issued.ticket.id)
    return data, 201 if issued.created else 200


@staff.post(
    "/tickets/<ticket_id>/priority",
    body=PriorityRequest,
    answers={200: IssuedTicket},
    errors=(404, 409),
)
def prioritize(ticket_id: str, body: PriorityRequest) -> dict[str, Any]:
    """Staff confirm a priority class of a waiting ticket

    Clerks, managers and admins of the ticket's site. The ticket keeps its place in time;
    every screen gets ticket.prioritized with the class, the class before and who confirmed
    it; the reason goes to the audit log only."""
    principal = require_at_ticket_site(ticket_id, STAFF_ROLES)
    issued = hall().ops.prioritize(ticket_id, Priority(body.priority), body.reason, principal.name)
    return ticket_payload_with_rules(issued, private=True)


@issuers.post("/tickets/<ticket_id>/cancel", answers={200: TicketAnswer}, errors=(404, 409))
def cancel(ticket_id: str) -> dict[str, Any]:
    """Cancel a waiting ticket

    A kiosk or staff of the ticket's site."""
    require_at_ticket_site(ticket_id, ISSUERS)
    return {"ticket": wire.ticket_payload(hall().ops.cancel_ticket(ticket_id), True)}


# --- counters ------------------------------------------------------------------------


@staff.post(
    "/sites/<site>/counters/<int:number>/<action>",
    body=CounterActionRequest,
    answers={200: CounterAnswer, 204: None},
    errors=(404, 409),
    path_doc={"action": "one of " + ", ".join(COUNTER_ACTIONS)},
    summary="A window's action: " + ", ".join(COUNTER_ACTIONS),
)
def counter_action(
    site: str, number: int, action: str, body: CounterActionRequest, principal: Principal
) -> Any:
    """Staff of the site; `call-next` answers 204 when nobody waits. An open window is its
    clerk's until they close it or a manager takes it over (`take-over`, with a reason):
    anyone else gets 409 counter_held."""
    if action not in COUNTER_ACTIONS:
        raise FieldInvalid("action", "choice", choices=", ".join(COUNTER_ACTIONS))
    if action == "take-over":  # a manager's call, with a reason on the record
        principal = require(site, MANAGERS)
    result = hall().ops.counter_action(
        site,
        number,
        action,
        clerk=principal.name,
        reason=body.reason or "",
        outcome=body.outcome,
        to_service=body.to_service,
        to_counter=body.to_counter,
        note=body.note or "",
        ticket_id=body.ticket,
    )
    if result is None:
        return None, 204
    return {
        "counter": wire.counter_payload(result.counter),
        "ticket": wire.ticket_payload(result.ticket, True) if result.ticket else None,
    }


# --- events --------------------------------------------------------------------------


@readers.get(
    "/sites/<site>/events", query=EventsQuery, answers={200: EventsAnswer}, errors=(400, 404)
)
def events(site: str, query: EventsQuery) -> dict[str, Any]:
    """The site's events after `since`, in order (for clients that cannot hold a socket)

    Any token covering the site."""
    payloads = hall().ops.events_since(site, query.since, query.limit)
    return {"events": payloads, "last_seq": payloads[-1]["seq"] if payloads else query.since}
