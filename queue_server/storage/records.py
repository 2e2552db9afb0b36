"""Engine records ↔ table rows. Times are stored as ISO 8601 UTC text with milliseconds."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from datetime import UTC, datetime
from enum import StrEnum
from functools import lru_cache
from typing import Any, Generic, TypeVar

from queue_server.engine import hours as site_hours
from queue_server.engine import model

R = TypeVar("R")


def to_text(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    # The same text as strftime("%Y-%m-%dT%H:%M:%S.") + milliseconds + "Z", several times
    # faster (as `wire.iso`): an issue writes a few moments and compares one.
    return moment.astimezone(UTC).isoformat(timespec="milliseconds")[:-6] + "Z"


def from_text(text: str | None) -> datetime | None:
    if not text:
        return None
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


@dataclass(frozen=True)
class Column:
    """How a field is stored where its column does not hold the value as it is."""

    load: Callable[[Any], Any]  # the column's value → the field's
    dump: Callable[[Any], Any]  # the field's value → the column's


def enum_column(kind: type[StrEnum]) -> Column:
    return Column(load=kind, dump=lambda value: value.value)


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


FLAG = Column(load=bool, dump=int)
TIME = Column(load=from_text, dump=to_text)
JSON_OBJECT = Column(load=lambda text: json.loads(text or "{}"), dump=_json)
JSON_OR_NONE = Column(
    load=lambda text: json.loads(text) if text else None,
    dump=lambda value: _json(value) if value is not None else None,
)
JSON_TUPLE = Column(load=lambda text: tuple(json.loads(text)), dump=lambda value: _json(list(value)))


class Layout(Generic[R]):
    """A record of the engine (a dataclass) as a table row: each field in the column of its
    name, as it is unless `columns` says how; `not_written` fields are kept by other writes."""

    def __init__(
        self,
        record: type[R],
        columns: Mapping[str, Column],
        not_written: tuple[str, ...] = (),
    ) -> None:
        self.record = record
        names = [f.name for f in fields(record)]  # type: ignore[arg-type]
        self._plain = [name for name in names if name not in columns]
        self._loads = [(name, column.load) for name, column in columns.items()]
        self._dumps = [(name, column.dump) for name, column in columns.items()]
        self._written = [name for name in names if name not in not_written]

    def from_row(self, row: sqlite3.Row) -> R:
        values = {name: row[name] for name in self._plain}
        for name, load in self._loads:
            values[name] = load(row[name])
        return self.record(**values)

    def to_row(self, record: R) -> dict[str, Any]:
        row = {name: getattr(record, name) for name in self._written}
        for name, dump in self._dumps:
            if name in row:
                row[name] = dump(row[name])
        return row


def _issue_window_from_text(text: str | None) -> tuple[str, str] | None:
    window = json.loads(text) if text else None
    return tuple(window) if window else None


SITES = Layout(
    model.Site,
    {
        "kind": enum_column(model.SiteKind),
        "hours": JSON_OR_NONE,
        "settings": JSON_OBJECT,
        "days": JSON_OBJECT,
    },
    # The owner is written only when a site is handed over or taken back (`set_site_owner`);
    # the days are derived from the calendar's tables by storage (`OpeningDays.resolve`).
    not_written=("owner", "days"),
)
SERVICES = Layout(
    model.Service,
    {
        "on_the_spot": FLAG,
        "commitment_allowed": FLAG,
        "conditions": JSON_TUPLE,
        "materials": JSON_TUPLE,
        "issue_window": Column(
            load=_issue_window_from_text,
            dump=lambda window: json.dumps(list(window)) if window else None,
        ),
    },
)
BUNDLES = Layout(model.Bundle, {"services": JSON_TUPLE})


@lru_cache(maxsize=1024)
def profile_from_json(text: str) -> tuple[model.ProfileEntry, ...]:
    # Cached by its text: a hall's windows are read on every issue (the wait estimate shares
    # the open ones out), and a comprehensive window's profile lists hundreds of items.
    # The entries are frozen, so one tuple can serve every read.
    return tuple(
        model.ProfileEntry(
            service=e.get("service"), bundle=e.get("bundle"), weight=float(e.get("weight", 1))
        )
        for e in json.loads(text or "[]")
    )


def profile_to_json(profile: tuple[model.ProfileEntry, ...]) -> str:
    entries = []
    for entry in profile:
        item: dict[str, Any] = (
            {"service": entry.service} if entry.service else {"bundle": entry.bundle}
        )
        item["weight"] = entry.weight
        entries.append(item)
    return json.dumps(entries, ensure_ascii=False)


COUNTERS = Layout(
    model.Counter,
    {
        "kind": enum_column(model.CounterKind),
        "profile": Column(load=profile_from_json, dump=profile_to_json),
        "state": enum_column(model.CounterState),
        "state_since": TIME,
        "rules": JSON_OBJECT,
        "mix_credit": Column(load=lambda credit: credit or 0, dump=lambda credit: credit),
    },
)


_TICKET_TIMES = (
    "issued_at",
    "called_at",
    "started_at",
    "finished_at",
    "transferred_at",
    "queued_at",
    "last_called_at",
)
_TICKET_FIELDS = [f.name for f in fields(model.Ticket)]


def ticket_from_row(row: sqlite3.Row) -> model.Ticket:
    values: dict[str, Any] = {name: row[name] for name in _TICKET_FIELDS}
    for name in _TICKET_TIMES:
        values[name] = from_text(values[name])
    values["channel"] = model.Channel(values["channel"])
    values["priority"] = model.Priority(values["priority"])
    values["status"] = model.TicketStatus(values["status"])
    values["outcome"] = model.Outcome(values["outcome"]) if values["outcome"] else None
    return model.Ticket(**values)


def ticket_to_row(ticket: model.Ticket, timezone: str) -> dict[str, Any]:
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
