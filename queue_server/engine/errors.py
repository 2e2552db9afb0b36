"""Exceptions of the queue engine.

Each carries a stable `code` (what API clients match on) and `params` (what the
message templates of `queue_server.wire.words` fill in). The engine never formats
text for people: the edges translate, in the user's language.
"""

from __future__ import annotations

from typing import Any


class QueueError(Exception):
    """The base of the engine's exceptions. A subclass names its own `code` and, where it
    differs from its base's, `status`: `class NotFound(QueueError, code="not_found", status=404)`."""

    code = "queue_error"
    status = 400  # the HTTP status the API maps this to
    answered: tuple[str, ...] = ()  # params a client reads from the answer, beside the message

    def __init_subclass__(
        cls, code: str | None = None, status: int | None = None, **kwargs: Any
    ) -> None:
        super().__init_subclass__(**kwargs)
        if code is not None:
            cls.code = code
        if status is not None:
            cls.status = status

    def __init__(self, detail: str = "", **params: Any) -> None:
        super().__init__(detail or self.code)
        self.detail = detail
        self.params = params


class InvalidInput(QueueError, code="invalid_input", status=400): ...


class FieldInvalid(InvalidInput):
    """One field of a request is wrong; `rule` picks the message (`field_<rule>`), which
    names the field (dotted for a nested one: `person.id_number`, `hours.mon`)."""

    answered = ("field",)

    def __init__(self, field: str, rule: str, **params: Any) -> None:
        super().__init__(f"{field}: {rule}", field=field, **params)
        self.code = f"field_{rule}"
        self.field = field


class NotFound(QueueError, code="not_found", status=404): ...
class UnknownSite(NotFound, code="unknown_site"): ...
class UnknownService(NotFound, code="unknown_service"): ...
class UnknownBundle(NotFound, code="unknown_bundle"): ...
class UnknownCounter(NotFound, code="unknown_counter"): ...
class UnknownTicket(NotFound, code="unknown_ticket"): ...


class NotOffered(QueueError, code="not_offered", status=422):
    """The site does not offer this service or bundle."""


class Unavailable(QueueError, status=409):
    """A ticket cannot be taken now (hours, issuing window, daily cap)."""


class SiteClosed(Unavailable, code="site_closed"):
    """Closed now: `reopens` (MM-DD HH:MM, said in the message) and `reopens_at` (the local
    ISO moment, in the answer) say when tickets can next be taken; both "" if not within
    the calendar's look-ahead."""

    answered = ("reopens_at",)


class OutsideIssuingWindow(Unavailable, code="outside_issuing_window"): ...
class PastLastTicket(Unavailable, code="past_last_ticket"): ...
class DailyCapReached(Unavailable, code="daily_cap_reached"): ...


class RequestIdReused(QueueError, code="request_id_reused", status=409):
    """The same request id came back with a different request."""


class InvalidTransition(QueueError, code="invalid_transition", status=409):
    """The ticket or counter is not in a state that allows the action."""


class CounterNotOpen(InvalidTransition, code="counter_not_open"): ...
class CounterBusy(InvalidTransition, code="counter_busy"): ...


class CounterHeld(InvalidTransition, code="counter_held"):
    """Another clerk has the window open: it is theirs until they close it or a manager
    takes it over."""


class NoCurrentTicket(InvalidTransition, code="no_current_ticket"): ...


class WalkInReserved(Unavailable, code="walk_in_reserved"):
    """What is left of the daily cap is kept for citizens who come in person."""


class CallTooSoon(InvalidTransition, code="call_too_soon"):
    """The missed-call rule wants more time between calls."""


class NoShowTooEarly(InvalidTransition, code="no_show_too_early"):
    """The missed-call rule wants more calls before a no-show."""


class ReturnNotAllowed(InvalidTransition, code="return_not_allowed"):
    """A missed ticket cannot go back in the queue (rule, another day, returned before)."""


class AppointmentTooEarly(Unavailable, code="appointment_too_early"): ...


class AppointmentExpired(Unavailable, code="appointment_expired"):
    """The booking's grace time is over: it is a no-show; a ticket is taken as a walk-in."""


class UnknownAppointment(NotFound, code="unknown_appointment"): ...


class NotBookable(QueueError, code="not_bookable", status=422):
    """No slot of the item starts then, or not on a day open to booking."""


class SlotFull(Unavailable, code="slot_full"): ...


class OneBookingPerDay(Unavailable, code="one_booking_per_day"):
    """This person already holds a booking for this item on that day."""


class BookingSuspended(Unavailable, code="booking_suspended"):
    """Repeated no-shows: booking is suspended until a date."""


class BookingCutOff(Unavailable, code="booking_cut_off"):
    """Too close to the slot to cancel or change."""


class AppointmentNotOpen(InvalidTransition, code="appointment_not_open"):
    """The booking was already checked in, cancelled or missed."""


class PersonMismatch(QueueError, code="person_mismatch", status=409):
    """The card tapped is not the card of the person who booked."""


class RemoteTicketsOff(QueueError, code="remote_tickets_off", status=422):
    """The site does not issue tickets on the phone page."""


class OneActiveTicket(Unavailable, code="one_active_ticket"):
    """This person already holds a ticket for this item that is still waiting or served."""


class ProxyCapReached(Unavailable, code="proxy_cap_reached"): ...


class PersonLimitReached(QueueError, code="person_limit_reached", status=409):
    """This person already holds today's allowed tickets for this item."""


class NotRateable(InvalidTransition, code="not_rateable"):
    """Only a ticket that was served to the end is rated."""


class AlreadyRated(InvalidTransition, code="already_rated"): ...


class RatingClosed(InvalidTransition, code="rating_closed"):
    """Too long after the ticket was done."""


class RatingWrongWindow(QueueError, code="rating_wrong_window", status=403):
    """An evaluator rates only the tickets of the window it stands at."""


class RatingKeyInvalid(QueueError, code="rating_key_invalid", status=403):
    """The phone page rates only with the key the printed ticket's QR carries."""


class ReasonRequired(InvalidInput, code="reason_required"):
    """A bad rating (level 1 or 2) from the phone names its reason from the national list."""

    answered = ("field",)

    def __init__(self) -> None:
        super().__init__(field="reason")


class UnknownFollowUp(NotFound, code="unknown_follow_up"): ...


class FollowUpClosed(InvalidTransition, code="follow_up_closed"):
    """A follow-up is closed once."""


class SiteOwnedByEdge(InvalidTransition, code="site_owned_by_edge"):
    """Another centre owns the site's queues (a station's edge centre, or the city while
    a site is handed over or taken back): changes are made there."""
