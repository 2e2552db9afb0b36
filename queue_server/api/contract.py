"""Each route of /api/v1 declared once.

A route says, in one decorator, its method and path, who may call it, the models of its
body and query and of each answer, and the errors it may give; its docstring gives the
summary (the first paragraph) and the description (the rest):

    issuers = Routes(ISSUERS)

    @issuers.post("/sites/<site>/tickets", body=IssueRequest,
                  answers={201: IssuedTicket, 200: IssuedTicket}, errors=(400, 404, 409, 422))
    def issue(site: str, body: IssueRequest, principal: Principal) -> ...:
        '''Issue a ticket (idempotent by request_id)

        A kiosk token of the site or staff covering it. …'''

`Routes` holds what a group of routes shares (who may call them, the note that ends the
description of each change that writes an audit row); `route` is the one declaration
underneath, for a route of its own kind.

From that one declaration come the Flask route, the checks (who may call comes first, so
a stranger learns nothing from a validation error; then the body and query, through one
kit: a refused field answers 400 `{"error": "field_<rule>", "message", "field"}` with the
message in the reader's language), and the OpenAPI 3.1 document (`openapi_document`),
whose schemas are the models' own. The kiosk and the sign agent build and read the same
models (`queue_server.wire.shapes`).

A view returns a model, a plain JSON-able value, a `(value, status)` pair, or a Flask
`Response` (files). Plain values are sent as they are (the hot paths build dicts); with
`VALIDATE_ANSWERS` on (the test suite) every answer is checked against its declared
model, so the document cannot drift from what the centre really sends. An answer that
is JSON or a file, as the client asks, declares both:
`answers={200: (ReportTable, File(("text/csv", …)))}`.
"""

from __future__ import annotations

import inspect
import json
import zlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import orjson
from flask import Response, current_app, request
from pydantic import BaseModel, TypeAdapter

from queue_server.api import api
from queue_server.api.auth import (
    ISSUERS,
    MANAGERS,
    READERS,
    STAFF_ROLES,
    current_principal,
    require,
)
from queue_server.engine.errors import FieldInvalid
from queue_server.parsing import parse


@dataclass(frozen=True)
class File:
    """An answer that is a file, not JSON (a CSV or XLSX export)."""

    media_types: tuple[str, ...]
    description: str = "A file"


@dataclass(frozen=True)
class Route:
    method: str
    path: str  # Flask's form: /sites/<site>/counters/<int:number>
    view: Callable[..., Any]
    summary: str
    description: str
    who: frozenset[str] | None
    body: type[BaseModel] | None
    query: type[BaseModel] | None
    answers: Mapping[int, Any]
    errors: tuple[int, ...]
    tag: str
    path_doc: Mapping[str, str] = field(default_factory=dict)


ROUTES: list[Route] = []
Declaration = Callable[[Callable[..., Any]], Callable[..., Any]]


@dataclass(frozen=True)
class Routes:
    """Routes that share who may call them, and perhaps the start of their paths:
    `admins.put("/sites/<site>", …)` with `admins = Routes(ADMINS, prefix="/admin")`
    declares `route("PUT", "/admin/sites/<site>", who=ADMINS, …)`. A `footnote` ends each
    one's description (what every change of a kind does, such as writing one audit row)."""

    who: Iterable[str] | None
    prefix: str = ""
    footnote: str = ""

    def get(self, path: str, **declared: Any) -> Declaration:
        return self.route("GET", path, **declared)

    def post(self, path: str, **declared: Any) -> Declaration:
        return self.route("POST", path, **declared)

    def put(self, path: str, **declared: Any) -> Declaration:
        return self.route("PUT", path, **declared)

    def delete(self, path: str, **declared: Any) -> Declaration:
        return self.route("delete", path, **declared)  # `route` says methods in capitals

    def route(self, method: str, path: str, **declared: Any) -> Declaration:
        return route(method, self.prefix + path, who=self.who, footnote=self.footnote, **declared)


def route(
    method: str,
    path: str,
    *,
    answers: Mapping[int, Any],
    who: Iterable[str] | None,
    summary: str = "",
    errors: Iterable[int] = (),
    body: type[BaseModel] | None = None,
    query: type[BaseModel] | None = None,
    description: str = "",
    footnote: str = "",
    tag: str = "",
    path_doc: Mapping[str, str] | None = None,
) -> Declaration:
    """Declare a route of /api/v1 (see the module's docstring). The summary and the
    description not given are the view's docstring's; a `footnote` ends the description."""

    def declare(view: Callable[..., Any]) -> Callable[..., Any]:
        said, described = _summary_and_description(view, summary, description, footnote)
        declared = Route(
            method=method.upper(),
            path=path,
            view=view,
            summary=said,
            description=described,
            who=frozenset(who) if who is not None else None,
            body=body,
            query=query,
            answers=dict(answers),
            errors=_errors(errors, who, body),
            tag=tag or view.__module__.rsplit(".", 1)[-1].removesuffix("_api"),
            path_doc=dict(path_doc or {}),
        )
        wants = set(inspect.signature(view).parameters)

        def handle(**path_args: Any) -> Any:
            if declared.who is None:
                principal = current_principal()
            else:  # who may call first: a stranger learns nothing from a refused field
                principal = require(path_args.get("site"), declared.who)
            kwargs = dict(path_args)
            if "principal" in wants:
                kwargs["principal"] = principal
            if declared.body is not None:
                kwargs["body"] = parse(declared.body, json_body())
            if declared.query is not None:
                kwargs["query"] = parse(declared.query, request.args.to_dict())
            return answer(declared, view(**kwargs))

        handle.__name__ = view.__name__
        api.add_url_rule(path, endpoint=view.__name__, view_func=handle, methods=[declared.method])
        ROUTES.append(declared)
        return view

    return declare


def _summary_and_description(
    view: Callable[..., Any], summary: str, description: str, footnote: str
) -> tuple[str, str]:
    """A route's summary and description: as given, or its view's docstring's."""
    doc = inspect.cleandoc(view.__doc__ or "")
    if not summary:  # the docstring's first paragraph is the summary; the rest describes
        first, _, doc = doc.partition("\n\n")
        summary = " ".join(first.splitlines())
    return summary, " ".join(filter(None, [description or doc, footnote]))


def _errors(
    errors: Iterable[int], who: Iterable[str] | None, body: type[BaseModel] | None
) -> tuple[int, ...]:
    """The errors a route may give: its own; 400 where it takes a body (any body may be
    refused, if only for not being JSON); 401 and 403 where it needs a token."""
    implied = ({400} if body is not None else set()) | ({401, 403} if who is not None else set())
    return tuple(sorted(set(errors) | implied))


# The audiences of most routes (`auth.py`); an area with its own declares its own.
anyone = Routes(None)
staff = Routes(STAFF_ROLES)
managers = Routes(MANAGERS)
issuers = Routes(ISSUERS)  # who issues tickets and takes them back
readers = Routes(READERS)  # who reads a site's windows and events


# --- what a client sends: one kit ------------------------------------------------------


MAX_INFLATED = 16 << 20  # a gzipped body may grow to this once inflated
# Made once: `json.dumps` with options builds an encoder for every call (issue 18).
_CHECKED = json.JSONEncoder(ensure_ascii=False)


def json_body() -> dict[str, Any]:
    """The request's JSON object (an empty body is an empty object); a body sent gzipped
    (an edge centre on a slow line) is inflated, to a bound."""
    if request.headers.get("Content-Encoding", "").lower() == "gzip" and request.content_length:
        body = _inflated_json()
    else:
        body = request.get_json(silent=True, force=True) if request.content_length else {}
    if not isinstance(body, dict):
        raise FieldInvalid("body", "form")
    # JSON may carry lone surrogates (\ud800) that no database or printer can store: as an
    # escape, or as bytes (json.loads decodes with "surrogatepass"). Bytes of a surrogate are
    # never ASCII, and an escape starts with a backslash (byte 0x5C in UTF-8, -16 and -32):
    # an ASCII body without one, as a kiosk's issue mostly is, needs no check (issue 18).
    raw = request.get_data(cache=True)
    if not raw.isascii() or b"\\" in raw or request.headers.get("Content-Encoding"):
        try:
            _CHECKED.encode(body).encode("utf-8")
        except UnicodeEncodeError:
            raise FieldInvalid("body", "characters") from None
    return body


# --- what the centre answers -------------------------------------------------------------


def answer(declared: Route, result: Any) -> Any:
    if isinstance(result, Response):
        return result
    status = next(iter(declared.answers))
    if isinstance(result, tuple):
        result, status = result
    declared_model = json_model(declared.answers.get(status))
    if result is None and declared_model is None:
        return Response(status=status)
    if isinstance(result, BaseModel):
        return Response(result.model_dump_json(), status=status, mimetype="application/json")
    if declared_model is not None and current_app.config.get("VALIDATE_ANSWERS"):
        _adapter(declared_model).validate_python(result)  # a drift is a 500 in the tests
    return Response(
        # orjson: the same compact UTF-8 JSON as json.dumps(ensure_ascii=False) at a tenth
        # of its cost (an issue's answer took ~25 µs: issue 18); keys that are numbers are
        # written as strings, as json.dumps does.
        orjson.dumps(result, option=orjson.OPT_NON_STR_KEYS),
        status=status,
        mimetype="application/json",
    )


def json_model(declared: Any) -> Any:
    """The JSON part of a declared answer (a model, or a model beside a `File`)."""
    if isinstance(declared, tuple):
        return next((part for part in declared if not isinstance(part, File)), None)
    return None if isinstance(declared, File) else declared


_ADAPTERS: dict[Any, TypeAdapter[Any]] = {}


def _adapter(model: Any) -> TypeAdapter[Any]:
    if model not in _ADAPTERS:
        _ADAPTERS[model] = TypeAdapter(model)
    return _ADAPTERS[model]


def _inflated_json() -> Any:
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        data = inflater.decompress(request.get_data(), MAX_INFLATED + 1)
    except zlib.error:
        raise FieldInvalid("body", "form") from None
    if len(data) > MAX_INFLATED or inflater.unconsumed_tail:
        raise FieldInvalid("body", "too_long", max=MAX_INFLATED)
    try:
        return json.loads(data)
    except ValueError:
        raise FieldInvalid("body", "form") from None
