"""Reads for the console, the hall display and the window sign; ratings (好差评).

Clients read these once, then follow the site's events and read again when one
concerns them, so what they show is always what a fresh read would show. What they
read is put together in `queue_server.calling` (counter_view, board_view, ratings_view).
"""

from __future__ import annotations

from typing import Any

from queue_server.accounts.credentials import Forbidden, Principal
from queue_server.api.contract import anyone, readers, staff
from queue_server.api.schemas.calling import Board, RatingsQuery, SiteRatings
from queue_server.app import hall
from queue_server.calling.board_view import board
from queue_server.calling.counter_view import counter_view
from queue_server.calling.ratings_view import day_ratings, rating_payload
from queue_server.engine import ratings
from queue_server.engine.errors import RatingKeyInvalid
from queue_server.wire.shapes import CounterView, RatingAnswer, RatingRequest


@readers.get("/sites/<site>/counters/<int:number>", answers={200: CounterView}, errors=(404,))
def counter(site: str, number: int, principal: Principal) -> dict[str, Any]:
    """One window now, for its console and its window sign

    The window, its current ticket (with item name and waited minutes), each queue of
    its profile (waiting, oldest wait), the next tickets it would call with the rule
    picking each, the site's missed-call rule, and today's figures of the calling clerk
    (of the window's clerk for a device token). Any token covering the site; the current
    ticket's masked name and note only to staff."""
    clerk = principal.name if principal.is_staff else None
    return counter_view(hall().db, site, number, clerk, hall().ops.clock())


@readers.get("/sites/<site>/board", answers={200: Board}, errors=(404,))
def site_board(site: str) -> dict[str, Any]:
    """What a hall display shows: calls now, last calls, waiting counts, notice

    `site` carries `notice` and the announcement settings (`announce_template` with
    {number} {window} {window_name}, `announce_template_en`, `announce_english`,
    `announce_times`). A display reads this, then follows the site's events from
    `last_seq`. Any token covering the site."""
    return board(hall().db, site, hall().ops.clock())


# --- ratings (好差评) ------------------------------------------------------------------


@anyone.post(
    "/tickets/<ticket_id>/rating",
    body=RatingRequest,
    answers={201: RatingAnswer},
    errors=(403, 404, 409),
)
def rate(
    ticket_id: str, body: RatingRequest, principal: Principal | None
) -> tuple[dict[str, Any], int]:
    """Rate a finished ticket (好差评), once

    The citizen rates: on the phone page without a token (channel `phone`), with the
    `key` only the printed QR carries (403 `rating_key_invalid` without it), within the
    site's `rating_window_hours` (default 24) of the end of service; or at the evaluator of
    the window that served the ticket, with the token of the window sign enrolled for it
    (channel `evaluator`, within 10 minutes; 403 `rating_wrong_window` at another window).
    Staff, kiosks and displays never rate, and leaving the token out gains nothing: a
    request without one must bring the key. Too late: 409 `rating_closed`; a second
    rating: 409 `already_rated`; a ticket not done: 409 `not_rateable`. A 差评 (level 1
    or 2) from the phone names its `reason` from the national list (400 `reason_required`
    without it) and may add a short `note`; the evaluator's is recorded as `not_stated`.
    Each 差评 opens a follow-up (整改/回访) for the site's managers. Records a
    `ticket.rated` event."""
    if principal is None:
        site = hall().ops.ticket_view(ticket_id).ticket.site_id
        if not hall().accounts.ticket_key_matches(site, ticket_id, body.key):
            raise RatingKeyInvalid()
        channel, at_counter = ratings.PHONE, None
    else:
        if principal.role != "sign":
            raise Forbidden()  # staff never rate their own service
        ticket = hall().ops.ticket_view(ticket_id).ticket
        if not principal.covers(ticket.site_id):
            raise Forbidden()
        channel, at_counter = ratings.EVALUATOR, principal.counter
    rating = hall().ops.rate_ticket(
        ticket_id, body.level, channel, at_counter, body.reason, body.note
    )
    return {"rating": rating_payload(rating)}, 201


@anyone.get("/tickets/<ticket_id>/rating", answers={200: RatingAnswer}, errors=(404,))
def rating(ticket_id: str) -> dict[str, Any]:
    """The ticket's rating, or null

    Anyone with the ticket's id (the phone page)."""
    return {"rating": rating_payload(hall().ops.rating_of(ticket_id))}


@staff.get(
    "/sites/<site>/ratings", query=RatingsQuery, answers={200: SiteRatings}, errors=(400, 404)
)
def site_ratings(site: str, query: RatingsQuery) -> dict[str, Any]:
    """A day's ratings: per level, per window, average, 满意率

    Staff of the site."""
    return day_ratings(hall().db, site, query.day, hall().ops.clock())
