"""Who may rate a finished ticket, and until when (the five-level good/bad rating).

A rating is the citizen's: on the phone page with the key only the printed ticket's QR
carries (the shell checks the key), or at the evaluator of the window that served the
ticket. Either way only for a while after the ticket was done: the evaluator asks at
the window, so its time is short; the phone page may be opened later the same day.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from queue_server.engine.errors import NotRateable, RatingClosed, RatingWrongWindow
from queue_server.engine.model import Ticket, TicketStatus

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
