"""The clerk's console: log in, pick a window, call and serve with the keyboard."""

from __future__ import annotations

from flask import Blueprint
from flask.typing import ResponseReturnValue

from queue_server.calling.self_service import CONFIRMABLE
from queue_server.engine.lifecycle import OUT_OF_ORDER_REASONS
from queue_server.engine.model import Priority
from queue_server.pages import render_page

console = Blueprint("console", __name__)

# Classes staff may give a ticket they issue (代取号); on-time appointments come from
# checking in an appointment, not from a choice.
ISSUE_CLASSES = tuple(p.value for p in Priority if p != Priority.APPOINTMENT)
# Classes staff confirm on a waiting ticket (a kiosk may not give one).
CONFIRM_CLASSES = tuple(p.value for p in CONFIRMABLE)


@console.get("/console")
def page() -> ResponseReturnValue:
    return render_page(
        "console.html",
        out_of_order_reasons=OUT_OF_ORDER_REASONS,
        issue_classes=ISSUE_CLASSES,
        confirm_classes=CONFIRM_CLASSES,
    )
