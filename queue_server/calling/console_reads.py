"""What the console reads beyond its window, for the site's staff.

- Today's tickets of the site by status and number, in queue order: a clerk finds the
  ticket to call out of turn (点名叫号) or the missed ticket to put back (过号返回) by the
  number the citizen shows. Looking a number up is on the record (it can show a masked name).
- The site's active proxies (代办人) with today's count against their cap, for issuing a
  ticket on someone's behalf (代取号).
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from queue_server.administration import audit
from queue_server.calling.counter_view import calling_ticket, item_names, known_site
from queue_server.engine import hours, rules
from queue_server.engine.errors import FieldInvalid
from queue_server.engine.model import TicketStatus
from queue_server.storage import Database

MAX_FOUND = 100
# "A012", "a12", "12": a prefix of one or two letters (any, when left out) and the number.
TICKET_NUMBER = r"([A-Za-z]{0,2})0*(\d{1,6})"


def parse_number(text: str) -> tuple[str | None, int]:
    """A typed ticket number → (prefix or None, its number of the day)."""
    found = re.fullmatch(TICKET_NUMBER, text.strip())
    if found is None:
        raise FieldInvalid("number", "form")
    return found.group(1).upper() or None, int(found.group(2))


def site_tickets(
    db: Database, site_id: str, status: str, number: str | None, reader: str, now: datetime
) -> dict[str, Any]:
    """Today's tickets of the site in `status` (and with `number`, when given), each with
    whether 过号返回 would still take it back. `reader` is on the record of a look-up."""
    store = db.store
    site = known_site(store, site_id)
    day = hours.local_day(now, site.timezone)
    prefix, seq_no = parse_number(number) if number else (None, None)
    found = store.calling_reads.tickets_of_day(
        site_id, day, status, seq_no=seq_no, prefix=prefix, limit=MAX_FOUND
    )
    names = item_names(store)
    policy = rules.no_show_policy(site)
    tickets: list[dict[str, Any]] = []
    for ticket in found:
        view = calling_ticket(ticket, names, now, private=True)  # staff of the site only
        # Whether 过号返回 would take it back: the site's rule, once, the same day.
        view["returnable"] = (
            ticket.status == TicketStatus.NO_SHOW
            and policy.allows_return
            and ticket.return_count == 0
        )
        tickets.append(view)
    if seq_no is not None:
        # Looking a citizen's ticket up by its number is deliberate and can show a masked
        # name: on the record. The lists the console reads by status are its working view.
        audit.record_access(
            db, reader, "view", "personal_data",
            f"{site_id}/tickets/{prefix or ''}{seq_no:03d}",
            {"status": status, "found": [t["number"] for t in tickets],
             "named": sum(1 for t in tickets if t.get("person"))},
            site=site_id,
        )  # fmt: skip
    return {"site": site_id, "day": day, "status": status, "tickets": tickets}


def site_proxies(db: Database, site_id: str, now: datetime) -> dict[str, Any]:
    """The site's active proxies with the tickets each took today."""
    store = db.store
    site = known_site(store, site_id)
    day = hours.local_day(now, site.timezone)
    taken = store.proxies.taken_on(site_id, day)
    proxies = [
        {**proxy, "today": taken.get(proxy["id"], 0)}
        for proxy in store.calling_reads.active_proxies(site_id)
    ]
    return {"site": site_id, "day": day, "proxies": proxies}
