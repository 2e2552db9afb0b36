"""Running the centre on Werkzeug's development server (with WebSocket support): for the
demo, the tests and trying things out.

Production never runs it: the production path (docs/deployment.md) is gunicorn with threads
behind a reverse proxy (`queue_server.wsgi:app`; sticky sessions and a Redis message queue
for several processes).
"""

from __future__ import annotations

import logging
from typing import Any

from werkzeug.serving import WSGIRequestHandler

from queue_server.app import create_app, hall

log = logging.getLogger("hallqueue")


class QuietHandler(WSGIRequestHandler):
    """Werkzeug's handler, without a log line per request, and clean WebSocket ends."""

    def run_wsgi(self) -> None:
        upgrade = self.headers.get("Upgrade", "").lower() == "websocket"
        super().run_wsgi()
        if upgrade:
            # The socket carried WebSocket frames: never read it again as an HTTP
            # request (that made every client's disconnect wait 3 s for a close reply).
            self.close_connection = True

    def version_string(self) -> str:
        return "hallqueue"  # no Werkzeug or Python version in the Server header

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        if log.isEnabledFor(logging.DEBUG):
            super().log_request(code, size)


def run(
    db_path: str | None = None,
    host: str | None = None,
    port: int | None = None,
    demo: bool = False,
    config_file: str | None = None,
    message_queue: str | None = None,
    extra: dict[str, Any] | None = None,
) -> None:
    overrides: dict[str, Any] = {
        "DB": db_path,
        "HOST": host,
        "PORT": port,
        "MESSAGE_QUEUE": message_queue,
    }
    overrides.update(extra or {})
    app = create_app(config_file, overrides)
    components = app.extensions["hallqueue"]
    if demo:
        from queue_server.tools.demo import is_empty, load_demo

        if is_empty(components.db):
            load_demo(components.db)
            log.info("demo city loaded into %s", components.settings["DB"])
    settings = components.settings
    log.warning(
        "hallqueue serve runs Werkzeug's development server: in production run gunicorn "
        "with queue_server.wsgi:app (docs/deployment.md)"
    )
    print(
        f"hallqueue centre on http://{settings['HOST']}:{settings['PORT']}/ (database {settings['DB']})",
        flush=True,
    )
    components.socketio.run(
        app,
        host=settings["HOST"],
        port=settings["PORT"],
        allow_unsafe_werkzeug=True,
        request_handler=QuietHandler,
        log_output=False,
    )


__all__ = ["run", "hall"]
