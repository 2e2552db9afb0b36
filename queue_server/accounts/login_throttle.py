"""Login throttling, decided before any password is hashed (a check costs ~100 ms of
scrypt, so refusing after it would leave the CPU to whoever floods the login):

1. per (username, client address): from the `FREE_FAILURES`-th failure on, the next
   attempt must wait 1, 2, 4 … seconds (at most `MAX_LOCK_SECONDS`); a success clears it;
2. per client address, across usernames: a bucket of `ADDRESS_BURST` failures that
   refills one every `ADDRESS_REFILL_SECONDS`, so one address rotating usernames is
   slowed to two guesses a minute and refused beyond;
3. for the whole process: a budget of `LOGIN_FAILURES_PER_MINUTE` failed logins (a bucket
   of that size refilling over a minute), so a flood from many addresses costs at most
   that many hashes a minute. A (username, address) pair that logged in here within a
   day passes this one, so a flood does not lock out the hall's own staff;
4. at most `MAX_CONCURRENT_CHECKS` password checks at once; an attempt that finds no free
   slot within `CHECK_WAIT_SECONDS` is refused (`login_busy`).

Each attempt takes one unit from 2 and 3 before hashing and a success gives it back, so
the budgets count failures and still hold under concurrency. A refusal is 429
`too_many_attempts` (or `login_busy`) with `Retry-After`, and costs no hash whatever the
password. Counts live in this process (behind a proxy with sticky sessions one client
always meets the same process; N processes allow N budgets); the consecutive failures
that lock an account are counted in the database (`accounts/credentials.py`).
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from flask import current_app

from queue_server.engine.errors import QueueError

FREE_FAILURES = 5
MAX_LOCK_SECONDS = 15 * 60
ADDRESS_BURST = 20
ADDRESS_REFILL_SECONDS = 30
MAX_CONCURRENT_CHECKS = 2
CHECK_WAIT_SECONDS = 2.0
FORGET_AFTER_SECONDS = 24 * 3600
MAX_TRACKED = 50_000


class TooManyAttempts(QueueError, code="too_many_attempts", status=429): ...


class LoginBusy(TooManyAttempts, code="login_busy"):
    """Every password-check slot stayed busy: try again in a moment."""


@dataclass
class Bucket:
    """A token bucket: `capacity` units, refilled at `per_second`."""

    capacity: float
    per_second: float
    tokens: float
    updated: float

    def refill(self, now: float) -> None:
        self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.per_second)
        self.updated = now

    def take(self, now: float) -> int:
        """Take one unit; 0 if there was one, else the seconds until there will be."""
        self.refill(now)
        if self.tokens >= 1:
            self.tokens -= 1
            return 0
        return max(1, math.ceil((1 - self.tokens) / self.per_second))

    def give_back(self, now: float) -> None:
        self.refill(now)
        self.tokens = min(self.capacity, self.tokens + 1)


@dataclass
class Attempt:
    """One login let through; the caller marks it `succeeded` once the password was right."""

    pair: tuple[str, str]
    address: str
    took_global: bool
    ok: bool = False

    def succeeded(self) -> None:
        self.ok = True


class LoginThrottle:
    """Login attempts allowed per (username, address), per address, per process, and at once."""

    def __init__(
        self, clock: Callable[[], float] = time.monotonic, failures_per_minute: int = 60
    ) -> None:
        self.clock = clock
        self._failures: dict[tuple[str, str], tuple[int, float]] = {}  # key → (count, last failure)
        self._addresses: dict[str, Bucket] = {}
        self._known: dict[tuple[str, str], float] = {}  # pair → last success
        budget = max(1, failures_per_minute)
        self._global = Bucket(budget, budget / 60, budget, clock())
        self._slots = threading.BoundedSemaphore(MAX_CONCURRENT_CHECKS)
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

    @contextmanager
    def attempt(self, username: str, address: str | None) -> Iterator[Attempt]:
        """Let one login through to the password check, or raise 429 before any hashing.

        Inside the block the caller checks the password and calls `succeeded()` if it
        was right; anything else counts as a failure.
        """
        self.check(username, address)
        attempt = self._take_budgets(self._key(username, address))
        if not self._slots.acquire(timeout=CHECK_WAIT_SECONDS):
            self._give_back(attempt)
            raise LoginBusy("every password check is busy", retry_after=1)
        try:
            yield attempt
        finally:
            self._slots.release()
            if attempt.ok:
                self._give_back(attempt)
                self.succeeded(username, address)
            else:
                self.failed(username, address)

    def _take_budgets(self, pair: tuple[str, str]) -> Attempt:
        address = pair[1]
        now = self.clock()
        with self._lock:
            bucket = self._addresses.get(address)
            if bucket is None:
                if len(self._addresses) >= MAX_TRACKED:
                    self._forget_full(now)
                bucket = Bucket(ADDRESS_BURST, 1 / ADDRESS_REFILL_SECONDS, ADDRESS_BURST, now)
                self._addresses[address] = bucket
            wait = bucket.take(now)
            if wait:
                raise TooManyAttempts("too many failed logins from this address", retry_after=wait)
            known = now - self._known.get(pair, -math.inf) < FORGET_AFTER_SECONDS
            wait = 0 if known else self._global.take(now)
            if wait:
                bucket.give_back(now)
                raise TooManyAttempts("too many failed logins on this centre", retry_after=wait)
        return Attempt(pair, address, took_global=not known)

    def _give_back(self, attempt: Attempt) -> None:
        now = self.clock()
        with self._lock:
            bucket = self._addresses.get(attempt.address)
            if bucket is not None:
                bucket.give_back(now)
            if attempt.took_global:
                self._global.give_back(now)

    def failed(self, username: str, address: str | None) -> None:
        now = self.clock()
        with self._lock:
            if len(self._failures) >= MAX_TRACKED:
                self._forget_old(now)
            key = self._key(username, address)
            count, _ = self._failures.get(key, (0, now))
            self._failures[key] = (count + 1, now)

    def succeeded(self, username: str, address: str | None) -> None:
        key = self._key(username, address)
        with self._lock:
            self._failures.pop(key, None)
            if len(self._known) >= MAX_TRACKED:
                self._known.clear()
            self._known[key] = self.clock()

    def _forget_old(self, now: float) -> None:
        stale = [k for k, (_, last) in self._failures.items() if now - last > FORGET_AFTER_SECONDS]
        for key in stale:
            del self._failures[key]
        if len(self._failures) >= MAX_TRACKED:  # a flood of names: keep memory bounded
            self._failures.clear()

    def _forget_full(self, now: float) -> None:
        """Drop addresses whose bucket has refilled (they are as if never seen)."""
        for address, bucket in list(self._addresses.items()):
            bucket.refill(now)
            if bucket.tokens >= bucket.capacity:
                del self._addresses[address]
        if len(self._addresses) >= MAX_TRACKED:  # a flood of addresses: the global budget holds
            self._addresses.clear()


def login_throttle() -> LoginThrottle:
    return current_app.extensions["hallqueue_login_throttle"]
