"""Registered proxies (帮办代办) in the administration: list, register, change, deactivate.

An admin of a site registers either a member of staff (named by user name: the tickets
they issue from the console count against the proxy's cap) or a person by ID card. The
card number is read once: it becomes the keyed hash `Accounts.person_hash` and is then
dropped; it is never stored, logged, echoed in an answer or an error, or written to the
audit log. A card proxy's name is kept masked (张*), as on tickets, so it can be shown
anywhere, the kiosk's refusal included; the first characters of the card's hash
(`card`) tell two 王* apart and match the rows of the watch report.

Each change is one `BEGIN IMMEDIATE` transaction with its audit row (kind `proxy`).
The list gives each proxy's cap and the tickets taken under it today (the site's local
day, cancelled tickets not counted, as for the cap itself).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from devices.masking import mask_name
from queue_server.accounts.credentials import Accounts
from queue_server.administration import audit
from queue_server.engine import hours
from queue_server.engine.errors import FieldInvalid, UnknownSite
from queue_server.people.proxies import UnknownProxy, add_proxy
from queue_server.storage import Database, Row, Store

if TYPE_CHECKING:  # the routes' models (api/schemas/proxies.py), which check each field's form
    from queue_server.api.schemas.proxies import ProxyChange, ProxyRegistration

CARD_PREFIX = 8  # hex characters of the card's keyed hash shown to tell proxies apart


def card_label(person_hash: str | None) -> str | None:
    return person_hash[:CARD_PREFIX] if person_hash else None


def proxy_payload(row: Row) -> dict[str, Any]:
    """A proxy as the pages and the audit log see it: never the card's number or hash."""
    return {
        "id": row["id"],
        "site": row["site_id"],
        "name": row["name"],
        "kind": row["kind"],
        "username": row["username"],
        "card": card_label(row["person_hash"]),
        "daily_cap": row["daily_cap"],
        "active": bool(row["active"]),
        "created_at": row["created_at"],
    }


def _staff_covers(store: Store, staff: Row, site_id: str) -> bool:
    """Whether the staff member may issue at the site (their scope, as at login)."""
    sites = json.loads(staff["sites"] or "[]")
    if staff["role"] == "admin" and not sites:
        return True
    if staff["role"] == "clerk":
        return site_id in sites
    return site_id in store.sites.subtree(sites)


class ProxyAdmin:
    def __init__(self, db: Database, accounts: Accounts, clock: Callable[[], datetime]) -> None:
        self.db = db
        self.accounts = accounts
        self.clock = clock

    def list(self, site_id: str) -> list[dict[str, Any]]:
        store = self.db.store
        site = store.sites.get(site_id)
        if site is None:
            raise UnknownSite(site=site_id)
        today = hours.local_day(self.clock(), site.timezone)
        taken = store.proxies.taken_on(site_id, today)
        found = []
        for row in store.proxies.of_site(site_id):
            proxy = proxy_payload(row)
            proxy["today"] = taken.get(row["id"], 0)
            proxy["day"] = today
            found.append(proxy)
        return found

    def register(self, actor: str, site_id: str, registration: ProxyRegistration) -> dict[str, Any]:
        kind, daily_cap, name = registration.kind, registration.daily_cap, registration.name
        person_hash = None
        if kind == "registered" and registration.id_number:
            # The number lives only in this frame: hashed here, never kept or repeated.
            person_hash = self.accounts.person_hash(site_id, registration.id_number)
            name = mask_name(name)
        with self.db.transaction() as store:
            if store.sites.get(site_id) is None:
                raise UnknownSite(site=site_id)
            username = None
            if kind == "staff":
                username = registration.username
                staff = store.staff.active(username)
                if staff is None:
                    raise FieldInvalid("username", "unknown_staff", value=username)
                if not _staff_covers(store, staff, site_id):
                    raise FieldInvalid("username", "staff_not_at_site", value=username)
                name = name or staff["display_name"] or username
            self._refuse_twice(store, site_id, username, person_hash)
            proxy = add_proxy(
                store,
                site_id,
                name,
                kind,
                daily_cap,
                self.clock(),
                username=username,
                person_hash=person_hash,
            )
            after = proxy_payload(_row(store, proxy.id))
            audit.record(store, actor, "create", "proxy", proxy.id, None, after, site_id)
        return after

    def update(self, actor: str, site_id: str, proxy_id: str, change: ProxyChange) -> dict[str, Any]:
        """Change the cap or the name, deactivate (`active: false`) or activate again; what
        is left out (or empty) stays."""
        active, daily_cap = change.active, change.daily_cap
        with self.db.transaction() as store:
            row = store.proxies.get(proxy_id)
            if row is None or row["site_id"] != site_id:
                raise UnknownProxy(proxy=proxy_id)
            before = proxy_payload(row)
            name = before["name"]
            if change.name:
                name = mask_name(change.name) if row["kind"] == "registered" else change.name
            cap = before["daily_cap"] if daily_cap is None else daily_cap
            now_active = before["active"] if active is None else active
            if (name, cap, now_active) == (before["name"], before["daily_cap"], before["active"]):
                return before  # nothing changes, nothing to log
            if now_active and not before["active"]:
                self._refuse_twice(store, site_id, row["username"], row["person_hash"], "active")
            store.proxies.update(proxy_id, name, cap, now_active)
            after = proxy_payload(_row(store, proxy_id))
            action = "deactivate" if before["active"] and not now_active else "update"
            audit.record(store, actor, action, "proxy", proxy_id, before, after, site_id)
        return after

    @staticmethod
    def _refuse_twice(
        store: Store,
        site_id: str,
        username: str | None,
        person_hash: str | None,
        field: str | None = None,
    ) -> None:
        """One active proxy per staff member or card at a site (the cap is theirs alone)."""
        if username is not None and store.proxies.active_for_staff(site_id, username):
            raise FieldInvalid(field or "username", "taken", value=username)
        if person_hash is not None and store.proxies.active_for_card(site_id, person_hash):
            raise FieldInvalid(field or "id_number", "card_taken")


def _row(store: Store, proxy_id: str) -> Row:
    row = store.proxies.get(proxy_id)
    assert row is not None  # just written, in the same transaction
    return row
