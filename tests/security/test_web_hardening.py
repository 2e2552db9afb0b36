"""Security headers on every page and API answer, login throttling, CSRF, secrets."""

from __future__ import annotations

import re
import subprocess

import pytest
import requests

from queue_server.accounts.login_throttle import FREE_FAILURES, LoginThrottle
from tests.conftest import ROOT, Centre

PAGES = ["/", "/console", "/manage", "/manage/reports", "/manage/follow-ups", "/admin/sites", "/admin/audit", "/book/city-hall", "/book/code/ABCDEFGH"]


def page_urls(centre: Centre) -> list[str]:
    ticket = centre.issue("A101")["ticket"]["id"]
    return [
        *(centre.url + p for p in PAGES),
        f"{centre.url}/display/city-hall?token={centre.display_token}",
        f"{centre.url}/t/{ticket}",
        f"{centre.url}/static/hallqueue.js",
    ]


def api_urls(centre: Centre) -> list[str]:
    return [centre.api(p) for p in ("/health", "/sites", "/sites/nowhere", "/openapi.json", "/sites/city-hall/events")]


def check_headers(response: requests.Response) -> None:
    headers = response.headers
    where = f"{response.request.method} {response.url} ({response.status_code})"
    assert headers.get("X-Content-Type-Options") == "nosniff", where
    assert headers.get("Referrer-Policy") == "no-referrer", where
    assert headers.get("X-Frame-Options") == "DENY", where
    csp = headers.get("Content-Security-Policy", "")
    assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp, where
    scripts = re.search(r"script-src ([^;]*)", csp)
    assert scripts and "'unsafe-inline'" not in scripts.group(1) and "'unsafe-eval'" not in scripts.group(1), where
    assert not re.search(r"werkzeug|python|\d+\.\d+", headers.get("Server", ""), re.I), where


def test_every_page_and_api_answer_carries_the_headers(centre: Centre) -> None:
    for url in page_urls(centre) + api_urls(centre):
        check_headers(requests.get(url, timeout=10))
    check_headers(requests.post(centre.api("/sites/city-hall/tickets"), json={}, timeout=10))  # 401
    check_headers(requests.get(centre.url + "/no-such-page", timeout=10))  # 404


def test_inline_scripts_carry_this_responses_nonce(centre: Centre) -> None:
    """Pages run inline script only with the nonce of their own CSP, fresh on every load."""
    nonces = set()
    for url in page_urls(centre)[:-1]:
        response = requests.get(url, timeout=10)
        assert response.status_code == 200, url
        nonce = re.search(r"'nonce-([^']+)'", response.headers["Content-Security-Policy"])
        assert nonce, url
        nonces.add(nonce.group(1))
        for tag in re.findall(r"<script\b[^>]*>", response.text):
            assert "src=" in tag or f'nonce="{nonce.group(1)}"' in tag, (url, tag)
        assert not re.search(r"\son[a-z]+\s*=", response.text), f"inline event handler in {url}"
    assert len(nonces) == len(PAGES) + 2


def test_no_page_posts_a_form_and_no_route_takes_cookie_auth(centre: Centre) -> None:
    """CSRF: forms are handled by script (no form posts to the server) and state changes need
    `Authorization: Bearer`; a request carrying only cookies (what a forged cross-site form
    would carry) is anonymous."""
    for url in page_urls(centre)[:-1]:
        html = requests.get(url, timeout=10).text
        for form in re.findall(r"<form\b[^>]*>", html, re.I):
            assert "method" not in form.lower() and "action" not in form.lower(), (url, form)
    token = centre.login()
    jar = {name: token for name in ("token", "session", "hq_token", "Authorization", "hq.token")}
    for method, path in (("post", "/sites/city-hall/tickets"), ("post", "/admin/sites"), ("put", "/admin/sites/city-hall/settings")):
        response = requests.request(method, centre.api(path), json={"service": "A101"}, cookies=jar, timeout=10)
        assert response.status_code == 401, (path, response.status_code)
    # The only cookie set anywhere is the language choice.
    session = requests.Session()
    for url in page_urls(centre):
        session.get(url, timeout=10)
    session.post(centre.api("/auth/login"), json={"username": "admin", "password": "Demo-City-1"}, timeout=10)
    assert {c.name for c in session.cookies} <= {"hq_lang"}


# --- login throttling ---------------------------------------------------------------------


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_throttle_backs_off_exponentially_and_forgives_success() -> None:
    clock = FakeClock()
    throttle = LoginThrottle(clock)
    for _ in range(FREE_FAILURES - 1):
        throttle.failed("Clerk", "10.0.0.1")
        assert throttle.wait_seconds("clerk", "10.0.0.1") == 0
    waits = []
    for _ in range(4):
        throttle.failed("clerk", "10.0.0.1")
        waits.append(throttle.wait_seconds("clerk", "10.0.0.1"))
        clock.now += waits[-1]
    assert waits == [1, 2, 4, 8]
    throttle.failed("clerk", "10.0.0.1")
    assert throttle.wait_seconds("clerk", "10.0.0.2") == 0  # another address
    assert throttle.wait_seconds("manager", "10.0.0.1") == 0  # another account
    for _ in range(30):
        throttle.failed("clerk", "10.0.0.1")
    assert throttle.wait_seconds("clerk", "10.0.0.1") == 15 * 60  # capped
    throttle.succeeded("clerk", "10.0.0.1")
    assert throttle.wait_seconds("clerk", "10.0.0.1") == 0


def login(centre: Centre, password: str, lang: str = "zh-CN") -> requests.Response:
    return requests.post(
        centre.api("/auth/login"),
        json={"username": "clerk", "password": password},
        headers={"Accept-Language": lang},
        timeout=10,
    )


def test_failed_logins_get_429_in_chinese_and_english(centre: Centre) -> None:
    for _ in range(FREE_FAILURES):
        assert login(centre, "wrong-password").status_code == 401
    refused = login(centre, "Demo-Desk-3")  # even the right password waits
    assert refused.status_code == 429
    assert refused.json()["error"] == "too_many_attempts"
    assert int(refused.headers["Retry-After"]) >= 1
    assert "秒后再试" in refused.json()["message"]
    english = login(centre, "wrong-password", lang="en")
    assert english.status_code == 429 and "try again in" in english.json()["message"]
    # Others are not locked out by it.
    other = requests.post(centre.api("/auth/login"), json={"username": "manager", "password": "Demo-Hall-2"}, timeout=10)
    assert other.status_code == 200
    doc = centre.get("/openapi.json").json()
    assert "429" in doc["paths"]["/api/v1/auth/login"]["post"]["responses"]


# --- secrets --------------------------------------------------------------------------------


SECRET_NAMES = re.compile(r"(\.secret$|\.pem$|\.key$|(^|/)\.env$|id_rsa|\.db$|\.db-wal$|\.sqlite3?$)")


def test_no_secret_or_database_file_is_tracked() -> None:
    try:
        tracked = subprocess.run(
            ["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True, timeout=20
        ).stdout.splitlines()
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("not a git checkout")
    assert not [path for path in tracked if SECRET_NAMES.search(path)]
    ignored = subprocess.run(
        ["git", "check-ignore", "var/hallqueue.db", "var/hallqueue.db.secret", "var/kiosk/spool/x.json", "elsewhere.db", "elsewhere.db.secret"],
        cwd=ROOT, capture_output=True, text=True, timeout=20,
    ).stdout.split()
    assert len(ignored) == 5


def test_the_secret_comes_from_configuration(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from queue_server.settings import load, secret_for

    monkeypatch.setenv("HALLQUEUE_SECRET", "from-the-environment")
    assert secret_for(load(overrides={"DB": str(tmp_path / "x.db")})) == b"from-the-environment"
    assert not (tmp_path / "x.db.secret").exists()
    monkeypatch.delenv("HALLQUEUE_SECRET")
    generated = secret_for(load(overrides={"DB": str(tmp_path / "y.db")}))
    path = tmp_path / "y.db.secret"
    assert len(generated) == 64 and path.stat().st_mode & 0o077 == 0  # owner-only


def test_the_centre_keeps_no_session(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """No session cookie is read or signed: `session` is empty whatever the request carries,
    and code that writes to it fails at once rather than setting a cookie."""
    from flask import session

    from queue_server.app import create_app

    app = create_app(overrides={"DB": str(tmp_path / "h.db")})
    with app.test_request_context("/", headers={"Cookie": "session=eyJ4IjoxfQ.forged.sig"}):
        app.preprocess_request()
        assert dict(session) == {}
        with pytest.raises(RuntimeError):
            session["x"] = 1
