"""OpenAPI entries for a site's proxies (proxies_api.py) and the reports behind the queue rules
(rules_reports_api.py). `openapi.openapi_document` adds them to the document."""

from __future__ import annotations

from typing import Any

from queue_server.api.openapi import BEARER, NULLABLE_STRING, SITE_PARAM, _errors, _json


def _table(description: str) -> dict[str, Any]:
    return {
        "type": "object",
        "description": description,
        "required": ["columns", "rows"],
        "properties": {
            "columns": {"type": "array", "items": {"type": "string"}},
            "rows": {"type": "array", "items": {"type": "array"}},
        },
    }


PROXY = {
    "type": "object",
    "properties": {
        "id": {"type": "string"},
        "site": {"type": "string"},
        "name": {"type": "string", "description": "a card proxy's name is kept masked (张*)"},
        "kind": {"type": "string", "enum": ["staff", "registered"]},
        "username": NULLABLE_STRING,
        "card": {
            **NULLABLE_STRING,
            "description": "the first 8 characters of the card's keyed hash, never the number",
        },
        "daily_cap": {"type": "integer", "minimum": 1},
        "active": {"type": "boolean"},
        "created_at": {"type": "string", "format": "date-time"},
        "today": {"type": "integer", "description": "tickets taken under the cap today"},
        "day": {"type": "string", "format": "date", "description": "the site's local day"},
    },
}


def _report_params(extra: list[dict[str, Any]], tables: list[str]) -> list[dict[str, Any]]:
    return [
        {
            "name": "from",
            "in": "query",
            "required": True,
            "schema": {"type": "string", "format": "date"},
        },
        {
            "name": "to",
            "in": "query",
            "required": True,
            "schema": {"type": "string", "format": "date"},
        },
        {"name": "site", "in": "query", "schema": {"type": "string"}},
        *extra,
        {
            "name": "format",
            "in": "query",
            "schema": {"type": "string", "enum": ["json", "csv", "xlsx"]},
        },
        {
            "name": "table",
            "in": "query",
            "description": "for csv and xlsx: the table to export (default the first)",
            "schema": {"type": "string", "enum": tables},
        },
    ]


def _report(
    summary: str, description: str, params: list[Any], body: dict[str, Any]
) -> dict[str, Any]:
    return {
        "get": {
            "summary": summary,
            "description": description,
            "security": BEARER,
            "parameters": params,
            "responses": {
                "200": {
                    "description": "The tables (JSON), or one of them as a file",
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "properties": {
                                    "report": {"type": "string"},
                                    "from": {"type": "string"},
                                    "to": {"type": "string"},
                                    "sites": {"type": "array", "items": {"type": "string"}},
                                    **body,
                                },
                            }
                        },
                        "text/csv": {"schema": {"type": "string"}},
                        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {
                            "schema": {"type": "string", "format": "binary"}
                        },
                    },
                },
                **_errors(400, 401, 403, 404),
            },
        }
    }


def rules_paths() -> dict[str, Any]:
    proxy_param = {"name": "proxy_id", "in": "path", "required": True, "schema": {"type": "string"}}
    admins = "Admins of the site. Writes one audit row (kind `proxy`) in the same transaction. "
    field_errors = "400 names the bad field in `field`."
    return {
        "/api/v1/admin/sites/{site}/proxies": {
            "get": {
                "summary": "A site's proxies (帮办代办) with their cap and today's tickets",
                "security": BEARER,
                "parameters": [SITE_PARAM],
                "responses": {
                    "200": _json(
                        {
                            "type": "object",
                            "properties": {
                                "site": {"type": "string"},
                                "proxies": {"type": "array", "items": PROXY},
                            },
                        },
                        "Proxies",
                    ),
                    **_errors(401, 403, 404),
                },
            },
            "post": {
                "summary": "Register a proxy: a member of staff, or a person by ID card",
                "description": admins
                + "Body: kind (staff | registered), daily_cap (1–500), name; staff: username "
                "(an active staff member who works at the site); registered: id_number, read "
                "once: only its keyed hash is kept, and no answer, error or log holds it. "
                + field_errors,
                "security": BEARER,
                "parameters": [SITE_PARAM],
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "required": ["kind", "daily_cap"],
                                "properties": {
                                    "kind": {"type": "string", "enum": ["staff", "registered"]},
                                    "daily_cap": {"type": "integer", "minimum": 1, "maximum": 500},
                                    "name": {"type": "string", "maxLength": 40},
                                    "username": {"type": "string", "maxLength": 64},
                                    "id_number": {"type": "string", "maxLength": 32},
                                },
                            }
                        }
                    },
                },
                "responses": {
                    "201": _json({"type": "object", "properties": {"proxy": PROXY}}, "Registered"),
                    **_errors(400, 401, 403, 404),
                },
            },
        },
        "/api/v1/admin/sites/{site}/proxies/{proxy_id}": {
            "put": {
                "summary": "Change a proxy's cap or name, deactivate or activate it",
                "description": admins
                + "Body: daily_cap, name, active. A deactivated proxy no longer counts: its "
                "tickets fall under the one-person limits again. " + field_errors,
                "security": BEARER,
                "parameters": [SITE_PARAM, proxy_param],
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "properties": {
                                    "daily_cap": {"type": "integer", "minimum": 1, "maximum": 500},
                                    "name": {"type": "string", "maxLength": 40},
                                    "active": {"type": "boolean"},
                                },
                            }
                        }
                    },
                },
                "responses": {
                    "200": _json({"type": "object", "properties": {"proxy": PROXY}}, "Saved"),
                    **_errors(400, 401, 403, 404),
                },
            }
        },
        "/api/v1/reports/heavy-holders": _report(
            "Watch report (黄牛监测): ID cards and proxies that held unusually many tickets",
            "Managers and admins. `identities`: cards (first 8 characters of the keyed hash, "
            "masked name) with more than the site's daily_limit_per_person (default 3) "
            "tickets on one day or more than `range_limit` over the range: tickets, days, "
            "items, most in one day, the limit, which was exceeded (day, range). `proxies`: "
            "tickets, days, most in one day, daily cap, days at the cap, share of the cap "
            "used. Cancelled tickets are not counted.",
            _report_params(
                [
                    {
                        "name": "range_limit",
                        "in": "query",
                        "schema": {"type": "integer", "minimum": 1, "maximum": 10000, "default": 5},
                    }
                ],
                ["identities", "proxies"],
            ),
            {
                "range_limit": {"type": "integer"},
                "day_limits": {"type": "object", "additionalProperties": {"type": "integer"}},
                "identities": _table("cards over a limit, most tickets first"),
                "proxies": _table("proxies who took tickets, most first"),
            },
        ),
        "/api/v1/reports/out-of-order": _report(
            "Out-of-order calls (点名叫号) per clerk, with all calls for comparison",
            "Managers and admins. `clerks`: per site and clerk, calls, out-of-order calls, "
            "their share and the count per reason. `latest`: the latest out-of-order calls "
            "(local time, site, number, window, clerk, reason code).",
            _report_params(
                [
                    {
                        "name": "latest",
                        "in": "query",
                        "schema": {"type": "integer", "minimum": 1, "maximum": 500, "default": 20},
                    }
                ],
                ["clerks", "latest"],
            ),
            {
                "reasons": {
                    "type": "array",
                    "items": {"type": "string"},
                    "description": "the codes of the reason columns, in column order",
                },
                "clerks": _table("clerks, most out-of-order calls first"),
                "latest": _table("the latest out-of-order calls, newest first"),
            },
        ),
    }
