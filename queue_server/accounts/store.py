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

import base64
import hashlib
import hmac
import json
import secrets
import sqlite3
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from werkzeug.security import check_password_hash, generate_password_hash

from queue_server.accounts.passwords import check_password
from queue_server.administration import audit
from queue_server.engine.errors import InvalidInput, QueueError, UnknownSite
from queue_server.engine.ids import new_id
from queue_server.storage import Database
from queue_server.storage import repository as repo
from queue_server.storage.records import from_text, to_text

ROLES = ("admin", "manager", "clerk")
DEVICE_KINDS = ("kiosk", "display", "sign")
SESSION_HOURS = 12
# Consecutive failed logins that lock an account: enough for honest typos (a caps lock,
# an old password) and the assessment check-lists' usual 3–5, and it holds a guesser who
# spreads over many addresses to five tries per account between an admin's unlocks.
MAX_FAILED_LOGINS = 5
# A resolved token is remembered this long, so a busy kiosk costs one lookup per
# interval rather than per ticket; revocation in another process bites within it.
PRINCIPAL_CACHE_SECONDS = 5.0


class Unauthorized(QueueError):
    code = "unauthorized"
    status = 401


class Forbidden(QueueError):
    code = "forbidden"
    status = 403


class LoginFailed(Unauthorized):
    code = "login_failed"


class AccountLocked(Forbidden):
    """The right password for a locked account: an admin must unlock it first."""

    code = "account_locked"


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
    def __init__(self, db: Database, secret: bytes) -> None:
        self.db = db
        self.secret = secret
        self._cache: dict[str, tuple[Principal | None, float]] = {}
        self._cache_lock = threading.Lock()

    def forget_cached(self) -> None:
        with self._cache_lock:
            self._cache.clear()

    def token_hash(self, token: str) -> str:
        return hmac.new(self.secret, token.encode(), hashlib.sha256).hexdigest()

    def ticket_key(self, ticket_id: str) -> str:
        """The secret only the printed QR carries: whoever holds the paper may rate the
        ticket on the phone page; a ticket id seen on a screen or in an event is not enough.
        Derived, not stored: the same ticket always gets the same key (a kiosk's retry
        prints the same QR) and a copied database reveals none."""
        digest = hmac.new(self.secret, b"ticket:" + ticket_id.encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest[:12]).decode()  # 16 characters, 96 bits

    def ticket_key_matches(self, ticket_id: str, key: object) -> bool:
        # As bytes: compare_digest refuses str with characters beyond ASCII (a TypeError, a 500).
        return isinstance(key, str) and hmac.compare_digest(
            key.encode(), self.ticket_key(ticket_id).encode()
        )

    def person_hash(self, id_number: str) -> str:
        """The keyed hash kept instead of an ID number (same card → same hash, per server)."""
        message = b"person:" + id_number.strip().upper().encode()
        return hmac.new(self.secret, message, hashlib.sha256).hexdigest()

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
        with self.db.transaction() as conn:
            for site in sites:
                if repo.get_site(conn, site) is None:
                    raise UnknownSite(site=site)
            conn.execute(
                """INSERT INTO staff (username, password_hash, role, sites, display_name, created_at)
                   VALUES (?, ?, ?, ?, ?, ?)
                   ON CONFLICT (username) DO UPDATE SET password_hash = excluded.password_hash,
                     role = excluded.role, sites = excluded.sites, display_name = excluded.display_name,
                     active = 1""",
                (
                    username,
                    generate_password_hash(password),
                    role,
                    json.dumps(sites),
                    display_name,
                    _now_text(),
                ),
            )

    def login(self, username: str, password: str, address: str | None = None) -> str:
        """A new session token, or `LoginFailed` / `AccountLocked`; each attempt is audited."""
        row = self.db.query_one(
            "SELECT * FROM staff WHERE username = ? AND active = 1", (username,)
        )
        # Hash anyway when the user is unknown so timing does not reveal which usernames exist.
        stored = row["password_hash"] if row else _DUMMY_HASH
        right = check_password_hash(stored, password or "")
        if row is None or not right:
            self._failed(username, address)
            raise LoginFailed()
        if row["locked_at"] is not None:
            with self.db.transaction() as conn:
                audit.record(
                    conn, username, "login_locked", "login", username, None,
                    {"locked_at": row["locked_at"]}, address=address, sites=json.loads(row["sites"]),
                )  # fmt: skip
            raise AccountLocked(failures=MAX_FAILED_LOGINS)
        token = secrets.token_urlsafe(32)
        expires = datetime.now(UTC) + timedelta(hours=SESSION_HOURS)
        with self.db.transaction() as conn:
            conn.execute(
                "INSERT INTO tokens (hash, kind, subject, created_at, expires_at) VALUES (?, 'session', ?, ?, ?)",
                (self.token_hash(token), username, _now_text(), to_text(expires)),
            )
            conn.execute("UPDATE staff SET failed_logins = 0 WHERE username = ?", (username,))
            # A site's admins read its staff's logins; unknown names only a city-wide admin.
            audit.record(
                conn, username, "login", "login", username, None, {"role": row["role"]},
                address=address, sites=json.loads(row["sites"]),
            )  # fmt: skip
        return token

    def _failed(self, username: str, address: str | None) -> None:
        """Count a failure against the account (locking it at the limit) and audit it."""
        with self.db.transaction() as conn:
            row = conn.execute(
                "SELECT failed_logins, locked_at, sites FROM staff WHERE username = ? AND active = 1",
                (username,),
            ).fetchone()
            if row is None:
                audit.record(
                    conn, username, "login_failed", "login", username, None,
                    {"account": "unknown"}, address=address,
                )  # fmt: skip
                return
            failures = row["failed_logins"] + 1
            locks_now = row["locked_at"] is None and failures >= MAX_FAILED_LOGINS
            conn.execute(
                "UPDATE staff SET failed_logins = ?, locked_at = coalesce(locked_at, ?) WHERE username = ?",
                (failures, _now_text() if locks_now else None, username),
            )
            audit.record(
                conn, username, "lock" if locks_now else "login_failed", "login", username, None,
                {"failures": failures, "locked": locks_now or row["locked_at"] is not None},
                address=address, sites=json.loads(row["sites"]),
            )  # fmt: skip

    def logout(self, token: str) -> None:
        with self.db.transaction() as conn:
            conn.execute("UPDATE tokens SET revoked = 1 WHERE hash = ?", (self.token_hash(token),))
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
        with self.db.transaction() as conn:
            if repo.get_site(conn, site_id) is None:
                raise UnknownSite(site=site_id)
            if counter is not None and repo.get_counter(conn, site_id, counter) is None:
                raise InvalidInput(f"site {site_id} has no window {counter}", field="counter")
            conn.execute(
                """INSERT INTO devices (id, kind, site_id, name, created_at, counter)
                   VALUES (?, ?, ?, ?, ?, ?)""",
                (device_id, kind, site_id, name, _now_text(), counter),
            )
            conn.execute(
                "INSERT INTO tokens (hash, kind, subject, created_at) VALUES (?, 'device', ?, ?)",
                (self.token_hash(token), device_id, _now_text()),
            )
        return device_id, token

    def revoke_device(self, device_id: str) -> None:
        with self.db.transaction() as conn:
            conn.execute("UPDATE devices SET revoked_at = ? WHERE id = ?", (_now_text(), device_id))
            conn.execute(
                "UPDATE tokens SET revoked = 1 WHERE subject = ? AND kind = 'device'", (device_id,)
            )

    # --- resolving a token ------------------------------------------------------------

    def principal(self, token: str | None) -> Principal | None:
        if not token or len(token) > 256:
            return None
        key = self.token_hash(token)
        now = time.monotonic()
        cached = self._cache.get(key)
        if cached is not None and cached[1] > now:
            return cached[0]
        principal = self._resolve(key)
        with self._cache_lock:
            if len(self._cache) > 10_000:  # bounded: garbage tokens must not grow it forever
                self._cache.clear()
            self._cache[key] = (principal, now + PRINCIPAL_CACHE_SECONDS)
        return principal

    def _resolve(self, key: str) -> Principal | None:
        conn = self.db.conn
        row = conn.execute("SELECT * FROM tokens WHERE hash = ? AND revoked = 0", (key,)).fetchone()
        if row is None:
            return None
        if row["expires_at"] and from_text(row["expires_at"]) < datetime.now(UTC):  # type: ignore[operator]
            return None
        if row["kind"] == "device":
            device = conn.execute(
                "SELECT * FROM devices WHERE id = ? AND revoked_at IS NULL", (row["subject"],)
            ).fetchone()
            if device is None:
                return None
            return Principal(
                "device",
                device["id"],
                device["kind"],
                frozenset({device["site_id"]}),
                counter=device["counter"],
                device_name=device["name"],
            )
        staff = conn.execute(
            "SELECT * FROM staff WHERE username = ? AND active = 1", (row["subject"],)
        ).fetchone()
        if staff is None:
            return None
        sites = json.loads(staff["sites"])
        if staff["role"] == "admin" and not sites:
            return Principal("staff", staff["username"], "admin", all_sites=True)
        # Managers and admins oversee the sites below theirs (a township manager sees its
        # villages); a clerk works at the windows of exactly the sites named.
        scope = set(sites) if staff["role"] == "clerk" else subtree(conn, sites)
        return Principal("staff", staff["username"], staff["role"], frozenset(scope))


def subtree(conn: sqlite3.Connection, roots: list[str]) -> set[str]:
    """The given sites and every site below them (a township manager sees its villages)."""
    children: dict[str | None, list[str]] = {}
    for row in conn.execute("SELECT id, parent_id FROM sites"):
        children.setdefault(row["parent_id"], []).append(row["id"])
    found: set[str] = set()
    stack = list(roots)
    while stack:
        site = stack.pop()
        if site in found:
            continue
        found.add(site)
        stack.extend(children.get(site, []))
    return found


def _now_text() -> str:
    return to_text(datetime.now(UTC))  # type: ignore[return-value]


_DUMMY_HASH = generate_password_hash("not-a-real-password")
