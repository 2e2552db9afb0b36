"""Staff, devices and their tokens.

Passwords are hashed slowly (werkzeug's scrypt), once per login; the web layer decides
before that whether a login may be tried at all (`login_throttle.LoginThrottle`). Every login
that is checked goes into the audit log with the username tried and the client address,
never the password. After `MAX_FAILED_LOGINS` consecutive failures an account locks until
an admin unlocks it (`Administration.unlock_staff`, `hallqueue user unlock`); a locked
account refuses even the right password, with `account_locked`.

Whether a username exists is no easier to learn than before: an unknown name, a wrong
password and a wrong password for a locked account all answer `login_failed` after the
same hash; only the right password for a locked account hears that it is locked, and
whoever holds it already knows the account exists. Tokens, staff
session tokens and device tokens alike, are random strings stored only as an
HMAC-SHA256 under the server secret: a fast keyed hash, so checking a token on
every request costs microseconds and a stolen database file reveals no token.
"""

from __future__ import annotations

import hmac
import json
import secrets
import threading
import time
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta

from werkzeug.security import check_password_hash, generate_password_hash

from queue_server.accounts.keys import Keyring
from queue_server.accounts.passwords import check_password
from queue_server.administration import audit
from queue_server.engine.errors import InvalidInput, QueueError, UnknownSite
from queue_server.engine.ids import new_id
from queue_server.storage import Database, Row, Store
from queue_server.storage.records import from_text, to_text

ROLES = ("admin", "manager", "clerk")
# A `platform` is a booking platform (the provincial 一网通办 app): it books at the sites
# below the one it is enrolled at, and nothing else.
DEVICE_KINDS = ("kiosk", "display", "sign", "edge", "platform")
SESSION_HOURS = 12
# Consecutive failed logins that lock an account: enough for honest typos (a caps lock,
# an old password) and the assessment check-lists' usual 3–5, and it holds a guesser who
# spreads over many addresses to five tries per account between an admin's unlocks.
MAX_FAILED_LOGINS = 5
# A resolved token is remembered this long, so a busy kiosk costs one lookup per
# interval rather than per ticket; revocation in another process bites within it.
PRINCIPAL_CACHE_SECONDS = 5.0


class Unauthorized(QueueError, code="unauthorized", status=401): ...
class LoginFailed(Unauthorized, code="login_failed"): ...


class Forbidden(QueueError, code="forbidden", status=403): ...


class AccountLocked(Forbidden, code="account_locked"):
    """The right password for a locked account: an admin must unlock it first."""


@dataclass(frozen=True)
class Principal:
    """Who is asking: a staff member or an enrolled device."""

    kind: str  # staff | device
    name: str  # username or device id
    role: str  # admin | manager | clerk | kiosk | display | sign
    sites: frozenset[str] = field(default_factory=frozenset)  # resolved scope (subtrees for managers)
    all_sites: bool = False
    counter: int | None = None  # the one window a sign (and its evaluator) is enrolled for
    device_name: str | None = None  # a device's name as enrolled ("大厅1号取号机")

    def covers(self, site_id: str) -> bool:
        return self.all_sites or site_id in self.sites

    @property
    def is_staff(self) -> bool:
        return self.kind == "staff"


class Accounts:
    def __init__(self, db: Database, keys: Keyring | bytes) -> None:
        """`keys`: the centre's keyring (`accounts/keys.py`); the city's secret alone gives
        the keyring that derives every site's keys."""
        self.db = db
        self.keys = keys if isinstance(keys, Keyring) else Keyring(keys)
        self.secret = self.keys.secret
        self._cache: dict[str, tuple[Principal | None, float]] = {}
        self._cache_lock = threading.Lock()

    def forget_cached(self) -> None:
        with self._cache_lock:
            self._cache.clear()

    def token_hash(self, token: str) -> str:
        """A session's (or a device's, at the city) token as stored: keyed by this centre."""
        return self.keys.session_hash(token)

    def ticket_key(self, site_id: str, ticket_id: str) -> str:
        """The secret only the printed QR carries: whoever holds the paper may rate the
        ticket on the phone page; a ticket id seen on a screen or in an event is not enough.
        Derived, not stored: the same ticket always gets the same key (a kiosk's retry
        prints the same QR) and a copied database reveals none. Keyed by the site, so the
        centre that serves the site — the city or its station — can check it."""
        return self.keys.ticket_key(site_id, ticket_id)

    def ticket_key_matches(self, site_id: str, ticket_id: str, key: object) -> bool:
        # As bytes: compare_digest refuses str with characters beyond ASCII (a TypeError, a 500).
        return isinstance(key, str) and hmac.compare_digest(
            key.encode(), self.ticket_key(site_id, ticket_id).encode()
        )

    def person_hash(self, site_id: str, id_number: str) -> str:
        """The keyed hash kept instead of an ID number: the same card gives the same hash at
        one site; at two sites the hashes cannot be matched."""
        return self.keys.person_hash(site_id, id_number)

    # --- staff ------------------------------------------------------------------------

    def add_user(
        self, username: str, password: str, role: str, sites: list[str], display_name: str = ""
    ) -> None:
        username = (username or "").strip()
        if not username or len(username) > 64:
            raise InvalidInput("username must be 1–64 characters", field="username")
        if role not in ROLES:
            raise InvalidInput(f"role must be one of {', '.join(ROLES)}", field="role")
        check_password(password, username)
        if role != "admin" and not sites:
            raise InvalidInput("managers and clerks need at least one site", field="site")
        with self.db.transaction() as store:
            for site in sites:
                if store.sites.get(site) is None:
                    raise UnknownSite(site=site)
            store.staff.add(
                username,
                generate_password_hash(password),
                role,
                sites,
                display_name,
                _now_text(),
                or_replace=True,
            )

    def login(self, username: str, password: str, address: str | None = None) -> str:
        """A new session token, or `LoginFailed` / `AccountLocked`; each attempt is audited."""
        row = self.db.store.staff.active(username)
        # Hash anyway when the user is unknown so timing does not reveal which usernames exist.
        stored = row["password_hash"] if row else _DUMMY_HASH
        right = check_password_hash(stored, password or "")
        if row is None or not right:
            self._failed(username, address)
            raise LoginFailed()
        if row["locked_at"] is not None:
            with self.db.transaction() as store:
                audit.record(
                    store, username, "login_locked", "login", username, None,
                    {"locked_at": row["locked_at"]}, address=address, sites=json.loads(row["sites"]),
                )  # fmt: skip
            raise AccountLocked(failures=MAX_FAILED_LOGINS)
        token = secrets.token_urlsafe(32)
        expires = datetime.now(UTC) + timedelta(hours=SESSION_HOURS)
        with self.db.transaction() as store:
            store.tokens.add_session(self.token_hash(token), username, _now_text(), to_text(expires))
            store.staff.clear_failures(username)
            # A site's admins read its staff's logins; unknown names only a city-wide admin.
            audit.record(
                store, username, "login", "login", username, None, {"role": row["role"]},
                address=address, sites=json.loads(row["sites"]),
            )  # fmt: skip
        return token

    def _failed(self, username: str, address: str | None) -> None:
        """Count a failure against the account (locking it at the limit) and audit it."""
        with self.db.transaction() as store:
            row = store.staff.active(username)
            if row is None:
                audit.record(
                    store, username, "login_failed", "login", username, None,
                    {"account": "unknown"}, address=address,
                )  # fmt: skip
                return
            failures = row["failed_logins"] + 1
            locks_now = row["locked_at"] is None and failures >= MAX_FAILED_LOGINS
            store.staff.count_failure(username, failures, _now_text() if locks_now else None)
            audit.record(
                store, username, "lock" if locks_now else "login_failed", "login", username, None,
                {"failures": failures, "locked": locks_now or row["locked_at"] is not None},
                address=address, sites=json.loads(row["sites"]),
            )  # fmt: skip

    def logout(self, token: str) -> None:
        with self.db.transaction() as store:
            store.tokens.revoke(self.token_hash(token))
        self.forget_cached()

    # --- devices ----------------------------------------------------------------------

    def add_device(
        self, kind: str, site_id: str, name: str = "", counter: int | None = None
    ) -> tuple[str, str]:
        """Enrol a device; returns (device id, token). The token is shown once, never stored.

        A sign names the window it hangs over: its evaluator rates only tickets that window
        served."""
        if kind not in DEVICE_KINDS:
            raise InvalidInput(f"kind must be one of {', '.join(DEVICE_KINDS)}", field="kind")
        if counter is not None and kind != "sign":
            raise InvalidInput("only a window sign is enrolled for a window", field="counter")
        token = secrets.token_urlsafe(32)
        device_id = new_id()
        with self.db.transaction() as store:
            if store.sites.get(site_id) is None:
                raise UnknownSite(site=site_id)
            if counter is not None and store.counters.get(site_id, counter) is None:
                raise InvalidInput(f"site {site_id} has no window {counter}", field="counter")
            # Also under the site's key: the centre serving the site checks it with that.
            store.devices.add(
                device_id, kind, site_id, name, _now_text(), counter, self.keys.device_hash(site_id, token)
            )
            store.tokens.add_device(self.token_hash(token), device_id, _now_text())
        return device_id, token

    def revoke_device(self, device_id: str) -> None:
        with self.db.transaction() as store:
            store.devices.revoke(device_id, _now_text())
            store.tokens.revoke_device(device_id)

    # --- resolving a token ------------------------------------------------------------

    def principal(self, token: str | None) -> Principal | None:
        if not token or len(token) > 256:
            return None
        key = self.token_hash(token)
        now = time.monotonic()
        cached = self._cache.get(key)
        if cached is not None and cached[1] > now:
            return cached[0]
        principal = self._resolve(key) or self._resolve_site_device(token)
        if principal is not None and principal.kind == "device" and principal.role != "platform" and self.keys.derives:
            self._backfill_site_hash(principal, token)
        with self._cache_lock:
            if len(self._cache) > 10_000:  # bounded: garbage tokens must not grow it forever
                self._cache.clear()
            self._cache[key] = (principal, now + PRINCIPAL_CACHE_SECONDS)
        return principal

    def _resolve(self, key: str) -> Principal | None:
        store = self.db.store
        row = store.tokens.valid(key)
        if row is None:
            return None
        if row["expires_at"] and from_text(row["expires_at"]) < datetime.now(UTC):  # type: ignore[operator]
            return None
        if row["kind"] == "device":
            device = store.devices.enrolled(row["subject"])
            if device is None:
                return None
            if device["kind"] == "platform":
                return replace(_device_principal(device), sites=frozenset(subtree(store, [device["site_id"]])))
            return _device_principal(device)
        staff = store.staff.active(row["subject"])
        if staff is None:
            return None
        sites = json.loads(staff["sites"])
        if staff["role"] == "admin" and not sites:
            return Principal("staff", staff["username"], "admin", all_sites=True)
        # Managers and admins oversee the sites below theirs (a township manager sees its
        # villages); a clerk works at the windows of exactly the sites named.
        scope = set(sites) if staff["role"] == "clerk" else subtree(store, sites)
        return Principal("staff", staff["username"], staff["role"], frozenset(scope))


    def _backfill_site_hash(self, device: Principal, token: str) -> None:
        """A device enrolled before its token was also kept under its site's key gets that
        hash the first time it shows its token here, so its site can go to an edge centre."""
        (site,) = device.sites
        if self.db.store.devices.needs_site_hash(device.name):
            with self.db.transaction() as store:
                store.devices.set_site_hash(device.name, self.keys.device_hash(site, token))

    def _resolve_site_device(self, token: str) -> Principal | None:
        """A device token checked under its site's key: at a station, the tokens of its
        site's devices, enrolled at the city, come down only that way."""
        for site in self.keys.given_sites():
            row = self.db.store.devices.by_site_hash(self.keys.device_hash(site, token))
            if row is not None:
                return _device_principal(row)
        return None


def _device_principal(device: Row) -> Principal:
    return Principal(
        "device",
        device["id"],
        device["kind"],
        frozenset({device["site_id"]}),
        counter=device["counter"],
        device_name=device["name"],
    )


def subtree(store: Store, roots: list[str]) -> set[str]:
    """The given sites and every site below them (a township manager sees its villages)."""
    return store.sites.subtree(roots)


def _now_text() -> str:
    return to_text(datetime.now(UTC))  # type: ignore[return-value]


_DUMMY_HASH = generate_password_hash("not-a-real-password")
