"""A realistic history: a discrete-event simulation of a city's halls and stations.

It drives the real engine (`engine.lifecycle`, `engine.call_order`) — the same code the
server runs, not a copy — through simulated days: citizens arrive by hour and weekday,
take tickets for the items their site offers, clerks open, pause for breaks and close
their counters, call, serve (log-normal service times around each item's expected
minutes), transfer, mark no-shows, and citizens rate the service. Each simulated day of
a site is written in one transaction: its tickets in their final state, its events with
their sequence numbers, its number sequences and its ratings.

Items with a slot plan (`slot_plans`) are also booked: a share of their citizens book a
slot ahead (on the phone page, the provincial platform, or at a window) instead of walking
in; each booking is checked in on time (a ticket of the appointment channel and class),
late (an ordinary ticket), or cancelled, or missed (a no-show) — the engine's own
`booking.check_in_class` decides on time or late. The bookings are written with the day.

A “一件事” ticket goes through its items as stages (`engine.bundle_stages`): the clerk
marks each done, sometimes transfers the ticket to another one-thing window for the rest,
sometimes finishes without marking (the items are then recorded untimed); citizens who
rate on the phone rate some stages too. The stages draw from their own random stream, so
the rest of the history does not change with them.

Who takes the tickets (`Citizens`): a share of walk-ins tap their ID card (a citizen of
the site's pool, some coming back on other days), a few ticket touts (黄牛) take many
tickets a day across items, and the site's registered proxies (代办) take tickets for
others up to their caps — each checked by the engine's own caps (`caps.check_person`,
`caps.check_proxy`); a refusal is counted, as the kiosk would have said no. Missed calls
follow each site's missed-call (过号) policy: the calls it asks for, then a no-show, and
some citizens come back the same day (`lifecycle.return_missed`) while the site is open.
"""

from __future__ import annotations

import heapq
import itertools
import math
import random
import zlib
from collections import Counter as Counter_
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from functools import partial
from typing import Any

from queue_server import wire
from queue_server.engine import booking, bundle_stages, caps, estimates, lifecycle, ratings, rules
from queue_server.engine import hours as site_hours
from queue_server.engine.booking import Appointment, AppointmentStatus, SlotPlan
from queue_server.engine.bundle_stages import Stage
from queue_server.engine.errors import (
    PersonLimitReached,
    ReturnNotAllowed,
    Unavailable,
    UnknownSite,
)
from queue_server.engine.ids import new_id
from queue_server.engine.lifecycle import Change
from queue_server.engine.model import (
    Bundle,
    Channel,
    Counter,
    CounterState,
    Event,
    Outcome,
    Priority,
    Service,
    Site,
    SiteKind,
    Ticket,
    TicketStatus,
)
from queue_server.storage import Database, Store
from queue_server.storage.repository import Row

# How much of its counters' capacity a site's citizens use over a day, by kind of site:
# a busy hall runs close to capacity (queues build at the peaks), a village is quiet.
LOAD = {
    SiteKind.HALL: 0.55,
    SiteKind.BUSINESS_STATION: 0.45,
    SiteKind.TOWNSHIP_CENTER: 0.6,
    SiteKind.VILLAGE_STATION: 0.3,
}
# How busy each local hour is relative to the base (morning rush, after-lunch peak).
HOUR_PROFILE = {
    8: 0.7,
    9: 1.5,
    10: 1.4,
    11: 0.9,
    12: 0.4,
    13: 0.8,
    14: 1.2,
    15: 1.1,
    16: 0.8,
    17: 0.4,
}
# Mondays are busiest, Fridays and weekends quieter.
WEEKDAY_FACTOR = [1.3, 1.1, 1.0, 1.0, 0.9, 0.6, 0.5]
# Citizens who walk in: the appointment channel and class come only from bookings.
PRIORITY_MIX = [
    (Priority.ELDERLY, 0.08),
    (Priority.DISABLED, 0.015),
    (Priority.ASSISTED, 0.02),
]
CHANNEL_MIX = [
    (Channel.KIOSK, 0.84),
    (Channel.STAFF, 0.1),
    (Channel.ONLINE, 0.06),
]
# Bookings: the share of a bookable item's citizens who book ahead, where they book, and
# what becomes of a booking (the rest check in on time, mostly a few minutes early).
BOOKED_SHARE = 0.5
BOOKING_CHANNELS = [("phone", 0.6), ("platform", 0.33)]  # the rest at a window (staff)
BOOKING_CANCEL_RATE = 0.05
BOOKING_NO_SHOW_RATE = 0.08
BOOKING_LATE_RATE = 0.07
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕"
NO_SHOW_RATE = 0.05
LATE_RATE = 0.06  # called, not there, recalled, then comes
TRANSFER_RATE = 0.03
RATED_SHARE = 0.65
RATING_MIX = [(5, 0.78), (4, 0.15), (3, 0.04), (2, 0.02), (1, 0.01)]
# A one-thing ticket's stages: the share finished without marking each item (recorded
# untimed), the share sent to another one-thing window after a stage, the share of stages
# rated by a citizen who rates on the phone, and the stages' ratings (a little harsher
# than the whole: a slow item shows).
STAGES_UNMARKED = 0.1
STAGE_TRANSFER_RATE = 0.2
STAGE_RATED_SHARE = 0.6
STAGE_RATING_MIX = [(5, 0.7), (4, 0.17), (3, 0.07), (2, 0.04), (1, 0.02)]
# Who takes the tickets (`Citizens`). Walk-ins who tap their ID card (all of them at a
# kiosk for a capped item where the site requires a card), and of those the share who are
# citizens the site has seen before (on another day).
IDENTIFIED_SHARE = 0.35
RETURNING_SHARE = 0.3
# Ticket touts (黄牛) per site of each kind, the share of working days they come, and how
# many tickets they try to take on such a day (across items, one at a time).
TOUTS = {SiteKind.HALL: 3, SiteKind.BUSINESS_STATION: 1}
TOUT_DAY_SHARE = 0.6
TOUT_TICKETS = (5, 10)
# A registered proxy (代办) comes on this share of working days and asks for this share
# of their daily cap (more than the cap now and then: the rest are refused).
PROXY_DAY_SHARE = 0.7
PROXY_CAP_USE = (0.3, 1.2)
# Of the citizens whose call was missed (过号), the share who come back the same day.
RETURN_SHARE = 0.45
# The share of calls a clerk makes out of order (点名叫号), when someone waits who may be.
OUT_OF_ORDER_SHARE = 0.02


@dataclass
class Totals:
    days: int = 0
    tickets: int = 0
    events: int = 0
    served: int = 0
    returned: int = 0  # missed tickets back in the queue the same day
    refused: dict[str, int] = field(default_factory=dict)  # by the engine's error code


@dataclass(order=True)
class _Step:
    at: datetime
    order: int
    action: Callable[[], object] = field(compare=False)


def _pick(rng: random.Random, mix: list[tuple[Any, float]], default: Any) -> Any:
    roll = rng.random()
    for value, share in mix:
        if roll < share:
            return value
        roll -= share
    return default


def _person(rng: random.Random) -> tuple[str, str]:
    """A citizen's card as the centre keeps it: a hash of the shape of the keyed hash (as
    the simulated bookings' are) and the masked name."""
    return f"{rng.getrandbits(256):064x}", rng.choice(SURNAMES) + "**"


@dataclass(frozen=True)
class Who:
    """Who takes a ticket: a card (its hash and masked name), or a proxy (代办) for others."""

    person_hash: str | None = None
    person_mask: str | None = None
    proxy: Row | None = None


@dataclass
class Citizens:
    """The people of one site over the simulated days, with a random stream of their own
    (the rest of the simulation draws the same numbers with or without them)."""

    rng: random.Random
    pool: list[tuple[str, str]] = field(default_factory=list)
    touts: list[tuple[str, str]] = field(default_factory=list)
    proxies: list[Row] = field(default_factory=list)
    known: int = 0  # the first `known` of the pool came on earlier days

    def new_day(self) -> None:
        self.known = len(self.pool)

    @classmethod
    def of(cls, site: Site, proxies: list[Row], seed: int, first_day: date) -> Citizens:
        """The same touts for a seed whatever the days simulated; the citizens drawn from
        the first day on (another range simulated with the same seed draws others)."""
        known = random.Random(f"{seed}:{site.id}:touts")
        touts = [_person(known) for _ in range(TOUTS.get(site.kind, 0))]
        rng = random.Random(f"{seed}:{site.id}:{first_day}:citizens")
        return cls(rng, touts=touts, proxies=[p for p in proxies if p["active"]])

    def walk_in(self, card_required: bool) -> Who:
        """A walk-in: anonymous, or a card of the pool (new, or seen on another day)."""
        if not card_required and self.rng.random() >= IDENTIFIED_SHARE:
            return Who()
        if self.known and self.rng.random() < RETURNING_SHARE:
            person_hash, mask = self.pool[self.rng.randrange(self.known)]
        else:
            person_hash, mask = _person(self.rng)
            self.pool.append((person_hash, mask))
        return Who(person_hash, mask)


def _daily_limit(site: Site) -> int | None:
    """The site's tickets per person per item a day (as `people.persons.check_holdings`)."""
    limit = site.settings.get("daily_limit_per_person")
    return limit if isinstance(limit, int) and not isinstance(limit, bool) and limit > 0 else None


class SiteDay:
    """One site's day: the event loop that drives the engine for that day."""

    def __init__(
        self,
        site: Site,
        counters: list[Counter],
        items: list[Service | Bundle],
        popularity: dict[str, float],
        day: date,
        rng: random.Random,
        scale: float,
        last_numbers: dict[str, int],
        plans: dict[str, SlotPlan] | None = None,
        recent: dict[str, list[float]] | None = None,
        people: Citizens | None = None,
    ) -> None:
        self.day = day
        # Queue key → its latest service minutes, newest first: carried from day to day.
        self.recent = recent if recent is not None else {}
        self.people = people or Citizens(random.Random(f"{site.id}:{day}:citizens"))
        self.people.new_day()
        self.no_show_policy = rules.no_show_policy(site)
        self.held: dict[str, list[str]] = {}  # card → its tickets today
        self.proxy_taken: dict[str, int] = {}  # proxy → tickets taken today
        self.refused: dict[str, int] = {}  # refusals by the engine's error code
        self.returned = 0
        self.open_spans: list[tuple[datetime, datetime]] = []
        self.rng = rng
        self.scale = scale
        self.items = items
        self.plans = plans or {}  # item key (`S:code`, `B:code`) → its slot plan
        demand = [popularity.get(item.code, 1.0) for item in items]
        self.booking_demand = [
            d * BOOKED_SHARE if _key(item) in self.plans else 0.0
            for item, d in zip(items, demand, strict=True)
        ]
        # Those who book do not also walk in.
        self.popularity = [d - b for d, b in zip(demand, self.booking_demand, strict=True)]
        self.bookings: list[Appointment] = []
        self.counters = {c.number: c for c in counters}
        self.busy: set[int] = set()
        self.tickets: dict[str, Ticket] = {}
        self.waiting: dict[str, Ticket] = {}  # kept apart: call-next looks only at these
        self.last_numbers = last_numbers
        self.issued_today: dict[str, int] = {}
        self.changes: list[Change] = []
        self.ratings: dict[str, tuple[int, str]] = {}
        self.steps: list[_Step] = []
        self.order = itertools.count()
        self.site = site
        self.tz = site_hours.zone(site.timezone)
        # One-thing tickets' stages (their own random stream: the rest stays as it was).
        self.bundles = {item.code: item for item in items if isinstance(item, Bundle)}
        self.stages: dict[str, list[Stage]] = {}
        self.stage_rng = random.Random(f"{site.id}/{day.isoformat()}/stages")

    # --- scheduling ------------------------------------------------------------------

    def at(self, moment: datetime, action: Callable[[], object]) -> None:
        heapq.heappush(self.steps, _Step(moment, next(self.order), action))

    def apply(self, change: Change | None) -> Change | None:
        if change is None:
            return None
        self.changes.append(change)
        if change.ticket is not None:
            self.tickets[change.ticket.id] = change.ticket
            if change.ticket.status == TicketStatus.WAITING:
                self.waiting[change.ticket.id] = change.ticket
            else:
                self.waiting.pop(change.ticket.id, None)
        if change.counter is not None:
            self.counters[change.counter.number] = change.counter
        return change

    # --- the day ---------------------------------------------------------------------

    def run(self) -> None:
        # The site's calendar: no arrivals on a holiday or its own closed day, a make-up
        # Saturday's by the weekday hours it keeps. A site without hours is not simulated.
        spans = site_hours.day_spans(self.site, self.day) if self.site.hours is not None else []
        self._book(spans)
        for index, (start, end) in enumerate(spans):
            opens = datetime.combine(self.day, start, tzinfo=self.tz)
            closes = datetime.combine(self.day, end, tzinfo=self.tz)
            last_session = index == len(spans) - 1
            self.open_spans.append((opens, closes))
            self._arrivals(opens, closes)
            for number in self.counters:
                # Not every window is staffed every session: smaller sites open all of theirs.
                staffed = self.site.kind != SiteKind.HALL or self.rng.random() < 0.85
                if staffed:
                    self.at(
                        opens + timedelta(minutes=self.rng.uniform(0, 5)),
                        partial(self._open, number, closes),
                    )
                self.at(closes, partial(self._end_session, number, last_session))
        self._agents()
        while self.steps:
            step = heapq.heappop(self.steps)
            self.now = step.at
            step.action()
        end_of_day = datetime.combine(self.day + timedelta(days=1), time(0, 0), tzinfo=self.tz)
        for change in lifecycle.close_day(list(self.tickets.values()), end_of_day):
            self.apply(change)

    def _arrivals(self, opens: datetime, closes: datetime) -> None:
        moment = opens
        # A make-up working day (调休) on a weekend is as busy as a Monday.
        made_up = self.day.weekday() >= 5 and self.day.isoformat() in self.site.days
        weekday = WEEKDAY_FACTOR[0 if made_up else self.day.weekday()]
        base = sum(self.popularity) * self.scale * weekday
        while True:
            rate = base * HOUR_PROFILE.get(moment.hour, 0.3)  # citizens per hour
            moment += timedelta(hours=self.rng.expovariate(max(rate, 0.01)))
            if moment >= closes:
                return
            self.at(moment, self._arrive)

    def _arrive(self) -> None:
        item = self.rng.choices(self.items, weights=self.popularity)[0]
        channel = _pick(self.rng, CHANNEL_MIX, Channel.KIOSK)
        priority = _pick(self.rng, PRIORITY_MIX, Priority.ORDINARY)
        card_required = (
            channel == Channel.KIOSK
            and item.daily_cap is not None
            and self.site.settings.get("require_id_for_capped") is True
        )
        self._issue(item, channel, priority, who=self.people.walk_in(card_required))

    def _issue(
        self,
        item: Service | Bundle,
        channel: Channel,
        priority: Priority,
        person: str | None = None,
        who: Who | None = None,
    ) -> Ticket | None:
        """A ticket taken now, called at once by a free window that serves it."""
        utc_now = self.now.astimezone(site_hours.zone("UTC"))
        who = who or Who(person_hash=person)
        try:
            self._check_who(who, item)
            change = lifecycle.issue(
                self.site,
                item,
                offered=True,
                now=utc_now,
                last_seq_no=self.last_numbers.get(item.prefix, 0),
                issued_today=self.issued_today.get(item.code, 0),
                channel=channel,
                priority=priority,
                person_hash=who.person_hash,
                person_mask=who.person_mask,
                proxy_id=who.proxy["id"] if who.proxy is not None else None,
            )
        except (Unavailable, PersonLimitReached) as refused:
            # Too late or too many for this item today, for this citizen or proxy: the
            # kiosk says no and the citizen comes back another day.
            self.refused[refused.code] = self.refused.get(refused.code, 0) + 1
            return None
        assert change.ticket is not None
        ticket = self._promised(change.ticket, item)
        change = replace(change, ticket=ticket)
        self.last_numbers[item.prefix] = ticket.seq_no
        self.issued_today[item.code] = self.issued_today.get(item.code, 0) + 1
        self.apply(change)
        self._held(who, ticket)
        self._offer(ticket)
        return ticket

    def _offer(self, ticket: Ticket) -> None:
        """A ticket now waiting is called at once by a free open window that serves it."""
        for number, counter in self.counters.items():
            if (
                counter.state == CounterState.OPEN
                and number not in self.busy
                and counter.serves(ticket)
            ):
                self._call(number)
                break

    # --- who takes the tickets: cards, touts (黄牛), proxies (代办) -----------------------

    def _check_who(self, who: Who, item: Service | Bundle) -> None:
        """The live path's caps: a proxy within their daily cap, anyone else identified by
        a card within the one-person limits (one active ticket per item, a daily limit)."""
        if who.proxy is not None:
            taken = self.proxy_taken.get(who.proxy["id"], 0)
            caps.check_proxy(taken, who.proxy["daily_cap"], who.proxy["name"])
            return
        if who.person_hash is None:
            return
        mine = [
            t
            for t in (self.tickets[i] for i in self.held.get(who.person_hash, []))
            if (t.service, t.bundle) == _codes(item) and t.status != TicketStatus.CANCELLED
        ]
        active = [t for t in mine if t.status in _ACTIVE]
        holdings = caps.Holdings(
            active=len(active), today=len(mine), held=active[0].number if active else None
        )
        caps.check_person(holdings, _daily_limit(self.site))

    def _held(self, who: Who, ticket: Ticket) -> None:
        if who.proxy is not None:
            self.proxy_taken[who.proxy["id"]] = self.proxy_taken.get(who.proxy["id"], 0) + 1
        elif who.person_hash is not None:
            self.held.setdefault(who.person_hash, []).append(ticket.id)

    def _agents(self) -> None:
        """The day's touts and proxies (on working days), each taking tickets for other
        people through the day: touts at a kiosk with their own card, a registered proxy
        with theirs, a staff proxy at a window."""
        rng = self.people.rng
        if self.day.weekday() >= 5 or not self.open_spans:
            return
        for person_hash, mask in self.people.touts:
            if rng.random() < TOUT_DAY_SHARE:
                wanted = rng.randint(*TOUT_TICKETS)
                self._visits(wanted, Who(person_hash, mask), Channel.KIOSK)
        for proxy in self.people.proxies:
            if rng.random() < PROXY_DAY_SHARE:
                wanted = round(proxy["daily_cap"] * rng.uniform(*PROXY_CAP_USE))
                if proxy["kind"] == "registered":
                    self._visits(wanted, Who(proxy["person_hash"], None, proxy), Channel.KIOSK)
                else:
                    self._visits(wanted, Who(proxy=proxy), Channel.STAFF)

    def _visits(self, wanted: int, who: Who, channel: Channel) -> None:
        rng = self.people.rng
        lengths = [(closes - opens).total_seconds() for opens, closes in self.open_spans]
        for _ in range(wanted):
            opens, closes = rng.choices(self.open_spans, weights=lengths)[0]
            moment = opens + (closes - opens) * rng.uniform(0, 0.9)
            item = rng.choices(self.items, weights=self.popularity)[0]
            self.at(moment, partial(self._issue, item, channel, Priority.ORDINARY, who=who))

    def _promised(self, ticket: Ticket, item: Service | Bundle) -> Ticket:
        """The ticket with the wait it is promised, as the centre promises it at issue
        (`Operations._position`): people ahead by the mixing rule, the queue's measured
        minutes, the capacity its open counters give it."""
        open_ = [c for c in self.counters.values() if c.state == CounterState.OPEN]
        serving = [c for c in open_ if ticket.queue_key in c.weights]
        ahead = estimates.people_ahead(
            ticket, self.waiting.values(), rules.queue_mix(self.site, serving)
        )
        waiting = Counter_(t.queue_key for t in self.waiting.values())
        measured = self.recent.get(ticket.queue_key, [])
        band = estimates.wait_band(
            ahead + estimates.others_ahead(open_, ticket.queue_key, waiting),
            estimates.blended_minutes(item.expected_minutes, measured),
            len(serving),
            estimates.spread_of(measured),
            idle=any(c.number not in self.busy for c in serving),
        )
        return replace(ticket, promised_low=band.low, promised_high=band.high)

    # --- bookings --------------------------------------------------------------------

    def _book(self, spans: list[tuple[time, time]]) -> None:
        """The day's bookings of each bookable item: per slot, the share of the slot's
        citizens who booked, up to the places the plan opens to booking."""
        weekday = WEEKDAY_FACTOR[self.day.weekday()]
        opens = [
            (datetime.combine(self.day, a, tzinfo=self.tz), datetime.combine(self.day, b, tzinfo=self.tz))
            for a, b in spans
        ]
        for item, demand in zip(self.items, self.booking_demand, strict=True):
            plan = self.plans.get(_key(item))
            if plan is None or not demand or not plan.bookable:
                continue
            hourly = demand * self.scale * weekday * plan.slot_minutes / 60
            for start in booking.slot_starts(self.site, plan, self.day):
                local = start.astimezone(self.tz)
                wanted = hourly * HOUR_PROFILE.get(local.hour, 0.3)
                for _ in range(min(plan.bookable, int(wanted + self.rng.random()))):
                    self._booking(item, plan, start, opens)

    def _booking(
        self,
        item: Service | Bundle,
        plan: SlotPlan,
        start: datetime,
        spans: list[tuple[datetime, datetime]],
    ) -> None:
        rng = self.rng
        made = start - timedelta(hours=rng.uniform(2, 24 * max(1, plan.days_ahead)))
        appointment = Appointment(
            id=new_id(int(made.timestamp() * 1000)),
            code="",  # given when stored: codes are unique across days
            site_id=self.site.id,
            service=item.code if isinstance(item, Service) else None,
            bundle=item.code if isinstance(item, Bundle) else None,
            start=start,
            day=self.day.isoformat(),
            slot_minutes=plan.slot_minutes,
            status=AppointmentStatus.BOOKED,
            channel=_pick(rng, BOOKING_CHANNELS, "staff"),
            person_hash=f"{rng.getrandbits(256):064x}",
            person_mask=rng.choice(SURNAMES) + "**",
            created_at=made,
        )
        roll = rng.random()
        if roll < BOOKING_CANCEL_RATE:
            cancelled = made + (start - made) * rng.uniform(0.1, 0.8)
            self.bookings.append(
                replace(appointment, status=AppointmentStatus.CANCELLED, changed_at=cancelled)
            )
            return
        if roll < BOOKING_CANCEL_RATE + BOOKING_NO_SHOW_RATE:
            self.bookings.append(self._missed(appointment))
            return
        window = rules.appointment_window(self.site)
        if roll < BOOKING_CANCEL_RATE + BOOKING_NO_SHOW_RATE + BOOKING_LATE_RATE:
            late_by = rng.uniform(window.late_minutes + 1, window.late_minutes + 40)
        else:  # on time: mostly a few minutes early
            late_by = min(window.late_minutes - 0.5, rng.gauss(-7, 6))
        arrives = start + timedelta(minutes=max(late_by, 0.5 - window.early_minutes))
        # Nobody is let in before the hall opens (a slot after lunch: not before it reopens).
        local = start.astimezone(self.tz)
        for opened, closed in spans:
            if opened <= local < closed:
                arrives = max(arrives, opened)
        self.bookings.append(appointment)
        self.at(arrives.astimezone(self.tz), partial(self._check_in, len(self.bookings) - 1))

    def _missed(self, appointment: Appointment) -> Appointment:
        gone = booking.no_show_after(self.site, appointment.start)
        return replace(appointment, status=AppointmentStatus.NO_SHOW, changed_at=gone)

    def _check_in(self, index: int) -> None:
        appointment = self.bookings[index]
        now = self._utc()
        item = next(i for i in self.items if _key(i) == _key_of(appointment))
        try:
            decided = booking.check_in_class(self.site, appointment.start, now)
        except Unavailable:  # too early or too late for the rules: as good as not there
            self.bookings[index] = self._missed(appointment)
            return
        who = Who(appointment.person_hash, appointment.person_mask)
        ticket = self._issue(item, Channel.APPOINTMENT, decided.priority, who=who)
        if ticket is None:  # the item's last ticket of the day is gone
            self.bookings[index] = self._missed(appointment)
            return
        self.bookings[index] = replace(
            appointment,
            status=AppointmentStatus.CHECKED_IN,
            checked_in_at=now,
            changed_at=now,
            ticket_id=ticket.id,
            late=decided.late,
        )

    # --- clerks ----------------------------------------------------------------------

    def _utc(self) -> datetime:
        return self.now.astimezone(site_hours.zone("UTC"))

    def _open(self, number: int, closes: datetime) -> None:
        counter = self.counters[number]
        if counter.state == CounterState.OPEN:
            return
        self.apply(
            lifecycle.open_counter(counter, self._utc(), clerk=f"{self.site.id}-clerk{number}")
        )
        self._call(number)
        # Now and then a clerk steps away (a phone call, a colleague's question).
        if self.rng.random() < 0.25:
            away = self.now + timedelta(minutes=self.rng.uniform(30, 150))
            if away < closes - timedelta(minutes=20):
                self.at(away, lambda: self._pause(number, closes))

    def _pause(self, number: int, closes: datetime) -> None:
        counter = self.counters[number]
        if counter.state != CounterState.OPEN:
            return
        reason = self.rng.choice(["临时离开", "业务咨询", "系统维护"])
        self.apply(lifecycle.pause_counter(counter, self._utc(), reason))
        back = self.now + timedelta(minutes=self.rng.uniform(5, 15))
        self.at(min(back, closes), lambda: self._resume(number))

    def _resume(self, number: int) -> None:
        counter = self.counters[number]
        if counter.state == CounterState.PAUSED:
            self.apply(lifecycle.open_counter(counter, self._utc(), counter.clerk))
            if number not in self.busy:
                self._call(number)

    def _end_session(self, number: int, last: bool) -> None:
        counter = self.counters[number]
        if counter.state == CounterState.CLOSED:
            return
        if number in self.busy:  # finish the citizen at the window first
            self.at(self.now + timedelta(minutes=2), lambda: self._end_session(number, last))
            return
        if last:
            self.apply(lifecycle.close_counter(counter, self._utc()))
        elif counter.state == CounterState.OPEN:
            self.apply(lifecycle.pause_counter(counter, self._utc(), "午休"))

    def _call(self, number: int) -> None:
        counter = self.counters[number]
        if counter.state != CounterState.OPEN or number in self.busy:
            return
        waiting = list(self.waiting.values())  # not a scan of the day's tickets at each call
        change = self.apply(self._out_of_order(counter, waiting)) or self.apply(
            lifecycle.call_next(
                counter,
                waiting,
                self._utc(),
                rules.calling_policy(self.site, counter),
                counter.clerk,
            )
        )
        if change is None:
            self.at(self.now + timedelta(minutes=1), lambda: self._call(number))
            return
        self.busy.add(number)
        ticket_id = change.ticket.id  # type: ignore[union-attr]
        if self.rng.random() < NO_SHOW_RATE:
            self.at(self._next_call(), lambda: self._recall(number, ticket_id))
            return
        if self.rng.random() < LATE_RATE:  # not at the window yet: called again, then comes
            self.at(self._next_call(), lambda: self._recall(number, ticket_id, arrives=True))
            return
        walk = timedelta(minutes=self.rng.uniform(0.3, 1.5))
        self.at(self.now + walk, lambda: self._start(number, ticket_id))

    def _out_of_order(self, counter: Counter, waiting: list[Ticket]) -> Change | None:
        """Now and then a clerk calls out of order, with a reason from the console's list:
        an appointment on time, or a citizen with a special need (elderly, disabled)."""
        if self.people.rng.random() >= OUT_OF_ORDER_SHARE:
            return None
        for ticket in waiting:
            if counter.serves(ticket) and ticket.priority in _OUT_OF_ORDER:
                reason = _OUT_OF_ORDER[ticket.priority]
                return lifecycle.call_ticket(counter, ticket, self._utc(), reason, counter.clerk)
        return None

    # --- missed calls (过号) under the site's policy ------------------------------------

    def _next_call(self, least: float = 1.0) -> datetime:
        """When a clerk calls again: `least` minutes on, no sooner than the policy's interval."""
        seconds = max(least * 60, self.no_show_policy.interval_seconds)
        return self.now + timedelta(seconds=seconds)

    def _recall(self, number: int, ticket_id: str, arrives: bool = False) -> None:
        policy = self.no_show_policy
        ticket = self.tickets[ticket_id]
        self.apply(lifecycle.recall(self.counters[number], ticket, self._utc(), policy))
        if arrives:
            self.at(
                self.now + timedelta(minutes=self.rng.uniform(0.5, 2)),
                lambda: self._start(number, ticket_id),
            )
        elif 1 + self.tickets[ticket_id].recall_count < policy.calls:  # calls still owed
            self.at(self._next_call(2), lambda: self._recall(number, ticket_id))
        else:
            self.at(self._next_call(2), lambda: self._no_show(number, ticket_id))

    def _no_show(self, number: int, ticket_id: str) -> None:
        ticket = self.tickets[ticket_id]
        policy = self.no_show_policy
        self.apply(lifecycle.no_show(self.counters[number], ticket, self._utc(), policy))
        self._free(number)
        if policy.allows_return and self.people.rng.random() < RETURN_SHARE:
            back = self.now + timedelta(minutes=self.people.rng.uniform(5, 90))
            self.at(back, lambda: self._return(ticket_id))

    def _return(self, ticket_id: str) -> None:
        """The citizen of a missed ticket is back: only while the site is open (after it
        closes there is nobody to ask), and as the engine places them."""
        if not any(opens <= self.now < closes for opens, closes in self.open_spans):
            return
        try:
            change = lifecycle.return_missed(
                self.tickets[ticket_id],
                self._utc(),
                self.day.isoformat(),
                self.no_show_policy,
                self.waiting.values(),
            )
        except ReturnNotAllowed as refused:  # missed a second time: not again
            self.refused[refused.code] = self.refused.get(refused.code, 0) + 1
            return
        self.apply(change)
        self.returned += 1
        assert change.ticket is not None
        self._offer(change.ticket)

    def _start(self, number: int, ticket_id: str) -> None:
        ticket = self.tickets[ticket_id]
        self.apply(lifecycle.start(self.counters[number], ticket, self._utc()))
        expected = self._expected_minutes(ticket)
        sigma = 0.45
        minutes = self.rng.lognormvariate(math.log(expected) - sigma**2 / 2, sigma)
        if ticket.bundle in self.bundles:
            # The items left of the bundle's time: all of it unless some were done elsewhere.
            bundle = self.bundles[ticket.bundle]
            left = bundle_stages.remaining(bundle, self.stages.get(ticket_id, []))
            minutes *= max(1, len(left)) / len(bundle.services)
            self._next_stage(number, ticket_id, max(0.5, minutes))
            return
        self.at(
            self.now + timedelta(minutes=max(0.5, minutes)), lambda: self._finish(number, ticket_id)
        )

    # --- a one-thing ticket's stages ---------------------------------------------------

    def _next_stage(self, number: int, ticket_id: str, minutes: float) -> None:
        """Serve the ticket's items left at this window, `minutes` in all: each marked done
        after its share of the time; the last left to the finish (or all, unmarked)."""
        ticket = self.tickets[ticket_id]
        bundle = self.bundles[ticket.bundle or ""]
        left = bundle_stages.remaining(bundle, self.stages.setdefault(ticket_id, []))
        if len(left) <= 1 or self.stage_rng.random() < STAGES_UNMARKED:
            self.at(self.now + timedelta(minutes=minutes), lambda: self._finish(number, ticket_id))
            return
        share = minutes / len(left) * self.stage_rng.uniform(0.6, 1.4)
        self.at(
            self.now + timedelta(minutes=share),
            lambda: self._stage_done(number, ticket_id, left[0], max(0.5, minutes - share)),
        )

    def _stage_done(self, number: int, ticket_id: str, service: str, rest: float) -> None:
        counter, ticket = self.counters[number], self.tickets[ticket_id]
        bundle = self.bundles[ticket.bundle or ""]
        stages = self.stages[ticket_id]
        stages.append(
            bundle_stages.stage_done(counter, ticket, bundle, stages, service, self._utc())
        )
        left = bundle_stages.remaining(bundle, stages)
        target = self._stage_window(counter, bundle) if len(left) > 1 else None
        if target is not None and self.stage_rng.random() < STAGE_TRANSFER_RATE:
            # The rest at another one-thing window (转窗口): its next stage starts there.
            self.apply(
                lifecycle.transfer(
                    counter, ticket, self._utc(), to_counter=target, note="分环节办理"
                )
            )
            self._free(number)
            if target.number not in self.busy:
                self._call(target.number)
            return
        self._next_stage(number, ticket_id, rest)

    def _stage_window(self, counter: Counter, bundle: Bundle) -> Counter | None:
        others = [
            c
            for c in self.counters.values()
            if c.number != counter.number
            and c.state == CounterState.OPEN
            and any(entry.bundle == bundle.code for entry in c.profile)
        ]
        return self.stage_rng.choice(others) if others else None

    def _close_stages(self, ticket: Ticket, finished: Ticket) -> None:
        """The finish closes the items left; a citizen rating on the phone rates some stages."""
        bundle = self.bundles.get(ticket.bundle or "")
        if bundle is None:
            return
        stages = self.stages.setdefault(ticket.id, [])
        stages += bundle_stages.close_at_finish(ticket, bundle, stages, self._utc())
        rating = self.ratings.get(ticket.id)
        if rating is None or rating[1] != "phone" or finished.finished_at is None:
            return
        at = finished.finished_at + timedelta(minutes=1)
        for i, stage in enumerate(stages):
            if self.stage_rng.random() < STAGE_RATED_SHARE:
                level = _pick(self.stage_rng, STAGE_RATING_MIX, 5)
                stages[i] = bundle_stages.rated(stage, level, at)

    def _expected_minutes(self, ticket: Ticket) -> float:
        for item in self.items:
            if item.code in (ticket.service, ticket.bundle):
                return max(1.0, item.expected_minutes)
        return 10.0

    def _finish(self, number: int, ticket_id: str) -> None:
        counter = self.counters[number]
        ticket = self.tickets[ticket_id]
        if self.rng.random() < TRANSFER_RATE and ticket.transfer_count == 0:
            target = self._transfer_target(counter, ticket)
            if target is not None:
                self.apply(
                    lifecycle.transfer(
                        counter, ticket, self._utc(), to_counter=target, note="转专窗办理"
                    )
                )
                self._free(number)
                if (
                    self.counters[target.number].state == CounterState.OPEN
                    and target.number not in self.busy
                ):
                    self._call(target.number)
                return
        outcome = self._outcome(ticket)
        finished = self.apply(lifecycle.finish(counter, ticket, self._utc(), outcome))
        seconds = finished.ticket.service_seconds if finished and finished.ticket else None
        if seconds is not None:  # the latest 50, newest first, as the centre reads them
            recent = self.recent.setdefault(ticket.queue_key, [])
            recent.insert(0, seconds / 60)
            del recent[50:]
        if self.rng.random() < RATED_SHARE:
            self.ratings[ticket_id] = (
                _pick(self.rng, RATING_MIX, 5),
                self.rng.choice(["evaluator", "phone"]),
            )
        if ticket.bundle and finished is not None and finished.ticket is not None:
            self._close_stages(ticket, finished.ticket)
        self._free(number)

    def _transfer_target(self, counter: Counter, ticket: Ticket) -> Counter | None:
        others = [
            c
            for c in self.counters.values()
            if c.number != counter.number and c.state == CounterState.OPEN
        ]
        return self.rng.choice(others) if others else None

    def _outcome(self, ticket: Ticket) -> Outcome:
        roll = self.rng.random()
        if roll < 0.05:
            return Outcome.INCOMPLETE
        if roll < 0.07:
            return Outcome.REFERRED
        on_the_spot = any(
            isinstance(item, Service) and item.on_the_spot and item.code == ticket.service
            for item in self.items
        )
        return Outcome.COMPLETED if on_the_spot or self.rng.random() < 0.35 else Outcome.ACCEPTED

    def _free(self, number: int) -> None:
        self.busy.discard(number)
        self.at(
            self.now + timedelta(minutes=self.rng.uniform(0.2, 1.0)), lambda: self._call(number)
        )


_OUT_OF_ORDER = {
    Priority.APPOINTMENT: "appointment_on_time",
    Priority.ELDERLY: "special_need",
    Priority.DISABLED: "special_need",
}
_ACTIVE = frozenset({TicketStatus.WAITING, TicketStatus.CALLED, TicketStatus.SERVING})


def _codes(item: Service | Bundle) -> tuple[str | None, str | None]:
    return (item.code, None) if isinstance(item, Service) else (None, item.code)


def _key(item: Service | Bundle) -> str:
    return f"S:{item.code}" if isinstance(item, Service) else f"B:{item.code}"


def _key_of(appointment: Appointment) -> str:
    return f"S:{appointment.service}" if appointment.service else f"B:{appointment.bundle}"


def _code(rng: random.Random) -> str:
    return "".join(rng.choice(booking.CODE_ALPHABET) for _ in range(booking.CODE_LENGTH))


def _arrival_rates(
    site: Site, counters: list[Counter], items: list[Service | Bundle], rng: random.Random
) -> dict[str, float]:
    """Citizens per hour asking for each item: a share of the capacity its counters give it.

    A counter serving k items at m minutes each gives every one of them 60/(m·k) citizens
    an hour; the site's load and a random factor per item (some items are in demand,
    some are not) turn that capacity into demand.
    """
    rates: dict[str, float] = {}
    for item in items:
        capacity = 0.0
        for counter in counters:
            if any(
                entry.key == (f"S:{item.code}" if isinstance(item, Service) else f"B:{item.code}")
                for entry in counter.profile
            ):
                capacity += 60.0 / max(item.expected_minutes, 1.0) / max(len(counter.profile), 1)
        rates[item.code] = capacity * LOAD[site.kind] * rng.uniform(0.6, 1.2)
    return rates


FOLLOW_UP_NOTE = "已电话回访，向群众说明情况并致歉，窗口已整改"
FOLLOW_UP_CLOSED_AFTER = timedelta(days=10)  # history older than this was followed up


def _bad_reason(ticket_id: str, channel: str) -> str:
    """A 差评's reason in the history: the evaluator's is not stated; a phone's is picked from
    the ticket's id, so the simulation's random sequence stays what it was."""
    if channel == ratings.EVALUATOR:
        return ratings.NOT_STATED
    return ratings.BAD_REASONS[zlib.crc32(ticket_id.encode()) % len(ratings.BAD_REASONS)]


def _follow_up(
    store: Store, sim: SiteDay, ticket_id: str, level: int, reason: str, rated: datetime
) -> None:
    """The follow-up a 差评 opened; one from more than ten days ago was closed since."""
    ticket = sim.tickets[ticket_id]
    follow_up_id = new_id()
    store.follow_ups.open(
        follow_up_id, sim.site.id, ticket_id, ticket.counter, ticket.clerk, level, reason,
        wire.iso(rated), ratings.follow_up_due(sim.site, sim.day).isoformat(),
    )  # fmt: skip
    if datetime.now(rated.tzinfo) - rated > FOLLOW_UP_CLOSED_AFTER:
        closed = wire.iso(rated + timedelta(days=3))
        store.follow_ups.close(follow_up_id, "manager", str(closed), FOLLOW_UP_NOTE)


def _store_day(store: Store, sim: SiteDay, with_events: bool) -> int:
    site = sim.site
    store.tickets.insert_history(sim.tickets.values(), site.timezone)
    for ticket_id, (level, channel) in sim.ratings.items():
        finished = sim.tickets[ticket_id].finished_at
        rated_at = wire.iso(finished + timedelta(minutes=1)) if finished else None
        reason = _bad_reason(ticket_id, channel) if ratings.is_bad(level) else None
        store.tickets.set_rating(ticket_id, level, channel, rated_at, reason)
        if reason is not None and finished is not None:
            _follow_up(store, sim, ticket_id, level, reason, finished + timedelta(minutes=1))
    store.ticket_stages.add([stage for stages in sim.stages.values() for stage in stages])
    for prefix, last in sim.last_numbers.items():
        store.numbers.set_last(site.id, sim.day.isoformat(), prefix, last)
    store.rollups.forget_months(site.id, [sim.day.isoformat()])
    for appointment in sim.bookings:
        code = _code(sim.rng)
        while store.appointments.code_taken(code):
            code = _code(sim.rng)
        store.appointments.insert(replace(appointment, code=code))
    if not with_events:
        return 0
    events: list[Event] = [e for change in sim.changes for e in change.events]
    return store.events.append_history(site.id, events, wire.event_payload)


def _count_people(totals: Totals, sim: SiteDay) -> None:
    totals.returned += sim.returned
    for code, n in sim.refused.items():
        totals.refused[code] = totals.refused.get(code, 0) + n


def simulate(
    db: Database,
    days: int,
    sites: list[str] | None = None,
    end: date | None = None,
    scale: float = 1.0,
    seed: int = 2026,
    with_events: bool = True,
    progress: Callable[[str, Totals], None] | None = None,
) -> Totals:
    """Fill `db` with `days` simulated days up to and including `end` (default yesterday)."""
    if days < 1:
        raise ValueError("days must be at least 1")
    rng = random.Random(seed)
    store = db.store
    all_sites = store.sites.all()
    chosen = [s for s in all_sites if not sites or s.id in sites]
    unknown = set(sites or []) - {s.id for s in all_sites}
    if unknown:
        raise UnknownSite(site=", ".join(sorted(unknown)))
    last_day = end or (datetime.now(site_hours.zone("Asia/Shanghai")).date() - timedelta(days=1))
    first_day = last_day - timedelta(days=days - 1)
    totals = Totals()
    plans = []
    for site in chosen:
        service_codes, bundle_codes = store.offerings.of(site.id)
        items: list[Service | Bundle] = [
            s for s in (store.catalogue.service(c) for c in service_codes) if s
        ]
        items += [b for b in (store.catalogue.bundle(c) for c in bundle_codes) if b]
        if items and store.counters.of_site(site.id):
            slot_plans = {
                f"{'S' if p.item_kind == 'service' else 'B'}:{p.item_code}": p
                for p in store.appointments.plans(site.id)
            }
            rates = _arrival_rates(site, store.counters.of_site(site.id), items, rng)
            people = Citizens.of(site, store.proxies.of_site(site.id), seed, first_day)
            plans.append((site, items, rates, slot_plans, people))
    recent: dict[str, dict[str, list[float]]] = {site.id: {} for site, *_ in plans}
    for offset in range(days):
        day = first_day + timedelta(days=offset)
        for site, items, popularity, slot_plans, people in plans:
            with db.transaction() as tx:
                if tx.tickets.any_on(site.id, day.isoformat()):
                    # already simulated (or real) history for that day: never mix
                    continue
                counters = [
                    replace(c, state=CounterState.CLOSED, current_ticket_id=None)
                    for c in tx.counters.of_site(site.id)
                ]
                sim = SiteDay(
                    site, counters, items, popularity, day, rng, scale, {}, slot_plans,
                    recent[site.id], people,
                )  # fmt: skip
                sim.run()
                _count_people(totals, sim)
                totals.events += _store_day(tx, sim, with_events)
                totals.tickets += len(sim.tickets)
                totals.served += sum(
                    1 for t in sim.tickets.values() if t.status == TicketStatus.DONE
                )
        totals.days += 1
        if progress:
            progress(day.isoformat(), totals)
    return totals


def book_ahead(
    db: Database,
    days: int = 7,
    now: datetime | None = None,
    seed: int = 2026,
    scale: float = 1.0,
) -> int:
    """Bookings still to come, from now to `days` ahead (within each plan's days ahead):
    each slot of a bookable item booked as the history's are, fewer the farther ahead (most
    citizens book a day or two before), never past the places the slot opens to booking.
    The demo's today and coming week; returns how many were made."""
    now = now or datetime.now(site_hours.zone("UTC"))
    rng = random.Random(seed)
    store = db.store
    made = 0
    for site in store.sites.all():
        plans = store.appointments.plans(site.id)
        counters = store.counters.of_site(site.id)
        if not plans or not counters:
            continue
        items: dict[str, Service | Bundle] = {}
        for plan in plans:
            found = (
                store.catalogue.service(plan.item_code)
                if plan.item_kind == "service"
                else store.catalogue.bundle(plan.item_code)
            )
            if found is not None:
                items[plan.item_code] = found
        rates = _arrival_rates(site, counters, list(items.values()), rng)
        today = site_hours.local_time(now, site.timezone).date()
        with db.transaction() as tx:
            for plan in plans:
                item = items.get(plan.item_code)
                if item is None:
                    continue
                service = item.code if isinstance(item, Service) else None
                bundle = item.code if isinstance(item, Bundle) else None
                for offset in range(min(days, plan.days_ahead) + 1):
                    day = today + timedelta(days=offset)
                    taken = tx.appointments.booked_per_slot(
                        site.id, day.isoformat(), service, bundle
                    )
                    hourly = (
                        rates[item.code] * BOOKED_SHARE * scale * WEEKDAY_FACTOR[day.weekday()]
                        * plan.slot_minutes / 60 * (1 - offset / (plan.days_ahead + 1))
                    )  # fmt: skip
                    for start in booking.slot_starts(site, plan, day):
                        if start <= now:
                            continue
                        local = start.astimezone(site_hours.zone(site.timezone))
                        wanted = hourly * HOUR_PROFILE.get(local.hour, 0.3)
                        left = plan.bookable - taken.get(start, 0)
                        for _ in range(max(0, min(left, int(wanted + rng.random())))):
                            code = _code(rng)
                            while tx.appointments.code_taken(code):
                                code = _code(rng)
                            booked_at = now - timedelta(hours=rng.uniform(0, 72))
                            tx.appointments.insert(
                                Appointment(
                                    id=new_id(int(booked_at.timestamp() * 1000)),
                                    code=code,
                                    site_id=site.id,
                                    service=service,
                                    bundle=bundle,
                                    start=start,
                                    day=day.isoformat(),
                                    slot_minutes=plan.slot_minutes,
                                    status=AppointmentStatus.BOOKED,
                                    channel=_pick(rng, BOOKING_CHANNELS, "staff"),
                                    person_hash=f"{rng.getrandbits(256):064x}",
                                    person_mask=rng.choice(SURNAMES) + "**",
                                    created_at=booked_at,
                                )
                            )
                            made += 1
    return made
