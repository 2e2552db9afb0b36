"""A ticket's phone page: live status and position, then the 好差评 rating form.

Public: the ticket id (a ULID, printed as a QR code on the ticket) is the only key.
Nothing personal is shown, not even the masked name.
"""

from __future__ import annotations

from flask import Blueprint, abort
from flask.typing import ResponseReturnValue

from queue_server.app import hall
from queue_server.pages import render_page

ticket_page = Blueprint("ticket_page", __name__)


@ticket_page.get("/t/<ticket_id>")
def page(ticket_id: str) -> ResponseReturnValue:
    store = hall().db.store
    ticket = store.tickets.get(ticket_id) if len(ticket_id) <= 64 else None
    if ticket is None:
        abort(404)
    site = store.sites.get(ticket.site_id)
    item = (
        store.catalogue.service(ticket.service)
        if ticket.service
        else store.catalogue.bundle(ticket.bundle or "")
    )
    return render_page(
        "ticket.html",
        ticket_id=ticket.id,
        number=ticket.number,
        site=site,
        item_name=item.name if item else "",
        item_name_en=item.name_en if item else "",
    )
