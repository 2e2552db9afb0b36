"""The audit log: who changed what, and who looked at what, when and from where.

Administration changes carry their record before and after as JSON. Access is on the
record too: logins (`login`: success, failure with the username tried, lockout),
report exports and the watch report (`report`), and deliberate views of personal data
(`personal_data`: an admin opening a site's proxy register, a clerk finding a ticket by
its number) — not the screens' periodic refreshes, which would bury the rest.

A row is written by `record` through the store of the change itself, so the change
and its audit row commit (or roll back) together. Each row holds the client address of
the HTTP request being served (behind `TRUSTED_PROXIES`, the forwarded one), NULL for
the command line. Rows are read newest first. Secrets never enter the log: no
password, tried or set, no hashes, no tokens.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from queue_server.engine.ids import new_id
from queue_server.storage import Database, Row, Store
from queue_server.storage.records import to_text

KINDS = (
    "site",
    "settings",
    "offerings",
    "service",
    "bundle",
    "catalog",
    "counter",
    "staff",
    "device",
    "proxy",
    "login",
    "report",
    "personal_data",
    "ticket",  # a priority class confirmed by staff
    "slot_plan",  # how an item is booked at a site
    "webhook",  # a subscription of the city's SMS or WeChat gateway (never its secret)
    "national_days",  # a year's national holidays and make-up working days
    "site_day",  # a site's own closure or special opening
    "window_plan",  # a draft of a site's windows, and its application
    "follow_up",  # a 差评's follow-up closed with its note
)
MAX_PAGE = 500


@dataclass(frozen=True)
class Entry:
    id: str
    at: str
    actor: str
    action: str
    kind: str
    target: str
    site: str | None
    before: Any
    after: Any
    address: str | None = None

    def payload(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "at": self.at,
            "actor": self.actor,
            "action": self.action,
            "kind": self.kind,
            "target": self.target,
            "site": self.site,
            "before": self.before,
            "after": self.after,
            "address": self.address,
        }


def record(
    store: Store,
    actor: str,
    action: str,
    kind: str,
    target: str,
    before: Any,
    after: Any,
    site: str | None = None,
    sites: Iterable[str] | None = None,
    address: str | None = None,
) -> Entry:
    """Append one row; call inside the transaction that makes the change.

    `sites` are every site the change touched, old and new (a member of staff moved from
    one township to another touches both); by default the one `site`. An admin whose
    scope is part of the city reads only rows all of whose sites are in it. `address`
    defaults to the client address of the HTTP request being served, if any.
    """
    touched = sorted(set(sites)) if sites is not None else ([site] if site else [])
    if kind not in KINDS:
        raise ValueError(f"unknown audit kind {kind!r}")
    if address is None:
        address = request_address()
    entry = Entry(
        id=new_id(),
        at=to_text(datetime.now(UTC)),  # type: ignore[arg-type]
        actor=actor,
        action=action,
        kind=kind,
        target=target,
        site=site,
        before=before,
        after=after,
        address=address,
    )
    store.audit.add(
        entry.id, entry.at, actor, action, kind, target, site, before, after, touched, address
    )
    return entry


def record_access(
    db: Database,
    actor: str,
    action: str,
    kind: str,
    target: str,
    details: dict[str, Any],
    site: str | None = None,
) -> Entry:
    """Put a read on the record (an export, a view of personal data), in its own transaction."""
    with db.transaction() as store:
        return record(store, actor, action, kind, target, None, details, site)


def request_address() -> str | None:
    """The client address of the HTTP request (or Socket.IO event) being served, else None."""
    from flask import has_request_context, request

    return request.remote_addr if has_request_context() else None


def _entry(row: Row) -> Entry:
    return Entry(
        id=row["id"],
        at=row["at"],
        actor=row["actor"],
        action=row["action"],
        kind=row["kind"],
        target=row["target"],
        site=row["site_id"],
        before=json.loads(row["before"]) if row["before"] is not None else None,
        after=json.loads(row["after"]) if row["after"] is not None else None,
        address=row["address"],
    )


def entries(
    store: Store,
    kind: str | None = None,
    limit: int = 100,
    before: int | None = None,
    scope: Collection[str] | None = None,
    *,
    actor: str | None = None,
    address: str | None = None,
) -> tuple[list[Entry], int | None]:
    """Newest first; returns the page and the cursor for the next (older) page, if any.

    With a `scope` (the sites of an admin of part of the city) only rows that touched
    at least one site and no site outside it; without one (a city-wide admin), all.
    Filters (each optional, all must hold): `kind`, `actor` (who, or the username a
    login tried), `address` (the client address). The cursor is the row number (rowid).
    """
    rows, cursor = store.audit.page(limit, before, scope, kind, actor, address)
    return [_entry(r) for r in rows], cursor
