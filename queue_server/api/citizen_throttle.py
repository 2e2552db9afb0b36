"""What citizens do without an account (book, cancel, take a remote ticket), throttled per
client address: a bucket of `CITIZEN_WRITES_PER_MINUTE` that refills over a minute, so a
family books its few slots at once while a script cannot empty a day's slots or walk the
codes. Counts live in this process, like the login throttle's."""

from __future__ import annotations

import threading
import time

from flask import current_app, request

from queue_server.accounts.login_throttle import Bucket, TooManyAttempts

MAX_TRACKED = 50_000


class CitizenTooMany(TooManyAttempts, code="booking_too_many"): ...


class CitizenThrottle:
    def __init__(self, per_minute: int) -> None:
        self.per_minute = max(1, per_minute)
        self._buckets: dict[str, Bucket] = {}
        self._lock = threading.Lock()

    def take(self, address: str) -> None:
        now = time.monotonic()
        with self._lock:
            if len(self._buckets) > MAX_TRACKED:  # forget the full ones: they hold nothing back
                self._buckets = {
                    a: b for a, b in self._buckets.items() if b.tokens < b.capacity - 1
                }
            bucket = self._buckets.get(address)
            if bucket is None:
                bucket = Bucket(self.per_minute, self.per_minute / 60, self.per_minute, now)
                self._buckets[address] = bucket
            wait = bucket.take(now)
        if wait:
            raise CitizenTooMany("too many bookings from this address", retry_after=wait)


def throttle_citizen() -> None:
    """Count one citizen's write from this address, or refuse it (429 with Retry-After)."""
    extensions = current_app.extensions
    if "citizen_throttle" not in extensions:
        extensions["citizen_throttle"] = CitizenThrottle(
            int(extensions["hallqueue"].settings["CITIZEN_WRITES_PER_MINUTE"])
        )
    extensions["citizen_throttle"].take(request.remote_addr or "")
