"""The kiosk agent: what the touch screen asks for, done with the centre and the devices.

One `Kiosk` per kiosk PC. It keeps the site's catalogue fresh (REST, refreshed at once
on every live event), reports its printer and ID reader to the centre, issues tickets
with a request id kept in the spool (so a retry never makes a second ticket), and hands
issued tickets to the printer worker. Its site is the one its token was enrolled at,
asked of the centre before anything else (`--site` only checks it). The screen only
ever shows what the centre
confirmed, and only while it hears the centre: a REST answer or a heartbeat on the live
feed at least every `STALE_SECONDS`; after a silence (a centre stopped, frozen or cut
off) nothing is offered until the catalogue has been read again.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import asdict
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import ValidationError

from devices.escpos_ticket import TicketContent
from devices.id_card import Identity
from devices.id_reader import IdCardReader
from devices.loop_thread import LoopThread
from devices.printer import TicketPrinter
from kiosk import service_menu
from kiosk.centre import CentreClient, CentreFeed, CentreRefused, CentreUnreachable
from kiosk.config import KioskConfig
from kiosk.peripherals import CardWatcher, PrinterWorker, ticket_labels, unconfirmed_after_restart
from kiosk.spool import ISSUING, PRINTED, PRINTING, Spool
from queue_server.wire import words
from queue_server.wire.shapes import DeviceIdentity, DeviceStatusReport, IssueRequest, PersonCard

log = logging.getLogger("hallqueue.kiosk")

RECOVER_SECONDS = 120.0  # an unconfirmed request older than this is not retried after a restart
FORGET_SECONDS = 300.0  # an unconfirmed request nobody follows any more is dropped, card and all
HEARTBEAT_SECONDS = 60.0
STALE_SECONDS = 4.0  # two missed heartbeats of the live feed (kiosk.centre.HEARTBEAT_SECONDS)
HOLDERS_KEPT = 5000  # tickets remembered per card holder (memory only), for "your number is …"
ACTIVE = ("waiting", "called", "serving")
QUOTA_REFUSALS = ("daily_cap_reached", "walk_in_reserved")
# Why the kiosk itself takes no ticket now: codes of the message catalogue, which the
# screen shows (its banner, a refused request), so they are among the words it gets.
REFUSALS = (
    "centre_unreachable",
    "printer_out",
    "printer_cover_open",
    "printer_offline",
    "unknown_item",
    "card_required",
    "id_required_for_capped",
    "one_tap_off",
    "card_gone",
    "not_elderly",
    "kiosk_checkin_nothing",
    "unknown_appointment",
)
# A notice on the printed ticket per priority class (a code of the message catalogue).
PRIORITY_NOTICE = {"elderly": "printed_priority_elderly"}
# A citizen who asked for help gets a ticket for the site's help item (no priority); the
# ticket names what they came for, for them and the assisted clerk.
HELP_NOTICE = "kiosk_help_for"
# A spooled job that checks a booking (or a remote ticket) in rather than issuing; its
# `code` is the booking's code as typed (may be empty: the card alone).
CHECK_IN = "check-in"
BOOKING_CODE_LENGTHS = range(4, 21)  # what the centre's check-in takes (api/schemas)


def booking_code(typed: str) -> str:
    """A booking code as typed or scanned: case, spaces and dashes do not matter (as the
    centre's `engine.booking.normal_code`)."""
    return "".join(ch for ch in typed.upper() if ch.isascii() and ch.isalnum())


def booking_view(answer: dict[str, Any], timezone: str) -> dict[str, Any] | None:
    """What the screen and the ticket say of a check-in's booking: its slot's start as the
    hall reads it, late or not, and whether it was a remote ticket (线上取号)."""
    booking = answer.get("appointment")
    if not isinstance(booking, dict) or not isinstance(booking.get("start"), str):
        return None
    start = datetime.fromisoformat(booking["start"].replace("Z", "+00:00"))
    return {
        "start": start.astimezone(ZoneInfo(timezone)).strftime("%H:%M"),
        "late": answer.get("late") is True,
        "remote": booking.get("channel") == "remote",
    }


class KioskMisconfigured(Exception):
    """The token cannot make this PC the kiosk it was set up as (unknown or revoked, not a
    kiosk's, or enrolled at another site than `--site` says): the agent must not run."""


def refused_token_message(exc: CentreRefused) -> str:
    if exc.status == 401:
        return (
            "the centre does not know this token (mistyped, or the kiosk was revoked): enrol "
            "the kiosk again with `hallqueue device add --kind kiosk --site SITE`"
        )
    if exc.status == 403:
        return (
            "this token is not a device's (a staff member's?): a kiosk runs with the token "
            "`hallqueue device add --kind kiosk` printed"
        )
    return f"the centre refused this token: {exc.code} {exc.message}".strip()


def checked_site(identity: DeviceIdentity, expected: str | None) -> str:
    """The site of a kiosk token, as the centre described it (`GET /devices/me`), once it is
    a kiosk's and where the kiosk was set up to stand (`expected`, when given)."""
    kind, site, name = identity.kind, identity.site, identity.name
    if kind != "kiosk":
        raise KioskMisconfigured(
            f"this token is a {kind}'s ({name!r} at {site}), not a kiosk's: enrol the kiosk "
            "with `hallqueue device add --kind kiosk --site SITE` and use its token"
        )
    if expected and expected != site:
        raise KioskMisconfigured(
            f"this kiosk's token was enrolled at {site} ({name!r}), not at {expected} "
            f"(--site / HALLQUEUE_KIOSK_SITE): leave --site out to serve {site}, or enrol "
            f"a kiosk for {expected} and use its token"
        )
    return site


class KioskRefusal(Exception):
    """The kiosk itself cannot take this request now (printer down, card required …):
    `code` is one of REFUSALS, `params` fill its words."""

    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(code)
        self.code = code
        self.params = params

    def message(self, language: str) -> str:
        return words.say(self.code, language, **self.params)


def wait_band(answer: dict[str, Any]) -> tuple[int, int] | None:
    """The band of minutes the centre promised (None from a centre that gives only the
    one number: the ticket prints that)."""
    band = service_menu.wait_band_of(answer.get("wait_band"))
    return (band["low"], band["high"]) if band else None


def issued_key(ticket: dict[str, Any]) -> str | None:
    """The catalogue key ("service:K001") of the item a ticket from the centre is for."""
    if ticket.get("service"):
        return f"service:{ticket['service']}"
    return f"bundle:{ticket['bundle']}" if ticket.get("bundle") else None


def age_on(birth: date, day: date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


class Kiosk:
    def __init__(self, config: KioskConfig) -> None:
        self.config = config
        self.spool = Spool(config.spool)
        self.site: str | None = None  # the token's site, once the centre said (learn_site)
        self.refused: KioskMisconfigured | None = None
        # Called (from the agent's thread) when the centre, reached after a start without
        # it, says the token is not this kiosk's: `hallqueue kiosk` then stops and exits.
        self.on_refused: Callable[[KioskMisconfigured], None] = lambda exc: None
        self.client = CentreClient(config.server, config.token)
        self.printer = PrinterWorker(
            TicketPrinter(config.printer, config.printer_baud, width_mm=config.width_mm),
            self.spool,
            interval=config.printer_interval,
            on_change=lambda state: self._wake.set(),
        )
        reader = IdCardReader(config.id_reader, config.id_reader_baud) if config.id_reader else None
        self.cards = CardWatcher(reader, on_change=lambda state: self._wake.set())
        self.feed = CentreFeed(
            config.server,
            config.token,
            None,  # joins the token's site, once learnt
            on_event=self._on_event,
            on_connection=lambda connected: self._refresh_soon(),
            on_heard=self._on_heard,
        )
        self.centre_ok: bool | None = None  # None until the first answer
        self.centre_error: str | None = None
        self._heard_at: float | None = None  # last REST answer (monotonic)
        self._resync = False  # silent for too long: read everything before offering again
        self.catalogue: dict[str, Any] | None = None
        self.catalogue_version = ""
        self._persons: dict[str, PersonCard] = {}  # job id → card data, memory only
        # Who holds which ticket, to show a returning card holder their number: keyed by
        # an HMAC of card number and item under a key that lives and dies with the process.
        self._holder_secret = secrets.token_bytes(32)
        self._holder_of: dict[str, str] = {}  # job id → holder key
        self._holders: dict[str, dict[str, str]] = {}  # holder key → {id, number}
        self._recover: set[str] = set()
        self._reported: DeviceStatusReport | None = None
        self._reported_at = 0.0
        self._next_refresh = 0.0
        self._refresh_asked = threading.Event()
        self._wake = threading.Event()
        self._issue_lock = threading.Lock()
        self._loop = LoopThread(self._run, name="kiosk-centre", join_timeout=10)

    # --- life cycle -----------------------------------------------------------------

    def start(self) -> Kiosk:
        self._recover_spool()
        self.printer.start()
        self.cards.start()
        self._loop.start()
        return self

    def stop(self) -> None:
        self._loop.stop(wake=self._wake.set)
        self.feed.stop()
        self.cards.stop()
        self.printer.stop()

    def _recover_spool(self) -> None:
        self.spool.prune()
        now = time.time()
        for job in self.spool.jobs(ISSUING):
            # The card of an identified request was never written down, and a request
            # nobody waits for any more should not print: drop both; nothing was promised.
            if job.get("identified") or now - job.get("created_at", now) > RECOVER_SECONDS:
                log.info("dropping unconfirmed request %s from before the restart", job["id"])
                self.spool.delete(job["id"])
            else:
                self._recover.add(job["id"])
        for job in unconfirmed_after_restart(self.spool):
            # Its bytes may have gone out when the agent stopped: it may be on paper.
            number = (job.get("ticket") or {}).get("number")
            log.warning("ticket %s was being printed when the agent stopped: not printed again",
                        number)
        owed = self.spool.jobs(PRINTING)
        if owed:
            log.info("%d ticket(s) owed from before the restart will print", len(owed))

    # --- the centre loop --------------------------------------------------------------

    def learn_site(self) -> str | None:
        """The site this kiosk serves: the one its token was enrolled at, asked of the
        centre once; None while the centre does not answer. Raises `KioskMisconfigured`
        when the token is unknown, not a kiosk's, or of another site than `--site`."""
        if self.site is None:
            try:
                identity = self.client.identity()
            except CentreUnreachable as exc:
                self._set_centre(False, "centre_unreachable", str(exc))
                return None
            except CentreRefused as exc:
                raise KioskMisconfigured(refused_token_message(exc)) from None
            site = checked_site(identity, self.config.site)
            self.site = self.client.site = self.feed.site = site
            log.info("kiosk %r of %s", identity.name, site)
        return self.site

    def _site_known(self) -> bool:
        """True once the site is known and the live feed follows it; False while the centre
        is away, or for good once it refused the token (the agent then stops)."""
        if self.site is None:
            try:
                if self.learn_site() is None:
                    return False
            except KioskMisconfigured as exc:
                log.error("%s", exc)
                self.refused = exc
                self._set_centre(False, "token_refused", str(exc))
                self.on_refused(exc)
                return False
        if not self.feed.running:
            self.feed.start()
        return True

    def _refresh_soon(self) -> None:
        self._refresh_asked.set()
        self._wake.set()

    def _on_heard(self) -> None:
        if self._resync or not self.centre_ok:
            self._refresh_soon()  # back after a silence: read everything again

    def _silent(self) -> bool:
        """True while the centre has not been heard for STALE_SECONDS, and after that
        until a fresh read succeeded."""
        heard = max(self._heard_at or 0.0, self.feed.heard_at or 0.0)
        if self.centre_ok and not self._resync and time.monotonic() - heard > STALE_SECONDS:
            log.info("centre silent for %.0f s", time.monotonic() - heard)
            self._resync = True
        return self._resync

    def _on_event(self, event: str, payload: dict[str, Any]) -> None:
        if event.startswith(("ticket.", "counter.")):
            self._refresh_soon()

    def _run(self) -> None:
        while not self._loop.stopping.is_set():
            if not self._site_known():
                if self.refused is not None:
                    return
                self._loop.stopping.wait(2.0)  # the centre is away: ask again
                continue
            if self._refresh_asked.is_set() or time.monotonic() >= self._next_refresh:
                # Cleared before reading: an event that lands during the read asks again.
                self._refresh_asked.clear()
                self.refresh()
                # Without the live feed the REST read is the heartbeat too.
                live = self.centre_ok and self.feed.connected
                interval = self.config.refresh_seconds if live else 2.0
                self._next_refresh = time.monotonic() + interval
            if self.centre_ok:
                self._report_status()
                for job_id in list(self._recover):
                    view = self.retry(job_id)
                    if view["state"] != ISSUING:
                        self._recover.discard(job_id)
            self._forget_stale_requests()
            self._wake.wait(0.25 if self.centre_ok else 1.0)
            self._wake.clear()

    def _forget_stale_requests(self) -> None:
        """A screen that never came back (browser crash): drop its request and card data."""
        now = time.time()
        for job in self.spool.jobs(ISSUING):
            if job["id"] not in self._recover and now - job.get("created_at", now) > FORGET_SECONDS:
                log.info("dropping unconfirmed request %s nobody follows", job["id"])
                self.abandon(job["id"])
        for job_id in list(self._persons) + list(self._holder_of):
            if self.spool.get(job_id) is None:
                self._persons.pop(job_id, None)
                self._holder_of.pop(job_id, None)

    def refresh(self) -> None:
        try:
            detail = self.client.site_detail()
        except CentreUnreachable as exc:
            self._set_centre(False, "centre_unreachable", str(exc))
            return
        except CentreRefused as exc:
            self._set_centre(False, exc.code, exc.code)
            return
        public_url = detail.get("public_url")
        self.client.public_url = public_url if isinstance(public_url, str) else None
        built = service_menu.build(detail)
        version = hashlib.sha1(json.dumps(built, sort_keys=True).encode()).hexdigest()[:12]
        self.catalogue, self.catalogue_version = built, version
        self._heard_at = time.monotonic()
        self._resync = False
        self._set_centre(True, None, "")

    def _set_centre(self, ok: bool, error: str | None, why: str) -> None:
        if ok != self.centre_ok:
            log.info("centre %s%s", "reachable" if ok else "unreachable", f" ({why})" if why else "")
        self.centre_ok, self.centre_error = ok, error

    def device_status(self) -> DeviceStatusReport:
        return DeviceStatusReport(printer=self.printer.state, id_reader=self.cards.state)  # type: ignore[arg-type]

    def _report_status(self) -> None:
        status = self.device_status()
        if status == self._reported and time.monotonic() - self._reported_at < HEARTBEAT_SECONDS:
            return
        try:
            self.client.report_status(status)
        except (CentreUnreachable, CentreRefused) as exc:
            log.info("device status not reported yet: %s", exc)
            return
        self._reported, self._reported_at = status, time.monotonic()

    # --- what the screen reads --------------------------------------------------------

    def _site(self) -> dict[str, Any]:
        return (self.catalogue or {}).get("site", {})

    def _today(self) -> date:
        return datetime.now(ZoneInfo(self._site().get("timezone", "Asia/Shanghai"))).date()

    def _elderly(self, identity: Identity) -> bool:
        return age_on(identity.birth_date, self._today()) >= self._site().get("elderly_age", 65)

    def card_view(self) -> dict[str, Any] | None:
        card = self.cards.current()
        if card is None:
            return None
        identity = card.identity
        return {
            "serial": card.serial,
            "masked_name": identity.masked_name(),
            "card_type": identity.card_type,
            "elderly": self._elderly(identity),
            "expired": not identity.is_valid_on(self._today()),
        }

    def blocked_reason(self) -> str | None:
        """Why no ticket can be taken now, or None."""
        if not self.printer.can_print:
            return f"printer_{self.printer.state}"
        if not self.centre_ok or self.catalogue is None or self._silent():
            return "centre_unreachable"
        return None

    def state(self) -> dict[str, Any]:
        return {
            "centre": {
                "ok": bool(self.centre_ok) and not self._silent(),
                "error": self.centre_error or ("silent" if self._resync else None),
            },
            "printer": self.printer.state,
            "id_reader": self.cards.state if self.config.id_reader else "absent",
            "blocked": self.blocked_reason(),
            "card": self.card_view(),
            "owed": len(self.spool.jobs(PRINTING)),
            "catalogue_version": self.catalogue_version,
            "identification": self._site().get("identification", "off"),
            "return_seconds": self.config.return_seconds,
            "idle_seconds": self.config.idle_seconds,
        }

    # --- issuing --------------------------------------------------------------------

    def issue(self, kind: str, code: str, language: str = "zh", help_requested: bool = False,
              use_card: bool = True) -> dict[str, Any]:
        """Create a job for this choice and ask the centre; see `job_view` for the answer.

        `help_requested`: the citizen asked for staff's help; the centre routes the ticket
        to the site's help item, without priority (a kiosk never asks for a class)."""
        if not self.printer.can_print:
            raise KioskRefusal(f"printer_{self.printer.state}")
        if self.catalogue is None:
            raise KioskRefusal("centre_unreachable")
        item = self.catalogue["items"].get(f"{kind}:{code}")
        if item is None:
            raise KioskRefusal("unknown_item")
        card = self.cards.current() if use_card else None
        if card is None and self._site().get("identification") == "required":
            raise KioskRefusal("card_required")
        if card is None and item.get("id_required"):
            # The centre would refuse it too, with these words.
            raise KioskRefusal("id_required_for_capped", cap=(item.get("quota") or {}).get("cap"))
        person = self._person_card(card.identity) if card is not None else None
        job = self.spool.create(
            kind=kind,
            code=code,
            language="en" if language == "en" else "zh",
            help=help_requested,
            identified=card is not None,
        )
        if person is not None:
            self._holder_of[job["id"]] = self._holder_key(person.id_number, kind, code)
            self._persons[job["id"]] = person
            self.cards.forget()  # one tap, one ticket
        return self._attempt(job["id"])

    def _person_card(self, identity: Identity) -> PersonCard:
        """What the centre is told of the card: its number, name and birth date, once."""
        try:
            return PersonCard(
                id_number=identity.id_number,
                name=identity.name or identity.english_name,
                birth_date=identity.birth_date.isoformat(),
            )
        except ValidationError:  # not what an ID card holds: read it again
            self.cards.forget()
            raise KioskRefusal("card_gone") from None

    def check_in(self, code: str | None, language: str = "zh", use_card: bool = True) -> dict[str, Any]:
        """Check a booking (or a remote ticket) in with its code typed or scanned, the card
        on the reader, or both (the centre then checks they are one person's, 人证一致); its
        ticket is spooled and printed like an issued one. See `job_view` for the answer."""
        if not self.printer.can_print:
            raise KioskRefusal(f"printer_{self.printer.state}")
        if self.catalogue is None:
            raise KioskRefusal("centre_unreachable")
        typed = booking_code(code or "")
        if typed and len(typed) not in BOOKING_CODE_LENGTHS:
            raise KioskRefusal("unknown_appointment")  # no booking has such a code
        card = self.cards.current() if use_card else None
        if card is None and not typed:
            raise KioskRefusal("kiosk_checkin_nothing")
        person = self._person_card(card.identity) if card is not None else None
        job = self.spool.create(
            kind=CHECK_IN,
            code=typed,
            language="en" if language == "en" else "zh",
            help=False,
            identified=card is not None,
        )
        if person is not None:
            self._persons[job["id"]] = person
            self.cards.forget()  # one tap, one check-in
        log.info("check-in by %s", " and ".join(w for w, on in (("code", typed), ("card", person)) if on))
        return self._attempt(job["id"])

    def one_tap(self, serial: int, language: str = "zh") -> dict[str, Any]:
        """An elderly citizen tapped their card on the home screen: a ticket for the site's
        one-tap item (`elderly_one_tap`), no menus. Anyone younger gets nothing here."""
        site = self._site()
        key = site.get("elderly_one_tap")
        if not key or site.get("identification", "off") == "off":
            raise KioskRefusal("one_tap_off")
        card = self.cards.current()
        if card is None or card.serial != serial:
            raise KioskRefusal("card_gone")  # the page acts on the tap it saw, not a later one
        if not self._elderly(card.identity):
            raise KioskRefusal("not_elderly")
        kind, code = key.split(":", 1)
        log.info("one-tap ticket for %s", key)
        return self.issue(kind, code, language)

    def _holder_key(self, id_number: str, kind: str, code: str) -> str:
        message = f"{id_number}|{kind}:{code}".encode()
        return hmac.new(self._holder_secret, message, hashlib.sha256).hexdigest()

    def _remember_holder(self, job_id: str, ticket: dict[str, Any]) -> None:
        holder = self._holder_of.pop(job_id, None)
        if holder is None:
            return
        self._holders.pop(holder, None)
        self._holders[holder] = {"id": ticket["id"], "number": ticket["number"]}
        while len(self._holders) > HOLDERS_KEPT:
            self._holders.pop(next(iter(self._holders)))

    def _existing_ticket(self, job_id: str) -> dict[str, str] | None:
        """The active ticket this kiosk issued to the same card for the same item, if any."""
        holder = self._holder_of.pop(job_id, None)
        known = self._holders.get(holder) if holder else None
        if known is None:
            return None
        try:
            status = self.client.ticket(known["id"])["ticket"]["status"]
        except (CentreUnreachable, CentreRefused, KeyError, TypeError):
            return None
        return {"number": known["number"]} if status in ACTIVE else None

    def _next_issue(self, job: dict[str, Any]) -> dict[str, str] | None:
        """When an item whose day is full can be taken again (re-read from the centre)."""
        self.refresh()
        item = (self.catalogue or {}).get("items", {}).get(f"{job['kind']}:{job['code']}", {})
        quota = item.get("quota") or {}
        return quota.get("next_issue")

    def retry(self, job_id: str) -> dict[str, Any]:
        job = self.spool.get(job_id)
        if job is None:
            return {"id": job_id, "state": "gone"}
        if job["state"] == ISSUING:
            return self._attempt(job_id)
        return self.job_view(job)

    def abandon(self, job_id: str) -> None:
        """The citizen left before the centre confirmed: forget the request."""
        job = self.spool.get(job_id)
        if job is not None and job["state"] == ISSUING:
            self.spool.delete(job_id)
        self._persons.pop(job_id, None)
        self._holder_of.pop(job_id, None)
        self._recover.discard(job_id)

    def _attempt(self, job_id: str) -> dict[str, Any]:
        with self._issue_lock:
            job = self.spool.get(job_id)
            if job is None or job["state"] != ISSUING:
                return self.job_view(job) if job else {"id": job_id, "state": "gone"}
            person = self._persons.get(job_id)
            if person is None and job.get("identified"):
                self.spool.delete(job_id)  # its card is gone (restart): nothing was promised
                return {"id": job_id, "state": "gone"}
            try:
                created, answer = self._ask_centre(job, person)
            except CentreUnreachable as exc:
                self._set_centre(False, "centre_unreachable", str(exc))
                self._refresh_soon()
                job = self.spool.update(job_id, attempts=int(job.get("attempts", 0)) + 1) or job
                return {**self.job_view(job), "error": "centre_unreachable"}
            except CentreRefused as exc:
                log.info("request %s refused: %s", job_id, exc.code)
                self.spool.delete(job_id)
                self._persons.pop(job_id, None)
                refused: dict[str, Any] = {
                    "id": job_id, "state": "refused", "error": exc.code, "message": exc.message
                }
                if exc.code == "one_active_ticket":
                    refused["existing"] = self._existing_ticket(job_id)
                if exc.code in QUOTA_REFUSALS:
                    refused["next_issue"] = self._next_issue(job)
                self._holder_of.pop(job_id, None)
                return refused
            self._persons.pop(job_id, None)
            ticket = answer["ticket"]
            self._remember_holder(job_id, ticket)
            log.info("ticket %s issued (%s)", ticket["number"], "new" if created else "again")
            booked = booking_view(answer, self._site().get("timezone", "Asia/Shanghai"))
            content = self._content(job, answer, booked)
            job = self.spool.update(
                job_id,
                state=PRINTING,
                ticket={
                    "id": ticket["id"],
                    "number": ticket["number"],
                    "item": issued_key(ticket),
                    "help_for": ticket.get("help_for"),
                    "priority": ticket["priority"],
                    "person": ticket.get("person"),
                    "ahead": answer.get("ahead", 0),
                    "estimated_wait_minutes": answer.get("estimated_wait_minutes", 0),
                    "wait_band": answer.get("wait_band"),
                    "windows": content.windows,
                    "no_show_rule": (answer.get("rules") or {}).get("no_show"),
                    "appointment": booked,
                },
                content=asdict(content),
                # A booking's code cancels it (the phone page): kept on disk only until
                # the centre answered, for a retry.
                **({"code": ""} if job["kind"] == CHECK_IN else {}),
            ) or job
            self.printer.wake()
            self._refresh_soon()
            return self.job_view(job)

    def _ask_centre(
        self, job: dict[str, Any], person: PersonCard | None
    ) -> tuple[bool, dict[str, Any]]:
        """The job's request to the centre: an issue, or a check-in; (created, answer)."""
        if job["kind"] == CHECK_IN:
            return False, self.client.check_in(job["code"] or None, person, job["language"])
        request = IssueRequest(
            service=job["code"] if job["kind"] == "service" else None,
            bundle=job["code"] if job["kind"] == "bundle" else None,
            request_id=job["id"],
            channel="kiosk",
            help=bool(job.get("help")),
            person=person,
        )
        return self.client.issue(request, job["language"])

    def _content(
        self, job: dict[str, Any], answer: dict[str, Any], booked: dict[str, Any] | None = None
    ) -> TicketContent:
        ticket = answer["ticket"]
        language = job["language"]
        english = language == "en"
        wanted = self._catalogue_item(f"{job['kind']}:{job['code']}")
        # The item the centre issued (the help item, for a citizen who asked for help):
        # its windows; the materials are those of what the citizen came for (a check-in:
        # of what was booked, the item issued).
        item = self._catalogue_item(issued_key(ticket)) or wanted
        wanted = wanted or item
        site = self._site()
        zone = ZoneInfo(site.get("timezone", "Asia/Shanghai"))
        issued = datetime.fromisoformat(ticket["issued_at"].replace("Z", "+00:00")).astimezone(zone)
        notice = PRIORITY_NOTICE.get(ticket.get("priority", ""))
        notices = [words.say(notice, language)] if notice else []
        if ticket.get("help_for"):
            help_item = self._catalogue_item(ticket["help_for"]) or wanted
            name = help_item.get("name_en" if english else "name", ticket["help_for"])
            notices.append(words.say(HELP_NOTICE, language, item=name))
        # The missed-call rule in one line, in the ticket's language, as the centre said
        # it (the full sentence from a centre that has no one-line form).
        said = answer.get("rules") or {}
        no_show = said.get("no_show_line") or said.get("no_show")
        if isinstance(no_show, str) and no_show:
            notices.append(no_show)
        return TicketContent(
            site_name=site.get("name_en" if english else "name", ""),
            number=ticket["number"],
            item=item.get("name_en" if english else "name", job["code"]),
            ahead=int(answer.get("ahead", 0)),
            estimated_wait_minutes=int(answer.get("estimated_wait_minutes", 0)),
            wait_band=wait_band(answer),
            windows=service_menu.window_labels(item.get("counters", []), language),
            materials=list(wanted.get("materials", [])),
            issued_at=issued.strftime("%Y-%m-%d %H:%M"),
            qr_url=self.client.ticket_url(ticket["id"], answer.get("key")),
            masked_name=ticket.get("person") or None,
            notice_lines=notices,
            labels=ticket_labels(language),
            language=language,
            # A booking says its slot on paper; a remote ticket was never one (no slot).
            appointment=booked["start"] if booked and not booked["remote"] else None,
            appointment_late=bool(booked and booked["late"]),
        )

    def _catalogue_item(self, key: str | None) -> dict[str, Any]:
        return (self.catalogue or {}).get("items", {}).get(key, {}) if key else {}

    def job_view(self, job: dict[str, Any]) -> dict[str, Any]:
        view: dict[str, Any] = {"id": job["id"], "state": job["state"]}
        if job["state"] in (PRINTING, PRINTED):
            wanted = f"{job['kind']}:{job['code']}"
            item = self._catalogue_item(job["ticket"].get("item") or wanted)
            help_for = job["ticket"].get("help_for")
            if help_for:
                asked = self._catalogue_item(help_for)
                view["help_for"] = {"name": asked.get("name", help_for), "name_en": asked.get("name_en", "")}
            view.update(
                ticket=job["ticket"],
                item={"name": item.get("name", job["code"]), "name_en": item.get("name_en", "")},
                printed=job["state"] == PRINTED,
                print_error=job.get("print_error"),
                printer=self.printer.state,
            )
        return view

    def job(self, job_id: str) -> dict[str, Any]:
        job = self.spool.get(job_id)
        return self.job_view(job) if job else {"id": job_id, "state": "gone"}
