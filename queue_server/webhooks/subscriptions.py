"""The gateway's subscriptions, as admins make and read them.

Scope, as for the rest of the administration (`administration.changes.check_scope`): an
admin of part of the city subscribes to its own sites only and sees, changes and reads
the log of only the subscriptions all of whose sites are its own; a subscription for
every site is a city-wide admin's. Each change is one transaction with its audit row
(kind `webhook`), which, like every answer but the creating one, never holds the secret.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from queue_server.accounts.credentials import Forbidden, Principal
from queue_server.administration import audit
from queue_server.administration.changes import check_scope
from queue_server.engine.errors import FieldInvalid, NotFound
from queue_server.engine.ids import new_id
from queue_server.storage import Database, Row, Store
from queue_server.webhooks import PING

if TYPE_CHECKING:
    from queue_server.api.schemas.webhooks import NewWebhook, WebhookChange

ALL_SITES = "*"  # the `site` of a ping to a subscription of every site


class UnknownWebhook(NotFound, code="unknown_webhook"): ...


def webhook_payload(row: Row) -> dict[str, Any]:
    """A subscription as answered and audited: everything but its secret."""
    return {
        "id": row["id"],
        "name": row["name"],
        "url": row["url"],
        "events": json.loads(row["events"]),
        "sites": json.loads(row["sites"]) if row["sites"] is not None else None,
        "all_tickets": bool(row["all_tickets"]),
        "active": bool(row["active"]),
        "created_by": row["created_by"],
        "created_at": row["created_at"],
        "changed_at": row["changed_at"],
    }


def delivery_payload(row: Row) -> dict[str, Any]:
    return {
        "id": row["id"],
        "event": row["event"],
        "site": row["site_id"],
        "status": row["status"],
        "attempts": row["attempts"],
        "next_at": row["next_at"],
        "last_status": row["last_status"],
        "last_error": row["last_error"],
        "created_at": row["created_at"],
        "delivered_at": row["delivered_at"],
    }


def sees(actor: Principal, sites: list[str] | None) -> bool:
    return actor.all_sites or (sites is not None and all(actor.covers(s) for s in sites))


class Subscriptions:
    def __init__(self, db: Database, clock: Callable[[], datetime]) -> None:
        self.db = db
        self.clock = clock

    def visible(self, actor: Principal) -> list[dict[str, Any]]:
        found = [webhook_payload(r) for r in self.db.store.webhooks.all()]
        return [w for w in found if sees(actor, w["sites"])]

    def create(self, actor: Principal, new: NewWebhook) -> tuple[dict[str, Any], str]:
        """The subscription and its secret, which is answered this once."""
        check_scope(actor, new.sites if new.sites is not None else [None])
        secret = secrets.token_urlsafe(32)
        webhook_id = new_id()
        with self.db.transaction() as store:
            _check_sites(store, new.sites)
            store.webhooks.add(
                webhook_id, new.name, new.url, secret, new.events, new.sites,
                bool(new.all_tickets), actor.name, self.clock(),
            )  # fmt: skip
            # From now on: the history before it is not the subscription's to receive.
            chosen = new.sites if new.sites is not None else [s.id for s in store.sites.all()]
            store.webhooks.start_cursors(chosen)
            after = webhook_payload(_row(store, webhook_id))
            audit.record(
                store, actor.name, "create", "webhook", webhook_id, None, after, sites=new.sites or []
            )
        return after, secret

    def change(self, actor: Principal, webhook_id: str, change: WebhookChange) -> dict[str, Any]:
        fields = change.model_dump(include=change.model_fields_set)
        for key in ("name", "url", "events", "all_tickets", "active"):
            if fields.get(key, "") is None:
                del fields[key]  # null: stays as it is (only `sites: null` means something)
        with self.db.transaction() as store:
            before = self._mine(store, actor, webhook_id)
            if "sites" in fields:
                check_scope(actor, fields["sites"] if fields["sites"] is not None else [None])
                _check_sites(store, fields["sites"])
                chosen = fields["sites"] if fields["sites"] is not None else [s.id for s in store.sites.all()]
                store.webhooks.start_cursors(chosen)
            if not fields:
                return before
            store.webhooks.change(webhook_id, fields, self.clock())
            after = webhook_payload(_row(store, webhook_id))
            touched = (before["sites"] or []) + (after["sites"] or [])
            audit.record(store, actor.name, "update", "webhook", webhook_id, before, after, sites=touched)
        return after

    def delete(self, actor: Principal, webhook_id: str) -> None:
        with self.db.transaction() as store:
            before = self._mine(store, actor, webhook_id)
            store.webhooks.remove(webhook_id)
            audit.record(
                store, actor.name, "delete", "webhook", webhook_id, before, None, sites=before["sites"] or []
            )

    def ping(self, actor: Principal, webhook_id: str) -> str:
        """A `webhook.ping` delivery to this subscription alone; returns its id."""
        with self.db.transaction() as store:
            found = self._mine(store, actor, webhook_id)
            now = self.clock()
            site = found["sites"][0] if found["sites"] else ALL_SITES
            data = {"webhook": webhook_id, "by": actor.name}
            return store.webhooks.add_delivery(webhook_id, site, PING, data, now, now)

    def deliveries(
        self, actor: Principal, webhook_id: str, limit: int, before: int | None
    ) -> tuple[list[dict[str, Any]], int | None]:
        """A page of the subscription's delivery log, newest first, and the next page's cursor."""
        store = self.db.store
        self._mine(store, actor, webhook_id)
        rows = store.webhooks.log(webhook_id, limit + 1, before)
        page = rows[:limit]
        return [delivery_payload(r) for r in page], page[-1]["number"] if len(rows) > limit else None

    @staticmethod
    def _mine(store: Store, actor: Principal, webhook_id: str) -> dict[str, Any]:
        row = store.webhooks.get(webhook_id)
        if row is None:
            raise UnknownWebhook(webhook=webhook_id)
        found = webhook_payload(row)
        if not sees(actor, found["sites"]):
            raise Forbidden()
        return found


def _check_sites(store: Store, sites: list[str] | None) -> None:
    for site in sites or []:
        if store.sites.get(site) is None:
            raise FieldInvalid("sites", "unknown_site", value=site)


def _row(store: Store, webhook_id: str) -> Row:
    row = store.webhooks.get(webhook_id)
    assert row is not None
    return row
