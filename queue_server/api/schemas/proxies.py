"""A site's registered proxies (代办人) in the administration (`api/proxies_api.py`).

A card proxy's ID number is read once: the model checks its form and never shows it
(`repr=False`; errors name the field, never its value); `people/proxy_register.py` keeps
only its keyed hash.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, Strict, ValidationError, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

from queue_server.api.schemas.forms import (
    Flag,
    Form,
    Line,
    Whole,
    blank_is_absent,
    number_from_text,
)
from queue_server.people.proxies import MAX_PROXY_CAP, PROXY_KINDS
from queue_server.wire.shapes import PersonCard

ProxyKind = Literal[PROXY_KINDS]  # type: ignore[valid-type]
NAME_LENGTH = 40
REQUIRED_BY = {"name": "registered", "username": "staff"}  # the kind of proxy a field names


def _required() -> PydanticCustomError:
    return PydanticCustomError("field_required", "required")


class ProxyRegistration(Form):
    """A member of staff (named by username: the tickets they issue count against the
    cap), or a person by ID card (registered)."""

    kind: ProxyKind
    daily_cap: Annotated[int, Strict(), Field(ge=1, le=MAX_PROXY_CAP)] = Field(
        description="tickets a day the proxy may take for others"
    )
    name: Line = Field(
        "", max_length=NAME_LENGTH, validate_default=True,
        description="required for a card proxy (kept masked: 张*); a member of staff: their display name",
    )  # fmt: skip
    id_number: Annotated[str | None, Strict()] = Field(
        None, repr=False, validate_default=True,
        description="a card proxy's ID number: read once, only its keyed hash is kept",
    )  # fmt: skip
    username: Line = Field(
        "",
        max_length=64,
        validate_default=True,
        description="a member of staff who works at the site",
    )

    @field_validator("daily_cap", mode="before")
    @classmethod
    def _from_text(cls, value: Any) -> Any:
        return number_from_text(value)

    @field_validator("name", "username")
    @classmethod
    def _named(cls, value: str, info: ValidationInfo) -> str:
        """A card proxy must have a name, a member of staff a username."""
        if not value and info.data.get("kind") == REQUIRED_BY.get(info.field_name or ""):
            raise _required()
        return value

    @field_validator("id_number", mode="before")
    @classmethod
    def _card_number(cls, value: Any, info: ValidationInfo) -> Any:
        if info.data.get("kind") != "registered":
            return None
        value = blank_is_absent(value)
        if value is None:
            raise _required()
        try:  # the form a kiosk's card reader sends, by the same model
            return PersonCard.model_validate({"id_number": value}).id_number
        except ValidationError:
            raise PydanticCustomError("field_id_number", "not an ID card number") from None


class ProxyChange(Form):
    """Change the cap or the name, deactivate (`active: false`) or activate again; a field
    left out (or "") stays as it is."""

    daily_cap: Whole = Field(None, ge=1, le=MAX_PROXY_CAP)
    name: Line = Field("", max_length=NAME_LENGTH)
    active: Flag = None


class Proxy(BaseModel):
    """A proxy: never the card's number or hash"""

    id: str
    site: str
    name: str = Field(description="a card proxy's name is kept masked (张*)")
    kind: ProxyKind
    username: str | None
    card: str | None = Field(description="the first 8 characters of the card's keyed hash")
    daily_cap: int
    active: bool
    created_at: str


class ListedProxy(Proxy):
    today: int = Field(description="tickets taken under the cap today")
    day: str = Field(description="the site's local day")


class ProxyList(BaseModel):
    """A site's proxies with their cap and today's tickets"""

    site: str
    proxies: list[ListedProxy]


class ProxyAnswer(BaseModel):
    """The proxy as saved"""

    proxy: Proxy
