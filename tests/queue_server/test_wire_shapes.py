"""The wire's value lists repeat the centre's (wire.shapes imports nothing of the centre, so
the kiosk and the sign can use it): this keeps each list equal to what it repeats."""
from __future__ import annotations

from typing import Any, get_args

import pytest

from kiosk.peripherals import printer_state
from queue_server import wire
from queue_server.engine import model, ratings
from queue_server.wire import shapes


def values(literal: Any) -> set[str]:
    return set(get_args(literal))


@pytest.mark.parametrize(
    ("literal", "enum"),
    [
        (shapes.Channel, model.Channel),
        (shapes.Priority, model.Priority),
        (shapes.TicketStatus, model.TicketStatus),
        (shapes.Outcome, model.Outcome),
        (shapes.SiteKind, model.SiteKind),
        (shapes.CounterKind, model.CounterKind),
        (shapes.CounterState, model.CounterState),
    ],
    ids=lambda item: getattr(item, "__name__", ""),
)
def test_each_value_list_is_the_engines(literal: Any, enum: Any) -> None:
    assert values(literal) == {member.value for member in enum}


def test_device_states_are_what_the_kiosk_reports() -> None:
    from devices.printer import PrinterStatus

    reported = {printer_state(None)}
    for paper in ("ok", "near_end", "out", "unknown"):
        for cover_open in (False, True):
            for online in (False, True):
                reported.add(printer_state(PrinterStatus(answering=True, paper=paper, cover_open=cover_open, online=online)))
    assert reported == values(shapes.PrinterState)
    assert values(shapes.IdReaderState) == {"ok", "absent"}


def test_ratings_are_the_engines() -> None:
    level = shapes.RatingRequest.model_json_schema()["properties"]["level"]
    assert (level["minimum"], level["maximum"]) == (min(wire.RATING_LEVELS), max(wire.RATING_LEVELS))
    assert set(ratings.CHANNELS) <= values(shapes.Rating.model_fields["channel"].annotation)
