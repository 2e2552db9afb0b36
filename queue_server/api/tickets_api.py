"""The routes of /api/v1. Each parses and validates, calls the library, and answers."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from flask import jsonify, request

from queue_server import wire
from queue_server.accounts.login_throttle import login_throttle
from queue_server.api import api
from queue_server.api.auth import STAFF_ROLES, bearer_token, current_principal, require
from queue_server.api.openapi import openapi_document
from queue_server.app import hall
from queue_server.calling import rules_view, self_service, site_view
from queue_server.calling.operations import COUNTER_ACTIONS, Issued
from queue_server.engine.errors import InvalidInput
from queue_server.engine.model import Channel, Priority
from queue_server.messages import pick_language
from queue_server.people import persons
from queue_server.storage import repository as repo
from queue_server.web_security import MAX_INTEGER

ISSUERS = STAFF_ROLES | {"kiosk"}
MANAGERS = frozenset({"admin", "manager"})
READERS = STAFF_ROLES | {"kiosk", "display", "sign"}
MAX_TEXT = 200


def json_body() -> dict[str, Any]:
    body = request.get_json(silent=True, force=True) if request.content_length else {}
    if not isinstance(body, dict):
        raise InvalidInput("the request body must be a JSON object", field="body")
    try:
        # JSON may carry lone surrogates (\ud800) that no database or printer can store.
        json.dumps(body, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        raise InvalidInput("the request body holds invalid characters", field="body") from None
    return body


def optional_text(body: dict[str, Any], name: str, max_length: int = MAX_TEXT) -> str | None:
    value = body.get(name)
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip() or len(value) > max_length:
        raise InvalidInput(
            f"{name} must be a non-empty string of at most {max_length} characters", field=name
        )
    return value.strip()


def optional_int(body: dict[str, Any], name: str) -> int | None:
    value = body.get(name)
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value < 1_000_000:
        raise InvalidInput(f"{name} must be a whole number", field=name)
    return value


def optional_time(body: dict[str, Any], name: str) -> datetime | None:
    """An ISO 8601 time with its offset (e.g. 2026-11-28T09:30:00+08:00)."""
    value = body.get(name)
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value) if isinstance(value, str) and len(value) <= 40 else None
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise InvalidInput(f"{name} must be an ISO time with its offset", field=name)
    return moment


def optional_flag(body: dict[str, Any], name: str) -> bool:
    value = body.get(name, False)
    if not isinstance(value, bool):
        raise InvalidInput(f"{name} must be true or false", field=name)
    return value


def language() -> str:
    return pick_language(request.headers.get("Accept-Language"))


def choice(body: dict[str, Any], name: str, enum: Any, default: Any) -> Any:
    value = body.get(name)
    if value is None:
        return default
    try:
        return enum(value)
    except (ValueError, TypeError):
        raise InvalidInput(
            f"{name} must be one of " + ", ".join(e.value for e in enum), field=name
        ) from None


def issued_payload(issued: Issued, private: bool = False) -> dict[str, Any]:
    return {
        "ticket": wire.ticket_payload(issued.ticket, private),
        "ahead": issued.ahead,
        "estimated_wait_minutes": issued.estimated_wait_minutes,
    }


# --- public reads --------------------------------------------------------------------


@api.get("/openapi.json")
def openapi():  # type: ignore[no-untyped-def]
    return jsonify(openapi_document())


@api.get("/health")
def health():  # type: ignore[no-untyped-def]
    hall().db.query_one("SELECT 1")
    return jsonify({"ok": True})


@api.get("/sites")
def sites():  # type: ignore[no-untyped-def]
    return jsonify({"sites": site_view.list_sites(hall().db)})


@api.get("/sites/<site>")
def site(site: str):  # type: ignore[no-untyped-def]
    detail = site_view.site_detail(hall().db, site)
    principal = current_principal()
    if principal is None or not principal.is_staff or not principal.covers(site):
        # Public (kiosks, phones, anyone): whose ticket a window serves and which clerk
        # sits there are the site's staff's to know.
        for counter in detail["counters"]:
            counter["current_ticket"] = None
            counter["clerk"] = None
    # Kiosks show what is left of each capped item and the rules, in both languages.
    conn, now = hall().db.conn, hall().ops.clock()
    found = repo.get_site(conn, site)
    assert found is not None
    for entry in detail["services"]:
        entry["quota"] = rules_view.item_quota(
            conn, found, entry["code"], None, entry["daily_cap"], now
        )
    for entry in detail["bundles"]:
        entry["quota"] = rules_view.item_quota(
            conn, found, None, entry["code"], entry["daily_cap"], now
        )
    detail["rules"] = rules_view.all_sentences(found)
    return jsonify(detail)


def ticket_payload_with_rules(issued: Issued, private: bool) -> dict[str, Any]:
    """A ticket with its site's rules in the reader's language and its item's quota;
    `private` (the site's staff, the kiosk that issued it) adds the masked name and note."""
    conn = hall().db.conn
    data = issued_payload(issued, private)
    site = repo.get_site(conn, issued.ticket.site_id)
    if site is not None:
        data["rules"] = rules_view.sentences(site, language())
        data["quota"] = rules_view.ticket_quota(
            conn, site, issued.ticket.service, issued.ticket.bundle, hall().ops.clock()
        )
    return data


@api.get("/tickets/<ticket_id>")
def ticket(ticket_id: str):  # type: ignore[no-untyped-def]
    issued = hall().ops.ticket_view(ticket_id)
    # Public (the phone page): the masked name and the clerk's note are for staff only.
    principal = current_principal()
    private = principal is not None and principal.is_staff and principal.covers(issued.ticket.site_id)
    return jsonify(ticket_payload_with_rules(issued, private))


@api.post("/tickets/<ticket_id>/return")
def return_missed(ticket_id: str):  # type: ignore[no-untyped-def]
    """A citizen whose number was missed (过号) is back: staff or the kiosk put it in line."""
    require(None, ISSUERS)
    require(hall().ops.ticket_view(ticket_id).ticket.site_id, ISSUERS)
    return jsonify(ticket_payload_with_rules(hall().ops.return_missed(ticket_id), private=True))


# --- accounts ------------------------------------------------------------------------


@api.post("/auth/login")
def login():  # type: ignore[no-untyped-def]
    body = json_body()
    username = optional_text(body, "username", 64)
    password = body.get("password")
    if username is None or not isinstance(password, str) or len(password) > 256:
        raise InvalidInput("username and password are required", field="username")
    # Whether this attempt may cost a password hash at all is decided first, per
    # (username, address), per address, per process and at once: see accounts/login_throttle.py.
    address = request.remote_addr
    with login_throttle().attempt(username, address) as attempt:
        token = hall().accounts.login(username, password, address)
        attempt.succeeded()
    principal = hall().accounts.principal(token)
    assert principal is not None
    sites = sorted(principal.sites) if not principal.all_sites else None
    return jsonify({"token": token, "username": username, "role": principal.role, "sites": sites})


@api.post("/auth/logout")
def logout():  # type: ignore[no-untyped-def]
    require(None, STAFF_ROLES)
    hall().accounts.logout(bearer_token())  # type: ignore[arg-type]
    return jsonify({"ok": True})


# --- tickets -------------------------------------------------------------------------


@api.post("/sites/<site>/tickets")
def issue(site: str):  # type: ignore[no-untyped-def]
    principal = require(site, ISSUERS)
    body = json_body()
    service = optional_text(body, "service", 32)
    bundle = optional_text(body, "bundle", 32)
    request_id = optional_text(body, "request_id", 64)
    unattended = principal.role == "kiosk"  # nobody of the staff sees the person
    default_channel = Channel.KIOSK if unattended else Channel.STAFF
    channel = choice(body, "channel", Channel, default_channel)
    priority = choice(body, "priority", Priority, Priority.ORDINARY)
    if unattended:
        self_service.check_unattended_priority(priority)
    help_requested = optional_flag(body, "help")
    appointment_at = optional_time(body, "appointment_at")
    agent_id = optional_text(body, "agent", 32)
    if agent_id is not None and principal.role == "kiosk":
        raise InvalidInput("agents are named by staff; at a kiosk the agent taps their card", field="agent")
    # An ID card read at the kiosk: only its keyed hash and the masked name are kept.
    person = persons.parse_person(body.get("person"))
    if person is not None:
        priority = persons.site_priority(hall().db.conn, site, person, priority, hall().ops.clock())
    issued = hall().ops.issue_ticket(
        site,
        service=service,
        bundle=bundle,
        request_id=request_id,
        channel=channel,
        priority=priority,
        person_hash=hall().accounts.person_hash(person.id_number) if person else None,
        person_mask=persons.mask_name(person.name) or None if person else None,
        appointment_at=appointment_at,
        agent_id=agent_id,
        issuer=principal.name if principal.is_staff else None,
        help_requested=help_requested,
        unattended=unattended,
    )
    data = ticket_payload_with_rules(issued, private=True)
    if principal.role == "kiosk":
        # Printed in the ticket's QR (`/t/<id>#k=<key>`): the paper is the right to rate.
        data["key"] = hall().accounts.ticket_key(issued.ticket.id)
    return jsonify(data), 201 if issued.created else 200


@api.post("/tickets/<ticket_id>/priority")
def prioritize(ticket_id: str):  # type: ignore[no-untyped-def]
    """Staff confirm a priority class (assisted, elderly, disabled) of a waiting ticket."""
    require(None, STAFF_ROLES)
    principal = require(hall().ops.ticket_view(ticket_id).ticket.site_id, STAFF_ROLES)
    body = json_body()
    confirmable = [p.value for p in self_service.CONFIRMABLE]
    if body.get("priority") not in confirmable:
        raise InvalidInput("priority must be one of " + ", ".join(confirmable), field="priority")
    reason = optional_text(body, "reason")
    if reason is None:
        raise InvalidInput("reason is required", field="reason")
    issued = hall().ops.prioritize(ticket_id, Priority(body["priority"]), reason, principal.name)
    return jsonify(ticket_payload_with_rules(issued, private=True))


@api.post("/tickets/<ticket_id>/cancel")
def cancel(ticket_id: str):  # type: ignore[no-untyped-def]
    require(None, ISSUERS)
    view = hall().ops.ticket_view(ticket_id)
    require(view.ticket.site_id, ISSUERS)
    return jsonify({"ticket": wire.ticket_payload(hall().ops.cancel_ticket(ticket_id), True)})


# --- counters ------------------------------------------------------------------------


@api.post("/sites/<site>/counters/<int:number>/<action>")
def counter_action(site: str, number: int, action: str):  # type: ignore[no-untyped-def]
    if action not in COUNTER_ACTIONS:
        raise InvalidInput(f"unknown action {action!r}", field="action")
    # Taking over another clerk's window is a manager's call, with a reason on the record.
    principal = require(site, MANAGERS if action == "take-over" else STAFF_ROLES)
    body = json_body()
    result = hall().ops.counter_action(
        site,
        number,
        action,
        clerk=principal.name,
        reason=optional_text(body, "reason") or "",
        outcome=optional_text(body, "outcome", 32),
        to_service=optional_text(body, "to_service", 32),
        to_counter=optional_int(body, "to_counter"),
        note=optional_text(body, "note") or "",
        ticket_id=optional_text(body, "ticket", 64),
    )
    if result is None:
        return "", 204
    return jsonify(
        {
            "counter": wire.counter_payload(result.counter),
            "ticket": wire.ticket_payload(result.ticket, True) if result.ticket else None,
        }
    )


# --- events --------------------------------------------------------------------------


@api.get("/sites/<site>/events")
def events(site: str):  # type: ignore[no-untyped-def]
    require(site, READERS)
    try:
        since = int(request.args.get("since", "0"))
        limit = int(request.args.get("limit", "1000"))
    except ValueError:
        raise InvalidInput("since and limit must be whole numbers", field="since") from None
    if not 0 <= since <= MAX_INTEGER or not 1 <= limit <= 5000:
        raise InvalidInput("since ≥ 0 and 1 ≤ limit ≤ 5000", field="since")
    payloads = hall().ops.events_since(site, since, limit)
    return jsonify({"events": payloads, "last_seq": payloads[-1]["seq"] if payloads else since})
