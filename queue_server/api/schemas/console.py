"""What the console reads beyond its window (`api/console_api.py`)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, Field, StringConstraints

from queue_server.api.schemas.forms import blank_is_absent
from queue_server.calling.console_reads import TICKET_NUMBER
from queue_server.wire.shapes import CallingTicket, TicketStatus


class SiteTicketsQuery(BaseModel):
    status: TicketStatus = "waiting"
    number: Annotated[
        Annotated[str, StringConstraints(strip_whitespace=True, pattern=rf"^{TICKET_NUMBER}$")]
        | None,
        BeforeValidator(blank_is_absent),
    ] = Field(
        None,
        description="A012, a12 or 12 (any prefix); a look-up is on the record",
        examples=["A012"],
    )


class FoundTicket(CallingTicket):
    returnable: bool = Field(
        description="whether 过号返回 would still take it back (the site's rule)"
    )


class FoundTickets(BaseModel):
    """Today's tickets of the site in that status, in queue order (at most 100)"""

    site: str
    day: str
    status: TicketStatus
    tickets: list[FoundTicket]


class ProxyToday(BaseModel):
    id: str
    name: str
    kind: Literal["staff", "registered"]
    daily_cap: int
    today: int = Field(description="tickets taken under the proxy today (the cap counts these)")


class SiteProxies(BaseModel):
    """The site's active proxies (代办人)"""

    site: str
    day: str
    proxies: list[ProxyToday]
