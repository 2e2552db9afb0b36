"""The stages of “一件事” tickets, in the shell: marked done at the console, closed at the
finish (`Operations.counter_action`), rated on the phone page, read back for the console and the phone.

The rules are the engine's (`engine/bundle_stages.py`); these run them in one
transaction through `Operations.commit`. A stage is recorded in `ticket_stages`, not as
an event: the ticket's own events (called, transferred, finished) already tell every
screen what moved; the console reads the stages again after its own action.
"""

from __future__ import annotations

from typing import Any

from queue_server import wire
from queue_server.calling.operations import Operations
from queue_server.engine import bundle_stages, lifecycle
from queue_server.engine.bundle_stages import Stage
from queue_server.engine.errors import (
    InvalidInput,
    SiteOwnedByEdge,
    UnknownCounter,
    UnknownSite,
    UnknownTicket,
)
from queue_server.engine.lifecycle import Change
from queue_server.engine.model import Site
from queue_server.storage import Store


def mark_done(ops: Operations, site_id: str, number: int, service: str, clerk: str | None) -> Stage:
    """The clerk at window `number` marks item `service` of its current ticket done."""

    def work(store: Store) -> tuple[Stage, list[Change], Site]:
        site = store.sites.get(site_id)
        if site is None:
            raise UnknownSite(site=site_id)
        if not ops.owns(site):
            raise SiteOwnedByEdge(site=site.id, owner=store.devices.name_of(site.owner or ""))
        counter = store.counters.get(site_id, number)
        if counter is None:
            raise UnknownCounter(counter=number)
        lifecycle.check_holder(counter, clerk)
        ticket = store.tickets.get(counter.current_ticket_id) if counter.current_ticket_id else None
        bundle = store.catalogue.bundle(ticket.bundle) if ticket and ticket.bundle else None
        stages = store.ticket_stages.of(ticket.id) if ticket else []
        stage = bundle_stages.stage_done(counter, ticket, bundle, stages, service, ops.clock())
        store.ticket_stages.add([stage])
        return stage, [], site

    result: Stage = ops.commit(work)
    return result


def rate(ops: Operations, ticket_id: str, service: str, level: int) -> Stage:
    """Store the citizen's one rating of a stage (the API has checked the QR's key)."""
    if not isinstance(level, int) or isinstance(level, bool) or level not in wire.RATING_LEVELS:
        raise InvalidInput("level must be a whole number from 1 to 5", field="level")

    def work(store: Store) -> tuple[Stage, list[Change], Site]:
        ticket = store.tickets.get(ticket_id)
        if ticket is None:
            raise UnknownTicket(ticket=ticket_id)
        site = store.sites.get(ticket.site_id)
        if site is None:
            raise UnknownSite(site=ticket.site_id)
        if not ops.owns(site):
            raise SiteOwnedByEdge(site=site.id, owner=store.devices.name_of(site.owner or ""))
        now = ops.clock()
        stage = next((s for s in store.ticket_stages.of(ticket_id) if s.service == service), None)
        bundle_stages.check_stage_rateable(ticket, stage, now, site.settings)
        assert stage is not None
        if not store.ticket_stages.rate(ticket_id, stage.position, level, now):
            raise bundle_stages.StageAlreadyRated(service=service)
        return bundle_stages.rated(stage, level, now), [], site

    result: Stage = ops.commit(work)
    return result


def stage_payload(stage: Stage, names: dict[str, tuple[str, str]]) -> dict[str, Any]:
    """A stage as the API answers it; the clerk's name is not in it (the phone reads it)."""
    name, name_en = names.get(stage.service, (stage.service, stage.service))
    return {
        "position": stage.position,
        "service": stage.service,
        "name": name,
        "name_en": name_en,
        "counter": stage.counter,
        "started_at": wire.iso(stage.started_at) if stage.started_at else None,
        "finished_at": wire.iso(stage.finished_at) if stage.finished_at else None,
        "timed": stage.timed,
        "minutes": None if stage.minutes is None else round(stage.minutes, 1),
        "rating": stage.rating,
        "rated_at": wire.iso(stage.rated_at) if stage.rated_at else None,
    }


def stages_of(ops: Operations, ticket_id: str) -> dict[str, Any]:
    """A ticket's bundle and stages: what is done, what is left."""
    store = ops.db.store
    ticket = store.tickets.get(ticket_id)
    if ticket is None:
        raise UnknownTicket(ticket=ticket_id)
    bundle = store.catalogue.bundle(ticket.bundle) if ticket.bundle else None
    stages = store.ticket_stages.of(ticket_id)
    codes = {s.service for s in stages} | set(bundle.services if bundle else ())
    names: dict[str, tuple[str, str]] = {}
    for code in codes:
        item = store.catalogue.service(code)
        if item is not None:
            names[code] = (item.name, item.name_en or item.name)
    return {
        "ticket": ticket_id,
        "bundle": ticket.bundle,
        "stages": [stage_payload(s, names) for s in stages],
        "remaining": [
            {"service": c, "name": names.get(c, (c, c))[0], "name_en": names.get(c, (c, c))[1]}
            for c in (bundle_stages.remaining(bundle, stages) if bundle else [])
        ],
    }
