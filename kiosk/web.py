"""The touch UI's server: a small Flask app on localhost, only for the kiosk's browser.

The page polls `/api/state` (twice a second: printer and centre problems show within
a second) and reads the catalogue when its version changes. It never sees an ID number
or a full name: only what `Kiosk.card_view` and `Kiosk.job_view` give.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from flask import Flask, jsonify, render_template, request
from werkzeug.serving import WSGIRequestHandler, make_server

from .agent import Kiosk, KioskRefusal

log = logging.getLogger("hallqueue.kiosk.web")


def create_app(kiosk: Kiosk) -> Flask:
    app = Flask(__name__)
    app.json.ensure_ascii = False  # type: ignore[attr-defined]

    @app.after_request
    def no_store(response):
        response.headers["Cache-Control"] = "no-store"
        return response

    @app.get("/")
    def page():
        lang = "en" if request.args.get("lang") == "en" else "zh"
        return render_template("kiosk.html", lang=lang)

    @app.get("/api/state")
    def state():
        return jsonify(kiosk.state())

    @app.get("/api/catalogue")
    def catalogue():
        if kiosk.catalogue is None:
            return jsonify({"error": "centre_unreachable"}), 503
        return jsonify({"version": kiosk.catalogue_version, **kiosk.catalogue})

    @app.post("/api/tickets")
    def issue():
        body: dict[str, Any] = request.get_json(silent=True) or {}
        kind = body.get("kind")
        code = body.get("code")
        if kind not in ("service", "bundle") or not isinstance(code, str):
            return jsonify({"error": "invalid_input"}), 400
        try:
            view = kiosk.issue(
                kind,
                code,
                language=str(body.get("language", "zh")),
                assisted=bool(body.get("assisted", False)),
                use_card=bool(body.get("use_card", True)),
            )
        except KioskRefusal as exc:
            return jsonify({"state": "refused", "error": exc.code}), 409
        return jsonify(view), 201 if view["state"] in ("printing", "printed") else 200

    @app.post("/api/one-tap")
    def one_tap():
        body: dict[str, Any] = request.get_json(silent=True) or {}
        serial = body.get("serial")
        if not isinstance(serial, int) or isinstance(serial, bool):
            return jsonify({"error": "invalid_input"}), 400
        try:
            view = kiosk.one_tap(serial, language=str(body.get("language", "zh")))
        except KioskRefusal as exc:
            return jsonify({"state": "refused", "error": exc.code}), 409
        return jsonify(view), 201 if view["state"] in ("printing", "printed") else 200

    @app.get("/api/jobs/<job_id>")
    def job(job_id: str):
        return jsonify(kiosk.job(job_id))

    @app.post("/api/jobs/<job_id>/retry")
    def retry(job_id: str):
        return jsonify(kiosk.retry(job_id))

    @app.post("/api/jobs/<job_id>/abandon")
    def abandon(job_id: str):
        kiosk.abandon(job_id)
        return jsonify({"ok": True})

    @app.post("/api/card/forget")
    def forget_card():
        kiosk.cards.forget()
        return jsonify({"ok": True})

    @app.get("/health")
    def health():
        return jsonify({"ok": True, **kiosk.device_status()})

    return app


class QuietHandler(WSGIRequestHandler):
    """No line per request: the screen polls twice a second."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass


class KioskServer:
    """The agent and its web UI in threads: `start()` returns the page's URL."""

    def __init__(self, kiosk: Kiosk) -> None:
        self.kiosk = kiosk
        self.app = create_app(kiosk)
        self.server = make_server(
            kiosk.config.host,
            kiosk.config.port,
            self.app,
            threaded=True,
            request_handler=QuietHandler,
        )
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://{self.kiosk.config.host}:{self.server.server_port}/"

    def start(self) -> str:
        self.kiosk.start()
        self._thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True
        )
        self._thread.start()
        return self.url

    def serve_forever(self) -> None:
        self.kiosk.start()
        try:
            self.server.serve_forever(poll_interval=0.2)
        finally:
            self.kiosk.stop()

    def stop(self) -> None:
        self.server.shutdown()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self.server.server_close()
        self.kiosk.stop()
