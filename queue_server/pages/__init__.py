"""Server-rendered pages, one module per page type.

- `start`: the start page, what each screen is for (`/`)
- `console`: the clerk's console (`/console`)
- `display`: the hall display with its announcements (`/display/<site>`)
- `ticket_page`: a ticket's phone page with live status and the rating form (`/t/<id>`)
- `booking_page`: the citizens' booking phone page and a booking's own page (`/book/<site>`,
  `/book/code/<code>`)
- `admin`: administration with its audit log (`/admin/…`)
- `manage`: the managers' live dashboard, city view and reports (`/manage`, `/manage/reports`)

Pages only render a shell with their words in the chosen language (each page only the
words it names: `i18n.page_words`); the data comes from /api/v1 and the Socket.IO push,
like any other client.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, make_response, render_template
from flask.typing import ResponseReturnValue

from queue_server import wire
from queue_server.app import hall
from queue_server.pages import i18n


def render_page(template: str, **context: Any) -> ResponseReturnValue:
    lang = i18n.language()
    words = i18n.page_words(template, lang)
    response = make_response(
        render_template(
            template,
            lang=lang,
            t=words,
            event_types=list(wire.EVENT_TYPES),
            ping_ms=int(float(hall().settings["PING_SECONDS"]) * 1000),
            **context,
        )
    )
    response.headers["Cache-Control"] = "no-store"
    return i18n.remember(response, lang)


def register_pages(app: Flask) -> None:
    from queue_server.pages.admin import admin
    from queue_server.pages.booking_page import booking_page
    from queue_server.pages.console import console
    from queue_server.pages.display import display
    from queue_server.pages.manage import manage
    from queue_server.pages.start import start
    from queue_server.pages.ticket_page import ticket_page

    for blueprint in (start, console, display, ticket_page, booking_page, manage, admin):
        app.register_blueprint(blueprint)
