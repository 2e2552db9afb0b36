"""Guessing passwords at scale, as an attacker would: refused before any hash is computed.

Each test counts the password hashes the centre computes (werkzeug's scrypt, ~100 ms each)
by wrapping `accounts.check_password_hash`, so "refused before hashing" is measured, not
assumed. Addresses other than loopback come through `TRUSTED_PROXIES` and
`X-Forwarded-For`, as they would behind the hall's reverse proxy.
"""

from __future__ import annotations

import statistics
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from queue_server.accounts import credentials as accounts
from queue_server.accounts import login_throttle as security
from queue_server.accounts.login_throttle import (
    ADDRESS_BURST,
    ADDRESS_REFILL_SECONDS,
    LoginThrottle,
    TooManyAttempts,
)
from queue_server.app import create_app
from tests.conftest import Centre, copy_demo


class HashCounter:
    """Wraps the password check: how many ran, how long each took, how many at once."""

    def __init__(self, delay: float = 0.0) -> None:
        self.original = accounts.check_password_hash
        self.delay = delay
        self.calls = 0
        self.running = 0
        self.most_at_once = 0
        self._lock = threading.Lock()

    def __call__(self, stored: str, password: str) -> bool:
        with self._lock:
            self.calls += 1
            self.running += 1
            self.most_at_once = max(self.most_at_once, self.running)
        try:
            time.sleep(self.delay)
            return self.original(stored, password)  # type: ignore[no-any-return]
        finally:
            with self._lock:
                self.running -= 1


@pytest.fixture
def hashes(monkeypatch: pytest.MonkeyPatch) -> Iterator[HashCounter]:
    counter = HashCounter()
    monkeypatch.setattr(accounts, "check_password_hash", counter)
    yield counter


def proxied_client(tmp_path: Path, demo_template, **settings: Any):  # type: ignore[no-untyped-def]
    """The centre behind one trusted proxy: each request names its client in X-Forwarded-For."""
    db = tmp_path / "proxied.db"
    copy_demo(demo_template, db)
    return create_app(overrides={"DB": str(db), "TRUSTED_PROXIES": 1, **settings}).test_client()


def login_from(client, username: str, password: str, address: str, lang: str = "zh-CN"):  # type: ignore[no-untyped-def]
    return client.post(
        "/api/v1/auth/login",
        json={"username": username, "password": password},
        headers={"X-Forwarded-For": address, "Accept-Language": lang},
    )


# --- one address, many usernames ---------------------------------------------------------------


def test_one_address_rotating_usernames_is_refused_before_hashing(centre: Centre, hashes: HashCounter) -> None:
    checked, refused = [], []
    for n in range(ADDRESS_BURST + 10):
        started = time.perf_counter()
        answer = requests.post(
            centre.api("/auth/login"), json={"username": f"guess{n}", "password": "Guess-word-1"}, timeout=10
        )
        took = time.perf_counter() - started
        if answer.status_code == 401:
            checked.append(took)
        else:
            assert answer.status_code == 429, answer.text
            assert answer.json()["error"] == "too_many_attempts"
            assert 1 <= int(answer.headers["Retry-After"]) <= ADDRESS_REFILL_SECONDS
            refused.append(took)
    # The address's burst was checked; every attempt after it was refused without a hash.
    assert len(checked) == ADDRESS_BURST and len(refused) == 10
    assert hashes.calls == ADDRESS_BURST
    assert statistics.median(refused) < statistics.median(checked) / 2, (refused, checked)
    # Another address is not held by it (a hall clerk behind another NAT still logs in).
    other = requests.post(centre.api("/auth/login"), json={"username": "clerk", "password": "Demo-Desk-3"}, timeout=10)
    assert other.status_code == 429  # same loopback address: still refused, and still no hash
    assert hashes.calls == ADDRESS_BURST


def test_the_address_budget_refills_slowly_and_a_success_gives_its_unit_back() -> None:
    clock = FakeClock()
    throttle = LoginThrottle(clock, failures_per_minute=1000)
    for n in range(ADDRESS_BURST):
        fail(throttle, f"user{n}", "10.0.0.9")
    with pytest.raises(TooManyAttempts) as refused:
        fail(throttle, "another", "10.0.0.9")
    assert refused.value.params["retry_after"] == ADDRESS_REFILL_SECONDS
    clock.now += ADDRESS_REFILL_SECONDS  # slowed: one more guess per interval
    fail(throttle, "another", "10.0.0.9")
    with pytest.raises(TooManyAttempts):
        fail(throttle, "yet-another", "10.0.0.9")
    assert attempt_ok(throttle, "someone", "10.0.0.10")  # another address has its own budget
    for _ in range(ADDRESS_BURST * 2):  # successes cost no budget
        assert attempt_ok(throttle, "someone", "10.0.0.10")


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def fail(throttle: LoginThrottle, username: str, address: str) -> None:
    with throttle.attempt(username, address):
        pass  # the password was wrong


def attempt_ok(throttle: LoginThrottle, username: str, address: str) -> bool:
    with throttle.attempt(username, address) as attempt:
        attempt.succeeded()
    return True


# --- many addresses -------------------------------------------------------------------------


def test_a_burst_from_many_addresses_hits_the_global_budget(tmp_path: Path, demo_template, hashes: HashCounter) -> None:  # type: ignore[no-untyped-def]
    client = proxied_client(tmp_path, demo_template, LOGIN_FAILURES_PER_MINUTE=10)
    # The clerk logged in from the hall before the flood began.
    assert login_from(client, "clerk", "Demo-Desk-3", "10.1.0.5").status_code == 200
    before = hashes.calls
    answers = [login_from(client, f"guess{n}", "Guess-word-1", f"203.0.113.{n}") for n in range(40)]
    codes = [a.status_code for a in answers]
    assert codes[:10] == [401] * 10 and set(codes[10:]) == {429}, codes
    assert hashes.calls - before == 10  # the budget's worth of hashes, whatever the flood
    refused = answers[-1]
    assert refused.get_json()["error"] == "too_many_attempts" and int(refused.headers["Retry-After"]) >= 1
    english = login_from(client, "guess", "Guess-word-1", "203.0.113.200", lang="en")
    assert english.status_code == 429 and "try again in" in english.get_json()["message"]
    # A member who logged in from that address before still gets in during the flood;
    # a first login from a new address waits like everyone else.
    assert login_from(client, "clerk", "Demo-Desk-3", "10.1.0.5").status_code == 200
    assert login_from(client, "manager", "Demo-Hall-2", "10.1.0.6").status_code == 429


def test_concurrent_password_checks_are_bounded(centre: Centre, monkeypatch: pytest.MonkeyPatch) -> None:
    slow = HashCounter(delay=0.6)
    monkeypatch.setattr(accounts, "check_password_hash", slow)
    monkeypatch.setattr(security, "CHECK_WAIT_SECONDS", 0.2)
    answers: list[requests.Response] = []

    def guess(n: int) -> None:
        answers.append(
            requests.post(centre.api("/auth/login"), json={"username": f"guess{n}", "password": "Guess-word-1"}, timeout=10)
        )

    threads = [threading.Thread(target=guess, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert slow.most_at_once <= security.MAX_CONCURRENT_CHECKS
    busy = [a for a in answers if a.status_code == 429]
    assert busy and all(a.json()["error"] == "login_busy" and a.headers["Retry-After"] == "1" for a in busy)
    assert slow.calls == len(answers) - len(busy)
