"""The gateway's webhook subscriptions and their delivery logs (`api/webhooks_api.py`).

A subscription's secret is in one answer only, the one that creates it (`WebhookCreated`);
`Webhook` never carries it.
"""

from __future__ import annotations

from typing import Annotated, Literal
from urllib.parse import urlsplit

from pydantic import AfterValidator, BaseModel, BeforeValidator, Field, Strict
from pydantic_core import PydanticCustomError

from queue_server.api.schemas.forms import Flag, Form, Line, blank_is_absent
from queue_server.web_security import MAX_INTEGER
from queue_server.webhooks import EVENTS

EventName = Literal[EVENTS]  # type: ignore[valid-type]
MAX_PAGE = 200
MAX_URL = 500


def _url(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname or len(value) > MAX_URL:
        raise PydanticCustomError("field_webhook_url", "an http:// or https:// address")
    return value


Url = Annotated[str, Strict(), AfterValidator(_url)]
Events = Annotated[list[EventName], Field(min_length=1, max_length=len(EVENTS))]
Sites = Annotated[list[Annotated[str, Strict()]], Field(min_length=1, max_length=500)]


class NewWebhook(Form):
    """A subscription: where to POST which events of which sites."""

    name: Line = Field("", max_length=80, description="what the receiver is (短信平台)")
    url: Url = Field(description="http:// or https:// address the deliveries are POSTed to")
    events: Events = Field(description="the events wanted (docs/webhooks.md)")
    sites: Sites | None = Field(
        None, description="the sites covered; null: every site (city-wide admins only)"
    )
    all_tickets: Flag = Field(
        False,
        description="`ticket.three_ahead` for every ticket, not only those checked in from a booking",
    )


class WebhookChange(Form):
    """What changes; a field left out stays. `sites: null` covers every site."""

    name: Annotated[str, Strict()] | None = Field(None, max_length=80)
    url: Url | None = None
    events: Events | None = None
    sites: Sites | None = None
    all_tickets: Flag = None
    active: Flag = Field(None, description="false: nothing more is enqueued or sent")


class Webhook(BaseModel):
    """A subscription as admins see it: never its secret."""

    id: str
    name: str
    url: str
    events: list[str]
    sites: list[str] | None = Field(description="null: every site")
    all_tickets: bool
    active: bool
    created_by: str | None
    created_at: str
    changed_at: str | None


class WebhookCreated(BaseModel):
    webhook: Webhook
    secret: str = Field(description="the signing key: shown in this answer only")


class WebhookAnswer(BaseModel):
    webhook: Webhook


class WebhookList(BaseModel):
    webhooks: list[Webhook]


class Delivery(BaseModel):
    """One delivery in a subscription's log."""

    id: str = Field(description="also the X-Hallqueue-Delivery header: receivers deduplicate by it")
    event: str
    site: str
    status: Literal["pending", "delivered", "failed"]
    attempts: int
    next_at: str | None = Field(description="the next attempt, while pending")
    last_status: int | None = Field(description="the receiver's last HTTP status")
    last_error: str | None
    created_at: str
    delivered_at: str | None


class DeliveryQuery(BaseModel):
    limit: Annotated[int, Field(ge=1, le=MAX_PAGE)] = 50
    before: Annotated[
        Annotated[int, Field(ge=0, le=MAX_INTEGER)] | None, BeforeValidator(blank_is_absent)
    ] = Field(None, description="the `next_before` of the previous page")


class DeliveryPage(BaseModel):
    webhook: str
    deliveries: list[Delivery]
    next_before: int | None


class Ping(BaseModel):
    delivery: str = Field(description="the id of the `webhook.ping` delivery, now pending")
