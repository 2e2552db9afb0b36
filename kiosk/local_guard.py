"""Only the kiosk's own page may drive the agent's local server.

The server listens on loopback, yet any page open in the kiosk's browser can reach it: a
page of another site can post a form or send a fetch to `http://127.0.0.1:8700/`, and
through DNS rebinding (a name of the attacker's that first points at the attacker, then
at 127.0.0.1) a page of `evil.example:8700` is, in the browser's eyes, the very origin
it talks to. So before any route runs, every request must:

- name one of the kiosk's own hosts in `Host` — the configured host, `127.0.0.1`,
  `localhost` or `[::1]`, with the port the server listens on; a rebinding page sends
  its own name and gets 421 `host_not_allowed`;
- if it carries an `Origin`, carry the kiosk's own (a cross-site fetch, form or CORS
  preflight gets 403 `origin_not_allowed`; no `Access-Control-Allow-*` header is ever
  sent, so no other origin is allowed to read or send anything);
- if it changes anything (any method but GET, HEAD, OPTIONS), carry `X-Hallqueue-Kiosk: 1`:
  an HTML form cannot send a header, and a script of another origin can only after a
  preflight, which the rule above refuses (403 `kiosk_header_missing`).

The pure checks are `refusal`; `init_app` hangs them and the centre's security headers
(`queue_server.wire.headers`) on the Flask app.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterable, Mapping

from flask import Flask, Response, g, jsonify, request

from queue_server.wire import words
from queue_server.wire.headers import add_security_headers

HEADER = "X-Hallqueue-Kiosk"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
LOOPBACK_NAMES = ("127.0.0.1", "localhost", "[::1]")

# code → HTTP status; the words are the message catalogue's (queue_server.wire.words).
REFUSALS: dict[str, int] = {
    "host_not_allowed": 421,
    "origin_not_allowed": 403,
    "kiosk_header_missing": 403,
}


def own_hosts(host: str, port: int) -> frozenset[str]:
    """The `Host` values of requests meant for this kiosk (lower case)."""
    configured = f"[{host}]" if ":" in host and not host.startswith("[") else host
    names = {configured.lower(), *LOOPBACK_NAMES}
    hosts = {f"{name}:{port}" for name in names}
    if port == 80:  # browsers leave the default port out
        hosts |= names
    return frozenset(hosts)


def refusal(method: str, headers: Mapping[str, str], hosts: Iterable[str]) -> str | None:
    """Why this request may not reach the kiosk's routes (a code of REFUSALS), or None.

    `headers` by lower-case name."""
    allowed = frozenset(hosts)
    if headers.get("host", "").strip().lower() not in allowed:
        return "host_not_allowed"
    origin = headers.get("origin")
    if origin is not None and origin.strip().lower() not in {f"http://{h}" for h in allowed}:
        return "origin_not_allowed"  # "null" (a sandboxed page, a file) included
    if method.upper() not in SAFE_METHODS and headers.get(HEADER.lower()) != "1":
        return "kiosk_header_missing"
    return None


def _language() -> str:
    wanted = (request.headers.get("Accept-Language") or "").strip().lower()
    return "en" if wanted.startswith("en") else "zh"


def csp_nonce() -> str:
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(16)
    return g.csp_nonce


def init_app(app: Flask, hosts: Callable[[], Iterable[str]]) -> None:
    """Refuse what `refusal` refuses, before any route; the security headers on every answer.

    `hosts` is asked on each request: the port is known only once the server is bound.
    """

    @app.before_request
    def only_the_kiosk_page() -> Response | tuple[Response, int] | None:
        headers = {name.lower(): value for name, value in request.headers.items()}
        code = refusal(request.method, headers, hosts())
        if code is None:
            return None
        return jsonify({"error": code, "message": words.say(code, _language())}), REFUSALS[code]

    @app.after_request
    def security_headers(response: Response) -> Response:
        add_security_headers(response.headers, g.get("csp_nonce"))
        response.headers["Cache-Control"] = "no-store"
        return response

    app.context_processor(lambda: {"csp_nonce": csp_nonce()})
