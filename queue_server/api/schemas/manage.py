"""The managers' live dashboard reads (`api/manage_api.py`, `reports/dashboard.py`)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, Field

from queue_server.api.schemas.forms import blank_is_absent
from queue_server.wire.shapes import Counter, DeviceKind, Moment, Priority, Site, TicketStatus


class ManageQuery(BaseModel):
    site: Annotated[str | None, BeforeValidator(blank_is_absent)] = Field(
        None,
        description="a site the caller manages: that site and every site below it; "
        "default: every site in the caller's scope",
    )


class LiveDevice(BaseModel):
    """An enrolled device with its last report"""

    id: str
    kind: DeviceKind
    name: str
    status: dict[str, str] = Field(
        description="what it reported last: printer, id_reader, connected, voice, sign, evaluator"
    )
    last_seen: Moment | None = Field(description="its last report; an edge centre's last exchange")
    silent_after_seconds: float | None = Field(description="its kind's interval")
    offline: bool = Field(description="heard from once, and silent for silent_after_seconds")
    alerts: list[str] = Field(
        description="<kind>_offline (kiosk, display, sign, edge), printer_near_end, printer_out, "
        "printer_cover_open, printer_offline, id_reader_absent, live_feed_lost, voice_none, "
        "voice_failed, sign_not_answering, sign_disconnected, evaluator_not_answering, "
        "evaluator_disconnected"
    )
    backlog: int | None = Field(
        None, description="an edge centre: events it still had to send at its last exchange"
    )


class EdgeLink(BaseModel):
    """How the link of a site's edge centre stands, as this centre knows it"""

    side: Literal["city", "station"] = Field(description="read at the city or at the station itself")
    device: str | None
    name: str = Field(description="the edge centre's device name")
    serving: bool = Field(description="the edge centre owns the site's queues")
    returning: bool = Field(description="the site is being taken back by the city")
    online: bool = Field(description="an exchange got through within EDGE_SILENT_SECONDS (30 s)")
    last_contact: Moment | None = Field(description="the last exchange that got through")
    backlog: int = Field(
        description="events not yet at the city: exact at the station; at the city, as the "
        "station said at its last contact"
    )
    clock_offset_seconds: float | None = Field(description="station clock minus city clock")
    clock_warning: bool = Field(description="the offset is over 60 s")
    config_at: Moment | None = Field(description="when the station last took the city's configuration")


class TicketBrief(BaseModel):
    id: str
    number: str
    status: TicketStatus
    service: str | None
    bundle: str | None
    priority: Priority
    issued_at: Moment
    called_at: Moment | None
    started_at: Moment | None
    target_counter: int | None


class LiveWindow(Counter):
    ticket: TicketBrief | None
    idle_since: Moment | None = Field(description="an open window without a ticket: since when")


class DayBookings(BaseModel):
    """The site's bookings of the day (not its remote tickets)"""

    booked: int = Field(description="still to check in")
    checked_in: int
    no_show: int
    cancelled: int


class DayCounts(BaseModel):
    issued: int
    done: int
    no_show: int
    bookings: DayBookings
    channels: dict[str, int] = Field(description="tickets of the day per channel")


class LiveSite(BaseModel):
    site: Site
    target_wait_minutes: float
    day: str
    day_start: Moment | None
    offered: list[str] = Field(description="queue keys: S:code, B:code")
    counters: list[LiveWindow]
    waiting: list[TicketBrief]
    devices: list[LiveDevice]
    edge: EdgeLink | None = Field(description="the site's edge centre, if one runs it")
    today: DayCounts
    last_seq: int


class ItemName(BaseModel):
    name: str
    name_en: str
    prefix: str


class Live(BaseModel):
    """Every site in scope now; apply pushed events from each site's last_seq"""

    server_time: Moment
    offline_after_seconds: int
    items: dict[str, ItemName] = Field(description="queue key (S:code, B:code) → names and prefix")
    sites: list[LiveSite] = Field(description="in tree order, parents before children")


class SiteDevices(BaseModel):
    """The enrolled devices of each site in scope"""

    server_time: Moment
    offline_after_seconds: int
    sites: dict[str, list[LiveDevice]] = Field(description="site id → its devices")
    edges: dict[str, EdgeLink] = Field(description="site id → its edge centre's link")
