"""Caps against ticket hoarding (by touts) that still let everyone in.

- A person identified by an ID card holds at most one active ticket per item and at
  most `daily_limit_per_person` tickets per item a day.
- A registered proxy (a member of staff or a proxy the site registered) is not a person
  hoarding: they take tickets for others, up to their own daily cap.
- Part of each capped item's day (`walk_in_share`) is kept for citizens who come in
  person, so appointments and online bookings cannot take it all.
- When an item's day is full, the next tickets can be taken when the site next opens.

The shell counts; these functions decide. Nothing here reads a clock or a database.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from queue_server.engine import hours as site_hours
from queue_server.engine.errors import OneActiveTicket, PersonLimitReached, ProxyCapReached
from queue_server.engine.lifecycle import REMOTE_CHANNELS, walk_in_reserved
from queue_server.engine.model import Channel, Site


@dataclass(frozen=True)
class Holdings:
    """What one person already holds of one item today (cancelled tickets not counted)."""

    active: int  # waiting, called or being served
    today: int
    held: str | None = None  # the number of an active one: said in the refusal


def check_person(holdings: Holdings, daily_limit: int | None) -> None:
    if holdings.active >= 1:
        raise OneActiveTicket(number=holdings.held)
    if daily_limit is not None and holdings.today >= daily_limit:
        raise PersonLimitReached(limit=daily_limit)


def check_proxy(taken_today: int, daily_cap: int, proxy: str) -> None:
    if taken_today >= daily_cap:
        raise ProxyCapReached(cap=daily_cap, proxy=proxy)


@dataclass(frozen=True)
class Quota:
    cap: int
    taken: int
    reserved: int  # kept for walk-ins

    @property
    def remaining(self) -> int:
        return max(0, self.cap - self.taken)

    def remaining_for(self, channel: Channel) -> int:
        """What this channel can still take: remote channels leave the walk-in part."""
        if channel in REMOTE_CHANNELS:
            return max(0, self.cap - self.reserved - self.taken)
        return self.remaining


def quota(cap: int | None, taken: int, walk_in_share: float) -> Quota | None:
    if cap is None:
        return None
    return Quota(cap=cap, taken=taken, reserved=walk_in_reserved(cap, walk_in_share))


def next_issue_time(site: Site, now: datetime) -> datetime:
    """When the tickets of a full day can next be taken: the site's first opening tomorrow
    or later (caps count per local day), in UTC."""
    local = site_hours.local_time(now, site.timezone)
    midnight = datetime.combine(local.date() + timedelta(days=1), time(0), tzinfo=local.tzinfo)
    opening = site_hours.next_opening(site, midnight - timedelta(microseconds=1))
    moment = opening if opening is not None else midnight
    return max(moment, midnight).astimezone(now.tzinfo)
