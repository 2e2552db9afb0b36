"""A ticket as its citizen's phone sees it: the ticket, its place in line, its site's rules
in one sentence each, and what is left of its item's daily quota.

One function for every way a phone reads it — `GET /api/v1/tickets/{id}` and the view a
follower's `join` answers with (`ticket_follow`) — so the two cannot drift apart. No web
framework here: the push gateway calls it too.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from queue_server import wire
from queue_server.calling import rules_view

if TYPE_CHECKING:
    from queue_server.calling.operations import Issued, Operations


def issued_payload(issued: Issued, private: bool = False) -> dict[str, Any]:
    return {
        "ticket": wire.ticket_payload(issued.ticket, private),
        "ahead": issued.ahead,
        "estimated_wait_minutes": issued.estimated_wait_minutes,
        "wait_band": {"low": issued.band.low, "high": issued.band.high},
    }


def with_rules(
    ops: Operations, issued: Issued, language: str, private: bool = False
) -> dict[str, Any]:
    """The ticket with its site's rules in `language` and its item's quota; `private` (the
    site's staff, the kiosk that issued it) adds the masked name and the clerk's note."""
    store = ops.db.store
    data = issued_payload(issued, private)
    site = issued.site or store.sites.get(issued.ticket.site_id)
    if site is not None:
        data["rules"] = rules_view.sentences(site, language)
        data["quota"] = rules_view.ticket_quota(
            store, site, issued.ticket.service, issued.ticket.bundle, ops.clock(), issued.item
        )
    return data


def public_view(ops: Operations, ticket_id: str, language: str) -> dict[str, Any]:
    """What anyone holding the ticket's id reads (raises UnknownTicket)."""
    return with_rules(ops, ops.ticket_view(ticket_id), language)
