"""Web hardening of the centre: security headers on every response, bounded route integers.

Headers. Every page and API answer carries the headers of `web_headers` (nosniff,
no-referrer, X-Frame-Options DENY, COOP, Permissions-Policy and a Content-Security-Policy
whose inline scripts need this response's nonce, `{{ csp_nonce }}` in templates); the
kiosk agent's local server sends the same.

CSRF. The API authenticates only with `Authorization: Bearer` (a token the page's own
script keeps in sessionStorage); the only cookie the centre sets is the page language.
A forged cross-site request carries cookies but never that header, so it arrives
anonymous and every state change refuses it with 401. No route reads a token from a
cookie, and the pages post no forms to the server (their forms are handled by script).

Login throttling lives in `accounts/login_throttle.py`; `init_app` installs it.
"""

from __future__ import annotations

import secrets

from flask import Flask, Request, Response, g
from flask.sessions import NullSession, SessionInterface, SessionMixin
from flask.typing import ResponseReturnValue
from werkzeug.routing import IntegerConverter

from queue_server.accounts.login_throttle import LoginThrottle, TooManyAttempts
from queue_server.wire.headers import add_security_headers

SERVER_NAME = "hallqueue"
# SQLite stores 64-bit integers: a larger number from a client must be refused before
# it reaches a query (it raised OverflowError, a 500).
MAX_INTEGER = 2**63 - 1


class BoundedIntegerConverter(IntegerConverter):
    """`<int:…>` in routes, up to what SQLite can hold: a larger number matches no route (404)."""

    def __init__(self, map, *args, **kwargs) -> None:
        kwargs.setdefault("max", MAX_INTEGER)
        super().__init__(map, *args, **kwargs)


class NoSessionCookie(SessionInterface):
    """The centre keeps no session: the API authenticates by bearer token and the pages keep
    theirs in sessionStorage. Flask's default would look for a signed cookie on every request
    (and sign one if anything wrote to `session`); here nothing is read or signed, and a write
    to `session` fails loudly instead of setting a cookie nobody reads."""

    def open_session(self, app: Flask, request: Request) -> SessionMixin:
        return NullSession()

    def save_session(self, app: Flask, session: SessionMixin, response: Response) -> None:
        return None


def csp_nonce() -> str:
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(16)
    return g.csp_nonce


def _secure_headers(response: Response) -> Response:
    headers = response.headers
    add_security_headers(headers, g.get("csp_nonce"))
    if response.status_code == 429 and "Retry-After" not in headers:
        retry = g.get("retry_after")
        if retry:
            headers["Retry-After"] = str(retry)
    return response


def init_app(app: Flask, login_failures_per_minute: int = 60) -> None:
    app.extensions["hallqueue_login_throttle"] = LoginThrottle(
        failures_per_minute=login_failures_per_minute
    )
    app.session_interface = NoSessionCookie()
    app.after_request(_secure_headers)
    app.context_processor(lambda: {"csp_nonce": csp_nonce()})

    from queue_server.api.error_handlers import error_response

    @app.errorhandler(TooManyAttempts)
    def too_many(exc: TooManyAttempts) -> ResponseReturnValue:
        g.retry_after = exc.params.get("retry_after")
        return error_response(exc.code, exc.status, dict(exc.params))
