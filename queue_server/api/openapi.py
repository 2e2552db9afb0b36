"""The OpenAPI 3 document of /api/v1, kept true to the routes by a test."""

from __future__ import annotations

from typing import Any

from queue_server.calling.operations import COUNTER_ACTIONS
from queue_server.engine.lifecycle import OUT_OF_ORDER_REASONS
from queue_server.engine.model import (
    Channel,
    CounterKind,
    CounterState,
    Outcome,
    Priority,
    SiteKind,
    TicketStatus,
)


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


_ERROR_TEXT = {
    400: "Invalid input",
    401: "No valid token",
    403: "Not allowed for this token",
    404: "Not found",
    409: "Conflict with the current state",
    422: "Not offered here",
    429: "Too many failed logins: wait Retry-After seconds",
}


def _errors(*statuses: int) -> dict[str, Any]:
    return {str(s): {"$ref": f"#/components/responses/E{s}"} for s in statuses}


NULLABLE_STRING = {"type": "string", "nullable": True}
NULLABLE_INT = {"type": "integer", "nullable": True}

SCHEMAS: dict[str, Any] = {
    "Error": {
        "type": "object",
        "required": ["error", "message"],
        "properties": {
            "error": {"type": "string", "description": "stable machine-readable code"},
            "message": {
                "type": "string",
                "description": "for people; Chinese unless Accept-Language prefers en",
            },
            "field": {
                "type": "string",
                "description": "administration: the field to fix (shown next to it)",
            },
        },
    },
    "Site": {
        "type": "object",
        "required": ["id", "name", "kind"],
        "properties": {
            "id": {"type": "string"},
            "name": {"type": "string"},
            "name_en": {"type": "string"},
            "kind": {"type": "string", "enum": [k.value for k in SiteKind]},
            "parent": NULLABLE_STRING,
            "timezone": {"type": "string"},
            "hours": {"type": "object", "nullable": True},
            "settings": {"type": "object"},
        },
    },
    "Ticket": {
        "type": "object",
        "required": ["id", "site", "number", "status", "issued_at"],
        "properties": {
            "id": {"type": "string", "description": "ULID, unique across the city"},
            "site": {"type": "string"},
            "number": {"type": "string", "example": "A001"},
            "day": {"type": "string", "format": "date"},
            "service": NULLABLE_STRING,
            "bundle": NULLABLE_STRING,
            "channel": {"type": "string", "enum": [c.value for c in Channel]},
            "priority": {"type": "string", "enum": [p.value for p in Priority]},
            "status": {"type": "string", "enum": [s.value for s in TicketStatus]},
            "issued_at": {"type": "string", "format": "date-time"},
            "called_at": NULLABLE_STRING,
            "started_at": NULLABLE_STRING,
            "finished_at": NULLABLE_STRING,
            "counter": NULLABLE_INT,
            "target_counter": NULLABLE_INT,
            "outcome": {
                "type": "string",
                "nullable": True,
                "enum": [o.value for o in Outcome] + [None],
            },
            "transfer_count": {"type": "integer"},
            "recall_count": {"type": "integer"},
            "person": {
                "type": "string",
                "nullable": True,
                "description": "masked name, e.g. 张*: only to the site's staff and the kiosk "
                "that issued the ticket; never in events or public reads",
            },
            "note": {
                "type": "string",
                "nullable": True,
                "description": "the clerk's transfer note: only to the site's staff",
            },
            "help_for": {
                "type": "string",
                "nullable": True,
                "description": "the item (service:A101) a citizen who asked for help came for",
            },
        },
    },
    "Counter": {
        "type": "object",
        "required": ["number", "name", "state"],
        "properties": {
            "number": {"type": "integer"},
            "name": {"type": "string"},
            "kind": {"type": "string", "enum": [k.value for k in CounterKind]},
            "state": {"type": "string", "enum": [s.value for s in CounterState]},
            "pause_reason": NULLABLE_STRING,
            "state_since": NULLABLE_STRING,
            "current_ticket": NULLABLE_STRING,
            "clerk": NULLABLE_STRING,
            "profile": {"type": "array", "items": {"type": "object"}},
            "rules": {
                "type": "object",
                "description": "Where the counter's calling rules differ from its site's: "
                "mix [priority, ordinary], max_wait_minutes",
            },
        },
    },
    "IssuedTicket": {
        "type": "object",
        "required": ["ticket", "ahead", "estimated_wait_minutes"],
        "properties": {
            "ticket": _ref("Ticket"),
            "ahead": {"type": "integer", "minimum": 0},
            "estimated_wait_minutes": {"type": "integer", "minimum": 0},
            "key": {
                "type": "string",
                "description": "Only to the kiosk that issued the ticket: printed in the QR "
                "(`/t/{id}#k={key}`), the right to rate the ticket on its phone page",
            },
            "rules": {
                "type": "object",
                "description": "The site's rules in one sentence each, in the reader's "
                "language: mixing, no_show (printed on the ticket), appointment",
                "additionalProperties": {"type": "string"},
            },
            "quota": {
                "type": "object",
                "nullable": True,
                "description": "For an item with a daily cap: cap, taken, remaining, "
                "reserved_for_walk_ins, next_issue_at (when remaining is 0)",
            },
        },
    },
    "Event": {
        "type": "object",
        "required": ["seq", "id", "type", "at", "site", "data"],
        "properties": {
            "seq": {"type": "integer"},
            "id": {"type": "string"},
            "type": {"type": "string"},
            "at": {"type": "string", "format": "date-time"},
            "site": {"type": "string"},
            "ticket": {"allOf": [_ref("Ticket")], "nullable": True},
            "counter": {"allOf": [_ref("Counter")], "nullable": True},
            "data": {"type": "object"},
        },
    },
}

BEARER: list[dict[str, list[str]]] = [{"bearer": []}]
SITE_PARAM = {"name": "site", "in": "path", "required": True, "schema": {"type": "string"}}
TICKET_PARAM = {"name": "ticket_id", "in": "path", "required": True, "schema": {"type": "string"}}


def legacy_document() -> dict[str, Any]:
    paths: dict[str, Any] = {
        "/api/v1/openapi.json": {
            "get": {"summary": "This document", "responses": {"200": {"description": "OpenAPI 3"}}}
        },
        "/api/v1/health": {
            "get": {
                "summary": "Liveness: the database answers",
                "responses": {"200": _json({"type": "object"}, "ok")},
            }
        },
        "/api/v1/sites": {
            "get": {
                "summary": "All sites (the site tree via `parent`)",
                "responses": {
                    "200": _json(
                        {
                            "type": "object",
                            "properties": {"sites": {"type": "array", "items": _ref("Site")}},
                        },
                        "Sites",
                    )
                },
            }
        },
        "/api/v1/sites/{site}": {
            "get": {
                "summary": "One site now: counters, offered services and bundles, waiting counts, estimated waits",
                "parameters": [SITE_PARAM],
                "responses": {
                    "200": _json(
                        {
                            "type": "object",
                            "required": ["site", "counters", "services", "bundles", "last_seq"],
                            "properties": {
                                "site": _ref("Site"),
                                "counters": {"type": "array", "items": _ref("Counter")},
                                "services": {"type": "array", "items": {"type": "object"}},
                                "bundles": {"type": "array", "items": {"type": "object"}},
                                "waiting_total": {"type": "integer"},
                                "last_seq": {"type": "integer"},
                            },
                        },
                        "The site",
                    ),
                    **_errors(404),
                },
            }
        },
        "/api/v1/sites/{site}/tickets": {
            "post": {
                "summary": "Issue a ticket (idempotent by request_id)",
                "description": "Needs a kiosk token of the site or a staff token covering it. "
                "The same request_id again returns the same ticket with 200. A kiosk token may "
                "not choose a priority class (403 priority_needs_staff): the card's birth date "
                "gives elderly, appointment_at gives appointment, staff confirm the rest "
                "(POST /tickets/{ticket_id}/priority). Where the site sets "
                "require_id_for_capped, a kiosk's request without `person` for an item with a "
                "daily cap is refused (409 id_required_for_capped).",
                "security": BEARER,
                "parameters": [SITE_PARAM],
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "properties": {
                                    "service": {"type": "string", "maxLength": 32},
                                    "bundle": {"type": "string", "maxLength": 32},
                                    "request_id": {"type": "string", "maxLength": 64},
                                    "channel": {
                                        "type": "string",
                                        "enum": [c.value for c in Channel],
                                    },
                                    "priority": {
                                        "type": "string",
                                        "enum": [p.value for p in Priority],
                                        "description": "Staff only (a kiosk: ordinary or "
                                        "left out).",
                                    },
                                    "help": {
                                        "type": "boolean",
                                        "description": "The citizen asked for help (帮办): "
                                        "the ticket is for the site's help_item, without "
                                        "priority, and help_for names the item asked for "
                                        "(which must be open and not full now).",
                                    },
                                    "appointment_at": {
                                        "type": "string",
                                        "format": "date-time",
                                        "description": "An appointment checked in: on time "
                                        "(class appointment) within the site's tolerance "
                                        "window, ordinary after it, 409 "
                                        "appointment_too_early before it.",
                                    },
                                    "proxy": {
                                        "type": "string",
                                        "maxLength": 32,
                                        "description": "Staff only: the registered proxy "
                                        "(帮办代办) taking it, within their daily cap "
                                        "(409 proxy_cap_reached).",
                                    },
                                    "person": {
                                        "type": "object",
                                        "description": "The ID card read at a kiosk. Only "
                                        "a keyed hash of the number and the masked name are "
                                        "kept; the birth date gives the elderly class (site "
                                        "setting elderly_age). 409 one_active_ticket while "
                                        "the person holds an active ticket for the item, "
                                        "person_limit_reached beyond daily_limit_per_person "
                                        "tickets per item a day; a registered proxy's card "
                                        "counts against the proxy's cap instead.",
                                        "required": ["id_number"],
                                        "properties": {
                                            "id_number": {"type": "string"},
                                            "name": {"type": "string"},
                                            "birth_date": {"type": "string", "format": "date"},
                                        },
                                    },
                                },
                            }
                        }
                    },
                },
                "responses": {
                    "201": _json(_ref("IssuedTicket"), "Issued"),
                    "200": _json(
                        _ref("IssuedTicket"), "The ticket issued earlier for this request_id"
                    ),
                    **_errors(400, 401, 403, 404, 409, 422),
                },
            },
            "get": {
                "summary": "Today's tickets of the site by status and number, in queue order (staff)",
                "description": "For the console: find a waiting ticket to call out of turn, or "
                "a missed one (status no_show) to put back; `returnable` says whether the "
                "site's rule still takes it back. At most 100.",
                "security": BEARER,
                "parameters": [
                    SITE_PARAM,
                    {
                        "name": "status",
                        "in": "query",
                        "schema": {
                            "type": "string",
                            "enum": [s.value for s in TicketStatus],
                            "default": "waiting",
                        },
                    },
                    {
                        "name": "number",
                        "in": "query",
                        "schema": {"type": "string", "example": "A012"},
                        "description": "A012, a12 or 12 (any prefix)",
                    },
                ],
                "responses": {
                    "200": _json(
                        {
                            "type": "object",
                            "properties": {
                                "site": {"type": "string"},
                                "day": {"type": "string", "format": "date"},
                                "status": {"type": "string"},
                                "tickets": {"type": "array", "items": _ref("Ticket")},
                            },
                        },
                        "The tickets",
                    ),
                    **_errors(400, 401, 403, 404),
                },
            },
        },
        "/api/v1/sites/{site}/proxies": {
            "get": {
                "summary": "The site's active proxies (帮办代办), for staff issuing on their behalf",
                "security": BEARER,
                "parameters": [SITE_PARAM],
                "responses": {
                    "200": _json(
                        {
                            "type": "object",
                            "properties": {
                                "site": {"type": "string"},
                                "day": {"type": "string", "format": "date"},
                                "proxies": {
                                    "type": "array",
                                    "items": {
                                        "type": "object",
                                        "properties": {
                                            "id": {"type": "string"},
                                            "name": {"type": "string"},
                                            "kind": {"type": "string", "enum": ["staff", "registered"]},
                                            "daily_cap": {"type": "integer"},
                                            "today": {"type": "integer"},
                                        },
                                    },
                                },
                            },
                        },
                        "Proxies",
                    ),
                    **_errors(401, 403, 404),
                },
            }
        },
        "/api/v1/tickets/{ticket_id}": {
            "get": {
                "summary": "A ticket with its live position",
                "parameters": [TICKET_PARAM],
                "responses": {"200": _json(_ref("IssuedTicket"), "The ticket"), **_errors(404)},
            }
        },
        "/api/v1/tickets/{ticket_id}/priority": {
            "post": {
                "summary": "Staff confirm a priority class of a waiting ticket",
                "description": "Clerks, managers and admins of the ticket's site. The ticket "
                "keeps its place in time; every screen gets ticket.prioritized with the class, "
                "the class before and who confirmed it; the reason goes to the audit log only.",
                "security": BEARER,
                "parameters": [TICKET_PARAM],
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "required": ["priority", "reason"],
                                "properties": {
                                    "priority": {
                                        "type": "string",
                                        "enum": ["assisted", "elderly", "disabled"],
                                    },
                                    "reason": {"type": "string", "maxLength": 200},
                                },
                            }
                        }
                    },
                },
                "responses": {
                    "200": _json(_ref("IssuedTicket"), "The ticket with its new position"),
                    **_errors(400, 401, 403, 404, 409),
                },
            }
        },
        "/api/v1/tickets/{ticket_id}/cancel": {
            "post": {
                "summary": "Cancel a waiting ticket",
                "security": BEARER,
                "parameters": [TICKET_PARAM],
                "responses": {
                    "200": _json(
                        {"type": "object", "properties": {"ticket": _ref("Ticket")}}, "Cancelled"
                    ),
                    **_errors(401, 403, 404, 409),
                },
            }
        },
        "/api/v1/tickets/{ticket_id}/return": {
            "post": {
                "summary": "A missed ticket (过号) back in line, by the site's rule",
                "description": "Same day only, once. It goes `no_show_return` places behind "
                "the head of its queue, or to the end; every screen gets ticket.returned.",
                "security": BEARER,
                "parameters": [TICKET_PARAM],
                "responses": {
                    "200": _json(_ref("IssuedTicket"), "Back in line, with its position"),
                    **_errors(401, 403, 404, 409),
                },
            }
        },
        "/api/v1/sites/{site}/counters/{number}/{action}": {
            "post": {
                "summary": "A console action at a counter",
                "description": "call-next with nobody waiting answers 204. finish needs `outcome`; "
                "pause needs `reason`; transfer needs `to_service` or `to_counter` (and may carry `note`). "
                "call calls `ticket` (an id) out of order and needs `reason`, one of "
                + ", ".join(OUT_OF_ORDER_REASONS)
                + ". recall and no-show follow the site's missed-call rule (409 call_too_soon, "
                "no_show_too_early).",
                "security": BEARER,
                "parameters": [
                    SITE_PARAM,
                    {
                        "name": "number",
                        "in": "path",
                        "required": True,
                        "schema": {"type": "integer", "minimum": 0},
                    },
                    {
                        "name": "action",
                        "in": "path",
                        "required": True,
                        "schema": {"type": "string", "enum": list(COUNTER_ACTIONS)},
                    },
                ],
                "requestBody": {
                    "required": False,
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "properties": {
                                    "reason": {"type": "string", "maxLength": 200},
                                    "outcome": {
                                        "type": "string",
                                        "enum": [o.value for o in Outcome],
                                    },
                                    "to_service": {"type": "string", "maxLength": 32},
                                    "to_counter": {"type": "integer", "minimum": 0},
                                    "note": {"type": "string", "maxLength": 200},
                                    "ticket": {"type": "string", "maxLength": 64},
                                },
                            }
                        }
                    },
                },
                "responses": {
                    "200": _json(
                        {
                            "type": "object",
                            "properties": {
                                "counter": _ref("Counter"),
                                "ticket": {"allOf": [_ref("Ticket")], "nullable": True},
                            },
                        },
                        "The counter and the ticket concerned",
                    ),
                    "204": {"description": "call-next: nobody is waiting for this counter"},
                    **_errors(400, 401, 403, 404, 409, 422),
                },
            }
        },
        "/api/v1/sites/{site}/events": {
            "get": {
                "summary": "The site's events after a sequence number, in order",
                "security": BEARER,
                "parameters": [
                    SITE_PARAM,
                    {
                        "name": "since",
                        "in": "query",
                        "schema": {"type": "integer", "minimum": 0, "default": 0},
                    },
                    {
                        "name": "limit",
                        "in": "query",
                        "schema": {
                            "type": "integer",
                            "minimum": 1,
                            "maximum": 5000,
                            "default": 1000,
                        },
                    },
                ],
                "responses": {
                    "200": _json(
                        {
                            "type": "object",
                            "properties": {
                                "events": {"type": "array", "items": _ref("Event")},
                                "last_seq": {"type": "integer"},
                            },
                        },
                        "Events",
                    ),
                    **_errors(400, 401, 403, 404),
                },
            }
        },
        "/api/v1/auth/login": {
            "post": {
                "summary": "Staff login; the token goes in `Authorization: Bearer`",
                "description": "401 `login_failed` for a wrong username or password; 403 `account_locked` "
                "for the right password of an account locked after 5 failed logins in a row (an admin "
                "unlocks it); 429 `too_many_attempts` or `login_busy` with `Retry-After`, decided before "
                "any password is checked.",
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "required": ["username", "password"],
                                "properties": {
                                    "username": {"type": "string"},
                                    "password": {"type": "string"},
                                },
                            }
                        }
                    },
                },
                "responses": {
                    "200": _json(
                        {
                            "type": "object",
                            "required": ["token"],
                            "properties": {
                                "token": {"type": "string"},
                                "username": {"type": "string"},
                                "role": {"type": "string"},
                                "sites": {
                                    "type": "array",
                                    "nullable": True,
                                    "items": {"type": "string"},
                                },
                            },
                        },
                        "Logged in",
                    ),
                    **_errors(400, 401, 403, 429),
                },
            }
        },
        "/api/v1/auth/logout": {
            "post": {
                "summary": "End this staff session",
                "security": BEARER,
                "responses": {"200": _json({"type": "object"}, "Logged out"), **_errors(401, 403)},
            }
        },
    }
    paths.update(_calling_paths())
    paths.update(_device_paths())
    paths.update(_manage_paths())
    responses = {f"E{status}": _json(_ref("Error"), text) for status, text in _ERROR_TEXT.items()}
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "hallqueue centre API",
            "version": "1",
            "description": "Errors are {error, message}; messages are Chinese unless Accept-Language prefers English.",
        },
        "paths": paths,
        "components": {
            "schemas": SCHEMAS,
            "responses": responses,
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
    }


NUMBER_PARAM = {
    "name": "number",
    "in": "path",
    "required": True,
    "schema": {"type": "integer", "minimum": 0},
}
RATING = {
    "type": "object",
    "properties": {
        "ticket": {"type": "string"},
        "level": {"type": "integer", "minimum": 1, "maximum": 5},
        "name": {"type": "string", "example": "非常满意"},
        "name_en": {"type": "string"},
        "channel": {"type": "string", "enum": ["evaluator", "phone", "staff"]},
        "at": {"type": "string", "format": "date-time"},
    },
}


def _calling_paths() -> dict[str, Any]:
    """Console, display and sign reads; ratings (queue_server/api/counters_api.py)."""
    obj = {"type": "object"}
    return {
        "/api/v1/sites/{site}/counters/{number}": {
            "get": {
                "summary": "One counter now, for its console and window sign",
                "description": "The counter, its current ticket (with item name and waited "
                "minutes), each queue of its profile (waiting, oldest wait), the next tickets "
                "it would call with the rule picking each, and today's figures of the calling "
                "clerk (or of the counter's clerk for a device token).",
                "security": BEARER,
                "parameters": [SITE_PARAM, NUMBER_PARAM],
                "responses": {
                    "200": _json(
                        {
                            "type": "object",
                            "required": ["counter", "current", "queues", "next", "today", "last_seq"],
                            "properties": {
                                "site": obj,
                                "counter": _ref("Counter"),
                                "current": {
                                    "allOf": [_ref("Ticket")],
                                    "nullable": True,
                                    "description": "also `call_reason` (the rule that called "
                                    "it: transfer, max_wait, priority, longest_wait, "
                                    "out_of_order) and `out_of_order_reason` (the clerk's)",
                                },
                                "missed_call_rule": {
                                    "type": "object",
                                    "description": "The site's 过号 rule: `calls` before a "
                                    "no-show, `interval_seconds` between calls, "
                                    "`return_places` (null: to the end), `allows_return`",
                                },
                                "queues": {"type": "array", "items": obj},
                                "next": {"type": "array", "items": _ref("Ticket")},
                                "today": obj,
                                "last_seq": {"type": "integer"},
                                "server_time": {"type": "string", "format": "date-time"},
                            },
                        },
                        "The counter",
                    ),
                    **_errors(401, 403, 404),
                },
            }
        },
        "/api/v1/sites/{site}/board": {
            "get": {
                "summary": "What a hall display shows: calls now, last calls, waiting counts, notice",
                "description": "`site` carries `notice` and the announcement settings "
                "(`announce_template` with {number} {window} {window_name}, "
                "`announce_template_en`, `announce_english`, `announce_times`). A display "
                "reads this, then follows the site's events from `last_seq`.",
                "security": BEARER,
                "parameters": [SITE_PARAM],
                "responses": {
                    "200": _json(
                        {
                            "type": "object",
                            "required": ["site", "counters", "recent_calls", "waiting", "last_seq"],
                            "properties": {
                                "site": obj,
                                "counters": {"type": "array", "items": obj},
                                "recent_calls": {"type": "array", "items": obj},
                                "waiting": {"type": "array", "items": obj},
                                "waiting_total": {"type": "integer"},
                                "rules": {
                                    "type": "object",
                                    "description": "zh and en: mixing, no_show, appointment",
                                },
                                "quotas": {
                                    "type": "array",
                                    "items": obj,
                                    "description": "Capped items: cap, taken, remaining, "
                                    "next_issue_at when none remain",
                                },
                                "last_seq": {"type": "integer"},
                                "server_time": {"type": "string", "format": "date-time"},
                            },
                        },
                        "The board",
                    ),
                    **_errors(401, 403, 404),
                },
            }
        },
        "/api/v1/tickets/{ticket_id}/rating": {
            "post": {
                "summary": "Rate a finished ticket (好差评), once",
                "description": "Without a token: from the ticket's phone page (channel "
                "`phone`), with the `key` its printed QR carries (403 `rating_key_invalid` "
                "without it), within the site's `rating_window_hours` (default 24) of the end "
                "of service. With the device token of the window sign enrolled for the window "
                "that served the ticket: from its evaluator (channel `evaluator`), within 10 "
                "minutes (403 `rating_wrong_window` at another window). Staff, kiosk and "
                "display tokens are refused. Too late answers 409 `rating_closed`; a second "
                "rating 409 `already_rated`; a ticket not yet done 409 `not_rateable`. "
                "Records a `ticket.rated` event.",
                "parameters": [TICKET_PARAM],
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "required": ["level"],
                                "properties": {
                                    "level": {
                                        "type": "integer",
                                        "minimum": 1,
                                        "maximum": 5,
                                        "description": "5 非常满意 · 4 满意 · 3 基本满意 · "
                                        "2 不满意 · 1 非常不满意",
                                    },
                                    "key": {
                                        "type": "string",
                                        "maxLength": 64,
                                        "description": "the key of the ticket's printed QR "
                                        "(phone page; not with a sign token)",
                                    },
                                },
                            }
                        }
                    },
                },
                "responses": {
                    "201": _json({"type": "object", "properties": {"rating": RATING}}, "Stored"),
                    **_errors(400, 403, 404, 409),
                },
            },
            "get": {
                "summary": "The ticket's rating, or null",
                "parameters": [TICKET_PARAM],
                "responses": {
                    "200": _json(
                        {"type": "object", "properties": {"rating": {**RATING, "nullable": True}}},
                        "The rating",
                    ),
                    **_errors(404),
                },
            },
        },
        "/api/v1/sites/{site}/ratings": {
            "get": {
                "summary": "A day's ratings: per level, per counter, average, 满意率",
                "security": BEARER,
                "parameters": [
                    SITE_PARAM,
                    {
                        "name": "day",
                        "in": "query",
                        "schema": {"type": "string", "format": "date"},
                        "description": "the site's local day; default today",
                    },
                ],
                "responses": {
                    "200": _json(
                        {
                            "type": "object",
                            "properties": {
                                "site": {"type": "string"},
                                "day": {"type": "string", "format": "date"},
                                "count": {"type": "integer"},
                                "average": {"type": "number", "nullable": True},
                                "satisfied_share": {"type": "number", "nullable": True},
                                "levels": obj,
                                "counters": {"type": "array", "items": obj},
                            },
                        },
                        "Ratings",
                    ),
                    **_errors(400, 401, 403, 404),
                },
            }
        },
    }


def _device_paths() -> dict[str, Any]:
    """Device identity and status reports (queue_server/api/devices_api.py)."""
    states = {
        "printer": {"type": "string", "enum": ["ok", "near_end", "out", "cover_open", "offline"]},
        "id_reader": {"type": "string", "enum": ["ok", "absent"]},
    }
    return {
        "/api/v1/devices/me": {
            "get": {
                "summary": "Who this device token belongs to",
                "description": "Needs a device token (kiosk, display or sign); a staff token "
                "gets 403. The kiosk agent takes its site from here.",
                "security": BEARER,
                "responses": {
                    "200": _json(
                        {
                            "type": "object",
                            "required": ["kind", "site", "counter", "name"],
                            "properties": {
                                "kind": {"type": "string", "enum": ["kiosk", "display", "sign"]},
                                "site": {"type": "string"},
                                "counter": NULLABLE_INT,
                                "name": NULLABLE_STRING,
                            },
                        },
                        "The device",
                    ),
                    **_errors(401, 403),
                },
            }
        },
        "/api/v1/devices/status": {
            "post": {
                "summary": "A kiosk, display or sign reports its peripherals",
                "description": "Needs a device token. The status is kept on the device; a "
                "change is appended and pushed as `device.status` to the device's site.",
                "security": BEARER,
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {"schema": {"type": "object", "properties": states}}
                    },
                },
                "responses": {
                    "200": _json(
                        {
                            "type": "object",
                            "properties": {
                                "device": {"type": "string"},
                                "kind": {"type": "string"},
                                "status": {"type": "object", "properties": states},
                            },
                        },
                        "Stored",
                    ),
                    **_errors(400, 401, 403),
                },
            }
        }
    }


def _manage_paths() -> dict[str, Any]:
    """The managers' live dashboard reads (queue_server/api/manage_api.py)."""
    root = {
        "name": "site",
        "in": "query",
        "schema": {"type": "string"},
        "description": "a site the caller manages: that site and every site below it; "
        "default all sites in the caller's scope",
    }
    obj = {"type": "object"}
    return {
        "/api/v1/manage/live": {
            "get": {
                "summary": "Every site in scope now, for the live dashboard",
                "description": "Managers and admins. Per site: counters (with the current "
                "ticket, and `idle_since` for an open window without one), waiting tickets, "
                "offered queues, devices with alerts, today's counts, `target_wait_minutes` "
                "and `last_seq`. Read once and after each reconnect; apply pushed events "
                "(join each site with `since` = its `last_seq`) in between.",
                "security": BEARER,
                "parameters": [root],
                "responses": {
                    "200": _json(
                        {
                            "type": "object",
                            "properties": {
                                "server_time": {"type": "string", "format": "date-time"},
                                "offline_after_seconds": {"type": "integer"},
                                "items": {
                                    "type": "object",
                                    "description": "queue key (S:code / B:code) → name, name_en, prefix",
                                },
                                "sites": {"type": "array", "items": obj},
                            },
                        },
                        "Live state",
                    ),
                    **_errors(401, 403, 404),
                },
            }
        },
        "/api/v1/manage/devices": {
            "get": {
                "summary": "Enrolled devices of the sites in scope: last status, last report, alerts",
                "description": "A kiosk reports at least once a minute; one silent for "
                "`offline_after_seconds` is `offline`. Heartbeats that change nothing are not "
                "pushed, so a dashboard reads this now and then to see them.",
                "security": BEARER,
                "parameters": [root],
                "responses": {
                    "200": _json(
                        {
                            "type": "object",
                            "properties": {
                                "server_time": {"type": "string", "format": "date-time"},
                                "offline_after_seconds": {"type": "integer"},
                                "sites": {
                                    "type": "object",
                                    "description": "site id → devices",
                                    "additionalProperties": {"type": "array", "items": obj},
                                },
                            },
                        },
                        "Devices",
                    ),
                    **_errors(401, 403, 404),
                },
            }
        },
    }
