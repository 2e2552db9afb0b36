"""The administration pages (`/admin/…`, admin accounts only).

One page per area: sites and their tree with opening hours and offerings, the
catalogue (edit, import, export), windows and their service profiles, a site's bookable
slots (预约号源, `static/admin_slots.js`), staff, a site's proxies (帮办代办,
`static/admin_proxies.js`), devices, the gateway's webhooks and their delivery logs
(`static/admin_webhooks.js`), per-site settings, the calendar (holidays, make-up days and a
site's own days, `static/admin_calendar.js`), and the audit log. Each page is a shell in the chosen language;
`static/admin.js` logs in like the console (a staff token in sessionStorage), reads
through /api/v1 and saves through /api/v1/admin, showing each validation message next
to the field it names.
"""

from __future__ import annotations

from flask import Blueprint, abort, redirect, url_for
from flask.typing import ResponseReturnValue

from queue_server.administration.audit import KINDS
from queue_server.pages import render_page
from queue_server.webhooks import EVENTS
from queue_server.wire import words

admin = Blueprint("admin", __name__)
SECTIONS = (
    "sites",
    "catalog",
    "counters",
    "slots",
    "staff",
    "proxies",
    "devices",
    "webhooks",
    "settings",
    "calendar",
    "audit",
)


@admin.get("/admin")
def home() -> ResponseReturnValue:
    return redirect(url_for("admin.section", name="sites"))


@admin.get("/admin/<name>")
def section(name: str) -> ResponseReturnValue:
    if name not in SECTIONS:
        abort(404)
    announce = dict(zip(words.LANGUAGES, words.WORDS["announce_call"], strict=True))
    return render_page(
        "admin.html",
        section=name,
        sections=SECTIONS,
        audit_kinds=KINDS,
        announce_default=announce,
        webhook_events=EVENTS,
    )
