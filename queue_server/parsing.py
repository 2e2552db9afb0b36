"""One kit for what a client sends: a model's validation, its first refused field named.

`parse(Model, data)` gives the model or raises `FieldInvalid`: the error answers 400
`{"error": "field_<rule>", "message", "field"}`, the message in the reader's language
(`wire/words.py` has every `field_<rule>` in Chinese and English). The rule comes from
pydantic's error type, or from our own validators, which raise
`PydanticCustomError("field_<rule>", …)`. Nothing of what was sent is echoed: a wrong ID
number never comes back in an error.
"""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from queue_server.engine.errors import FieldInvalid

M = TypeVar("M", bound=BaseModel)


def parse(model: type[M], data: Any) -> M:
    """`data` as `model`, or the first refused field as a `FieldInvalid`."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise refused_field(model, exc) from None


# pydantic's error type → our rule (wire/words.py has `field_<rule>` in both languages).
_RULES = {
    "missing": "required",
    "string_type": "text",
    "string_too_short": "required",
    "string_too_long": "too_long",
    "string_pattern_mismatch": "form",
    "int_type": "integer",
    "int_parsing": "integer",
    "int_from_float": "integer",
    "greater_than": "integer",
    "greater_than_equal": "integer",
    "less_than": "integer",
    "less_than_equal": "integer",
    "float_type": "number",
    "float_parsing": "number",
    "bool_type": "bool",
    "bool_parsing": "bool",
    "literal_error": "choice",
    "enum": "choice",
    "list_type": "list",
    "too_long": "too_many",
    "dict_type": "form",
    "model_type": "form",
    "model_attributes_type": "form",
    "extra_forbidden": "unknown_field",
    "datetime_type": "time",
    "datetime_parsing": "time",
    "datetime_from_date_parsing": "time",
    "timezone_aware": "time",
    "date_type": "date",
    "date_parsing": "date",
    "date_from_datetime_parsing": "date",
    "date_from_datetime_inexact": "date",
}


def refused_field(model: type[BaseModel], exc: ValidationError) -> FieldInvalid:
    """The first error of `exc` named by its field (dotted: `person.id_number`, `hours.mon`;
    a list's entry by its index: `profile[0]`)."""
    error = exc.errors(include_url=False)[0]
    where = field_name(error["loc"])
    kind = error["type"]
    context = dict(error.get("ctx") or {})
    if kind in _RULES:
        rule = _RULES[kind]
    elif kind.startswith("field_"):  # our own validators raise PydanticCustomError("field_…")
        rule = kind.removeprefix("field_")
    else:
        rule = "form"
    params: dict[str, Any] = {}
    if rule == "too_long":
        params["max"] = context.get("max_length")
    elif rule in ("integer", "number"):
        low, high = _bounds(model, error["loc"])
        params.update(min=low, max=high)
    elif rule == "choice":
        params["choices"] = context.get("expected", "").replace("'", "")
    else:
        params.update({k: v for k, v in context.items() if isinstance(v, str | int | float)})
    return FieldInvalid(where, rule, **params)


def field_name(loc: tuple[Any, ...]) -> str:
    name = ""
    for part in loc:
        name += f"[{part}]" if isinstance(part, int) else f".{part}" if name else str(part)
    return name or "body"


def _bounds(model: type[BaseModel], loc: tuple[Any, ...]) -> tuple[Any, Any]:
    """The minimum and maximum the model allows at `loc` (for the message), if it says."""
    schema: dict[str, Any] = model.model_json_schema()
    definitions = schema.get("$defs", {})
    for part in loc:
        if "$ref" in schema:
            schema = definitions[schema["$ref"].rsplit("/", 1)[-1]]
        options = schema.get("anyOf", [schema])
        schema = next((o for o in options if "properties" in o or "items" in o or "$ref" in o), options[0])
        if "$ref" in schema:
            schema = definitions[schema["$ref"].rsplit("/", 1)[-1]]
        if isinstance(part, int):
            schema = schema.get("items", {})
        else:
            schema = schema.get("properties", {}).get(part, {})
    number: dict[str, Any] = next(
        (o for o in schema.get("anyOf", [schema]) if o.get("type") in ("integer", "number")), {}
    )
    return number.get("minimum", "…"), number.get("maximum", "…")
