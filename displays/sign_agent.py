"""The window-sign agent: follows one counter's events and drives its LED sign.

    hallqueue sign --server URL --token TOKEN --site SITE --counter N --serial-port PORT
                   [--address 1] [--evaluator 11]

It connects to the centre over Socket.IO with a sign device token, reads the
counter once (REST), joins the counter's room with `since` = the sequence number of
that read, and from then on applies each event of the counter to what the sign shows:
the number being served, 暂停服务 when paused, 窗口关闭 when closed. After every
(re)connect it reads the counter again, so a restart of either side never leaves the
sign stale; the sign is also rewritten every `refresh_seconds` in case it lost power.
Events heard while a join is being answered are put in seq order with its backlog
(`wire.CatchUp`); a join refused as too frequent is tried again after the
`retry_after` it names.

The centre's heartbeat (every PING_SECONDS, 2 s by default) says the centre is there.
When the agent has heard nothing — no heartbeat, no event, no answer — for
`lost_seconds`, the sign keeps its number but its text line says 网络中断, so nobody
takes a stale sign for a live one; the next read of the counter puts the live text back.

With an evaluator address it also asks the citizen for a rating (好差评) when the
counter finishes a ticket, polls the evaluator, and posts the rating to the centre
with its token (retrying while the centre is unreachable).

It reports its health to its centre (`POST /devices/status`, `wire.shapes.DeviceStatusReport`):
its live feed, and whether the sign and the evaluator answer on the bus (`ok`,
`not_answering`, or `disconnected` when the port cannot be opened) — at start, on every
change and every `report_seconds` (its heartbeat: the centre flags an agent silent past
`DEVICE_SILENT_AFTER_SECONDS`). Before each heartbeat it asks both devices who they are, so
a sign that died while showing the same number is noticed.

Imports only `queue_server.wire` of the centre, and `devices`.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import requests
import socketio

from devices.device_errors import DeviceDisconnected, DeviceError
from devices.evaluator import Evaluator
from devices.loop_thread import LoopThread
from devices.register_bus import RegisterBus
from devices.window_sign import WindowSign
from queue_server import wire
from queue_server.wire import feed, words
from queue_server.wire.shapes import BusDeviceState, DeviceStatusReport, RatingRequest

log = logging.getLogger("hallqueue.sign")

# The sign speaks Chinese: its words are the message catalogue's (`wire.words`).
SIGN_LANGUAGE = "zh"
PAUSED_TEXT = words.say("sign_paused", SIGN_LANGUAGE)
CLOSED_TEXT = words.say("sign_closed", SIGN_LANGUAGE)
LOST_TEXT = words.say("sign_lost", SIGN_LANGUAGE)
LOST_SECONDS = 6.0  # three missed heartbeats of the centre's default 2 s
REPORT_SECONDS = 60.0  # the agent's own heartbeat to the centre (its health report)
REPORT_RETRY_SECONDS = 5.0  # after a report the centre did not take


@dataclass(frozen=True)
class SignView:
    number: str
    state: str  # idle | serving | paused | closed (devices.window_sign.STATES)
    text: str


def sign_view(counter: dict[str, Any] | None, ticket: dict[str, Any] | None) -> SignView:
    """What the sign should show for a counter (wire payload) and its current ticket."""
    if counter is None or counter.get("state") == "closed":
        return SignView("", "closed", CLOSED_TEXT)
    current = ticket if ticket and ticket.get("id") == counter.get("current_ticket") else None
    number = current["number"] if current else ""
    if counter.get("state") == "paused":
        return SignView(number, "paused", PAUSED_TEXT)
    if current is None:
        return SignView("", "idle", "")
    if current.get("status") == "serving":
        return SignView(number, "serving", words.say("sign_serving", SIGN_LANGUAGE))
    called = words.say("announce_call", SIGN_LANGUAGE, number=number, window=counter.get("number"))
    return SignView(number, "serving", called)


def lost_view(view: SignView | None) -> SignView:
    """What the sign shows while the centre is silent: what it knew, marked as not live."""
    if view is None:  # never heard the centre since start
        return SignView("", "idle", LOST_TEXT)
    return SignView(view.number, view.state, LOST_TEXT)


def bus_state(error: DeviceError | None) -> BusDeviceState:
    """What a device on the bus is, from how the last exchange with it ended."""
    if error is None:
        return "ok"
    return "disconnected" if isinstance(error, DeviceDisconnected) else "not_answering"


def _parse_time(text: str | None) -> float | None:
    if not text:
        return None
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()
    except ValueError:
        return None


class SignAgent:
    def __init__(
        self,
        server: str,
        token: str,
        site: str,
        counter: int,
        port: str | None = None,
        address: int = 1,
        evaluator: int | None = None,
        baudrate: int = 9600,
        *,
        bus: RegisterBus | None = None,
        rating_timeout: float = 120.0,
        refresh_seconds: float = 30.0,
        poll_seconds: float = 0.25,
        lost_seconds: float = LOST_SECONDS,
        report_seconds: float = REPORT_SECONDS,
    ) -> None:
        self.server = server.rstrip("/")
        self.token = token
        self.site = site
        self.counter = counter
        self.owns_bus = bus is None  # a shared bus is closed by whoever made it
        if bus is None:
            if port is None:
                raise ValueError("give a port or a bus")
            bus = RegisterBus(port, baudrate)
        self.bus = bus
        self.sign = WindowSign(bus, address)
        self.evaluator = Evaluator(bus, evaluator) if evaluator is not None else None
        self.rating_timeout = rating_timeout
        self.refresh_seconds = refresh_seconds
        self.poll_seconds = poll_seconds
        self.lost_seconds = lost_seconds
        self.report_seconds = report_seconds
        self.heard_at = time.monotonic()  # the start counts: no banner before a first try

        self.counter_state: dict[str, Any] | None = None
        self.ticket: dict[str, Any] | None = None
        self.last_seq: int | None = None
        self.shown: SignView | None = None
        self.shown_at = 0.0
        self.sign_ok = True
        self.rating_for: tuple[str, str, float] | None = None  # (ticket id, number, deadline)
        self.unsent: list[tuple[str, int]] = []  # ratings the centre has not taken yet
        self.posted: list[tuple[str, int]] = []  # ratings the centre stored (for tests)
        # Health: the bus devices as last heard, what the centre was last told and when.
        self.parts: dict[str, BusDeviceState] = {}
        self.reported: DeviceStatusReport | None = None
        self.reported_at = 0.0
        self.report_tried_at = -REPORT_RETRY_SECONDS
        self.probed_at: float | None = None  # never: ask the devices at start

        self._events: queue.Queue[dict[str, Any]] = queue.Queue()
        # Puts the events of the counter on `_events` in seq order, a join's backlog included.
        self._follow = wire.CatchUp(self._events.put)
        self._need_sync = threading.Event()
        self._sync_not_before = 0.0  # after a join refused as too frequent
        self._wake = threading.Event()
        self._loop = LoopThread(self._run, name="sign-agent")
        self.http = requests.Session()
        self.http.headers["Authorization"] = f"Bearer {token}"
        self.client = socketio.Client(
            reconnection=True,
            reconnection_attempts=0,
            reconnection_delay=0.3,
            reconnection_delay_max=2,
            randomization_factor=0.3,
        )
        self.client.on("connect", self._on_connect)
        self.client.on("disconnect", self._on_disconnect)
        for name in wire.EVENT_TYPES:
            self.client.on(name, self._on_event)
        self.client.on(wire.CATCH_UP, self._on_catch_up)
        self.client.on(wire.HEARTBEAT, self._on_heartbeat)

    # --- Socket.IO handlers (run on the client's thread: never block here) ------------

    def _on_connect(self) -> None:
        log.info("connected to %s", self.server)
        self.heard_at = time.monotonic()
        self._need_sync.set()
        self._wake.set()

    def _on_disconnect(self, *_: Any) -> None:
        log.warning("disconnected from %s; reconnecting", self.server)

    def _on_heartbeat(self, *_: Any) -> None:
        self.heard_at = time.monotonic()

    def _on_event(self, payload: Any) -> None:
        self.heard_at = time.monotonic()
        self._follow.event(payload)
        self._wake.set()

    def _on_catch_up(self, page: Any) -> None:
        self.heard_at = time.monotonic()
        self._follow.page(page)
        self._wake.set()

    # --- life cycle -----------------------------------------------------------------

    def start(self) -> SignAgent:
        self._loop.start()
        return self

    def stop(self) -> None:
        self._loop.stop(wake=self._wake_and_disconnect)
        if self.owns_bus:
            self.bus.close()

    def run_forever(self) -> None:
        self.start()
        try:
            while not self._loop.stopping.wait(0.5):
                pass
        finally:
            self.stop()

    def _wake_and_disconnect(self) -> None:
        self._wake.set()
        feed.disconnect_quietly(self.client)

    def _connect(self) -> None:
        try:
            feed.connect(self.client, self.server, self.token, wait_timeout=5, retry=False)
        except Exception as exc:  # refused or unreachable: try again from the loop
            log.warning("cannot connect to %s: %s", self.server, exc)

    def _run(self) -> None:
        self._connect()
        next_connect = time.monotonic() + 2
        while not self._loop.stopping.is_set():
            self._wake.wait(self.poll_seconds)
            self._wake.clear()
            if self._loop.stopping.is_set():
                break
            if not self.client.connected and time.monotonic() > next_connect:
                # python-socketio reconnects after a drop by itself, but not after a
                # refused first connection: keep trying.
                if not getattr(self.client, "_reconnect_task", None):
                    self._connect()
                next_connect = time.monotonic() + 2
            try:
                if (
                    self._need_sync.is_set()
                    and self.client.connected
                    and time.monotonic() >= self._sync_not_before
                ):
                    self._sync()
                while True:
                    try:
                        self._apply(self._events.get_nowait())
                    except queue.Empty:
                        break
                self._show()
                self._poll_evaluator()
                self._send_ratings()
                self._report_health()
            except Exception:  # the agent keeps running whatever one step did
                log.exception("sign agent step failed")

    # --- following the counter ------------------------------------------------------

    def _sync(self) -> None:
        response = self.http.get(
            f"{self.server}/api/v1/sites/{self.site}/counters/{self.counter}", timeout=5
        )
        response.raise_for_status()
        view = response.json()
        self.heard_at = time.monotonic()
        self._need_sync.clear()
        self.counter_state = view["counter"]
        self.ticket = view["current"]
        # Events queued before this read are older than it: the read covers them.
        self.last_seq = view["last_seq"]
        since = self._follow.joining(self.last_seq)
        try:
            ack = self.client.call(
                wire.JOIN, {"site": self.site, "counter": self.counter, "since": since}, timeout=5
            )
        except Exception:  # no answer: read and join again on the next step
            self._need_sync.set()
            raise
        self._follow.joined(ack)
        retry = wire.join_retry_seconds(ack)
        if retry is not None:
            log.warning("join refused as too frequent: trying again in %.1f s", retry)
            self._sync_not_before = time.monotonic() + retry
            self._need_sync.set()
        elif not ack or not ack.get("ok"):
            log.error("join refused: %s", ack)
            self._need_sync.set()
        elif not ack.get("complete", True):  # too much missed to replay: read and join again
            self._need_sync.set()
        self.shown = None  # rewrite the sign after every sync

    def _apply(self, event: dict[str, Any]) -> None:
        seq = event.get("seq")
        if not isinstance(seq, int) or (self.last_seq is not None and seq <= self.last_seq):
            return
        self.last_seq = seq
        counter = event.get("counter")
        if not counter or counter.get("number") != self.counter:
            return
        self.counter_state = counter
        ticket = event.get("ticket")
        if ticket and ticket.get("id") == counter.get("current_ticket"):
            self.ticket = ticket
        elif counter.get("current_ticket") is None:
            self.ticket = None
        kind = event.get("type")
        if kind == wire.TICKET_FINISHED and ticket:
            self._ask_rating(ticket, _parse_time(event.get("at")))
        elif kind == wire.TICKET_CALLED and self.rating_for is not None:
            self._cancel_rating()  # the next citizen is at the window

    @property
    def centre_lost(self) -> bool:
        return time.monotonic() - self.heard_at > self.lost_seconds

    def _show(self) -> None:
        view = sign_view(self.counter_state, self.ticket) if self.counter_state else None
        if self.centre_lost:
            view = lost_view(view)
        if view is None:
            return
        due = time.monotonic() - self.shown_at > (self.refresh_seconds if self.sign_ok else 2.0)
        if view == self.shown and not due:
            return
        try:
            self.sign.show(view.number, view.state, view.text)  # type: ignore[arg-type]
        except DeviceError as exc:
            if self.sign_ok:
                log.warning("window sign: %s", exc)
            self.sign_ok = False
            self.parts["sign"] = bus_state(exc)
            self.shown_at = time.monotonic()
            return
        self.sign_ok = True
        self.parts["sign"] = "ok"
        self.shown = view
        self.shown_at = time.monotonic()

    # --- health -----------------------------------------------------------------------

    def _probe(self) -> None:
        """Ask the sign and the evaluator who they are: a sign showing the same number for
        an hour is written only every `refresh_seconds`, an evaluator only when rating."""
        devices: list[tuple[str, WindowSign | Evaluator]] = [("sign", self.sign)]
        if self.evaluator is not None:
            devices.append(("evaluator", self.evaluator))
        for name, device in devices:
            try:
                device.identify()
            except DeviceError as exc:
                self.parts[name] = bus_state(exc)
            else:
                self.parts[name] = "ok"
        self.probed_at = time.monotonic()

    def health(self) -> DeviceStatusReport:
        live = self.client.connected and not self.centre_lost
        return DeviceStatusReport(
            connected="yes" if live else "no",
            sign=self.parts.get("sign"),
            evaluator=self.parts.get("evaluator"),
        )

    def _report_health(self) -> None:
        """At start, on every change and every `report_seconds`; a report the centre did not
        take is tried again `REPORT_RETRY_SECONDS` later."""
        now = time.monotonic()
        due = now - self.reported_at >= self.report_seconds
        if self.probed_at is None or (due and now - self.probed_at >= self.report_seconds):
            self._probe()
        report = self.health()
        if report == self.reported and not due:
            return
        if now - self.report_tried_at < REPORT_RETRY_SECONDS and self.report_tried_at > self.reported_at:
            return
        self.report_tried_at = now
        try:
            response = self.http.post(
                f"{self.server}/api/v1/devices/status",
                json=report.model_dump(exclude_none=True),
                timeout=5,
            )
        except requests.RequestException as exc:
            log.info("health not reported yet: %s", exc)
            return
        if response.status_code != 200:
            log.warning("health report refused: %s", response.text[:200])
            return
        self.reported, self.reported_at = report, time.monotonic()

    # --- ratings (好差评) -------------------------------------------------------------

    def _ask_rating(self, ticket: dict[str, Any], finished_at: float | None) -> None:
        if self.evaluator is None:
            return
        if finished_at is not None and time.time() - finished_at > self.rating_timeout:
            return  # finished long ago (a replay after an outage): the citizen has left
        try:
            self.evaluator.request_rating(ticket["number"])
        except DeviceError as exc:
            log.warning("evaluator: %s", exc)
            self.parts["evaluator"] = bus_state(exc)
            return
        self.parts["evaluator"] = "ok"
        self.rating_for = (ticket["id"], ticket["number"], time.monotonic() + self.rating_timeout)

    def _cancel_rating(self) -> None:
        self.rating_for = None
        if self.evaluator is not None:
            try:
                self.evaluator.cancel()
            except DeviceError as exc:
                log.warning("evaluator: %s", exc)

    def _poll_evaluator(self) -> None:
        if self.evaluator is None or self.rating_for is None:
            return
        ticket_id, _, deadline = self.rating_for
        if time.monotonic() > deadline:
            self._cancel_rating()
            return
        try:
            level = self.evaluator.poll_rating()
        except DeviceError as exc:
            log.warning("evaluator: %s", exc)
            self.parts["evaluator"] = bus_state(exc)
            return
        self.parts["evaluator"] = "ok"
        if level is not None:
            self.rating_for = None
            self.unsent.append((ticket_id, level))

    def _send_ratings(self) -> None:
        still: list[tuple[str, int]] = []
        for ticket_id, level in self.unsent:
            try:
                response = self.http.post(
                    f"{self.server}/api/v1/tickets/{ticket_id}/rating",
                    json=RatingRequest(level=level).model_dump(exclude_none=True),
                    timeout=5,
                )
            except requests.RequestException:
                still.append((ticket_id, level))
                continue
            if response.status_code == 201:
                self.posted.append((ticket_id, level))
            elif response.status_code >= 500:
                still.append((ticket_id, level))
            else:  # 409 already rated, 404 …: nothing more to do
                log.warning("rating of %s refused: %s", ticket_id, response.text[:200])
        self.unsent = still


def run(
    server: str,
    token: str,
    site: str,
    counter: int,
    port: str,
    address: int = 1,
    evaluator: int | None = None,
    baudrate: int = 9600,
    report_seconds: float = REPORT_SECONDS,
) -> None:
    """Run until asked to stop (SIGTERM or Ctrl-C; a Windows service's Ctrl+C or Ctrl+Break)."""
    from devices.host_system import on_stop

    agent = SignAgent(
        server, token, site, counter, port, address, evaluator, baudrate, report_seconds=report_seconds
    )

    def stop(*_: Any) -> None:
        agent._loop.stopping.set()

    on_stop(stop)
    agent.run_forever()
