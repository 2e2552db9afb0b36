"""One error handler: every failure becomes `{"error": CODE, "message": TEXT}`, and a
refused field adds `"field"`: its name, dotted (`hours.mon`, `profile[0]`).

The message is in Chinese unless the client prefers English (Accept-Language).
Nothing a client sends may produce a 500 with a stack trace; an unexpected error is
logged and answered with a generic `internal_error`.
"""

from __future__ import annotations

import logging

from flask import Flask, jsonify, request
from flask.typing import ResponseReturnValue
from werkzeug.exceptions import HTTPException

from queue_server.engine.errors import QueueError
from queue_server.wire.words import pick_language, say

log = logging.getLogger("hallqueue.api")

_HTTP_CODES = {
    400: "invalid_input",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "payload_too_large",
    415: "unsupported_media_type",
}


def error_response(
    code: str, http_status: int, params: dict[str, object] | None = None, answered: tuple[str, ...] = ()
) -> ResponseReturnValue:
    language = pick_language(request.headers.get("Accept-Language"))
    params = params or {}
    body: dict[str, object] = {"error": code, "message": say(code, language, **params)}
    field = params.get("field")
    if http_status == 400 and isinstance(field, str):
        body["field"] = field  # the pages show the message next to it
    body.update({name: params[name] for name in answered if name in params})
    response = jsonify(body)
    response.status_code = http_status
    if http_status == 401:
        response.headers["WWW-Authenticate"] = "Bearer"
    return response


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(QueueError)
    def queue_error(exc: QueueError) -> ResponseReturnValue:
        params = dict(exc.params)
        params.setdefault("detail", exc.detail)
        return error_response(exc.code, exc.status, params, exc.answered)

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException) -> ResponseReturnValue:
        status = exc.code or 500
        return error_response(_HTTP_CODES.get(status, "invalid_input"), status, {"detail": exc.description})

    @app.errorhandler(Exception)
    def unexpected(exc: Exception) -> ResponseReturnValue:
        log.exception("unexpected error on %s %s", request.method, request.path)
        return error_response("internal_error", 500)
