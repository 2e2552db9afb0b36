"""The OpenAPI 3.1 document of /api/v1, made from the routes' declarations (`contract.py`).

Nothing here is written by hand but the short words of the error statuses: each route's
path, method, parameters, body, answers and security come from its declaration, its summary
and description from its view's docstring, and the schemas are the pydantic models' own
JSON Schemas (the error answer's too: `api.schemas.Error`).
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from pydantic import BaseModel, TypeAdapter
from pydantic.json_schema import models_json_schema

from queue_server.api.contract import ROUTES, File, Route
from queue_server.api.schemas import Error
from queue_server.web_security import MAX_INTEGER

REF = "#/components/schemas/{model}"
ERROR_TEXT = {
    400: "Invalid input: `field` names what to fix",
    401: "No valid token",
    403: "Not allowed for this token",
    404: "Not found",
    409: "Conflict with the current state",
    422: "Not offered here",
    429: "Too many attempts: wait Retry-After seconds",
}
_PATH_PARAM = re.compile(r"<(?:(\w+):)?(\w+)>")


@cache
def openapi_document() -> dict[str, Any]:
    schemas: dict[str, Any] = {}
    _schema(Error, schemas, "serialization")
    paths: dict[str, dict[str, Any]] = {}
    for declared in sorted(ROUTES, key=lambda r: (r.path, r.method)):
        path = "/api/v1" + _PATH_PARAM.sub(r"{\2}", declared.path)
        paths.setdefault(path, {})[declared.method.lower()] = _operation(declared, schemas)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "hallqueue centre API",
            "version": "1",
            "description": "Queue and kiosk system of a city's service hall and stations. "
            "Errors are JSON {error, message, field?}; messages are Chinese unless the "
            "client's Accept-Language prefers English.",
        },
        "paths": paths,
        "components": {
            "schemas": schemas,
            "responses": {
                f"E{status}": {
                    "description": text,
                    "content": {"application/json": {"schema": {"$ref": REF.format(model="Error")}}},
                }
                for status, text in ERROR_TEXT.items()
            },
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
    }


def _operation(declared: Route, schemas: dict[str, Any]) -> dict[str, Any]:
    operation: dict[str, Any] = {
        "operationId": declared.view.__name__,
        "summary": declared.summary,
        "tags": [declared.tag],
    }
    description = declared.description
    if declared.who is not None:
        who = ", ".join(sorted(declared.who))
        description = (description + "\n\n" if description else "") + f"Who: {who}."
        operation["security"] = [{"bearer": []}]
    if description:
        operation["description"] = description
    parameters = _path_parameters(declared)
    if declared.query is not None:
        parameters += _query_parameters(declared.query)
    if parameters:
        operation["parameters"] = parameters
    if declared.body is not None:
        operation["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": _schema(declared.body, schemas, "validation")}},
        }
    responses: dict[str, Any] = {}
    for status, model in declared.answers.items():
        responses[str(status)] = _answer(status, model, schemas)
    for status in declared.errors:
        responses[str(status)] = {"$ref": f"#/components/responses/E{status}"}
    operation["responses"] = responses
    return operation


def _path_parameters(declared: Route) -> list[dict[str, Any]]:
    found = []
    for converter, name in _PATH_PARAM.findall(declared.path):
        schema: dict[str, Any] = (
            {"type": "integer", "minimum": 0, "maximum": MAX_INTEGER}
            if converter == "int"
            else {"type": "string"}
        )
        parameter = {"name": name, "in": "path", "required": True, "schema": schema}
        if name in declared.path_doc:
            parameter["description"] = declared.path_doc[name]
        found.append(parameter)
    return found


def _query_parameters(model: type[BaseModel]) -> list[dict[str, Any]]:
    schema = model.model_json_schema(ref_template=REF)
    required = set(schema.get("required", []))
    return [
        {
            "name": name,
            "in": "query",
            "required": name in required,
            "schema": {k: v for k, v in prop.items() if k not in ("title", "description")},
            **({"description": prop["description"]} if "description" in prop else {}),
        }
        for name, prop in schema.get("properties", {}).items()
    ]


def _answer(status: int, model: Any, schemas: dict[str, Any]) -> dict[str, Any]:
    if isinstance(model, tuple):  # JSON or a file, as the client asks
        parts = [_answer(status, part, schemas) for part in model]
        return {
            "description": " or ".join(part["description"] for part in parts),
            "content": {k: v for part in parts for k, v in part["content"].items()},
        }
    if model is None:
        return {"description": "No content"}
    if isinstance(model, File):
        return {
            "description": model.description,
            "content": {t: {"schema": {"type": "string", "format": "binary"}} for t in model.media_types},
        }
    return {
        "description": getattr(model, "__doc__", None) and _first_line(model.__doc__) or "OK",
        "content": {"application/json": {"schema": _schema(model, schemas, "serialization")}},
    }


def _schema(model: Any, schemas: dict[str, Any], mode: str) -> dict[str, Any]:
    """The model's schema as a $ref, its definitions added to the components."""
    if isinstance(model, type) and issubclass(model, BaseModel):
        _, found = models_json_schema([(model, mode)], ref_template=REF)  # type: ignore[list-item]
        schemas.update(found.get("$defs", {}))
        return {"$ref": REF.format(model=model.__name__)}
    schema = TypeAdapter(model).json_schema(ref_template=REF, mode=mode)  # type: ignore[arg-type]
    schemas.update(schema.pop("$defs", {}))
    return schema


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0].strip().rstrip(".")

