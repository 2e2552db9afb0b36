"""The stages of “一件事” tickets over HTTP: the clerk marks an item done at the console,
anyone with the ticket's id reads its stages, the citizen rates each stage on the phone.

The service layer is `calling/staged_tickets.py`, the rules `engine/bundle_stages.py`.
"""

from __future__ import annotations

from typing import Any

from queue_server.accounts.credentials import Forbidden, Principal
from queue_server.api.contract import anyone, staff
from queue_server.api.schemas.stages import StageDoneRequest, TicketStages
from queue_server.app import hall
from queue_server.calling import staged_tickets as stages
from queue_server.engine.errors import RatingKeyInvalid
from queue_server.wire.shapes import RatingRequest


@staff.post(
    "/sites/<site>/counters/<int:number>/stage-done",
    body=StageDoneRequest,
    answers={200: TicketStages},
    errors=(404, 409),
)
def stage_done(
    site: str, number: int, body: StageDoneRequest, principal: Principal
) -> dict[str, Any]:
    """Mark one item of the window's current “一件事” ticket done

    The window's clerk (staff of the site holding the window, as for its other actions).
    The stage runs from the start of service here, or the end of the stage before it
    here, to now. 409 `not_a_bundle` for a ticket of one item, `stage_not_in_bundle`,
    `stage_already_done`, `no_current_ticket`. Answers the ticket's stages and the
    items left. Transfer the ticket to another window for the next item: its stage
    starts when that window starts serving it. Finish closes the stages left."""
    stage = stages.mark_done(hall().ops, site, number, body.service, principal.name)
    return stages.stages_of(hall().ops, stage.ticket_id)


@anyone.get("/tickets/<ticket_id>/stages", answers={200: TicketStages}, errors=(404,))
def ticket_stages(ticket_id: str) -> dict[str, Any]:
    """A ticket's stages (“一件事”): each item done, where, when, its rating; items left

    Anyone with the ticket's id (the phone page, the console)."""
    return stages.stages_of(hall().ops, ticket_id)


@anyone.post(
    "/tickets/<ticket_id>/stages/<service>/rating",
    body=RatingRequest,
    answers={201: TicketStages},
    errors=(403, 404, 409),
)
def rate_stage(
    ticket_id: str, service: str, body: RatingRequest, principal: Principal | None
) -> tuple[dict[str, Any], int]:
    """Rate one stage of a finished “一件事” ticket, once

    The citizen only: on the phone page without a token, with the `key` only the printed
    QR carries (403 `rating_key_invalid` without it), within the site's
    `rating_window_hours` of the end of service, as the ticket's own rating. A token
    (staff, devices, the evaluator) is refused: evaluators rate the whole ticket. 404
    `unknown_stage` for an item not done; 409 `stage_already_rated`, `rating_closed`,
    `not_rateable`."""
    if principal is not None:
        raise Forbidden()
    site = hall().ops.ticket_view(ticket_id).ticket.site_id
    if not hall().accounts.ticket_key_matches(site, ticket_id, body.key):
        raise RatingKeyInvalid()
    stages.rate(hall().ops, ticket_id, service, body.level)
    return stages.stages_of(hall().ops, ticket_id), 201
