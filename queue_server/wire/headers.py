"""The security headers on every web answer of hallqueue: the centre's and the kiosk agent's.

Pure (no Flask, nothing else of the centre), so the kiosk agent's local server imports it
beside `wire` and sends exactly the headers the centre sends: one policy, written once.

Scripts run only from the answering origin or from an inline block holding the
response's nonce, so an injected `<script>` or `onclick=` never runs. Styles allow
inline attributes: ECharts and the site tree set `style=` at run time, and a style
cannot run code. `Referrer-Policy: no-referrer` because the display page carries its
device token in its URL: it must never leave in a Referer.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol


class HeaderMap(Protocol):
    """Werkzeug's `Headers`, or anything with its `keys` and `add`."""

    def keys(self) -> Iterable[str]: ...

    def add(self, key: str, value: str, /) -> object: ...


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


def security_headers(nonce: str | None) -> dict[str, str]:
    """Every header, for a response whose inline scripts (if any) carry `nonce`."""
    return {
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
        "X-Frame-Options": "DENY",
        "Cross-Origin-Opener-Policy": "same-origin",
        "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
        "Content-Security-Policy": content_security_policy(nonce),
    }


# Most answers (the API's JSON) carry no inline script: their headers are built once.
_WITHOUT_NONCE = tuple(security_headers(None).items())


def add_security_headers(headers: HeaderMap, nonce: str | None) -> None:
    """Add the headers a response does not set itself (a route may set a stricter one)."""
    present = {name.lower() for name in headers.keys()}
    wanted = _WITHOUT_NONCE if nonce is None else security_headers(nonce).items()
    for name, value in wanted:
        if name.lower() not in present:
            headers.add(name, value)
