"""Exceptions of the queue engine.

Each carries a stable `code` (what API clients match on) and `params` (what the
message templates of `queue_server.wire.words` fill in). The engine never formats
text for people: the edges translate, in the user's language.
"""

from __future__ import annotations

from typing import Any


class QueueError(Exception):
    code = "queue_error"
    status = 400  # the HTTP status the API maps this to
    answered: tuple[str, ...] = ()  # params a client reads from the answer, beside the message

    def __init__(self, detail: str = "", **params: Any) -> None:
        super().__init__(detail or self.code)
        self.detail = detail
        self.params = params


class InvalidInput(QueueError):
    code = "invalid_input"
    status = 400


class FieldInvalid(InvalidInput):
    """One field of a request is wrong; `rule` picks the message (`field_<rule>`), which
    names the field (dotted for a nested one: `person.id_number`, `hours.mon`)."""

    answered = ("field",)

    def __init__(self, field: str, rule: str, **params: Any) -> None:
        super().__init__(f"{field}: {rule}", field=field, **params)
        self.code = f"field_{rule}"
        self.field = field


class NotFound(QueueError):
    code = "not_found"
    status = 404


class UnknownSite(NotFound):
    code = "unknown_site"


class UnknownService(NotFound):
    code = "unknown_service"


class UnknownBundle(NotFound):
    code = "unknown_bundle"


class UnknownCounter(NotFound):
    code = "unknown_counter"


class UnknownTicket(NotFound):
    code = "unknown_ticket"


class NotOffered(QueueError):
    """The site does not offer this service or bundle."""

    code = "not_offered"
    status = 422


class Unavailable(QueueError):
    """A ticket cannot be taken now (hours, issuing window, daily cap)."""

    status = 409


class SiteClosed(Unavailable):
    code = "site_closed"


class OutsideIssuingWindow(Unavailable):
    code = "outside_issuing_window"


class PastLastTicket(Unavailable):
    code = "past_last_ticket"


class DailyCapReached(Unavailable):
    code = "daily_cap_reached"


class RequestIdReused(QueueError):
    """The same request id came back with a different request."""

    code = "request_id_reused"
    status = 409


class InvalidTransition(QueueError):
    """The ticket or counter is not in a state that allows the action."""

    code = "invalid_transition"
    status = 409


class CounterNotOpen(InvalidTransition):
    code = "counter_not_open"


class CounterBusy(InvalidTransition):
    code = "counter_busy"


class CounterHeld(InvalidTransition):
    """Another clerk has the window open: it is theirs until they close it or a manager
    takes it over."""

    code = "counter_held"


class NoCurrentTicket(InvalidTransition):
    code = "no_current_ticket"


class WalkInReserved(Unavailable):
    """What is left of the daily cap is kept for citizens who come in person."""

    code = "walk_in_reserved"


class CallTooSoon(InvalidTransition):
    """The missed-call rule wants more time between calls."""

    code = "call_too_soon"


class NoShowTooEarly(InvalidTransition):
    """The missed-call rule wants more calls before a no-show."""

    code = "no_show_too_early"


class ReturnNotAllowed(InvalidTransition):
    """A missed ticket cannot go back in the queue (rule, another day, returned before)."""

    code = "return_not_allowed"


class AppointmentTooEarly(Unavailable):
    code = "appointment_too_early"


class OneActiveTicket(Unavailable):
    """This person already holds a ticket for this item that is still waiting or served."""

    code = "one_active_ticket"


class ProxyCapReached(Unavailable):
    code = "proxy_cap_reached"


class PersonLimitReached(QueueError):
    """This person already holds today's allowed tickets for this item."""

    code = "person_limit_reached"
    status = 409


class NotRateable(InvalidTransition):
    """Only a ticket that was served to the end is rated."""

    code = "not_rateable"


class AlreadyRated(InvalidTransition):
    code = "already_rated"


class RatingClosed(InvalidTransition):
    """Too long after the ticket was done."""

    code = "rating_closed"


class RatingWrongWindow(QueueError):
    """An evaluator rates only the tickets of the window it stands at."""

    code = "rating_wrong_window"
    status = 403


class RatingKeyInvalid(QueueError):
    """The phone page rates only with the key the printed ticket's QR carries."""

    code = "rating_key_invalid"
    status = 403


class SiteOwnedByEdge(InvalidTransition):
    """Another centre owns the site's queues (a station's edge centre, or the city while
    a site is handed over or taken back): changes are made there."""

    code = "site_owned_by_edge"
