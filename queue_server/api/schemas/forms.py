"""What the admin pages' forms send, read as the forms mean it.

A form field holds text: a number arrives as "15", and an empty field as "" — "not set"
(`values()` in static/admin.js). So the administration's models read a whole number from
its digits and take "" for absent, where the spine's models (`wire.shapes.Strict`) take
exact types only. Everything else stays exact: `true` is not a number, 12.5 is not a
whole one, a list is not text.

A rule beyond a type's own raises `PydanticCustomError("field_<rule>", …)`; `parsing.py`
answers it as 400 `field_<rule>` naming the field, in the reader's language.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    Strict,
    StringConstraints,
)
from pydantic_core import PydanticCustomError

_WHOLE_NUMBER = re.compile(r"\s*-?[0-9]+\s*")


def blank_is_absent(value: Any) -> Any:
    """An empty form field ("" or spaces) is a field not set."""
    return None if isinstance(value, str) and not value.strip() else value


def number_from_text(value: Any) -> Any:
    """ "15" → 15 (a form's number field); "" → not set; anything else as it came."""
    value = blank_is_absent(value)
    if isinstance(value, str) and _WHOLE_NUMBER.fullmatch(value):
        return int(value)
    return value


def digits(value: Any) -> bool:
    """Text holding a whole number ≥ 0 in ASCII digits (not "²", which `str.isdigit` takes)."""
    return isinstance(value, str) and value.strip().isascii() and value.strip().isdigit()


def _none_is_empty(value: Any) -> Any:
    return "" if value is None else value


def _one_line(value: str) -> str:
    if "\n" in value or "\r" in value:
        raise PydanticCustomError("field_one_line", "must be a single line")
    return value


# A whole number, or its digits as text; "" or null: not set. Bounds go on the field.
Whole = Annotated[int | None, Strict(), BeforeValidator(number_from_text)]
# One line of text, trimmed; null is "". Length (and min_length=1 for a required one) on the field.
Line = Annotated[
    str,
    Strict(),
    StringConstraints(strip_whitespace=True),
    AfterValidator(_one_line),
    BeforeValidator(_none_is_empty),
]
# true or false (a checkbox); null: not set.
Flag = Annotated[bool | None, Strict()]


class Form(BaseModel):
    """A form's fields; fields it does not know are ignored, as the spine's models do."""

    model_config = ConfigDict(extra="ignore")


def refused(error: str, message: str) -> BeforeValidator:
    """Refuses whatever it is given: a name that a set of named values does not know."""

    def refuse(value: Any) -> Any:
        raise PydanticCustomError(error, message)

    return BeforeValidator(refuse)


class Named(BaseModel):
    """Values by name, where a name the model does not know is refused, never silently
    ignored: a subclass says how in its `__pydantic_extra__` (`refused(…)`)."""

    model_config = ConfigDict(extra="allow", json_schema_extra={"additionalProperties": False})


class Settings(Named):
    """A set of named settings: a name it does not know is refused (field_unknown_setting),
    so a misspelt setting is never saved and silently ignored."""

    __pydantic_extra__: dict[
        str, Annotated[Any, refused("field_unknown_setting", "no such setting")]
    ] = Field(init=False)

    def given(self) -> dict[str, Any]:
        """The settings set: those left out, null or "" fall back to their defaults."""
        return {k: v for k, v in self.model_dump(exclude_none=True).items() if v != ""}
