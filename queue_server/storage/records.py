"""Engine records ↔ table rows. Times are stored as ISO 8601 UTC text with milliseconds."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import fields
from datetime import UTC, datetime
from typing import Any

from queue_server.engine import hours as site_hours
from queue_server.engine.model import (
    Bundle,
    Channel,
    Counter,
    CounterKind,
    CounterState,
    Outcome,
    Priority,
    ProfileEntry,
    Service,
    Site,
    SiteKind,
    Ticket,
    TicketStatus,
)


def to_text(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    return (
        moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
    )


def from_text(text: str | None) -> datetime | None:
    if not text:
        return None
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def site_from_row(row: sqlite3.Row) -> Site:
    return Site(
        id=row["id"],
        name=row["name"],
        name_en=row["name_en"],
        kind=SiteKind(row["kind"]),
        parent_id=row["parent_id"],
        timezone=row["timezone"],
        hours=json.loads(row["hours"]) if row["hours"] else None,
        settings=json.loads(row["settings"] or "{}"),
        owner=row["owner"],
    )


def site_to_row(site: Site) -> dict[str, Any]:
    return {
        "id": site.id,
        "name": site.name,
        "name_en": site.name_en,
        "kind": site.kind.value,
        "parent_id": site.parent_id,
        "timezone": site.timezone,
        "hours": json.dumps(site.hours, ensure_ascii=False) if site.hours is not None else None,
        "settings": json.dumps(site.settings, ensure_ascii=False),
    }


def service_from_row(row: sqlite3.Row) -> Service:
    window = json.loads(row["issue_window"]) if row["issue_window"] else None
    return Service(
        code=row["code"],
        name=row["name"],
        name_en=row["name_en"],
        department=row["department"],
        domain=row["domain"],
        prefix=row["prefix"],
        on_the_spot=bool(row["on_the_spot"]),
        commitment_allowed=bool(row["commitment_allowed"]),
        conditions=tuple(json.loads(row["conditions"])),
        materials=tuple(json.loads(row["materials"])),
        legal_limit_days=row["legal_limit_days"],
        expected_minutes=row["expected_minutes"],
        issue_window=tuple(window) if window else None,
        last_ticket_minutes=row["last_ticket_minutes"],
        daily_cap=row["daily_cap"],
    )


def service_to_row(service: Service) -> dict[str, Any]:
    return {
        "code": service.code,
        "name": service.name,
        "name_en": service.name_en,
        "department": service.department,
        "domain": service.domain,
        "prefix": service.prefix,
        "on_the_spot": int(service.on_the_spot),
        "commitment_allowed": int(service.commitment_allowed),
        "conditions": json.dumps(list(service.conditions), ensure_ascii=False),
        "materials": json.dumps(list(service.materials), ensure_ascii=False),
        "legal_limit_days": service.legal_limit_days,
        "expected_minutes": service.expected_minutes,
        "issue_window": json.dumps(list(service.issue_window)) if service.issue_window else None,
        "last_ticket_minutes": service.last_ticket_minutes,
        "daily_cap": service.daily_cap,
    }


def bundle_from_row(row: sqlite3.Row) -> Bundle:
    return Bundle(
        code=row["code"],
        name=row["name"],
        name_en=row["name_en"],
        prefix=row["prefix"],
        services=tuple(json.loads(row["services"])),
        description=row["description"],
        expected_minutes=row["expected_minutes"],
        daily_cap=row["daily_cap"],
    )


def bundle_to_row(bundle: Bundle) -> dict[str, Any]:
    return {
        "code": bundle.code,
        "name": bundle.name,
        "name_en": bundle.name_en,
        "prefix": bundle.prefix,
        "services": json.dumps(list(bundle.services), ensure_ascii=False),
        "description": bundle.description,
        "expected_minutes": bundle.expected_minutes,
        "daily_cap": bundle.daily_cap,
    }


def profile_from_json(text: str) -> tuple[ProfileEntry, ...]:
    return tuple(
        ProfileEntry(
            service=e.get("service"), bundle=e.get("bundle"), weight=float(e.get("weight", 1))
        )
        for e in json.loads(text or "[]")
    )


def profile_to_json(profile: tuple[ProfileEntry, ...]) -> str:
    entries = []
    for entry in profile:
        item: dict[str, Any] = (
            {"service": entry.service} if entry.service else {"bundle": entry.bundle}
        )
        item["weight"] = entry.weight
        entries.append(item)
    return json.dumps(entries, ensure_ascii=False)


def counter_from_row(row: sqlite3.Row) -> Counter:
    return Counter(
        id=row["id"],
        site_id=row["site_id"],
        number=row["number"],
        name=row["name"],
        kind=CounterKind(row["kind"]),
        profile=profile_from_json(row["profile"]),
        state=CounterState(row["state"]),
        pause_reason=row["pause_reason"],
        state_since=from_text(row["state_since"]),
        current_ticket_id=row["current_ticket_id"],
        clerk=row["clerk"],
        rules=json.loads(row["rules"] or "{}"),
        mix_credit=row["mix_credit"] or 0,
    )


def counter_to_row(counter: Counter) -> dict[str, Any]:
    return {
        "id": counter.id,
        "site_id": counter.site_id,
        "number": counter.number,
        "name": counter.name,
        "kind": counter.kind.value,
        "profile": profile_to_json(counter.profile),
        "state": counter.state.value,
        "pause_reason": counter.pause_reason,
        "state_since": to_text(counter.state_since),
        "current_ticket_id": counter.current_ticket_id,
        "clerk": counter.clerk,
        "rules": json.dumps(counter.rules, ensure_ascii=False),
        "mix_credit": counter.mix_credit,
    }


_TICKET_TIMES = (
    "issued_at",
    "called_at",
    "started_at",
    "finished_at",
    "transferred_at",
    "queued_at",
    "last_called_at",
)
_TICKET_FIELDS = [f.name for f in fields(Ticket)]


def ticket_from_row(row: sqlite3.Row) -> Ticket:
    values: dict[str, Any] = {name: row[name] for name in _TICKET_FIELDS}
    for name in _TICKET_TIMES:
        values[name] = from_text(values[name])
    values["channel"] = Channel(values["channel"])
    values["priority"] = Priority(values["priority"])
    values["status"] = TicketStatus(values["status"])
    values["outcome"] = Outcome(values["outcome"]) if values["outcome"] else None
    return Ticket(**values)


def ticket_to_row(ticket: Ticket, timezone: str) -> dict[str, Any]:
    row: dict[str, Any] = {name: getattr(ticket, name) for name in _TICKET_FIELDS}
    # Always stored, so the waiting-line indexes order every row that can be called.
    row["queued_at"] = ticket.queue_time
    for name in _TICKET_TIMES:
        row[name] = to_text(row[name])
    for name in ("channel", "priority", "status", "outcome"):
        value = row[name]
        row[name] = value.value if value is not None else None
    # Precomputed local calendar fields keep reports to plain GROUP BYs over an index.
    local = site_hours.local_time(ticket.issued_at, timezone)
    row["local_hour"] = local.hour
    row["weekday"] = local.weekday()
    return row


TICKET_COLUMNS = [*_TICKET_FIELDS, "local_hour", "weekday"]
