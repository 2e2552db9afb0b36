"""The touch UI's server: a small Flask app on localhost, only for the kiosk's browser.

The page polls `/api/state` (twice a second: printer and centre problems show within
a second) and reads the catalogue when its version changes. It never sees an ID number
or a full name: only what `Kiosk.card_view` and `Kiosk.job_view` give. Only the kiosk's
own page gets an answer at all (`local_guard`: its own host names and origin, a header
a form cannot send), with the centre's security headers.

It runs under waitress (a production WSGI server, pure Python, so the same on a Linux
or a Windows kiosk PC), never Werkzeug's development server.
"""

from __future__ import annotations

import errno
import logging
import threading
from pathlib import Path
from typing import Any

from flask import Flask, Response, jsonify, render_template, request
from flask.typing import ResponseReturnValue
from waitress.server import create_server
from waitress.trigger import trigger as Trigger

from kiosk import local_guard
from kiosk.agent import REFUSALS, Kiosk, KioskRefusal
from queue_server.wire import words

log = logging.getLogger("hallqueue.kiosk.web")


THREADS = 8  # the page's polls, an issue waiting on the centre, a retry: a few at a time


def create_app(kiosk: Kiosk) -> Flask:
    app = Flask(__name__)
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    # The port is known once the server is bound (`--port 0` in tests): `KioskServer` sets it.
    app.config["KIOSK_HOSTS"] = local_guard.own_hosts(kiosk.config.host, kiosk.config.port)
    local_guard.init_app(app, lambda: app.config["KIOSK_HOSTS"])

    @app.get("/")
    def page() -> ResponseReturnValue:
        lang = "en" if request.args.get("lang") == "en" else "zh"
        screen = screen_codes(app)
        return render_template(
            "kiosk.html",
            lang=lang,
            title=words.say("kiosk_title", lang),
            # Both languages: the citizen switches at the touch of a button.
            words={language: words.texts(screen, language) for language in words.LANGUAGES},
        )

    @app.get("/api/state")
    def state() -> ResponseReturnValue:
        return jsonify(kiosk.state())

    @app.get("/api/catalogue")
    def catalogue() -> ResponseReturnValue:
        if kiosk.catalogue is None:
            return jsonify({"error": "centre_unreachable"}), 503
        return jsonify({"version": kiosk.catalogue_version, **kiosk.catalogue})

    @app.post("/api/tickets")
    def issue() -> ResponseReturnValue:
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
                help_requested=body.get("help") is True,
                use_card=bool(body.get("use_card", True)),
            )
        except KioskRefusal as exc:
            return refused(exc, body), 409
        return jsonify(view), 201 if view["state"] in ("printing", "printed") else 200

    @app.post("/api/check-in")
    def check_in() -> ResponseReturnValue:
        body: dict[str, Any] = request.get_json(silent=True) or {}
        code = body.get("code")
        if code is not None and not isinstance(code, str):
            return jsonify({"error": "invalid_input"}), 400
        try:
            view = kiosk.check_in(
                code,
                language=str(body.get("language", "zh")),
                use_card=body.get("use_card", True) is not False,
            )
        except KioskRefusal as exc:
            return refused(exc, body), 409
        return jsonify(view), 201 if view["state"] in ("printing", "printed") else 200

    @app.post("/api/one-tap")
    def one_tap() -> ResponseReturnValue:
        body: dict[str, Any] = request.get_json(silent=True) or {}
        serial = body.get("serial")
        if not isinstance(serial, int) or isinstance(serial, bool):
            return jsonify({"error": "invalid_input"}), 400
        try:
            view = kiosk.one_tap(serial, language=str(body.get("language", "zh")))
        except KioskRefusal as exc:
            return refused(exc, body), 409
        return jsonify(view), 201 if view["state"] in ("printing", "printed") else 200

    @app.get("/api/jobs/<job_id>")
    def job(job_id: str) -> ResponseReturnValue:
        return jsonify(kiosk.job(job_id))

    @app.post("/api/jobs/<job_id>/retry")
    def retry(job_id: str) -> ResponseReturnValue:
        return jsonify(kiosk.retry(job_id))

    @app.post("/api/jobs/<job_id>/abandon")
    def abandon(job_id: str) -> ResponseReturnValue:
        kiosk.abandon(job_id)
        return jsonify({"ok": True})

    @app.post("/api/card/forget")
    def forget_card() -> ResponseReturnValue:
        kiosk.cards.forget()
        return jsonify({"ok": True})

    @app.get("/health")
    def health() -> ResponseReturnValue:
        return jsonify({"ok": True, **kiosk.device_status().model_dump()})

    return app


def refused(exc: KioskRefusal, body: dict[str, Any]) -> Response:
    """A refusal in the words of the language the screen shows (its request says which)."""
    language = "en" if body.get("language") == "en" else "zh"
    return jsonify({"state": "refused", "error": exc.code, "message": exc.message(language)})


def screen_codes(app: Flask) -> frozenset[str]:
    """The words the touch screen shows: those its page and script name, and the agent's
    refusals (codes it gets from the agent, for its banner)."""
    if "KIOSK_WORDS" not in app.config:
        root = Path(app.root_path)
        sources = [
            (root / "templates" / "kiosk.html").read_text(encoding="utf-8"),
            (root / "static" / "kiosk.js").read_text(encoding="utf-8"),
        ]
        app.config["KIOSK_WORDS"] = words.named_in(*sources) | frozenset(REFUSALS)
    return app.config["KIOSK_WORDS"]


class KioskServer:
    """The agent and its web UI in threads: `start()` returns the page's URL."""

    def __init__(self, kiosk: Kiosk) -> None:
        self.kiosk = kiosk
        self.app = create_app(kiosk)
        # Bound here, so the port (even `--port 0`) is known before anything runs. A host
        # name with two addresses (localhost: IPv4 and IPv6) gives a socket for each.
        self._sockets: dict[int, Any] = {}  # waitress's socket map: listeners and connections
        self.server = create_server(
            self.app,
            map=self._sockets,
            host=kiosk.config.host,
            port=kiosk.config.port,
            threads=THREADS,
            ident="hallqueue",
        )
        listening = getattr(self.server, "effective_listen", None)
        self.port = int(listening[0][1] if listening else self.server.effective_port)
        self.app.config["KIOSK_HOSTS"] = local_guard.own_hosts(kiosk.config.host, self.port)
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host = self.kiosk.config.host
        return f"http://{f'[{host}]' if ':' in host else host}:{self.port}/"

    def start(self) -> str:
        self.kiosk.start()
        self._thread = threading.Thread(target=self.server.run, name="kiosk-web", daemon=True)
        self._thread.start()
        return self.url

    def serve_forever(self) -> None:
        """In this thread until Ctrl-C (waitress stops its loop on KeyboardInterrupt) or
        `end_serving()`."""
        self.kiosk.start()
        try:
            self.server.run()
        finally:
            self.kiosk.stop()

    def end_serving(self) -> None:
        """End `serve_forever` from another thread (the agent's, when the centre refuses
        its token): requests in hand finish first (they wake the loop when done), then the
        sockets close in the loop's own thread: they are not safe to close from this one."""
        self.server.task_dispatcher.shutdown()
        trigger = next((d for d in self._sockets.values() if isinstance(d, Trigger)), None)
        try:
            if trigger is not None:
                trigger.pull_trigger(self._close_all)
                return
        except OSError as exc:  # the loop already ended and closed its trigger
            if exc.errno != errno.EBADF:
                raise
        self._close_all()

    def stop(self) -> None:
        if self._thread is not None:
            self.end_serving()
            self._thread.join(timeout=5)
            self._thread = None
        else:
            self.server.task_dispatcher.shutdown()
            self._close_all()
        self.kiosk.stop()

    def _close_all(self) -> None:
        """Close the listening socket and every connection: the loop ends when none is left."""
        for dispatcher in list(self._sockets.values()):
            dispatcher.close()
