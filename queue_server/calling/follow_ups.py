"""差评 follow-ups (整改/回访) as managers read and close them, and a site's ratings in
the fields of the national 好差评 system (for upload).

A follow-up is opened with its 差评 (`Operations.rate_ticket`); here a manager of its
site lists them, sees which are overdue, and closes one with a note, on the audit log.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from queue_server import wire
from queue_server.accounts.credentials import Forbidden, Principal
from queue_server.administration import audit
from queue_server.calling.counter_view import known_site
from queue_server.engine import hours, ratings
from queue_server.engine.errors import FieldInvalid, FollowUpClosed, UnknownFollowUp
from queue_server.engine.ids import new_id
from queue_server.engine.model import Site
from queue_server.engine.ratings import EVALUATOR, NOTE_MAX
from queue_server.storage import Database, Row, Store
from queue_server.wire import words

STATUSES = ("open", "closed")


def open_follow_up(
    store: Store,
    site: Site,
    ticket_id: str,
    counter: int | None,
    clerk: str | None,
    level: int,
    reason: str,
    rated_at: datetime,
) -> None:
    """Open the follow-up of a 差评 given at `rated_at` (inside the rating's transaction):
    due 15 working days after its local day by the site's calendar. A ticket has one."""
    opened = hours.local_time(rated_at, site.timezone).date()
    store.follow_ups.open(
        new_id(), site.id, ticket_id, counter, clerk, level, reason,
        wire.iso(rated_at), ratings.follow_up_due(site, opened).isoformat(),
    )  # fmt: skip


def open_follow_ups_of_station(store: Store, site: Site, events: list[dict[str, Any]]) -> None:
    """At the city: the 差评 among a station's events just applied (its tickets with them)
    open their follow-ups here, where the site's managers and the export read them."""
    for event in events:
        if event.get("type") != wire.TICKET_RATED or not event.get("ticket"):
            continue
        ticket_id = event["ticket"]["id"]
        row = store.tickets.rating(ticket_id)
        ticket = store.tickets.get(ticket_id)
        if row is None or ticket is None or row["rating"] is None or not ratings.is_bad(row["rating"]):
            continue
        reason = row["rating_reason"] or ratings.NOT_STATED
        rated = datetime.fromisoformat(str(row["rated_at"]).replace("Z", "+00:00"))
        open_follow_up(store, site, ticket_id, ticket.counter, ticket.clerk, row["rating"], reason, rated)


def reason_names(code: str | None) -> tuple[str, str]:
    return words.WORDS[f"bad_reason_{code}"] if code else ("", "")


def follow_up_payload(row: Row, today: str) -> dict[str, Any]:
    """One follow-up; `overdue` when still open after its due day (the site's local today)."""
    reason, reason_en = reason_names(row["reason"])
    level, level_en = words.WORDS[f"rate_{row['level']}"]
    return {
        "id": row["id"],
        "site": row["site_id"],
        "ticket": row["ticket_id"],
        "ticket_number": row["ticket_number"],
        "item": row["service"] or row["bundle"],
        "counter": row["counter"],
        "clerk": row["clerk"],
        "level": row["level"],
        "level_name": level,
        "level_name_en": level_en,
        "reason": row["reason"],
        "reason_name": reason,
        "reason_name_en": reason_en,
        "opened_at": row["opened_at"],
        "due_on": row["due_on"],
        "status": row["status"],
        "overdue": row["status"] == "open" and today > row["due_on"],
        "closed_by": row["closed_by"],
        "closed_at": row["closed_at"],
        "note": row["note"],
    }


def site_follow_ups(db: Database, site_id: str, status: str | None, now: datetime) -> dict[str, Any]:
    """A site's follow-ups (all, or those `open` or `closed`), oldest first."""
    site = known_site(db.store, site_id)
    if status is not None and status not in STATUSES:
        raise FieldInvalid("status", "choice", choices=", ".join(STATUSES))
    today = hours.local_day(now, site.timezone)
    rows = db.store.follow_ups.of_site(site_id, status)
    found = [follow_up_payload(row, today) for row in rows]
    return {
        "site": site_id,
        "today": today,
        "open": sum(f["status"] == "open" for f in found),
        "overdue": sum(f["overdue"] for f in found),
        "follow_ups": found,
    }


def close_follow_up(
    db: Database, principal: Principal, follow_up_id: str, note: str, now: datetime
) -> dict[str, Any]:
    """Close an open follow-up with what was done (整改/回访), on the audit log; only staff
    whose scope covers its site (403 otherwise, as for every change of another's site)."""
    note = note.strip()
    if not note:
        raise FieldInvalid("note", "required")
    if len(note) > NOTE_MAX:
        raise FieldInvalid("note", "too_long", max=NOTE_MAX)
    with db.transaction() as store:
        before = store.follow_ups.get(follow_up_id)
        if before is None:
            raise UnknownFollowUp(follow_up=follow_up_id)
        if not principal.covers(before["site_id"]):
            raise Forbidden()
        if not store.follow_ups.close(follow_up_id, principal.name, str(wire.iso(now)), note):
            raise FollowUpClosed(follow_up=follow_up_id)
        after = store.follow_ups.get(follow_up_id)
        assert after is not None
        site = known_site(store, before["site_id"])
        today = hours.local_day(now, site.timezone)
        old, new = follow_up_payload(before, today), follow_up_payload(after, today)
        audit.record(
            store, principal.name, "close", "follow_up", follow_up_id, old, new, site.id
        )
    return new


# --- the national system's fields -------------------------------------------------------

EXPORT_COLUMNS = [
    "评价编号",
    "评价时间",
    "事项名称",
    "事项编码",
    "办理部门",
    "办理窗口",
    "评价渠道",
    "评价等级",
    "评价等级代码",
    "差评原因",
    "整改状态",
]
_CHANNELS = {EVALUATOR: "窗口评价器", "phone": "移动端"}
_FOLLOW_UP = {"open": "整改中", "closed": "已整改", None: ""}


def _utc_text(moment: datetime) -> str:
    return str(wire.iso(moment))


def ratings_table(db: Database, site_id: str, start: date, end: date) -> dict[str, Any]:
    """The site's ratings of local days `start` … `end`, one row a rating, in the fields
    a hall uploads to the national 好差评 system. Only what tickets keep in the open:
    never a name, an ID number or its keyed hash."""
    store = db.store
    site = known_site(store, site_id)
    zone = hours.zone(site.timezone)
    first = datetime.combine(start, time(0), tzinfo=zone).astimezone(UTC)
    last = datetime.combine(end + timedelta(days=1), time(0), tzinfo=zone).astimezone(UTC)
    rows = store.follow_ups.ratings_between(site_id, _utc_text(first), _utc_text(last))
    return {"columns": EXPORT_COLUMNS, "rows": [_export_row(store, site.timezone, r) for r in rows]}


def _export_row(store: Store, timezone: str, row: Row) -> list[Any]:
    if row["service"]:
        service = store.catalogue.service(row["service"])
        name = service.name if service else row["service"]
        department = service.department if service else ""
    else:
        bundle = store.catalogue.bundle(row["bundle"]) if row["bundle"] else None
        name, department = (bundle.name if bundle else row["bundle"] or ""), ""
    counter = store.counters.get(row["site_id"], row["counter"]) if row["counter"] else None
    window = f"{row['counter']}号窗口 {counter.name}".strip() if counter else ""
    rated = datetime.fromisoformat(row["rated_at"].replace("Z", "+00:00"))
    return [
        row["id"],
        hours.local_time(rated, timezone).strftime("%Y-%m-%d %H:%M:%S"),
        name,
        row["service"] or row["bundle"] or "",
        department,
        window,
        _CHANNELS.get(row["rating_channel"], row["rating_channel"] or ""),
        words.WORDS[f"rate_{row['rating']}"][0],
        row["rating"],
        reason_names(row["rating_reason"])[0],
        _FOLLOW_UP.get(row["follow_up_status"], ""),
    ]
