"""Administration over HTTP (admins only; managers may preview rules): /api/v1/admin/…

Each route parses, calls `administration`, and answers. A validation error answers
400 with `{"error", "message", "field"}`: `field` names what to fix, so the admin
pages show the message next to it. Every change writes one audit row, readable at
`GET /admin/audit`.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import Response, jsonify, request
from flask.typing import ResponseReturnValue

from queue_server.accounts.store import Forbidden, Principal
from queue_server.administration import audit, rules_preview
from queue_server.administration import catalog_import as catalog
from queue_server.administration.changes import Administration
from queue_server.administration.validation import FieldInvalid
from queue_server.api import api
from queue_server.api.auth import require
from queue_server.api.contract import json_body
from queue_server.app import hall
from queue_server.engine.errors import InvalidInput
from queue_server.messages import message, pick_language

ADMINS = frozenset({"admin"})
# A site's managers try rules on its history and set its own settings (waits,
# announcements, the queue rules); everything else in /admin is for admins.
PREVIEWERS = frozenset({"admin", "manager"})


def administration() -> Administration:
    return Administration(hall().db, hall().accounts)


def admin(site: str | None = None) -> Principal:
    return require(site, ADMINS)


def with_field(view: Callable[..., Any]) -> Callable[..., Any]:
    """Answer a field error with the field's name beside the message."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return view(*args, **kwargs)
        except InvalidInput as exc:
            field = exc.params.get("field")
            if not field:
                raise
            params = dict(exc.params)
            params.setdefault("detail", exc.detail)
            language = pick_language(request.headers.get("Accept-Language"))
            body = {
                "error": exc.code,
                "message": message(exc.code, language, **params),
                "field": field,
            }
            return jsonify(body), exc.status

    return wrapper


# --- audit log -------------------------------------------------------------------------


@api.get("/admin/audit")
@with_field
def audit_log() -> ResponseReturnValue:
    principal = admin()
    kind = request.args.get("kind") or None
    if kind is not None and kind not in audit.KINDS:
        raise FieldInvalid("kind", "choice", choices=", ".join(audit.KINDS))
    try:
        limit = int(request.args.get("limit", "100"))
        before = int(request.args["before"]) if request.args.get("before") else None
    except ValueError:
        raise FieldInvalid("limit", "integer", min=1, max=audit.MAX_PAGE) from None
    if not 1 <= limit <= audit.MAX_PAGE:
        raise FieldInvalid("limit", "integer", min=1, max=audit.MAX_PAGE)
    if before is not None and not 0 <= before < 2**63:  # SQLite integers are 64-bit
        raise FieldInvalid("before", "integer", min=0, max=2**63 - 1)
    scope = None if principal.all_sites else principal.sites  # a part of the city: its rows
    who = {name: request.args.get(name) or None for name in ("actor", "address")}
    for name, value in who.items():
        if value is not None and len(value) > 64:
            raise FieldInvalid(name, "too_long", max=64)
    entries, cursor = audit.entries(hall().db.conn, kind, limit, before, scope, **who)
    return jsonify({"entries": [e.payload() for e in entries], "next_before": cursor})


# --- sites -----------------------------------------------------------------------------


@api.post("/admin/sites")
@with_field
def create_site() -> ResponseReturnValue:
    principal = admin()
    if not principal.all_sites:
        raise Forbidden()
    body = json_body()
    site_id = body.get("id")
    site_id = site_id if isinstance(site_id, str) else ""
    return jsonify(
        {"site": administration().save_site(principal, site_id, body, create=True)}
    ), 201


@api.put("/admin/sites/<site>")
@with_field
def update_site(site: str) -> ResponseReturnValue:
    principal = admin(site)
    return jsonify(
        {"site": administration().save_site(principal, site, json_body(), create=False)}
    )


@api.put("/admin/sites/<site>/settings")
@with_field
def site_settings(site: str) -> ResponseReturnValue:
    principal = require(site, PREVIEWERS)  # the hall's managers set its own settings
    return jsonify({"settings": administration().save_settings(principal, site, json_body())})


@api.post("/admin/sites/<site>/rules/preview")
@with_field
def preview_rules(site: str) -> ResponseReturnValue:
    require(site, PREVIEWERS)
    language = pick_language(request.headers.get("Accept-Language"))
    found = rules_preview.preview(hall().db, site, json_body(), hall().ops.clock(), language)
    return jsonify(found)


@api.put("/admin/sites/<site>/offerings")
@with_field
def site_offerings(site: str) -> ResponseReturnValue:
    principal = admin(site)
    return jsonify(administration().save_offerings(principal, site, json_body()))


@api.put("/admin/sites/<site>/counters/<int:number>")
@with_field
def save_counter(site: str, number: int) -> ResponseReturnValue:
    principal = admin(site)
    return jsonify(
        {"counter": administration().save_counter(principal, site, number, json_body())}
    )


# --- catalogue -------------------------------------------------------------------------


@api.get("/admin/catalog")
@with_field
def export_catalog() -> ResponseReturnValue:
    admin()
    fmt = request.args.get("format", "json")
    if fmt == "csv":
        return Response(
            "\ufeff" + catalog.export_csv(hall().db),  # a BOM, so spreadsheet programs read UTF-8
            mimetype="text/csv",
            headers={"Content-Disposition": 'attachment; filename="hallqueue-catalog.csv"'},
        )
    if fmt != "json":
        raise FieldInvalid("format", "choice", choices="json, csv")
    return Response(
        catalog.export_json(hall().db),
        mimetype="application/json",
        headers={"Content-Disposition": 'attachment; filename="hallqueue-catalog.json"'},
    )


@api.post("/admin/catalog/import")
@with_field
def import_catalog() -> ResponseReturnValue:
    principal = admin()
    if not principal.all_sites:
        raise Forbidden()
    body = json_body()
    fmt = body.get("format", "json")
    return jsonify(administration().import_catalog(principal, fmt, body.get("text")))


@api.put("/admin/services/<code>")
@with_field
def save_service(code: str) -> ResponseReturnValue:
    principal = admin()
    if not principal.all_sites:
        raise Forbidden()
    return jsonify({"service": administration().save_service(principal, code, json_body())})


@api.put("/admin/bundles/<code>")
@with_field
def save_bundle(code: str) -> ResponseReturnValue:
    principal = admin()
    if not principal.all_sites:
        raise Forbidden()
    return jsonify({"bundle": administration().save_bundle(principal, code, json_body())})


# --- staff -----------------------------------------------------------------------------


@api.get("/admin/staff")
def list_staff() -> ResponseReturnValue:
    return jsonify({"staff": administration().list_staff(admin())})


@api.post("/admin/staff")
@with_field
def add_staff() -> ResponseReturnValue:
    principal = admin()
    return jsonify({"staff": administration().add_staff(principal, json_body())}), 201


@api.put("/admin/staff/<username>")
@with_field
def update_staff(username: str) -> ResponseReturnValue:
    principal = admin()  # of every site the member has and gets (Administration checks)
    return jsonify({"staff": administration().update_staff(principal, username, json_body())})


@api.post("/admin/staff/<username>/password")
@with_field
def reset_password(username: str) -> ResponseReturnValue:
    principal = admin()  # of every site the member has (Administration checks)
    return jsonify(
        {"staff": administration().reset_password(principal, username, json_body())}
    )


@api.post("/admin/staff/<username>/unlock")
def unlock_staff(username: str) -> ResponseReturnValue:
    principal = admin()  # of every site the member has (Administration checks)
    return jsonify({"staff": administration().unlock_staff(principal, username)})


# --- devices ---------------------------------------------------------------------------


@api.get("/admin/devices")
def list_devices() -> ResponseReturnValue:
    return jsonify({"devices": administration().list_devices(admin())})


@api.post("/admin/devices")
@with_field
def enrol_device() -> ResponseReturnValue:
    principal = admin()
    device, token = administration().enrol_device(principal, json_body())
    # The only time the token is ever shown: only its keyed hash is stored.
    return jsonify({"device": device, "token": token}), 201


@api.post("/admin/devices/<device_id>/revoke")
def revoke_device(device_id: str) -> ResponseReturnValue:
    principal = admin()
    return jsonify({"device": administration().revoke_device(principal, device_id)})
