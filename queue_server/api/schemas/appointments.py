"""Appointments: slots, bookings, check-ins, remote tickets and slot plans."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, Field, StringConstraints
from pydantic_core import PydanticCustomError

from devices.id_card import is_valid_id_number
from queue_server.wire.shapes import Code, IssuedTicket, Moment, PersonCard, Strict


def _id_number(value: str) -> str:
    if not is_valid_id_number(value):
        raise PydanticCustomError("field_id_number", "not a resident ID number")
    return value


IdNumber = Annotated[
    str,
    StringConstraints(strip_whitespace=True, to_upper=True, max_length=18),
    AfterValidator(_id_number),
]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=50)]
Phone = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^1[3-9][0-9]{9}$")]
RequestId = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]
Day = Annotated[str, StringConstraints(pattern=r"^\d{4}-\d{2}-\d{2}$")]
Status = Literal["booked", "checked_in", "cancelled", "no_show", "awaiting_arrival"]


class SlotsQuery(Strict):
    service: Code | None = None
    bundle: Code | None = None
    date: Day


class Slot(BaseModel):
    start: Moment
    capacity: int = Field(ge=0, description="places of the slot open to booking")
    left: int = Field(ge=0)


class SlotList(BaseModel):
    site: str
    service: str | None
    bundle: str | None
    date: str
    slots: list[Slot]


class BookingRequest(Strict):
    """A booking: exactly one of `service` or `bundle`, a slot's `start`, who books."""

    service: Code | None = None
    bundle: Code | None = None
    start: Annotated[str, StringConstraints(max_length=40)] = Field(
        description="the slot's start, ISO 8601 with its offset (as `slots` gives it)"
    )
    id_number: IdNumber = Field(description="kept only as its keyed hash")
    name: Name = Field(description="kept masked (张*)")
    phone: Phone | None = Field(
        default=None, description="a mobile number: reminders and calls; kept until the day is over"
    )
    request_id: RequestId | None = Field(
        default=None,
        description="the same id again returns the same booking (200), never a second one",
    )

    def __repr__(self) -> str:  # never the number or the name, even in a traceback
        return "BookingRequest(…)"


class ChangeRequest(Strict):
    """Another slot of the same item."""

    start: Annotated[str, StringConstraints(max_length=40)] = Field(
        description="the new slot's start, ISO 8601 with its offset"
    )


class RemoteTicketRequest(Strict):
    """A same-day ticket on the phone page (线上取号), where the site allows it."""

    service: Code | None = None
    bundle: Code | None = None
    id_number: IdNumber
    name: Name
    phone: Phone | None = None
    request_id: RequestId | None = None

    def __repr__(self) -> str:
        return "RemoteTicketRequest(…)"


class Appointment(BaseModel):
    id: str
    code: str = Field(description="8 characters to show, print and type at the kiosk")
    site: str
    service: str | None
    bundle: str | None
    start: Moment
    day: str
    slot_minutes: int
    status: Status
    channel: str = Field(description="phone, platform, staff or remote (a remote ticket)")
    ticket: str | None = Field(description="the ticket its check-in issued")
    late: bool | None = Field(description="checked in after its on-time window")
    person: str | None = Field(
        default=None, description="the masked name: the booking's own answer and the site's staff"
    )
    phone: str | None = Field(default=None, description="masked: 138****5678")


class AppointmentAnswer(BaseModel):
    appointment: Appointment
    url: str | None = Field(default=None, description="the booking's phone page (PUBLIC_URL)")


class AppointmentList(BaseModel):
    appointments: list[Appointment]


class CheckInRequest(Strict):
    """The booking's code (typed or scanned), the card tapped, or both (they must match)."""

    code: (
        Annotated[str, StringConstraints(strip_whitespace=True, min_length=4, max_length=20)] | None
    ) = None
    person: PersonCard | None = None


class CheckInAnswer(IssuedTicket):
    """The ticket a check-in issued (as an issue answers it), with its booking."""

    appointment: Appointment
    late: bool = Field(description="late: an ordinary ticket, said on the screen and the ticket")


class SlotPlan(Strict):
    """How an item's day is cut into bookable slots at a site."""

    slot_minutes: int = Field(ge=5, le=240)
    capacity: int = Field(ge=1, le=500, description="citizens the item's windows serve in one slot")
    days_ahead: int = Field(ge=0, le=90)
    walk_in_share: float = Field(
        default=0.0, ge=0, le=1, description="of each slot, kept for walk-ins"
    )


class SavedSlotPlan(SlotPlan):
    item_kind: Literal["service", "bundle"]
    item_code: str
    bookable: int = Field(ge=0, description="places of each slot open to booking")


class SlotPlanList(BaseModel):
    plans: list[SavedSlotPlan]
