"""The calendar's changes: a year's national list (city-wide admins) and a site's own days
(its admins and managers). Each change is one transaction with its audit row; after it,
the days of every site it touches are resolved again (`OpeningDays.resolve`)."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from queue_server.accounts.credentials import Forbidden, Principal
from queue_server.administration import audit
from queue_server.administration.changes import check_scope
from queue_server.engine import opening_days
from queue_server.engine.errors import InvalidInput, NotFound, UnknownSite
from queue_server.engine.opening_days import DayKind, NationalDay, SiteDay
from queue_server.storage import Database

if TYPE_CHECKING:  # the routes' models; api/ imports this module, not the other way round
    from queue_server.api.schemas.opening_days import NationalYear, SiteDayChange


class UnknownSiteDay(NotFound, code="unknown_site_day"): ...


def national_payload(day: NationalDay) -> dict[str, Any]:
    return {
        "date": day.day.isoformat(),
        "kind": day.kind.value,
        "name": day.name,
        "hours_of": day.hours_of,
    }


def site_day_payload(day: SiteDay) -> dict[str, Any]:
    return {"date": day.day.isoformat(), "closed": not day.spans, "spans": day.spans, "note": day.note}


def national_year(db: Database, year: int) -> dict[str, Any]:
    return {"year": year, "days": [national_payload(d) for d in db.store.opening_days.national(year)]}


def import_year(db: Database, actor: Principal, year: int, body: NationalYear) -> dict[str, Any]:
    """Replace a year's national list (idempotent: the same list twice changes nothing)."""
    if not actor.all_sites:  # every site follows it: the whole city's
        raise Forbidden()
    entries = opening_days.year_list(
        year,
        [NationalDay(e.date, DayKind(e.kind), e.name, e.hours_of) for e in body.days],
    )
    with db.transaction() as store:
        before = [national_payload(d) for d in store.opening_days.national(year)]
        store.opening_days.replace_year(year, entries)
        store.opening_days.resolve_all()
        after = [national_payload(d) for d in entries]
        audit.record(store, actor.name, "import", "national_days", str(year), before, after)
    return {"year": year, "days": after}


def site_days(db: Database, actor: Principal, site_id: str) -> dict[str, Any]:
    check_scope(actor, [site_id])
    store = db.store
    site = store.sites.get(site_id)
    if site is None:
        raise UnknownSite(site=site_id)
    return {
        "site": site_id,
        "follows_national": opening_days.follows_national(site.settings),
        "days": [site_day_payload(d) for d in store.opening_days.of_site(site_id)],
    }


def set_site_day(
    db: Database, actor: Principal, site_id: str, day: date, body: SiteDayChange
) -> dict[str, Any]:
    check_scope(actor, [site_id])
    if not body.closed and not body.spans:
        raise InvalidInput("an open day needs its spans", field="spans")
    spans = [] if body.closed else opening_days.validate_spans(body.spans)
    change = SiteDay(day, spans, body.note)
    with db.transaction() as store:
        if store.sites.get(site_id) is None:
            raise UnknownSite(site=site_id)
        before = next((d for d in store.opening_days.of_site(site_id) if d.day == day), None)
        store.opening_days.set_site_day(site_id, change)
        store.opening_days.resolve([site_id])
        after = site_day_payload(change)
        audit.record(
            store,
            actor.name,
            "update" if before else "create",
            "site_day",
            f"{site_id}/{day.isoformat()}",
            site_day_payload(before) if before else None,
            after,
            site_id,
        )
    return after


def delete_site_day(db: Database, actor: Principal, site_id: str, day: date) -> dict[str, Any]:
    check_scope(actor, [site_id])
    with db.transaction() as store:
        before = next((d for d in store.opening_days.of_site(site_id) if d.day == day), None)
        if before is None:
            raise UnknownSiteDay(site=site_id, date=day.isoformat())
        store.opening_days.delete_site_day(site_id, day)
        store.opening_days.resolve([site_id])
        audit.record(
            store,
            actor.name,
            "delete",
            "site_day",
            f"{site_id}/{day.isoformat()}",
            site_day_payload(before),
            None,
            site_id,
        )
    return site_day_payload(before)
