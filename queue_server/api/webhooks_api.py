"""Webhooks of the city's SMS or WeChat gateway over HTTP, for admins: /api/v1/admin/webhooks

A subscription's secret is answered once, when it is created; the list, the changes, the
audit log and the delivery log never hold it. An admin of part of the city subscribes to
its own sites only; a subscription for every site is a city-wide admin's (403 otherwise).
Receivers' side of the contract: docs/webhooks.md.
"""

from __future__ import annotations

from typing import Any

from queue_server.accounts.credentials import Principal
from queue_server.api.admin_api import ADMINS, admins
from queue_server.api.contract import Routes
from queue_server.api.schemas.webhooks import (
    DeliveryPage,
    DeliveryQuery,
    NewWebhook,
    Ping,
    WebhookAnswer,
    WebhookChange,
    WebhookCreated,
    WebhookList,
)
from queue_server.app import hall
from queue_server.webhooks.subscriptions import Subscriptions

CHANGE = "Writes one audit row (kind `webhook`, never the secret) in the same transaction; 400 names the field."
admin_changes = Routes(ADMINS, prefix="/admin", footnote=CHANGE)


def subscriptions() -> Subscriptions:
    return Subscriptions(hall().db, hall().ops.clock)


@admins.get("/webhooks", answers={200: WebhookList})
def list_webhooks(principal: Principal) -> dict[str, Any]:
    """The gateway's webhook subscriptions (never their secrets)

    An admin of part of the city sees those all of whose sites are theirs."""
    return {"webhooks": subscriptions().visible(principal)}


@admin_changes.post("/webhooks", body=NewWebhook, answers={201: WebhookCreated})
def create_webhook(body: NewWebhook, principal: Principal) -> tuple[dict[str, Any], int]:
    """Subscribe a receiver to events; the answer holds its signing secret, shown this once

    Admins of every site named; `sites: null` (every site) city-wide admins only. The
    subscription receives what happens from now on."""
    webhook, secret = subscriptions().create(principal, body)
    return {"webhook": webhook, "secret": secret}, 201


@admin_changes.put("/webhooks/<webhook_id>", body=WebhookChange, answers={200: WebhookAnswer}, errors=(404,))
def change_webhook(webhook_id: str, body: WebhookChange, principal: Principal) -> dict[str, Any]:
    """Change a subscription, or deactivate it (`active: false`)

    A deactivated subscription gets nothing enqueued and nothing sent; its pending
    deliveries wait until it is active again."""
    return {"webhook": subscriptions().change(principal, webhook_id, body)}


@admin_changes.delete("/webhooks/<webhook_id>", answers={204: None}, errors=(404,))
def delete_webhook(webhook_id: str, principal: Principal) -> tuple[None, int]:
    """Delete a subscription and its delivery log"""
    subscriptions().delete(principal, webhook_id)
    return None, 204


@admins.post("/webhooks/<webhook_id>/ping", answers={202: Ping}, errors=(404,))
def ping_webhook(webhook_id: str, principal: Principal) -> tuple[dict[str, Any], int]:
    """Send the receiver a test delivery (`webhook.ping`)

    It goes out with the next round of deliveries, signed like every other, and shows in the
    delivery log."""
    return {"delivery": subscriptions().ping(principal, webhook_id)}, 202


@admins.get(
    "/webhooks/<webhook_id>/deliveries", query=DeliveryQuery, answers={200: DeliveryPage}, errors=(400, 404)
)
def webhook_deliveries(webhook_id: str, query: DeliveryQuery, principal: Principal) -> dict[str, Any]:
    """A subscription's delivery log, newest first

    Each delivery's event, site, status (pending, delivered, failed), attempts, the
    receiver's last HTTP status or error, and when it was made, is next tried, was
    delivered. Page older ones with `before` = the `next_before` of the previous page."""
    page, cursor = subscriptions().deliveries(principal, webhook_id, query.limit, query.before)
    return {"webhook": webhook_id, "deliveries": page, "next_before": cursor}
