"""A station's edge centre and its link to the city.

The station's centre is the same `hallqueue serve`, with `--edge-of CITY_URL --token T`.
It owns its site's queues: its kiosks, consoles, displays and signs talk to it, and it
keeps serving when the line to the city is down. A background link (`Uplink`) talks to the
city every few seconds, in one exchange:

- up: the events the city has not acknowledged yet, with the rows they changed (its
  outbox is its own event log: nothing is sent twice into the city's books, nothing is
  lost on a restart or a `kill -9`, since the cursor of what the city holds is stored only
  once the city has answered);
- down: the city's configuration of the site (catalogue, windows, staff with their
  password hashes so clerks log in offline, devices with their tokens' hashes, proxies),
  fetched again only when its digest changed, and the site's keys (`accounts/keys.py`).

A batch the city refuses as out of order (`edge_gap`) is sent again from where the city
stands. Every failure is retried with a growing pause (at most `MAX_PAUSE_SECONDS`); the
link's state (last success, last error, what waits) is kept for health and the pages.
"""

from __future__ import annotations

import gzip
import json
import logging
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import requests

from queue_server import wire
from queue_server.accounts.keys import Keyring
from queue_server.storage import Database
from queue_server.storage.replication import audit_acknowledged

log = logging.getLogger("hallqueue.edge")

SYNC_SECONDS = 2.0  # between exchanges while all is sent
BATCH_EVENTS = 500  # events per exchange (about 25 kB gzipped: a few seconds at 64 kbit/s)
MAX_PAUSE_SECONDS = 30.0
TIMEOUT_SECONDS = 30.0


class CityRefused(Exception):
    def __init__(self, status: int, body: dict[str, Any]) -> None:
        super().__init__(f"{status} {body.get('error')}: {body.get('message')}")
        self.status = status
        self.body = body


@dataclass
class LinkState:
    """What the station knows of its link, for health and the pages."""

    site: str | None
    device: str | None
    owner: str | None
    acked_seq: int
    backlog: int
    last_ok_at: str | None
    last_error: str | None
    config_at: str | None

    @property
    def serving(self) -> bool:
        """The city has handed the site to this station (and is not taking it back)."""
        return self.device is not None and self.owner == self.device

    def online(self, silent_after: float, now: datetime | None = None) -> bool:
        """The last exchange got through within `silent_after` seconds and none failed since."""
        if self.last_error or not self.last_ok_at:
            return False
        last = datetime.fromisoformat(self.last_ok_at.replace("Z", "+00:00"))
        return ((now or datetime.now(UTC)) - last).total_seconds() <= silent_after

    def health(self, silent_after: float = 30.0) -> dict[str, Any]:
        return {
            "site": self.site,
            "device": self.device,
            "serving": self.serving,
            "online": self.online(silent_after),
            "acked_seq": self.acked_seq,
            "backlog": self.backlog,
            "last_ok_at": self.last_ok_at,
            "last_error": self.last_error,
            "config_at": self.config_at,
        }


def link_state(db: Database) -> LinkState:
    rows = db.store.replication
    state = rows.edge_state()
    site = state.get("site")
    acked = int(state.get("acked_seq", 0))
    return LinkState(
        site=site,
        device=state.get("device"),
        owner=rows.site_owner(site) if site else None,
        acked_seq=acked,
        backlog=rows.backlog(site, acked) if site else 0,
        last_ok_at=state.get("last_ok_at"),
        last_error=state.get("last_error"),
        config_at=state.get("config_at"),
    )


def station_keyring(db: Database, secret: bytes) -> Keyring:
    """The station's keys: its own secret (its sessions) and its site's keys from the city."""
    state = db.store.replication.edge_state()
    keys = state.get("keys")
    given = {state["site"]: Keyring.imported(keys)} if keys and state.get("site") else {}
    return Keyring(secret, given)


class Uplink:
    def __init__(
        self,
        db: Database,
        city_url: str,
        token: str,
        keyring: Keyring,
        publish_owner_change: Callable[[], None] = lambda: None,
        interval: float = SYNC_SECONDS,
    ) -> None:
        self.db = db
        self.city = city_url.rstrip("/")
        self.keyring = keyring
        self.interval = interval
        self.on_owner_change = publish_owner_change
        self._session = requests.Session()
        self._session.headers.update(
            {
                "Authorization": f"Bearer {token}",
                "Content-Type": "application/json",
                "Content-Encoding": "gzip",
                "Accept-Encoding": "gzip",
            }
        )
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        # Which edge centre this is (the city says, at the first exchange): the site's
        # queues are this centre's while the site's owner is this id.
        self.device: str | None = db.store.replication.edge_state().get("device")

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="edge-uplink", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def _run(self) -> None:
        pause = self.interval
        while not self._stop.is_set():
            try:
                more = self.exchange()
                pause = 0.0 if more else self.interval
            except Exception as exc:  # the line is down, the city restarts: try again later
                self._remember(last_error=f"{type(exc).__name__}: {exc}"[:300])
                log.info("edge: exchange with the city failed: %s", exc)
                pause = min(MAX_PAUSE_SECONDS, max(self.interval, pause * 2)) * random.uniform(0.8, 1.2)
            self._stop.wait(pause)

    # --- one exchange --------------------------------------------------------------------

    def exchange(self) -> bool:
        """Send what waits and take what the city has; True when more waits to be sent."""
        # One snapshot: the events and the rows they changed agree.
        with self.db.reading() as store:
            rows = store.replication
            state = rows.edge_state()
            site = state.get("site")
            acked = int(state.get("acked_seq", 0))
            acked_audit = int(state.get("acked_audit", 0))
            batch = rows.outbox(site, acked, acked_audit, BATCH_EVENTS) if site else {}
            station_seq = rows.last_seq(site) if site else 0
            release = store.schema_version()
        body = {
            "release": release,
            "site": site,
            "digest": state.get("digest"),
            "station_time": wire.iso(datetime.now(UTC)),
            "station_seq": station_seq,
            "acked_seq": acked,
            "batch": batch,
        }
        answer = self._post(body)
        self._apply(answer, audit_acknowledged(batch, acked_audit) if batch else acked_audit)
        return int(answer["acked_seq"]) < station_seq

    def _post(self, body: dict[str, Any]) -> dict[str, Any]:
        data = gzip.compress(json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode(), 6)
        response = self._session.post(f"{self.city}/api/v1/edge/sync", data=data, timeout=TIMEOUT_SECONDS)
        try:
            answer = response.json()
        except ValueError:
            answer = {"error": "unreadable", "message": response.text[:200]}
        if response.status_code == 409 and answer.get("error") == "edge_gap":
            since = int(answer.get("since", 0))
            self._remember(acked_seq=since, last_error=None)  # resend from where the city stands
            raise CityRefused(response.status_code, answer)
        if response.status_code != 200:
            raise CityRefused(response.status_code, answer)
        return answer

    def _apply(self, answer: dict[str, Any], acked_audit: int) -> None:
        now = wire.iso(datetime.now(UTC))
        owner_before = None
        with self.db.transaction() as store:
            rows = store.replication
            site = answer["site"]
            owner_before = rows.site_owner(site)
            updates: dict[str, Any] = {
                "site": site,
                "device": answer["device"],
                # What the city holds now is the truth (a batch is applied whole or not at all).
                "acked_seq": int(answer["acked_seq"]),
                "acked_audit": acked_audit,
                "last_ok_at": now,
                "last_error": None,
                "city_time": answer.get("city_time"),
            }
            if answer.get("snapshot") is not None:
                rows.apply_snapshot(site, answer["snapshot"])
                updates.update(digest=answer["digest"], config_at=now)
            if answer.get("keys"):
                updates["keys"] = answer["keys"]
                self.keyring.give(site, Keyring.imported(answer["keys"]))
            rows.set_site_owner(site, answer.get("owner"))
            rows.set_edge_state(**updates)
        self.device = answer["device"]
        if owner_before != answer.get("owner"):
            self.on_owner_change()

    def _remember(self, **values: Any) -> None:
        try:
            with self.db.transaction() as store:
                store.replication.set_edge_state(**values)
        except Exception:  # a closing database (tests): nothing to remember
            log.debug("edge: could not store the link's state", exc_info=True)

    def wait_until_served(self, timeout: float) -> bool:
        """Until the first exchange has given the station its site (or `timeout`)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.db.store.replication.edge_state().get("config_at"):
                return True
            time.sleep(0.1)
        return False
