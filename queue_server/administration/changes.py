"""Administration: validated changes to sites, settings, catalogue, counters, staff, devices.

Each change is one `BEGIN IMMEDIATE` transaction that reads the record as it was,
writes the new one and appends its audit row (`audit.record`): the change and its
audit row commit together or not at all. Each change takes its request as the route's
model parsed it (`api/schemas/administration.py`: forms, types, ranges, the rules of a
single value); what only the database can tell — a site or an item exists, a code is
offered, a username is free, the actor's scope — is checked here, as a `FieldInvalid`
that names the field and picks a zh/en message (`wire/words.py`, codes `field_*`).

Counters are read from the database by every console request, so a counter saved here
can be opened and called at once.
"""

from __future__ import annotations

import json
import re
import secrets
from collections.abc import Callable, Iterable
from dataclasses import replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from werkzeug.security import generate_password_hash

from queue_server.accounts.credentials import Accounts, Forbidden, Principal, subtree
from queue_server.accounts.passwords import check_password
from queue_server.administration import audit
from queue_server.administration.catalog_import import (
    CatalogError,
    catalog_error,
    parse_bundle,
    parse_catalog_csv,
    parse_catalog_json,
    parse_service,
)
from queue_server.calling.site_view import bundle_payload, service_payload, site_payload
from queue_server.engine.errors import FieldInvalid, NotFound, UnknownSite
from queue_server.engine.ids import new_id
from queue_server.engine.model import Counter, CounterKind, ProfileEntry, Site, SiteKind
from queue_server.storage import Database, Row, Store
from queue_server.storage.records import to_text

if TYPE_CHECKING:  # the routes' models; api/ imports this module, not the other way round
    from queue_server.api.schemas.administration import (
        BundleChange,
        DeviceEnrolment,
        NewStaff,
        ServiceChange,
        StaffChange,
    )
    from queue_server.api.schemas.sites import CounterChange, Offerings, SiteChange, SiteSettings

CODE = re.compile(r"^[A-Za-z0-9_.-]{1,32}$")


class UnknownStaff(NotFound, code="unknown_staff"): ...
class UnknownDevice(NotFound, code="unknown_device"): ...


def _now() -> str:
    return to_text(datetime.now(UTC))  # type: ignore[return-value]


def check_scope(actor: Principal, sites: Iterable[str | None]) -> None:
    """Every site a change names, what it was and what it becomes, must be the actor's.

    So an admin of one township can neither move it under another manager's tree (its new
    parent is not theirs) nor give a member of staff a site of someone else's, nor take
    one over. `None` stands for the city as a whole (the root of the tree, a city-wide
    admin's empty site list): only a city-wide admin may name it.
    """
    if actor.all_sites:
        return
    for site in sites:
        if site is None or not actor.covers(site):
            raise Forbidden()


def sees_staff(actor: Principal, sites: list[str]) -> bool:
    """A scoped admin reads the staff whose every site is theirs (not city-wide admins)."""
    return actor.all_sites or (bool(sites) and all(actor.covers(s) for s in sites))


def counter_config(counter: Counter | None) -> dict[str, Any] | None:
    if counter is None:
        return None
    return {
        "number": counter.number,
        "name": counter.name,
        "kind": counter.kind.value,
        "profile": [
            {"service": e.service, "weight": e.weight}
            if e.service
            else {"bundle": e.bundle, "weight": e.weight}
            for e in counter.profile
        ],
        "rules": dict(counter.rules),
    }


def staff_payload(row: Row | None) -> dict[str, Any] | None:
    if row is None:
        return None
    return {
        "username": row["username"],
        "role": row["role"],
        "sites": json.loads(row["sites"]),
        "display_name": row["display_name"],
        "active": bool(row["active"]),
        "created_at": row["created_at"],
        "locked": row["locked_at"] is not None,
        "locked_at": row["locked_at"],
    }


def device_payload(row: Row | None) -> dict[str, Any] | None:
    if row is None:
        return None
    return {
        "id": row["id"],
        "kind": row["kind"],
        "site": row["site_id"],
        "name": row["name"],
        "created_at": row["created_at"],
        "revoked_at": row["revoked_at"],
        "last_seen": row["last_seen"],
        "status": json.loads(row["status"] or "{}"),
        "counter": row["counter"],
    }


def catalogue_code(code: str) -> str:
    """A service's or bundle's code, as it stands in the path."""
    if not CODE.match(code or ""):
        raise FieldInvalid("code", "code")
    return code


class Administration:
    def __init__(self, db: Database, accounts: Accounts) -> None:
        self.db = db
        self.accounts = accounts

    # --- the audit log ----------------------------------------------------------------

    def audit_log(
        self,
        reader: Principal,
        kind: str | None,
        limit: int,
        before: int | None,
        *,
        actor: str | None = None,
        address: str | None = None,
    ) -> tuple[list[audit.Entry], int | None]:
        """A page of the log, newest first; an admin of part of the city reads its rows only."""
        scope = None if reader.all_sites else reader.sites
        return audit.entries(self.db.store, kind, limit, before, scope, actor=actor, address=address)

    # --- sites ------------------------------------------------------------------------

    def save_site(
        self, actor: Principal, site_id: str, change: SiteChange, create: bool
    ) -> dict[str, Any]:
        parent = change.parent
        with self.db.transaction() as store:
            existing = store.sites.get(site_id)
            if create and existing is not None:
                raise FieldInvalid("id", "taken", value=site_id)
            if not create and existing is None:
                raise UnknownSite(site=site_id)
            # A new site's parent; a moved site, where it stands and where it goes: the
            # site and both parents must be the actor's (`None`: the root of the city).
            if create:
                named = [parent]
            elif existing.parent_id != parent:  # type: ignore[union-attr]
                named = [site_id, existing.parent_id, parent]  # type: ignore[union-attr]
            else:
                named = [site_id]
            check_scope(actor, named)
            if parent is not None:
                if store.sites.get(parent) is None:
                    raise FieldInvalid("parent", "unknown_site", value=parent)
                if not create and parent in _below(store, site_id):
                    raise FieldInvalid("parent", "parent_cycle")
            site = Site(
                id=site_id,
                name=change.name,
                name_en=change.name_en,
                kind=SiteKind(change.kind),
                parent_id=parent,
                timezone=change.timezone,
                hours=change.opening_hours(),
                settings=existing.settings if existing else {},
            )
            store.sites.save(site)
            before = site_payload(existing) if existing else None
            after = site_payload(site)
            audit.record(
                store,
                actor.name,
                "create" if create else "update",
                "site",
                site_id,
                before,
                after,
                site_id,
                sites=[site_id, *(s for s in named if s)],
            )
        return after

    def save_settings(self, actor: Principal, site_id: str, change: SiteSettings) -> dict[str, Any]:
        """The settings as given (a setting left out or empty takes its default)."""
        check_scope(actor, [site_id])
        settings = change.given()
        with self.db.transaction() as store:
            site = _site(store, site_id)
            services, bundles = store.offerings.of(site_id)
            # The items the kiosk sends an elderly citizen's card tap and a request for
            # help (帮办) to: codes the site offers.
            for name in ("elderly_one_tap", "help_item"):
                code = settings.get(name)
                if code and code not in (*services, *bundles):
                    raise FieldInvalid(name, "not_offered", value=code)
            store.sites.save(replace(site, settings=settings))
            audit.record(
                store, actor.name, "update", "settings", site_id, site.settings, settings, site_id
            )
        return settings

    def save_offerings(self, actor: Principal, site_id: str, change: Offerings) -> dict[str, Any]:
        """Set what a site offers. A list left out keeps what the site has (an empty body
        must not wipe a site's catalogue); an empty list clears it."""
        check_scope(actor, [site_id])
        given = {
            name: list(dict.fromkeys(codes))
            for name, codes in (("services", change.services), ("bundles", change.bundles))
            if codes is not None
        }
        with self.db.transaction() as store:
            _site(store, site_id)
            current_services, current_bundles = store.offerings.of(site_id)
            lists = {
                "services": given.get("services", current_services),
                "bundles": given.get("bundles", current_bundles),
            }
            for code in lists["services"]:
                if store.catalogue.service(code) is None:
                    raise FieldInvalid("services", "unknown_item", value=code)
            for code in lists["bundles"]:
                if store.catalogue.bundle(code) is None:
                    raise FieldInvalid("bundles", "unknown_item", value=code)
            store.offerings.set(site_id, lists["services"], lists["bundles"])
            before = {"services": current_services, "bundles": current_bundles}
            audit.record(
                store, actor.name, "update", "offerings", site_id, before, lists, site_id
            )
        return lists

    # --- catalogue --------------------------------------------------------------------

    def save_service(self, actor: Principal, code: str, change: ServiceChange) -> dict[str, Any]:
        """The catalogue's own rules (the same as an import's) check what the form sent."""
        check_scope(actor, [None])  # one catalogue for the whole city
        catalogue_code(code)
        try:
            service = parse_service({**change.fields(), "code": code}, "service")
        except CatalogError as exc:
            raise catalog_error(exc) from None
        with self.db.transaction() as store:
            existing = store.catalogue.service(code)
            store.catalogue.save_service(service)
            return _audit_saved(store, actor, "service", code, existing, service, service_payload)

    def save_bundle(self, actor: Principal, code: str, change: BundleChange) -> dict[str, Any]:
        check_scope(actor, [None])
        catalogue_code(code)
        with self.db.transaction() as store:
            known = {s.code for s in store.catalogue.services()}
            try:
                bundle = parse_bundle({**change.fields(), "code": code}, "bundle", known)
            except CatalogError as exc:
                raise catalog_error(exc) from None
            existing = store.catalogue.bundle(code)
            store.catalogue.save_bundle(bundle)
            return _audit_saved(store, actor, "bundle", code, existing, bundle, bundle_payload)

    def import_catalog(self, actor: Principal, fmt: str, text: str) -> dict[str, Any]:
        """JSON (services and bundles) or CSV (services) through `catalog`; all or nothing."""
        check_scope(actor, [None])
        with self.db.transaction() as store:
            try:
                if fmt == "json":
                    existing = [s.code for s in store.catalogue.services()]
                    services, bundles = parse_catalog_json(text, existing)
                else:
                    services, bundles = parse_catalog_csv(text), []
            except CatalogError as exc:
                raise catalog_error(exc, "text") from None
            before: dict[str, Any] = {"services": {}, "bundles": {}}
            after: dict[str, Any] = {"services": {}, "bundles": {}}
            for service in services:
                old = store.catalogue.service(service.code)
                new = service_payload(service)
                if old is None or service_payload(old) != new:
                    before["services"][service.code] = service_payload(old) if old else None
                    after["services"][service.code] = new
                    store.catalogue.save_service(service)
            for bundle in bundles:
                old_bundle = store.catalogue.bundle(bundle.code)
                new = bundle_payload(bundle)
                if old_bundle is None or bundle_payload(old_bundle) != new:
                    before["bundles"][bundle.code] = (
                        bundle_payload(old_bundle) if old_bundle else None
                    )
                    after["bundles"][bundle.code] = new
                    store.catalogue.save_bundle(bundle)
            summary = {
                "services": len(services),
                "bundles": len(bundles),
                "changed_services": sorted(after["services"]),
                "changed_bundles": sorted(after["bundles"]),
            }
            if summary["changed_services"] or summary["changed_bundles"]:
                target = (
                    f"{fmt}: {len(after['services'])} services, {len(after['bundles'])} bundles"
                )
                audit.record(store, actor.name, "import", "catalog", target, before, after)
        return summary

    # --- counters ---------------------------------------------------------------------

    def save_counter(
        self, actor: Principal, site_id: str, number: int, change: CounterChange
    ) -> dict[str, Any]:
        check_scope(actor, [site_id])
        if not 1 <= number <= 999:
            raise FieldInvalid("number", "integer", min=1, max=999)
        name, kind = change.name, change.kind
        profile = tuple(
            ProfileEntry(service=line.service, bundle=line.bundle, weight=line.weight)
            for line in change.profile
        )
        # Left out, a counter keeps its own rules (a form that does not show them must not
        # wipe them); null or {} clears them.
        rules = None
        if "rules" in change.model_fields_set:
            rules = change.rules.given() if change.rules is not None else {}
        with self.db.transaction() as store:
            _site(store, site_id)
            for i, entry in enumerate(profile):
                kind_name = "service" if entry.service else "bundle"
                code = entry.service or entry.bundle or ""
                found = (
                    store.catalogue.service(code) if entry.service else store.catalogue.bundle(code)
                )
                if found is None:
                    raise FieldInvalid(f"profile[{i}]", "unknown_item", value=code)
                if not store.offerings.offers(site_id, kind_name, code):
                    raise FieldInvalid(f"profile[{i}]", "not_offered", value=code)
            existing = store.counters.get(site_id, number)
            if existing is not None:
                counter = replace(
                    existing,
                    name=name,
                    kind=CounterKind(kind),
                    profile=profile,
                    rules=existing.rules if rules is None else rules,
                )
            else:
                counter = Counter(
                    id=new_id(),
                    site_id=site_id,
                    number=number,
                    name=name,
                    kind=CounterKind(kind),
                    profile=profile,
                    rules=rules or {},
                )
            store.counters.save(counter)
            before, after = counter_config(existing), counter_config(counter)
            audit.record(
                store,
                actor.name,
                "update" if existing else "create",
                "counter",
                f"{site_id}/{number}",
                before,
                after,
                site_id,
            )
        return after  # type: ignore[return-value]

    # --- staff ------------------------------------------------------------------------

    def list_staff(self, actor: Principal) -> list[dict[str, Any]]:
        found = [staff_payload(r) for r in self.db.store.staff.all()]
        return [s for s in found if s is not None and sees_staff(actor, s["sites"])]

    def _staff_fields(
        self,
        store: Store,
        change: NewStaff | StaffChange,
        current: dict[str, Any] | None,
    ) -> dict[str, Any]:
        """Role, sites and name as they become: a field left out keeps what the member has."""
        role = change.role or (current["role"] if current else None)
        given = change.sites if change.sites is not None else (current["sites"] if current else [])
        sites = list(dict.fromkeys(given))
        for site in sites:
            if store.sites.get(site) is None:
                raise FieldInvalid("sites", "unknown_site", value=site)
        if role != "admin" and not sites:
            raise FieldInvalid("sites", "sites_needed")
        named = current is None or "display_name" in change.model_fields_set
        display = change.display_name if named else current["display_name"]  # type: ignore[index]
        return {"role": role, "sites": sites, "display_name": display}

    def add_staff(self, actor: Principal, member: NewStaff) -> dict[str, Any]:
        username = member.username
        password = check_password(member.password, username)
        password_hash = generate_password_hash(password)  # slow on purpose: outside the transaction
        with self.db.transaction() as store:
            if store.staff.get(username) is not None:
                raise FieldInvalid("username", "taken", value=username)
            fields = self._staff_fields(store, member, None)
            check_scope(actor, fields["sites"] or [None])
            store.staff.add(
                username,
                password_hash,
                fields["role"],
                fields["sites"],
                fields["display_name"],
                _now(),
            )
            after = staff_payload(_staff_row(store, username))
            audit.record(
                store, actor.name, "create", "staff", username, None, after, sites=fields["sites"]
            )
        return after  # type: ignore[return-value]

    def update_staff(self, actor: Principal, username: str, change: StaffChange) -> dict[str, Any]:
        active = change.active
        with self.db.transaction() as store:
            before = staff_payload(_staff_row(store, username))
            if before is None:
                raise UnknownStaff(username=username)
            fields = self._staff_fields(store, change, before)
            # The sites the member had and the sites they get: all must be the actor's.
            check_scope(actor, [*(before["sites"] or [None]), *(fields["sites"] or [None])])
            active_now = before["active"] if active is None else active
            if username == actor.name and not active_now:
                raise FieldInvalid("active", "self")
            if (
                before["role"] == "admin"
                and before["active"]
                and (fields["role"] != "admin" or not active_now)
            ):
                if not store.staff.other_active_admins(username):
                    raise FieldInvalid("role" if active_now else "active", "last_admin")
            store.staff.update(
                username, fields["role"], fields["sites"], fields["display_name"], active_now
            )
            if not active_now:  # a deactivated account's sessions end now
                store.tokens.end_sessions(username)
            after = staff_payload(_staff_row(store, username))
            action = "deactivate" if before["active"] and not active_now else "update"
            touched = sorted({*before["sites"], *fields["sites"]})
            audit.record(
                store, actor.name, action, "staff", username, before, after, sites=touched
            )
        self.accounts.forget_cached()
        return after  # type: ignore[return-value]

    def reset_password(self, actor: Principal, username: str, password: str) -> dict[str, Any]:
        """A new password (to the policy); it ends the member's sessions and opens a locked account."""
        password_hash = generate_password_hash(check_password(password, username))
        with self.db.transaction() as store:
            before = staff_payload(_staff_row(store, username))
            if before is None:
                raise UnknownStaff(username=username)
            check_scope(actor, before["sites"] or [None])
            store.staff.set_password(username, password_hash)
            ended = store.tokens.end_sessions(username)
            # Never the hash: the log says that it changed and which sessions ended.
            audit.record(
                store, actor.name, "reset_password", "staff", username,
                {"password": "old", "sessions": ended, "locked": before["locked"]},
                {"password": "new", "sessions": 0, "locked": False},
                sites=before["sites"],
            )  # fmt: skip
        self.accounts.forget_cached()
        return before

    def unlock_staff(self, actor: Principal, username: str) -> dict[str, Any]:
        """Open an account locked by failed logins; an account not locked is left as it is."""
        with self.db.transaction() as store:
            before = staff_payload(_staff_row(store, username))
            if before is None:
                raise UnknownStaff(username=username)
            check_scope(actor, before["sites"] or [None])
            if not before["locked"]:
                return before  # nothing changes, nothing to log
            store.staff.unlock(username)
            after = staff_payload(_staff_row(store, username))
            audit.record(
                store, actor.name, "unlock", "staff", username, before, after, sites=before["sites"]
            )
        return after  # type: ignore[return-value]

    # --- devices ----------------------------------------------------------------------

    def list_devices(self, actor: Principal) -> list[dict[str, Any]]:
        found = [device_payload(r) for r in self.db.store.devices.all()]
        return [d for d in found if d is not None and actor.covers(d["site"])]

    def enrol_device(self, actor: Principal, device: DeviceEnrolment) -> tuple[dict[str, Any], str]:
        """A new device and its token; the token is returned once and stored only hashed.
        A window sign names its window: its evaluator rates only what that window served."""
        kind, site_id, name, counter = device.kind, device.site, device.name, device.counter
        check_scope(actor, [site_id])
        token = secrets.token_urlsafe(32)
        device_id = new_id()
        with self.db.transaction() as store:
            if store.sites.get(site_id) is None:
                raise FieldInvalid("site", "unknown_site", value=site_id)
            if counter is not None and store.counters.get(site_id, counter) is None:
                raise FieldInvalid("counter", "unknown_counter", value=counter)
            now = _now()
            # Also under the site's key, as `Accounts.add_device` keeps it: the site can go
            # to an edge centre, which checks its devices' tokens only that way.
            site_hash = self.accounts.keys.device_hash(site_id, token)
            store.devices.add(device_id, kind, site_id, name, now, counter, site_hash)
            store.tokens.add_device(self.accounts.token_hash(token), device_id, now)
            after = device_payload(_device_row(store, device_id))
            audit.record(store, actor.name, "enrol", "device", device_id, None, after, site_id)
        return after, token  # type: ignore[return-value]

    def revoke_device(self, actor: Principal, device_id: str) -> dict[str, Any]:
        with self.db.transaction() as store:
            before = device_payload(_device_row(store, device_id))
            if before is None:
                raise UnknownDevice(device=device_id)
            check_scope(actor, [before["site"]])
            if before["revoked_at"] is not None:
                return before  # already revoked: nothing changes, nothing to log
            store.devices.revoke(device_id, _now())
            store.tokens.revoke_device(device_id)
            after = device_payload(_device_row(store, device_id))
            audit.record(
                store, actor.name, "revoke", "device", device_id, before, after, before["site"]
            )
        self.accounts.forget_cached()
        return after  # type: ignore[return-value]


def _site(store: Store, site_id: str) -> Site:
    site = store.sites.get(site_id)
    if site is None:
        raise UnknownSite(site=site_id)
    return site


def _below(store: Store, site_id: str) -> set[str]:
    return subtree(store, [site_id])


def _staff_row(store: Store, username: str) -> Row | None:
    return store.staff.get(username)


def _device_row(store: Store, device_id: str) -> Row | None:
    return store.devices.get(device_id)


def _audit_saved(
    store: Store,
    actor: Principal,
    kind: str,
    code: str,
    existing: Any,
    saved: Any,
    payload: Callable[[Any], dict[str, Any]],
) -> dict[str, Any]:
    """Audit a catalogue entry saved over `existing` (None: it was created); answers it."""
    before = payload(existing) if existing else None
    after = payload(saved)
    audit.record(store, actor.name, "update" if existing else "create", kind, code, before, after)
    return after
