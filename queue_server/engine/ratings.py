"""Who may rate a finished ticket, and until when (the five-level good/bad rating).

A rating is the citizen's: on the phone page with the key only the printed ticket's QR
carries (the shell checks the key), or at the evaluator of the window that served the
ticket. Either way only for a while after the ticket was done: the evaluator asks at
the window, so its time is short; the phone page may be opened later the same day.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, timedelta
from typing import Any

from queue_server.engine.errors import (
    FieldInvalid,
    NotRateable,
    RatingClosed,
    RatingWrongWindow,
    ReasonRequired,
)
from queue_server.engine.hours import is_open_day
from queue_server.engine.model import Site, Ticket, TicketStatus

PHONE = "phone"
EVALUATOR = "evaluator"
CHANNELS = (EVALUATOR, PHONE)
EVALUATOR_MINUTES = 10
DEFAULT_PHONE_HOURS = 24


def window(channel: str, settings: dict[str, Any]) -> timedelta:
    """How long after a ticket is done a rating through `channel` is taken."""
    if channel == EVALUATOR:
        return timedelta(minutes=EVALUATOR_MINUTES)
    hours = settings.get("rating_window_hours", DEFAULT_PHONE_HOURS)
    if isinstance(hours, bool) or not isinstance(hours, int) or hours <= 0:
        hours = DEFAULT_PHONE_HOURS
    return timedelta(hours=hours)


def check_rateable(
    ticket: Ticket,
    channel: str,
    now: datetime,
    settings: dict[str, Any],
    at_counter: int | None = None,
) -> None:
    """Raise why `ticket` cannot be rated through `channel` now (the evaluator at `at_counter`)."""
    if ticket.status != TicketStatus.DONE or ticket.finished_at is None:
        raise NotRateable(status=ticket.status.value)
    if channel == EVALUATOR and (at_counter is None or ticket.counter != at_counter):
        raise RatingWrongWindow(counter=at_counter)
    limit = window(channel, settings)
    if now > ticket.finished_at + limit:
        raise RatingClosed(hours=round(limit.total_seconds() / 3600, 2))


# --- good and bad ratings: the national rule (State Council General Office, 2019 No. 51) ---
#
# Five levels, 5 very satisfied ... 1 very dissatisfied. Dissatisfied (2) and very
# dissatisfied (1) are bad ratings: each is followed up (rectification and a call back).
# The satisfaction rate is the share of ratings that are not bad, i.e. rated fairly
# satisfied (3) or better: the one definition the ratings API, the reports, the dashboard
# and the exports all use.

LEVELS = (5, 4, 3, 2, 1)
BAD_LEVELS = (2, 1)
SATISFIED_LEVELS = (5, 4, 3)

# A bad rating's reason, from a fixed list (the edges name them: words `bad_reason_<code>`).
NOT_STATED = "not_stated"  # the evaluator gives only a level
OTHER = "other"
BAD_REASONS = (
    "attitude",  # a poor attitude
    "not_standard",  # service not by the rules
    "slow",  # slow service
    "many_visits",  # had to come back several times
    "unclear_materials",  # unclear list of materials
    "system_fault",  # a system fault
    OTHER,
)
NOTE_MAX = 200
FOLLOW_UP_WORKING_DAYS = 15  # a bad rating is followed up within 15 working days


def is_bad(level: int) -> bool:
    """Whether a rating is a bad one (dissatisfied or very dissatisfied)."""
    return level in BAD_LEVELS


def satisfaction_rate(counts: Mapping[int, int]) -> float | None:
    """The satisfaction rate: the share of ratings at fairly satisfied (3) or better, to four
    places; None with no rating. `counts` maps a level to how many ratings it had."""
    total = sum(counts.get(level, 0) for level in LEVELS)
    if not total:
        return None
    return round(sum(counts.get(level, 0) for level in SATISFIED_LEVELS) / total, 4)


def check_reason(level: int, channel: str, reason: str | None, note: str | None) -> str | None:
    """The reason stored with a rating: a bad rating from the phone names one of `BAD_REASONS`
    (`reason_required` otherwise); one from the evaluator, which gives only a level, is
    `NOT_STATED`; a good rating has none."""
    if not is_bad(level):
        if reason is not None:
            raise FieldInvalid("reason", "reason_not_for_good")
        return None
    if channel == EVALUATOR and reason is None:
        return NOT_STATED
    if reason is None:
        raise ReasonRequired()
    if reason not in BAD_REASONS:
        raise FieldInvalid("reason", "reason_unknown")
    if note is not None and len(note) > NOTE_MAX:
        raise FieldInvalid("note", "too_long", max=NOTE_MAX)
    return reason


def follow_up_due(site: Site, opened_local: date) -> date:
    """When a bad rating's follow-up is due: the 15th working day after the local day it was
    opened, counting the days the site opens by its calendar (weekly hours, national
    holidays and make-up days, its own exceptions); a site with no hours opens every day,
    so its 15 working days are 15 calendar days."""
    day, counted = opened_local, 0
    for _ in range(FOLLOW_UP_WORKING_DAYS * 10):
        day += timedelta(days=1)
        if is_open_day(site, day):
            counted += 1
            if counted == FOLLOW_UP_WORKING_DAYS:
                return day
    return opened_local + timedelta(days=FOLLOW_UP_WORKING_DAYS)  # a calendar with no open day
