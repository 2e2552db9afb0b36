"""The kiosk's link to the centre: REST calls with its device token, and the live feed.

`CentreClient` makes the few REST calls a kiosk needs, with short timeouts, and turns
failures into two kinds: `CentreUnreachable` (no answer: nothing was promised, retry
with the same request id) and `CentreRefused` (the centre answered no, with its code and
message in the citizen's language). `CentreFeed` holds a Socket.IO connection joined to
the site's room and calls back on every event, so waiting counts follow the hall live,
and asks the centre for a heartbeat every `HEARTBEAT_SECONDS`: `heard_at` is when the
centre last answered anything, so a centre that is frozen or cut off (the TCP connection
still open, nothing arriving) shows within seconds.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

import requests
import socketio
from pydantic import ValidationError

from devices.loop_thread import LoopThread
from queue_server import wire
from queue_server.wire import feed
from queue_server.wire.shapes import DeviceIdentity, DeviceStatusReport, IssueRequest, PersonCard

log = logging.getLogger("hallqueue.kiosk.centre")

CONNECT_TIMEOUT = 2.0
READ_TIMEOUT = 6.0
HEARTBEAT_SECONDS = 2.0
# A connection that answers no heartbeat this many times in a row is dropped and made
# again: a dead network path would otherwise hold it until engine.io's own ping timeout.
MISSED_BEFORE_RECONNECT = 3


class CentreUnreachable(Exception):
    """No usable answer from the centre (down, network, timeout, 5xx)."""


class CentreRefused(Exception):
    """The centre answered with an error: `code` is stable, `message` is for people."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(f"{status} {code}")
        self.status = status
        self.code = code
        self.message = message


class CentreClient:
    def __init__(self, server: str, token: str, site: str | None = None) -> None:
        self.server = server.rstrip("/")
        self.site = site  # the token's site, once `identity()` told it
        # The centre's address as citizens' phones reach it (its PUBLIC_URL, told in the
        # site's view): the QR on a printed ticket points there when the centre has one.
        self.public_url: str | None = None
        self._session = requests.Session()
        self._session.headers["Authorization"] = f"Bearer {token}"
        self._lock = threading.Lock()  # requests.Session is not guaranteed thread-safe

    def ticket_url(self, ticket_id: str, key: str | None = None) -> str:
        """The ticket's phone page; the key (in the fragment, which no browser sends to a
        server) lets the holder of the printed ticket rate it there. At the centre's public
        address when it told one (PUBLIC_URL), else at the address this kiosk uses."""
        base = (self.public_url or "").rstrip("/") or self.server
        return f"{base}/t/{ticket_id}" + (f"#k={key}" if key else "")

    def _call(
        self, method: str, path: str, body: dict[str, Any] | None = None, language: str = "zh"
    ) -> tuple[int, dict[str, Any]]:
        url = f"{self.server}/api/v1{path}"
        headers = {"Accept-Language": "en" if language == "en" else "zh-CN"}
        try:
            with self._lock:
                response = self._session.request(
                    method,
                    url,
                    json=body,
                    headers=headers,
                    timeout=(CONNECT_TIMEOUT, READ_TIMEOUT),
                )
        except requests.RequestException as exc:
            # Only the exception's class: its text could hold the request.
            raise CentreUnreachable(type(exc).__name__) from None
        if response.status_code >= 500:
            raise CentreUnreachable(f"HTTP {response.status_code}")
        try:
            data = response.json()
        except ValueError:
            raise CentreUnreachable("not JSON") from None
        if response.status_code >= 400:
            raise CentreRefused(
                response.status_code, str(data.get("error", "error")), str(data.get("message", ""))
            )
        return response.status_code, data

    def identity(self) -> DeviceIdentity:
        """Who this token belongs to: its kind, site, window and name."""
        try:
            return DeviceIdentity.model_validate(self._call("GET", "/devices/me")[1])
        except ValidationError:  # not the centre this kiosk speaks with
            raise CentreUnreachable("not a device's identity") from None

    def site_detail(self) -> dict[str, Any]:
        return self._call("GET", f"/sites/{self.site}")[1]

    def issue(self, request: IssueRequest, language: str = "zh") -> tuple[bool, dict[str, Any]]:
        """Issue (or fetch again, by request id) a ticket; returns (created, answer)."""
        body = request.model_dump(exclude_defaults=True)  # what this request chose, no more
        status, data = self._call("POST", f"/sites/{self.site}/tickets", body, language)
        return status == 201, data

    def check_in(
        self, code: str | None, person: PersonCard | None, language: str = "zh"
    ) -> dict[str, Any]:
        """Check a booking or a remote ticket in, by its code, the card read, or both; the
        answer is its ticket as an issue answers it, with `appointment` and `late`. Asking
        again answers the same ticket (the centre never issues a second)."""
        body: dict[str, Any] = {}
        if code:
            body["code"] = code
        if person is not None:
            body["person"] = person.model_dump(exclude_none=True)
        return self._call("POST", f"/sites/{self.site}/appointments/check-in", body, language)[1]

    def ticket(self, ticket_id: str) -> dict[str, Any]:
        """A ticket with its live status (anyone holding the id may read it)."""
        return self._call("GET", f"/tickets/{ticket_id}")[1]

    def report_status(self, report: DeviceStatusReport) -> dict[str, Any]:
        return self._call("POST", "/devices/status", report.model_dump(exclude_none=True))[1]


class CentreFeed:
    """A Socket.IO client joined to the site's room; reconnects by itself."""

    def __init__(
        self,
        server: str,
        token: str,
        site: str | None,
        on_event: Callable[[str, dict[str, Any]], None],
        on_connection: Callable[[bool], None] | None = None,
        on_heard: Callable[[], None] | None = None,
        heartbeat_seconds: float = HEARTBEAT_SECONDS,
    ) -> None:
        self.server = server.rstrip("/")
        self.token = token
        self.site = site  # set before start(): the room it joins
        self.on_event = on_event
        self.on_connection = on_connection or (lambda connected: None)
        self.on_heard = on_heard or (lambda: None)
        self.heartbeat_seconds = heartbeat_seconds
        self.heard_at: float | None = None  # time.monotonic() of the centre's last word
        self.missed = 0  # heartbeats unanswered in a row on this connection
        self.last_seq = 0
        self._loop = LoopThread(self._run, name="kiosk-feed")
        self.client = socketio.Client(reconnection=False, logger=False, engineio_logger=False)
        self.client.on("connect", self._connected)
        self.client.on("disconnect", self._disconnected)
        self.client.on("*", self._any)

    @property
    def connected(self) -> bool:
        return bool(self.client.connected)

    @property
    def running(self) -> bool:
        return self._loop.running

    def _heard(self) -> None:
        self.heard_at = time.monotonic()
        self.on_heard()

    def _connected(self) -> None:
        self.missed = 0
        self._join()
        self._heard()
        self.on_connection(True)

    def _join(self) -> None:
        # No `since`: the kiosk reads the site again on every (re)connect (on_connection),
        # so it needs no backlog, only the live events.
        self.client.emit(wire.JOIN, {"site": self.site}, callback=self._joined)

    def _join_again(self) -> None:
        if self.client.connected:  # else the next connect joins
            self._join()

    def _joined(self, ack: Any = None) -> None:
        retry = wire.join_retry_seconds(ack)
        if retry is not None:  # the centre is shedding joins (a storm of reconnects)
            log.info("join refused as too frequent: trying again in %.1f s", retry)
            timer = threading.Timer(retry, self._join_again)
            timer.daemon = True
            timer.start()
        elif not (isinstance(ack, dict) and ack.get("ok")):
            log.error("join refused: %s", ack)

    def _disconnected(self, *_: Any) -> None:
        self.on_connection(False)

    def _any(self, event: str, data: Any = None) -> None:
        if event in wire.EVENT_TYPES and isinstance(data, dict):
            self._heard()
            self.last_seq = max(self.last_seq, int(data.get("seq") or 0))
            try:
                self.on_event(event, data)
            except Exception:
                log.exception("kiosk event handler failed on %s", event)

    def start(self) -> CentreFeed:
        self._loop.start()
        return self

    def stop(self) -> None:
        self._loop.stop(wake=self._disconnect)

    def _disconnect(self) -> None:
        feed.disconnect_quietly(self.client)

    def _run(self) -> None:
        while not self._loop.stopping.is_set():
            if not self.client.connected:
                try:
                    feed.connect(self.client, self.server, self.token, wait_timeout=3)
                except Exception as exc:  # the centre is down: REST polling says so
                    log.debug("live feed not connected: %s", type(exc).__name__)
                    self._loop.stopping.wait(2.0)
                    continue
            began = time.monotonic()
            self._beat()
            self._loop.stopping.wait(max(0.0, began + self.heartbeat_seconds - time.monotonic()))

    def _beat(self) -> None:
        """Ask the centre for a heartbeat; no answer within the interval is silence."""
        try:
            answer = self.client.call(wire.HEARTBEAT, {}, timeout=self.heartbeat_seconds)
        except Exception as exc:  # a timeout (frozen centre) or a closed connection
            log.debug("no heartbeat from the centre: %s", type(exc).__name__)
            answer = None
        if isinstance(answer, dict) and answer.get("ok"):
            self.missed = 0
            self._heard()
            return
        self.missed += 1
        if self.missed >= MISSED_BEFORE_RECONNECT and self.client.connected:
            log.info("live feed silent for %d heartbeats: connecting again", self.missed)
            self.missed = 0
            try:
                self.client.disconnect()
            except Exception:  # already going
                log.debug("dropping the silent live feed failed", exc_info=True)
