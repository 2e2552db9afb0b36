"""Web hardening of the centre: security headers on every response, login throttling.

Headers. Every page and API answer carries `X-Content-Type-Options: nosniff`,
`Referrer-Policy: no-referrer` (the display page carries its device token in its
URL: it must never leave in a Referer), `X-Frame-Options: DENY` and a
Content-Security-Policy. Scripts run only from this origin or from an inline block
holding this response's nonce (`{{ csp_nonce }}` in templates), so an injected
`<script>` or `onclick=` never runs. Styles allow inline attributes: ECharts and the
site tree set `style=` at run time, and a style cannot run code.

CSRF. The API authenticates only with `Authorization: Bearer` (a token the page's own
script keeps in sessionStorage); the only cookie the centre sets is the page language.
A forged cross-site request carries cookies but never that header, so it arrives
anonymous and every state change refuses it with 401. No route reads a token from a
cookie, and the pages post no forms to the server (their forms are handled by script).

Login throttling. Failed logins are counted per (username, client address). From the
`FREE_FAILURES`-th failure on, the next attempt must wait 1, 2, 4 … seconds (at most
`MAX_LOCK_SECONDS`); attempts in the wait are refused with 429 `too_many_attempts`
and `Retry-After` without checking the password, so guessing costs time whatever the
answer. A success clears the count. Counts live in this process: behind a proxy with
sticky sessions one client always meets the same process.
"""

from __future__ import annotations

import math
import secrets
import threading
import time
from collections.abc import Callable

from flask import Flask, Response, current_app, g
from werkzeug.routing import IntegerConverter

from .engine.errors import QueueError

FREE_FAILURES = 5
MAX_LOCK_SECONDS = 15 * 60
FORGET_AFTER_SECONDS = 24 * 3600
MAX_TRACKED = 50_000

SERVER_NAME = "hallqueue"
# SQLite stores 64-bit integers: a larger number from a client must be refused before
# it reaches a query (it raised OverflowError, a 500).
MAX_INTEGER = 2**63 - 1


class TooManyAttempts(QueueError):
    code = "too_many_attempts"
    status = 429


class LoginThrottle:
    """Exponential back-off of failed logins per (username, address)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self._failures: dict[tuple[str, str], tuple[int, float]] = {}  # key → (count, last failure)
        self._lock = threading.Lock()

    @staticmethod
    def _key(username: str, address: str | None) -> tuple[str, str]:
        return (username.strip().lower(), address or "")

    def wait_seconds(self, username: str, address: str | None) -> int:
        """Seconds before this pair may try again (0: now)."""
        with self._lock:
            entry = self._failures.get(self._key(username, address))
        if entry is None:
            return 0
        count, last = entry
        if count < FREE_FAILURES:
            return 0
        lock = min(2 ** (count - FREE_FAILURES), MAX_LOCK_SECONDS)
        return max(0, math.ceil(last + lock - self.clock()))

    def check(self, username: str, address: str | None) -> None:
        wait = self.wait_seconds(username, address)
        if wait > 0:
            raise TooManyAttempts("too many failed logins", retry_after=wait)

    def failed(self, username: str, address: str | None) -> None:
        now = self.clock()
        with self._lock:
            if len(self._failures) >= MAX_TRACKED:
                self._forget_old(now)
            key = self._key(username, address)
            count, _ = self._failures.get(key, (0, now))
            self._failures[key] = (count + 1, now)

    def succeeded(self, username: str, address: str | None) -> None:
        with self._lock:
            self._failures.pop(self._key(username, address), None)

    def _forget_old(self, now: float) -> None:
        stale = [k for k, (_, last) in self._failures.items() if now - last > FORGET_AFTER_SECONDS]
        for key in stale:
            del self._failures[key]
        if len(self._failures) >= MAX_TRACKED:  # a flood of names: keep memory bounded
            self._failures.clear()


class BoundedIntegerConverter(IntegerConverter):
    """`<int:…>` in routes, up to what SQLite can hold: a larger number matches no route (404)."""

    def __init__(self, map, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        kwargs.setdefault("max", MAX_INTEGER)
        super().__init__(map, *args, **kwargs)


def login_throttle() -> LoginThrottle:
    return current_app.extensions["hallqueue_login_throttle"]  # type: ignore[no-any-return]


def csp_nonce() -> str:
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(16)
    return g.csp_nonce  # type: ignore[no-any-return]


def content_security_policy(nonce: str | None) -> str:
    scripts = "'self'" + (f" 'nonce-{nonce}'" if nonce else "")
    return "; ".join(
        [
            "default-src 'self'",
            f"script-src {scripts}",
            "style-src 'self' 'unsafe-inline'",
            "img-src 'self' data: blob:",
            "font-src 'self' data:",
            "connect-src 'self'",
            "media-src 'self' data: blob:",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


def _secure_headers(response: Response) -> Response:
    headers = response.headers
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "no-referrer")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    headers.setdefault("Content-Security-Policy", content_security_policy(g.get("csp_nonce")))
    if response.status_code == 429 and "Retry-After" not in headers:
        retry = g.get("retry_after")
        if retry:
            headers["Retry-After"] = str(retry)
    return response


def init_app(app: Flask) -> None:
    app.extensions["hallqueue_login_throttle"] = LoginThrottle()
    app.after_request(_secure_headers)
    app.context_processor(lambda: {"csp_nonce": csp_nonce()})

    from .api.errors import error_response

    @app.errorhandler(TooManyAttempts)
    def too_many(exc: TooManyAttempts):  # type: ignore[no-untyped-def]
        g.retry_after = exc.params.get("retry_after")
        return error_response(exc.code, exc.status, dict(exc.params))
