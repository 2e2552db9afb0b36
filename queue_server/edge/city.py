"""The city's side of its edge centres: one exchange per station every few seconds.

`exchange` takes a station's batch (applied once, in order: `storage/replication.py`) and
answers with what the station needs: what the city now holds of its events, who owns the
site, and — when the station's copy is out of date — the site's configuration and keys.

One owner per site. While an edge centre owns a site (`sites.owner` is its device id) the
city refuses every queue write for it (`SiteOwnedByEdge`, 409 naming the owner) and serves
its reads, reports and dashboard from what the station sent. `hand_over` gives a site to
an edge centre; `take_back` returns it in two steps, so nothing is lost: the site is marked
`returning:<device>` (the station stops taking writes and sends what it still holds), and
once the city holds the station's last event the site is the city's again.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from queue_server import wire
from queue_server.accounts.credentials import Accounts, Principal, subtree
from queue_server.accounts.keys import Keyring
from queue_server.administration import audit
from queue_server.calling.follow_ups import open_follow_ups_of_station
from queue_server.engine import hours
from queue_server.engine.errors import InvalidTransition, QueueError, UnknownSite
from queue_server.storage import Database, Store
from queue_server.storage.replication import Gap, digest_of

RETURNING = "returning:"


class EdgeGap(QueueError, code="edge_gap", status=409):
    """The batch would leave a gap: resend the events after `since`."""

    answered = ("since",)


class EdgeReleaseMismatch(QueueError, code="edge_release_mismatch", status=409):
    """Station and city must run the same release (the same database schema)."""


class SiteNotOwned(QueueError, code="site_not_owned", status=409):
    """Events from a station that does not own the site (taken back without it)."""


@dataclass(frozen=True)
class Exchanged:
    answer: dict[str, Any]
    payloads: list[dict[str, Any]]  # the new events, for the city's screens


def staff_of(store: Store, site_id: str) -> list[str]:
    """Who works at the site: clerks named for it, managers and admins whose tree holds it."""
    names = []
    for row in store.staff.all():
        sites = json.loads(row["sites"])
        scope = set(sites) if row["role"] == "clerk" else subtree(store, sites)
        if site_id in scope:
            names.append(row["username"])
    return names


def exchange(
    db: Database,
    keyring: Keyring,
    principal: Principal,
    body: dict[str, Any],
    now: datetime,
    publish: Callable[[list[dict[str, Any]]], None],
) -> dict[str, Any]:
    """One exchange with the edge centre `principal` (see the module's docstring); the new
    events go to the city's screens before the write lock is let go, so in order."""
    with db.write_lock:
        done = _exchange(db, keyring, principal, body, now)
        if done.payloads:
            publish(done.payloads)
    return done.answer


def _exchange(
    db: Database, keyring: Keyring, principal: Principal, body: dict[str, Any], now: datetime
) -> Exchanged:
    (site_id,) = principal.sites
    release = db.store.schema_version()
    if body.get("release") != release:
        raise EdgeReleaseMismatch(city=release, station=body.get("release"))
    if body.get("site") not in (None, site_id):
        raise SiteNotOwned(site=site_id)
    batch = body.get("batch") or {}
    with db.transaction() as store:
        rows = store.replication
        site = store.sites.get(site_id)
        if site is None:
            raise UnknownSite(site=site_id)
        owner = rows.site_owner(site_id)
        ours = owner in (principal.name, RETURNING + principal.name)
        if batch.get("events", {}).get("rows") and not ours:
            raise SiteNotOwned(site=site_id, owner=owner)
        try:
            payloads = rows.ingest(site_id, batch) if ours else []
        except Gap as gap:
            raise EdgeGap(since=gap.since) from None
        held = rows.last_seq(site_id)
        open_follow_ups_of_station(store, site, payloads)
        if payloads:  # a late event of a finished month makes its report roll-up stale
            this_month = hours.local_day(now, site.timezone)[:7]
            stale = {p["ticket"]["day"] for p in payloads if p.get("ticket") and p["ticket"]["day"][:7] < this_month}
            if stale:
                store.rollups.forget_months(site_id, stale)
        station_seq = int(body.get("station_seq") or 0)
        if owner == RETURNING + principal.name and station_seq <= held:
            # The station has stopped and the city holds all it made: the site is the city's.
            rows.set_site_owner(site_id, None)
            audit.record(
                store, principal.name, "taken_back", "site", site_id,
                {"owner": principal.name}, {"owner": None, "last_seq": held}, site_id,
            )  # fmt: skip
            owner = None
        snap = rows.snapshot(site_id, staff_of(store, site_id))
        if owner == principal.name:  # a hand-over: the day's tickets go with the site
            snap["tickets"] = rows.open_tickets(site_id, hours.local_day(now, site.timezone))
        digest = digest_of(snap)
        fresh = body.get("digest") != digest
        station_time = _moment(body.get("station_time"))
        rows.record_contact(
            {
                "site_id": site_id,
                "device_id": principal.name,
                "last_contact": wire.iso(now),
                "station_seq": station_seq,
                "backlog": max(0, station_seq - held),
                "clock_offset_seconds": (station_time - now).total_seconds() if station_time else None,
                "config_digest": digest,
                "config_at": wire.iso(now) if fresh else None,
            },
        )
    answer = {
        "site": site_id,
        "device": principal.name,
        "owner": owner,
        "acked_seq": held,
        "digest": digest,
        "snapshot": snap if fresh else None,
        "keys": keyring.export(site_id) if fresh else None,
        "city_time": wire.iso(now),
    }
    return Exchanged(answer, payloads)


def _moment(text: Any) -> datetime | None:
    if not isinstance(text, str):
        return None
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None


# --- moving a site to an edge centre and back -------------------------------------------------


def hand_over(db: Database, accounts: Accounts, actor: str, site_id: str, device_id: str) -> None:
    """From now on the edge centre `device_id` owns the site's queues."""
    with db.transaction() as store:
        rows = store.replication
        if store.sites.get(site_id) is None:
            raise UnknownSite(site=site_id)
        device = store.devices.get(device_id)
        if device is None or device["kind"] != "edge" or device["site_id"] != site_id or device["revoked_at"]:
            raise InvalidTransition(action="hand_over", status="not an edge centre of this site")
        owner = rows.site_owner(site_id)
        if owner not in (None, device_id):
            raise InvalidTransition(action="hand_over", status=f"owned by {owner}")
        rows.set_site_owner(site_id, device_id)
        audit.record(store, actor, "hand_over", "site", site_id, {"owner": owner}, {"owner": device_id}, site_id)
    accounts.forget_cached()


def take_back(db: Database, actor: str, site_id: str, force: bool = False) -> str | None:
    """Start returning the site to the city; `force` (a station that will never come back)
    takes it at once, losing what the station had not sent. Returns the owner now."""
    with db.transaction() as store:
        rows = store.replication
        owner = rows.site_owner(site_id)
        if owner is None:
            return None
        device = owner.removeprefix(RETURNING)
        new = None if force else RETURNING + device
        rows.set_site_owner(site_id, new)
        audit.record(
            store, actor, "take_back" + ("_forced" if force else ""), "site", site_id,
            {"owner": owner}, {"owner": new}, site_id,
        )  # fmt: skip
        return new
