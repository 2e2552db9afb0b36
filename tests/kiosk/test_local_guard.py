"""The kiosk's local server answers only its own page: attackers' requests, as they send them.

A page open in the kiosk's browser — an ad, a link a citizen followed — tries to print a
ticket for the card on the reader and to read the card's masked name: by DNS rebinding
(its own host name, resolved to 127.0.0.1), by a cross-origin fetch or form, and by a
CORS preflight. Each is refused before any route runs, and nothing is issued or printed.
"""

from __future__ import annotations

import http.server
import json
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Iterator
from typing import Any

import pytest
import requests

from kiosk.local_guard import own_hosts, refusal
from tests.conftest import ROOT, Centre
from tests.kiosk.conftest import KIOSK_PAGE, RunningKiosk, wait_until

EVIL = "http://evil.example"
SECURITY_HEADERS = (
    "Content-Security-Policy",
    "X-Content-Type-Options",
    "Referrer-Policy",
    "X-Frame-Options",
    "Cross-Origin-Opener-Policy",
    "Permissions-Policy",
)


def port_of(kiosk: RunningKiosk) -> int:
    return kiosk.server.port


def tickets_at_centre(centre: Centre) -> int:
    with sqlite3.connect(centre.db_path) as conn:
        return int(conn.execute("SELECT count(*) FROM tickets").fetchone()[0])


@pytest.fixture
def card_on_reader(kiosk: RunningKiosk) -> dict[str, Any]:
    kiosk.wait_ready()
    kiosk.reader.place_card("resident")
    card = wait_until(lambda: kiosk.state()["card"], 5)
    assert card and card["masked_name"] == "张**"
    return card  # type: ignore[no-any-return]


def assert_nothing_happened(kiosk: RunningKiosk, centre: Centre) -> None:
    assert tickets_at_centre(centre) == 0
    assert list(kiosk.spool.glob("*.json")) == []
    assert kiosk.printer.tickets == []
    assert kiosk.state()["card"] is not None  # not even "forget the card"


# --- the checks themselves ------------------------------------------------------------------


def test_own_hosts_are_the_configured_host_and_loopback_names_with_the_port() -> None:
    assert own_hosts("127.0.0.1", 8700) == {
        "127.0.0.1:8700", "localhost:8700", "[::1]:8700",
    }
    assert "kiosk-7.hall.local:8700" in own_hosts("Kiosk-7.hall.local", 8700)
    assert "[::1]:8700" in own_hosts("::1", 8700)
    assert "localhost" in own_hosts("127.0.0.1", 80)  # a browser leaves port 80 out


@pytest.mark.parametrize(
    ("method", "headers", "code"),
    [
        ("GET", {"host": "evil.example:8700"}, "host_not_allowed"),
        ("GET", {"host": "127.0.0.1:8701"}, "host_not_allowed"),
        ("GET", {}, "host_not_allowed"),
        ("POST", {"host": "localhost:8700", "x-hallqueue-kiosk": "1", "origin": EVIL}, "origin_not_allowed"),
        ("POST", {"host": "localhost:8700", "x-hallqueue-kiosk": "1", "origin": "null"}, "origin_not_allowed"),
        ("OPTIONS", {"host": "127.0.0.1:8700", "origin": EVIL}, "origin_not_allowed"),
        ("POST", {"host": "127.0.0.1:8700"}, "kiosk_header_missing"),
        ("POST", {"host": "127.0.0.1:8700", "x-hallqueue-kiosk": "yes"}, "kiosk_header_missing"),
        ("POST", {"host": "127.0.0.1:8700", "x-hallqueue-kiosk": "1", "origin": "http://127.0.0.1:8700"}, None),
        ("POST", {"host": "localhost:8700", "x-hallqueue-kiosk": "1"}, None),
        ("GET", {"host": "[::1]:8700"}, None),
    ],
)
def test_refusal(method: str, headers: dict[str, str], code: str | None) -> None:
    assert refusal(method, headers, own_hosts("127.0.0.1", 8700)) == code


# --- against the running agent ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path"),
    [("GET", "/"), ("GET", "/api/state"), ("GET", "/static/kiosk.js"), ("GET", "/health"),
     ("GET", "/nowhere"), ("POST", "/api/tickets"), ("POST", "/api/card/forget"),
     ("POST", "/api/check-in")],
)
def test_rebinding_host_is_refused_on_every_route(
    kiosk: RunningKiosk, centre: Centre, card_on_reader: dict[str, Any], method: str, path: str
) -> None:
    # The attacker's page at evil.example:PORT after its name was rebound to 127.0.0.1:
    # same-origin in the browser's eyes, so it can send any header — but not our Host.
    host = f"evil.example:{port_of(kiosk)}"
    body = {"kind": "service", "code": "A101"}
    response = requests.request(
        method, kiosk.api(path), json=body, headers={**KIOSK_PAGE, "Host": host}, timeout=5
    )
    assert response.status_code == 421
    assert response.json()["error"] == "host_not_allowed"
    assert "张" not in response.text
    for name in SECURITY_HEADERS:
        assert name in response.headers
    assert_nothing_happened(kiosk, centre)


def test_foreign_origin_is_refused(kiosk: RunningKiosk, centre: Centre, card_on_reader: dict[str, Any]) -> None:
    body = {"kind": "service", "code": "A101"}
    for origin in (EVIL, "null", f"http://127.0.0.1:{port_of(kiosk) + 1}"):
        response = requests.post(
            kiosk.api("/api/tickets"), json=body, headers={**KIOSK_PAGE, "Origin": origin}, timeout=5
        )
        assert response.status_code == 403 and response.json()["error"] == "origin_not_allowed"
    read = requests.get(kiosk.api("/api/state"), headers={"Origin": EVIL}, timeout=5)
    assert read.status_code == 403 and "张" not in read.text
    english = requests.get(kiosk.api("/api/state"), headers={"Origin": EVIL, "Accept-Language": "en"}, timeout=5)
    assert english.json()["message"] == "Only the kiosk's own page may use the kiosk"
    assert_nothing_happened(kiosk, centre)


def test_form_style_post_without_the_header_is_refused(
    kiosk: RunningKiosk, centre: Centre, card_on_reader: dict[str, Any]
) -> None:
    # What an HTML form can send: a simple content type, no custom header.
    for path, data in (
        ("/api/tickets", '{"kind": "service", "code": "A101"}'),
        ("/api/card/forget", ""),
        ("/api/check-in", '{"code": "ABCD3467"}'),  # with the card on the reader, too
    ):
        response = requests.post(
            kiosk.api(path), data=data, headers={"Content-Type": "text/plain"}, timeout=5
        )
        assert response.status_code == 403 and response.json()["error"] == "kiosk_header_missing"
    missing = requests.post(kiosk.api("/api/tickets"), json={"kind": "service", "code": "A101"}, timeout=5)
    assert missing.status_code == 403
    assert_nothing_happened(kiosk, centre)


def test_cors_preflight_gets_no_allowance(kiosk: RunningKiosk) -> None:
    preflight = {
        "Origin": EVIL,
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type, x-hallqueue-kiosk",
        "Access-Control-Request-Private-Network": "true",
    }
    for path in ("/api/tickets", "/api/state"):
        response = requests.options(kiosk.api(path), headers=preflight, timeout=5)
        assert response.status_code == 403
        assert not [h for h in response.headers if h.lower().startswith("access-control-allow")]


def test_own_page_gets_the_centres_security_headers(kiosk: RunningKiosk) -> None:
    page = requests.get(kiosk.url, timeout=5)
    assert page.status_code == 200
    for name in SECURITY_HEADERS:
        assert name in page.headers, name
    policy = page.headers["Content-Security-Policy"]
    assert "script-src 'self' 'nonce-" in policy and "frame-ancestors 'none'" in policy
    assert "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]
    assert page.headers["X-Frame-Options"] == "DENY"
    assert page.headers["Referrer-Policy"] == "no-referrer"
    assert page.headers["Server"] == "hallqueue"  # waitress, without its name and version
    state = requests.get(kiosk.api("/api/state"), timeout=5)
    assert state.headers["X-Content-Type-Options"] == "nosniff"
    assert state.headers["Cache-Control"] == "no-store"


def test_kiosk_imports_only_the_wire_of_the_centre() -> None:
    # The kiosk PC runs the agent alone: of queue_server it may load only these modules
    # (the shapes of what it sends; the words: the message catalogue its screens and
    # tickets are said with; the feed: how it connects to the centre's live events).
    probe = (
        "import json, sys\n"
        "import kiosk.agent, kiosk.web, kiosk.demo_kiosk, kiosk.kiosk_command, displays.sign_agent\n"
        "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] == 'queue_server')))\n"
    )
    found = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=60, check=True
    )
    assert set(json.loads(found.stdout)) == {
        "queue_server",
        "queue_server.wire",
        "queue_server.wire.feed",
        "queue_server.wire.headers",
        "queue_server.wire.shapes",
        "queue_server.wire.words",
    }


# --- in a browser, as the attacker's page ------------------------------------------------------


@pytest.fixture
def attacker_site() -> Iterator[str]:
    """Another site on loopback (a real server: Chromium treats an intercepted page as public)."""

    class Prize(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (the standard library's name)
            body = b"<h1>win a prize</h1>"
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Prize)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"{EVIL}:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def attacker_browser(browser_type: Any, browser_type_launch_args: dict[str, Any]) -> Iterator[Any]:
    """Chromium in which evil.example resolves to 127.0.0.1: DNS rebinding, already done."""
    args = [*browser_type_launch_args["args"], "--host-resolver-rules=MAP evil.example 127.0.0.1"]
    browser = browser_type.launch(**{**browser_type_launch_args, "args": args})
    yield browser
    browser.close()


ATTACK = """async (kiosk) => {
  const out = {};
  const body = JSON.stringify({ kind: "service", code: "A101", help: true });
  try {
    const r = await fetch(kiosk + "/api/tickets", { method: "POST", body,
      headers: { "Content-Type": "application/json", "X-Hallqueue-Kiosk": "1" } });
    out.cors = r.status;
  } catch (e) { out.cors = "blocked"; }
  try {
    // What a script may send anywhere without asking: a "simple" request, unread.
    const r = await fetch(kiosk + "/api/card/forget", { method: "POST", mode: "no-cors", body });
    out.no_cors = r.type;
  } catch (e) { out.no_cors = "blocked"; }
  try { out.read = await (await fetch(kiosk + "/api/state")).text(); } catch (e) { out.read = "blocked"; }
  return out;
}"""

REBOUND = """async () => {
  const post = await fetch("/api/tickets", { method: "POST",
    headers: { "Content-Type": "application/json", "X-Hallqueue-Kiosk": "1" },
    body: JSON.stringify({ kind: "service", code: "A101" }) });
  const read = await fetch("/api/state");
  return { post: post.status, read: read.status, text: await read.text() };
}"""


@pytest.mark.browser
def test_pages_of_another_site_cannot_drive_the_kiosk(
    attacker_browser: Any,
    attacker_site: str,
    kiosk: RunningKiosk,
    centre: Centre,
    card_on_reader: dict[str, Any],
) -> None:
    page = attacker_browser.new_page()
    # 1. A page of another site calls the kiosk cross-origin.
    page.goto(attacker_site + "/")
    out = page.evaluate(ATTACK, kiosk.url.rstrip("/"))
    assert out["cors"] == "blocked"  # the preflight got no allowance
    assert out["no_cors"] == "opaque"  # sent, but refused for its Origin: the card stays (below)
    assert out["read"] == "blocked"  # and nothing to read
    # 2. The same page after rebinding: evil.example:PORT is now the kiosk's address.
    rebound = f"http://evil.example:{port_of(kiosk)}/"
    response = page.goto(rebound)
    assert response is not None and response.status == 421
    result = page.evaluate(REBOUND)
    assert result["post"] == 421 and result["read"] == 421 and "张" not in result["text"]
    assert_nothing_happened(kiosk, centre)
