"""Appointments: slots, who may book, and what a check-in makes of a booking.

A site's manager sets, per item, a *slot plan*: its open hours (after the calendar,
`hours.day_spans`) cut into slots of `slot_minutes`, each taking `capacity` citizens of
whom a `walk_in_share` is kept for those who come without booking, bookable up to
`days_ahead` days ahead. The rules a site sets (the admin pages validate them):

- one booking per person, item and day;
- `booking_no_show_limit` no-shows within `booking_no_show_days` suspend booking for
  `booking_suspend_days` after the last one (defaults 3, 30 and 30);
- a booking is cancelled up to `booking_cancel_minutes` before its slot (default 60);
- a booking not checked in `booking_grace_minutes` after its slot is a no-show (default
  60; until then a late citizen still checks in, for an ordinary ticket);
- `remote_tickets`: citizens may take a same-day ticket on the phone page (a remote ticket); it
  waits in the queue, but is called only once they check in at the hall.

A check-in is on time from `appointment_early_minutes` before the slot to
`appointment_late_minutes` after it (`rules.appointment_window`): an on-time booking gets
the appointment priority class, a late one an ordinary ticket, an early one is told when.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

from queue_server.engine import hours
from queue_server.engine.errors import (
    AppointmentExpired,
    AppointmentTooEarly,
    BookingCutOff,
    BookingSuspended,
    NotBookable,
    OneBookingPerDay,
    SlotFull,
)
from queue_server.engine.model import Priority, Site
from queue_server.engine.rules import appointment_window

# Codes are read aloud, typed at a kiosk and printed: no 0/O, 1/I/L, 2/Z, 5/S look-alikes.
CODE_ALPHABET = "346789ABCDEFGHJKMNPQRTUVWXY"
CODE_LENGTH = 8  # 27^8 ≈ 2.8e11: not guessed through a throttled route


class AppointmentStatus(StrEnum):
    BOOKED = "booked"
    CHECKED_IN = "checked_in"
    CANCELLED = "cancelled"
    NO_SHOW = "no_show"
    # A remote ticket: its ticket waits in the queue, the citizen is not there yet.
    AWAITING_ARRIVAL = "awaiting_arrival"


OPEN_STATUSES = frozenset({AppointmentStatus.BOOKED, AppointmentStatus.AWAITING_ARRIVAL})


@dataclass(frozen=True)
class SlotPlan:
    site_id: str
    item_kind: str  # service | bundle
    item_code: str
    slot_minutes: int
    capacity: int  # citizens the item's windows serve in one slot
    days_ahead: int
    walk_in_share: float = 0.0  # of each slot, kept for citizens who come without booking

    @property
    def bookable(self) -> int:
        """Places of one slot open to booking: its capacity less the walk-ins' share."""
        return max(0, self.capacity - math.ceil(self.capacity * self.walk_in_share - 1e-9))


@dataclass(frozen=True)
class Appointment:
    id: str
    code: str
    site_id: str
    service: str | None
    bundle: str | None
    start: datetime  # UTC; a remote ticket's: when it was taken
    day: str  # the site's local date
    slot_minutes: int
    status: AppointmentStatus
    channel: str  # phone (the phone page), platform (the provincial app), staff, remote
    person_hash: str | None  # None once past the site's personal-data limit
    created_at: datetime
    booked_by: str | None = None  # the platform's device id
    person_mask: str | None = None
    phone: str | None = None  # cleared when the day is over
    request_id: str | None = None
    fingerprint: str | None = None
    changed_at: datetime | None = None
    checked_in_at: datetime | None = None
    ticket_id: str | None = None
    late: bool | None = None
    reminded: bool = False

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def item_kind(self) -> str:
        return "service" if self.service else "bundle"

    @property
    def item_code(self) -> str:
        return self.service or self.bundle or ""


@dataclass(frozen=True)
class Slot:
    start: datetime  # UTC
    capacity: int
    left: int


@dataclass(frozen=True)
class BookingRules:
    no_show_limit: int = 3
    no_show_days: int = 30
    suspend_days: int = 30
    cancel_minutes: int = 60
    grace_minutes: int = 60  # after its slot, a booking not checked in is a no-show


def booking_rules(site: Site) -> BookingRules:
    settings, default = site.settings, BookingRules()

    def whole(name: str, fallback: int) -> int:
        value = settings.get(name)
        return int(value) if isinstance(value, int) and not isinstance(value, bool) else fallback

    return BookingRules(
        no_show_limit=whole("booking_no_show_limit", default.no_show_limit),
        no_show_days=whole("booking_no_show_days", default.no_show_days),
        suspend_days=whole("booking_suspend_days", default.suspend_days),
        cancel_minutes=whole("booking_cancel_minutes", default.cancel_minutes),
        grace_minutes=whole("booking_grace_minutes", default.grace_minutes),
    )


def remote_tickets_allowed(site: Site) -> bool:
    return site.settings.get("remote_tickets") is True


def new_code() -> str:
    return "".join(CODE_ALPHABET[b % len(CODE_ALPHABET)] for b in _unbiased_bytes(CODE_LENGTH))


def _unbiased_bytes(n: int) -> list[int]:
    limit = 256 - 256 % len(CODE_ALPHABET)  # drop the bytes that would favour some letters
    found: list[int] = []
    while len(found) < n:
        found.extend(b for b in os.urandom(2 * n) if b < limit)
    return found[:n]


def normal_code(text: str) -> str:
    """A code as typed: case and spaces or dashes do not matter."""
    return "".join(ch for ch in text.upper() if ch.isalnum())


def slot_starts(site: Site, plan: SlotPlan, day: date) -> list[datetime]:
    """The start (UTC) of each whole slot of the day's open spans."""
    tz = hours.zone(site.timezone)
    step = timedelta(minutes=plan.slot_minutes)
    starts = []
    for opens, closes in hours.day_spans(site, day):
        moment = datetime.combine(day, opens, tzinfo=tz)
        end = datetime.combine(day, closes, tzinfo=tz)
        while moment + step <= end:
            starts.append(moment.astimezone(hours.zone("UTC")))
            moment += step
    return starts


def bookable_days(site: Site, plan: SlotPlan, now: datetime) -> tuple[date, date]:
    """The first and last local day a booking may be made for, now."""
    today = hours.local_time(now, site.timezone).date()
    return today, today + timedelta(days=plan.days_ahead)


def slots(
    site: Site, plan: SlotPlan, day: date, booked: dict[datetime, int], now: datetime
) -> list[Slot]:
    """The day's slots still ahead, each with the places left to book."""
    first, last = bookable_days(site, plan, now)
    if not first <= day <= last:
        return []
    found = []
    for start in slot_starts(site, plan, day):
        if start <= now:
            continue
        left = max(0, plan.bookable - booked.get(start, 0))
        found.append(Slot(start=start, capacity=plan.bookable, left=left))
    return found


def check_slot(
    site: Site, plan: SlotPlan, start: datetime, booked_in_slot: int, now: datetime
) -> date:
    """That a booking may be made for this slot now; returns its local day."""
    day = hours.local_time(start, site.timezone).date()
    first, last = bookable_days(site, plan, now)
    if not first <= day <= last or start <= now:
        raise NotBookable("outside the days open to booking", start=start.isoformat())
    if start not in slot_starts(site, plan, day):
        raise NotBookable("not the start of a slot", start=start.isoformat())
    if booked_in_slot >= plan.bookable:
        raise SlotFull(start=hours.local_time(start, site.timezone).strftime("%H:%M"))
    return day


def check_person(
    site: Site,
    same_item_that_day: int,
    no_shows: list[datetime],
    now: datetime,
) -> None:
    """One booking per item and day; repeated no-shows suspend booking for a while.
    `no_shows` are the times of this person's booking no-shows at the site, newest first."""
    if same_item_that_day:
        raise OneBookingPerDay()
    rules = booking_rules(site)
    if rules.no_show_limit <= 0:
        return
    recent = [at for at in no_shows if at > now - timedelta(days=rules.no_show_days)]
    if len(recent) >= rules.no_show_limit:
        until = max(recent) + timedelta(days=rules.suspend_days)
        if now < until:
            raise BookingSuspended(
                until=hours.local_day(until, site.timezone),
                count=len(recent),
                days=rules.no_show_days,
            )


def check_cancel(site: Site, start: datetime, now: datetime) -> None:
    cut_off = start - timedelta(minutes=booking_rules(site).cancel_minutes)
    if now > cut_off:
        raise BookingCutOff(until=hours.local_time(cut_off, site.timezone).strftime("%m-%d %H:%M"))


@dataclass(frozen=True)
class CheckIn:
    priority: Priority
    late: bool


def check_in_class(site: Site, start: datetime, now: datetime) -> CheckIn:
    """What a check-in now makes of a booking for `start`: on time (the appointment
    class), late (an ordinary ticket), or too early (AppointmentTooEarly, with when).
    A booking is checked in on its own day, until its grace time is over."""
    if now > no_show_after(site, start):
        raise AppointmentExpired(
            until=hours.local_time(no_show_after(site, start), site.timezone).strftime("%H:%M")
        )
    if hours.local_day(start, site.timezone) != hours.local_day(now, site.timezone):
        raise AppointmentTooEarly(
            opens=hours.local_time(start, site.timezone).strftime("%m-%d %H:%M")
        )
    window = appointment_window(site)
    opens = start - timedelta(minutes=window.early_minutes)
    if now < opens:
        raise AppointmentTooEarly(opens=hours.local_time(opens, site.timezone).strftime("%H:%M"))
    on_time = now <= start + timedelta(minutes=window.late_minutes)
    return CheckIn(Priority.APPOINTMENT if on_time else Priority.ORDINARY, late=not on_time)


def no_show_after(site: Site, start: datetime) -> datetime:
    """When a booking not checked in becomes a no-show: the end of its grace time (never
    before the end of its on-time window)."""
    grace = max(booking_rules(site).grace_minutes, appointment_window(site).late_minutes)
    return start + timedelta(minutes=grace)
