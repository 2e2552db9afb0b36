"""What the console reads beyond its window, for staff of the site (`calling/console_reads.py`):
today's tickets by status and number, and the site's proxies (代办人)."""

from __future__ import annotations

from typing import Any

from queue_server.accounts.credentials import Principal
from queue_server.api.contract import staff
from queue_server.api.schemas.console import FoundTickets, SiteProxies, SiteTicketsQuery
from queue_server.app import hall
from queue_server.calling import console_reads


@staff.get(
    "/sites/<site>/tickets", query=SiteTicketsQuery, answers={200: FoundTickets}, errors=(400, 404)
)
def site_tickets(site: str, query: SiteTicketsQuery, principal: Principal) -> dict[str, Any]:
    """Today's tickets of the site by status and number, in queue order

    For the console: find a waiting ticket to call out of turn (点名叫号), or a missed
    one (status `no_show`) to put back (过号返回); `returnable` says whether the site's
    rule still takes it back. At most 100. A look-up by number can show a masked name, so
    it goes on the record (audit kind `personal_data`)."""
    return console_reads.site_tickets(
        hall().db, site, query.status, query.number, principal.name, hall().ops.clock()
    )


@staff.get("/sites/<site>/proxies", answers={200: SiteProxies}, errors=(404,))
def site_proxies(site: str) -> dict[str, Any]:
    """The site's active proxies (代办人), for staff issuing on their behalf

    Each with its daily cap and the tickets taken under it today."""
    return console_reads.site_proxies(hall().db, site, hall().ops.clock())
