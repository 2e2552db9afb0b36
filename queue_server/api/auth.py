"""Who may call what: bearer tokens resolved to a principal, checked per route."""

from __future__ import annotations

from flask import g, request

from queue_server.accounts.credentials import Forbidden, Principal, Unauthorized
from queue_server.app import hall

STAFF_ROLES = frozenset({"admin", "manager", "clerk"})
MANAGERS = frozenset({"admin", "manager"})
ISSUERS = STAFF_ROLES | {"kiosk"}  # who issues tickets and takes them back
READERS = STAFF_ROLES | {"kiosk", "display", "sign"}  # who reads a site's windows and events


def bearer_token() -> str | None:
    header = request.headers.get("Authorization", "")
    if header[:7].lower() == "bearer ":
        return header[7:].strip() or None
    return None


def current_principal() -> Principal | None:
    if "principal" not in g:
        g.principal = hall().accounts.principal(bearer_token())
    return g.principal


def require(site: str | None, roles: frozenset[str] | set[str]) -> Principal:
    """The caller, if it holds one of `roles` and (for a site route) covers that site."""
    principal = current_principal()
    if principal is None:
        raise Unauthorized()
    if principal.role not in roles:
        raise Forbidden()
    if site is not None and not principal.covers(site):
        raise Forbidden()
    return principal
