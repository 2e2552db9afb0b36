"""The citizens' booking phone page: book a slot, or take a same-day ticket (线上取号),
without an account; and a booking's own page, reached by its code.

- `/book/<site>`: pick an item, a day, a slot, then who books; the answer is the
  booking's code, big, with what to bring.
- `/book/code/<code>`: the booking (status, slot, item, masked name), cancelling it, and
  how to check in at the hall.

Public, like the routes it calls (`/api/v1/sites/{site}/slots`, `…/appointments`,
`…/remote-tickets`, `/appointments/{code}`, throttled per address). The page only renders
a shell; the one thing it says itself is which items have a slot plan and the days each
may be booked for (`engine.booking.bookable_days`, on the centre's clock), which no public
route lists. The ID number is checked on the phone (its check digit) and again by the
centre; the page keeps none of it.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort
from flask.typing import ResponseReturnValue

from queue_server.app import hall
from queue_server.engine import booking
from queue_server.pages import render_page

booking_page = Blueprint("booking_page", __name__)

MAX_CODE = 20  # longer is no code (CheckInRequest takes up to 20 typed characters)


def bookable_items(site_id: str) -> list[dict[str, Any]]:
    """The items of the site with a slot plan, and the first and last day open to booking."""
    store = hall().db.store
    site = store.sites.get(site_id)
    assert site is not None
    now = hall().ops.clock()
    items = []
    for plan in store.appointments.plans(site_id):
        if not store.offerings.offers(site_id, plan.item_kind, plan.item_code):
            continue
        first, last = booking.bookable_days(site, plan, now)
        items.append(
            {
                "kind": plan.item_kind,
                "code": plan.item_code,
                "slot_minutes": plan.slot_minutes,
                "first": first.isoformat(),
                "last": last.isoformat(),
            }
        )
    return items


@booking_page.get("/book/<site_id>")
def book(site_id: str) -> ResponseReturnValue:
    site = hall().db.store.sites.get(site_id) if len(site_id) <= 40 else None
    if site is None:
        abort(404)
    return render_page(
        "booking.html",
        site=site,
        code=None,
        items=bookable_items(site.id),
        remote=booking.remote_tickets_allowed(site),
    )


@booking_page.get("/book/code/<code>")
def by_code(code: str) -> ResponseReturnValue:
    normal = booking.normal_code(code) if len(code) <= MAX_CODE else ""
    if not normal:
        abort(404)
    return render_page("booking.html", site=None, code=normal, items=[], remote=False)
