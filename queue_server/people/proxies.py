"""Registered proxies (帮办代办): people who take tickets for others, within their own cap.

A proxy is either a member of staff (known by their user name: tickets they issue
from the console count against their cap) or someone the site registered by ID card
(known by the keyed hash of the card: at a kiosk their tap takes a ticket under the
proxy's cap instead of the one-person limits). Admins register them (`proxy_register`);
managers see, per proxy, how many tickets they took (`reports/heavy_holders`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from queue_server import wire
from queue_server.engine import caps
from queue_server.engine.errors import InvalidInput, NotFound
from queue_server.engine.ids import new_id
from queue_server.storage import Store
from queue_server.storage.records import FLAG, Layout

PROXY_KINDS = ("staff", "registered")
MAX_PROXY_CAP = 500


class UnknownProxy(NotFound, code="unknown_proxy"): ...


@dataclass(frozen=True)
class Proxy:
    id: str
    site_id: str
    name: str
    kind: str
    username: str | None
    daily_cap: int
    active: bool


_proxy = Layout(Proxy, {"active": FLAG}).from_row


def get_proxy(store: Store, proxy_id: str) -> Proxy | None:
    row = store.proxies.get(proxy_id)
    return _proxy(row) if row else None


def add_proxy(
    store: Store,
    site_id: str,
    name: str,
    kind: str,
    daily_cap: int,
    now: Any,
    username: str | None = None,
    person_hash: str | None = None,
) -> Proxy:
    if kind not in PROXY_KINDS:
        raise InvalidInput("kind must be staff or registered", field="kind")
    if kind == "staff" and not username:
        raise InvalidInput("a staff proxy needs a user name", field="username")
    if kind == "registered" and not person_hash:
        raise InvalidInput("a registered proxy needs an ID card", field="person")
    if (
        not isinstance(daily_cap, int)
        or isinstance(daily_cap, bool)
        or not 1 <= daily_cap <= MAX_PROXY_CAP
    ):
        raise InvalidInput(f"daily_cap must be 1–{MAX_PROXY_CAP}", field="daily_cap")
    proxy = Proxy(new_id(), site_id, name, kind, username, daily_cap, True)
    store.proxies.add(
        proxy.id, site_id, name, kind, username, person_hash, daily_cap, wire.iso(now)
    )
    return proxy


def proxy_for(
    store: Store,
    site_id: str,
    proxy_id: str | None = None,
    username: str | None = None,
    person_hash: str | None = None,
) -> Proxy | None:
    """The active proxy an issue request is made by: named outright, the staff member
    issuing, or the card tapped at the kiosk."""
    if proxy_id is not None:
        proxy = get_proxy(store, proxy_id)
        if proxy is None or proxy.site_id != site_id or not proxy.active:
            raise UnknownProxy(proxy=proxy_id)
        return proxy
    row = store.proxies.active_for_staff(site_id, username) if username is not None else None
    if row is None and person_hash is not None:
        row = store.proxies.active_for_card(site_id, person_hash)
    return _proxy(row) if row is not None else None


def check_cap(store: Store, proxy: Proxy, day: str) -> None:
    taken = store.proxies.taken(proxy.site_id, proxy.id, day)
    caps.check_proxy(taken, proxy.daily_cap, proxy.name)
