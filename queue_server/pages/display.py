"""The hall display: calls big, last calls, waiting counts, clock, notice, voice.

`/display/<site>?token=DISPLAY_TOKEN[&layout=small][&lang=en]`. The token is a display
device's (or a staff member's) token for the site; the page uses it for its reads and
its Socket.IO connection. With a display's token the page reports its health (live feed,
voice) to the centre at start, on every change and every `DEVICE_REPORT_SECONDS`.
"""

from __future__ import annotations

from flask import Blueprint, abort, request
from flask.typing import ResponseReturnValue

from queue_server.app import hall
from queue_server.pages import render_page

display = Blueprint("display", __name__)
LAYOUTS = ("wall", "small")
DISPLAY_ROLES = frozenset({"display", "admin", "manager", "clerk"})


@display.get("/display/<site>")
def page(site: str) -> ResponseReturnValue:
    found = hall().db.store.sites.get(site)
    if found is None:
        abort(404)
    token = request.args.get("token", "")
    principal = hall().accounts.principal(token or None)
    if principal is None:
        abort(401)
    if principal.role not in DISPLAY_ROLES or not principal.covers(site):
        abort(403)
    layout = request.args.get("layout", "wall")
    return render_page(
        "display.html",
        site=found,
        layout=layout if layout in LAYOUTS else "wall",
        # A display's own token reports the page's health; staff watching it do not.
        reports_health=principal.role == "display",
        report_ms=int(float(hall().settings["DEVICE_REPORT_SECONDS"]) * 1000),
    )
