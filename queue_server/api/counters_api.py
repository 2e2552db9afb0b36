"""Reads for the console, the hall display and the window sign; ratings (好差评).

- `GET /sites/{site}/counters/{n}`: one counter now (current ticket, its queues,
  the next few tickets, the clerk's figures for today).
- `GET /sites/{site}/board`: what a hall display shows (calls now, last calls,
  waiting counts, notice and announcement settings).
- `POST|GET /tickets/{id}/rating`: the one rating of a finished ticket.
- `GET /sites/{site}/ratings`: a day's ratings per level and per counter, for managers.

Clients read these once, then follow the site's events and read again when one
concerns them, so what they show is always what a fresh read would show.
"""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from datetime import datetime, time
from typing import Any

from flask import jsonify, request
from flask.typing import ResponseReturnValue

from queue_server import wire
from queue_server.accounts.store import Forbidden
from queue_server.api import api
from queue_server.api.auth import READERS, STAFF_ROLES, current_principal, require
from queue_server.api.contract import json_body
from queue_server.app import hall
from queue_server.calling import rules_view
from queue_server.calling.site_view import counter_detail
from queue_server.engine import hours, ratings, rules
from queue_server.engine.calling import choose_next, waited_minutes
from queue_server.engine.errors import InvalidInput, RatingKeyInvalid, UnknownCounter, UnknownSite
from queue_server.engine.model import Counter, CounterState, Site, Ticket
from queue_server.storage import repository as repo

NEXT_PREVIEW = 5
RECENT_CALLS = 12
CALL_TYPES = (wire.TICKET_CALLED, wire.TICKET_RECALLED)


def _site(conn: sqlite3.Connection, site_id: str) -> Site:
    site = repo.get_site(conn, site_id)
    if site is None:
        raise UnknownSite(site=site_id)
    return site


def day_start_utc(day: str, tz: str) -> str:
    """The UTC instant (ISO text) at which a site's local `day` begins."""
    local = datetime.combine(datetime.fromisoformat(day).date(), time(0), hours.zone(tz))
    return wire.iso(local)  # type: ignore[return-value]


def _item_names(conn: sqlite3.Connection) -> dict[str, tuple[str, str, str]]:
    """queue key → (name, name_en, prefix) for every service and bundle."""
    names = {f"S:{s.code}": (s.name, s.name_en, s.prefix) for s in repo.list_services(conn)}
    names.update({f"B:{b.code}": (b.name, b.name_en, b.prefix) for b in repo.list_bundles(conn)})
    return names


def _ticket_view(
    ticket: Ticket, names: dict[str, tuple[str, str, str]], now: datetime, private: bool = False
) -> dict[str, Any]:
    data = wire.ticket_payload(ticket, private)
    name, name_en, _ = names.get(ticket.queue_key, ("", "", ""))
    data["item_name"], data["item_name_en"] = name, name_en
    if ticket.help_for:  # "service:A101": what the citizen who asked for help came for
        kind, _, code = ticket.help_for.partition(":")
        wanted = names.get(f"{'S' if kind == 'service' else 'B'}:{code}", (code, code, ""))
        data["help_for_name"], data["help_for_name_en"] = wanted[0], wanted[1]
    data["waited_minutes"] = round(
        (ticket.wait_seconds / 60) if ticket.wait_seconds is not None else waited_minutes(ticket, now),
        1,
    )
    return data


# --- the console's counter -------------------------------------------------------------


def counter_view(site_id: str, number: int, clerk: str | None) -> dict[str, Any]:
    """The counter now; `clerk` (staff only) also gets the current ticket's masked name and
    note, which the window's sign and the hall's screens never do."""
    ops = hall().ops
    conn = hall().db.conn
    site = _site(conn, site_id)
    counter = repo.get_counter(conn, site_id, number)
    if counter is None:
        raise UnknownCounter(counter=number)
    now = ops.clock()
    names = _item_names(conn)
    current = repo.get_ticket(conn, counter.current_ticket_id) if counter.current_ticket_id else None
    waiting = repo.waiting_tickets(conn, site_id)
    policy = rules.no_show_policy(site)
    return {
        "site": {"id": site.id, "name": site.name, "name_en": site.name_en},
        "counter": counter_detail(counter),
        "current": _current_view(conn, current, names, now, clerk is not None)
        if current
        else None,
        # The console counts the calls against it and holds recall and no-show till due.
        "missed_call_rule": {
            "calls": policy.calls,
            "interval_seconds": policy.interval_seconds,
            "return_places": policy.return_places,
            "allows_return": policy.allows_return,
        },
        "queues": _queues(counter, waiting, names, now),
        "next": _next_tickets(counter, waiting, names, now, site),
        "today": _today(conn, site, counter, clerk or counter.clerk, now),
        "last_seq": repo.last_seq(conn, site_id),
        "server_time": wire.iso(now),
    }


def _current_view(
    conn: sqlite3.Connection,
    ticket: Ticket,
    names: dict[str, tuple[str, str, str]],
    now: datetime,
    private: bool,
) -> dict[str, Any]:
    """The current ticket with the rule that called it this visit (and the clerk's reason)."""
    view = _ticket_view(ticket, names, now, private)
    row = conn.execute(
        """SELECT json_extract(payload, '$.data.reason') AS reason,
                  json_extract(payload, '$.data.out_of_order_reason') AS out_of_order
           FROM events WHERE ticket_id = ? AND type = ? ORDER BY seq DESC LIMIT 1""",
        (ticket.id, wire.TICKET_CALLED),
    ).fetchone()
    view["call_reason"] = row["reason"] if row else None
    view["out_of_order_reason"] = row["out_of_order"] if row else None
    return view


def _queues(
    counter: Counter, waiting: list[Ticket], names: dict[str, tuple[str, str, str]], now: datetime
) -> list[dict[str, Any]]:
    rows = []
    for entry in counter.profile:
        mine = [t for t in waiting if t.queue_key == entry.key and t.target_counter is None]
        oldest = min((t.issued_at for t in mine), default=None)
        name, name_en, prefix = names.get(entry.key, ("", "", ""))
        rows.append(
            {
                "service": entry.service,
                "bundle": entry.bundle,
                "name": name,
                "name_en": name_en,
                "prefix": prefix,
                "weight": entry.weight,
                "waiting": len(mine),
                "oldest_issued_at": wire.iso(oldest),
                "oldest_wait_minutes": round((now - oldest).total_seconds() / 60, 1)
                if oldest
                else None,
            }
        )
    transferred_here = [t for t in waiting if t.target_counter == counter.number]
    if transferred_here:
        oldest = min(t.transferred_at or t.issued_at for t in transferred_here)
        rows.insert(
            0,
            {
                "service": None,
                "bundle": None,
                "name": "转入本窗口",
                "name_en": "Transferred here",
                "prefix": "",
                "weight": None,
                "waiting": len(transferred_here),
                "oldest_issued_at": wire.iso(oldest),
                "oldest_wait_minutes": round((now - oldest).total_seconds() / 60, 1),
            },
        )
    return rows


def _next_tickets(
    counter: Counter,
    waiting: list[Ticket],
    names: dict[str, tuple[str, str, str]],
    now: datetime,
    site: Site,
) -> list[dict[str, Any]]:
    """The tickets this counter would call next, in order, with the rule that picks each."""
    # The preview is the same whatever the counter's state: ask as if it were open.
    probe = replace(counter, state=CounterState.OPEN)
    remaining = [t for t in waiting if probe.serves(t)]
    policy = hall().ops.policy(site, counter)
    found: list[dict[str, Any]] = []
    while remaining and len(found) < NEXT_PREVIEW:
        choice = choose_next(probe, remaining, now, policy)
        if choice is None:
            break
        view = _ticket_view(choice.ticket, names, now)
        view["reason"] = choice.reason
        found.append(view)
        if choice.mix_credit is not None:  # the mixing rule's next turns, as they will come
            probe = replace(probe, mix_credit=choice.mix_credit)
        remaining = [t for t in remaining if t.id != choice.ticket.id]
    return found


def _today(
    conn: sqlite3.Connection, site: Site, counter: Counter, clerk: str | None, now: datetime
) -> dict[str, Any]:
    day = hours.local_day(now, site.timezone)
    row = conn.execute(
        """SELECT
             count(*) FILTER (WHERE status = 'done') AS served,
             count(*) FILTER (WHERE status = 'done' AND outcome = 'completed') AS completed,
             count(*) FILTER (WHERE status = 'no_show') AS no_show,
             avg(service_seconds) FILTER (WHERE status = 'done') AS service_seconds,
             avg(wait_seconds) AS wait_seconds,
             count(rating) AS rated,
             avg(rating) AS rating
           FROM tickets WHERE site_id = ? AND day = ? AND clerk = ?""",
        (site.id, day, clerk or ""),
    ).fetchone()
    transferred = conn.execute(
        """SELECT count(*) FROM events WHERE site_id = ? AND type = ? AND counter = ? AND at >= ?""",
        (site.id, wire.TICKET_TRANSFERRED, counter.number, day_start_utc(day, site.timezone)),
    ).fetchone()[0]
    served = row["served"] or 0
    return {
        "day": day,
        "clerk": clerk,
        "served": served,
        "completed_on_the_spot": row["completed"] or 0,
        "on_the_spot_share": round(row["completed"] / served, 3) if served else None,
        "no_show": row["no_show"] or 0,
        "transferred_out": transferred,
        "avg_service_minutes": round(row["service_seconds"] / 60, 1)
        if row["service_seconds"] is not None
        else None,
        "avg_wait_minutes": round(row["wait_seconds"] / 60, 1)
        if row["wait_seconds"] is not None
        else None,
        "rated": row["rated"] or 0,
        "rating_average": round(row["rating"], 2) if row["rating"] is not None else None,
    }


@api.get("/sites/<site>/counters/<int:number>")
def counter(site: str, number: int) -> ResponseReturnValue:
    principal = require(site, READERS)
    clerk = principal.name if principal.is_staff else None
    return jsonify(counter_view(site, number, clerk))


# --- the hall display ------------------------------------------------------------------


def board(site_id: str) -> dict[str, Any]:
    ops = hall().ops
    conn = hall().db.conn
    site = _site(conn, site_id)
    now = ops.clock()
    counters = repo.list_counters(conn, site_id)
    current_ids = [c.current_ticket_id for c in counters if c.current_ticket_id]
    tickets = {
        row["id"]: row
        for row in conn.execute(
            f"SELECT id, number, status, called_at, recall_count FROM tickets WHERE id IN ({','.join('?' * len(current_ids))})",
            current_ids,
        )
    }
    day = hours.local_day(now, site.timezone)
    recent = [
        {
            "seq": row["seq"],
            "type": row["type"],
            "at": row["at"],
            "number": row["number"],
            "ticket": row["ticket_id"],
            "counter": row["counter"],
            "counter_name": row["counter_name"],
        }
        for row in conn.execute(
            """SELECT seq, type, at, ticket_id, counter,
                      json_extract(payload, '$.ticket.number') AS number,
                      json_extract(payload, '$.counter.name') AS counter_name
               FROM events WHERE site_id = ? AND type IN (?, ?) AND at >= ?
               ORDER BY seq DESC LIMIT ?""",
            (site_id, *CALL_TYPES, day_start_utc(day, site.timezone), RECENT_CALLS),
        )
    ]
    names = _item_names(conn)
    waiting = []
    for row in conn.execute(
        """SELECT service, bundle, count(*) AS n FROM tickets
           WHERE site_id = ? AND status = 'waiting' GROUP BY service, bundle
           ORDER BY n DESC, service, bundle""",
        (site_id,),
    ):
        key = f"S:{row['service']}" if row["service"] else f"B:{row['bundle']}"
        name, name_en, prefix = names.get(key, ("", "", ""))
        waiting.append(
            {
                "service": row["service"],
                "bundle": row["bundle"],
                "name": name,
                "name_en": name_en,
                "prefix": prefix,
                "waiting": row["n"],
            }
        )
    settings = site.settings
    return {
        "site": {
            "id": site.id,
            "name": site.name,
            "name_en": site.name_en,
            "timezone": site.timezone,
            "notice": settings.get("notice", ""),
            "notice_en": settings.get("notice_en", ""),
            "announce_template": settings.get("announce_template", ""),
            "announce_template_en": settings.get("announce_template_en", ""),
            "announce_english": bool(settings.get("announce_english", False)),
            "announce_times": int(settings.get("announce_times", 1) or 1),
        },
        "counters": [
            {
                "number": c.number,
                "name": c.name,
                "state": c.state.value,
                "pause_reason": c.pause_reason,
                "ticket": {
                    "id": c.current_ticket_id,
                    "number": tickets[c.current_ticket_id]["number"],
                    "status": tickets[c.current_ticket_id]["status"],
                    "called_at": tickets[c.current_ticket_id]["called_at"],
                }
                if c.current_ticket_id in tickets
                else None,
            }
            for c in counters
        ],
        "recent_calls": recent,
        "waiting": waiting,
        "waiting_total": sum(w["waiting"] for w in waiting),
        # The rules in one sentence each (both languages) and what is left of capped items.
        "rules": rules_view.all_sentences(site),
        "quotas": rules_view.site_quotas(conn, site, now),
        "last_seq": repo.last_seq(conn, site_id),
        "server_time": wire.iso(now),
    }


@api.get("/sites/<site>/board")
def site_board(site: str) -> ResponseReturnValue:
    require(site, READERS)
    return jsonify(board(site))


# --- ratings (好差评) ------------------------------------------------------------------


def _rating_payload(rating: Any) -> dict[str, Any] | None:
    if rating is None:
        return None
    zh, en = wire.RATING_LEVELS[rating.level]
    return {
        "ticket": rating.ticket_id,
        "level": rating.level,
        "name": zh,
        "name_en": en,
        "channel": rating.channel,
        "at": rating.at,
    }


@api.post("/tickets/<ticket_id>/rating")
def rate(ticket_id: str) -> ResponseReturnValue:
    """The citizen rates: on the phone page with the key only the printed QR carries, or
    at the evaluator of the window that served the ticket (a sign enrolled for it).

    Staff, kiosks and displays never rate, and leaving the token out gains nothing: a
    request without one must bring the key."""
    principal = current_principal()
    body = json_body()
    level = body.get("level")
    if principal is None:
        if not hall().accounts.ticket_key_matches(ticket_id, body.get("key")):
            raise RatingKeyInvalid()
        channel, at_counter = ratings.PHONE, None
    else:
        if principal.role != "sign":
            raise Forbidden()  # staff never rate their own service
        ticket = hall().ops.ticket_view(ticket_id).ticket
        if not principal.covers(ticket.site_id):
            raise Forbidden()
        channel, at_counter = ratings.EVALUATOR, principal.counter
    if not isinstance(level, int) or isinstance(level, bool):
        raise InvalidInput("level must be a whole number from 1 to 5", field="level")
    rating = hall().ops.rate_ticket(ticket_id, level, channel, at_counter)
    return jsonify({"rating": _rating_payload(rating)}), 201


@api.get("/tickets/<ticket_id>/rating")
def rating(ticket_id: str) -> ResponseReturnValue:
    return jsonify({"rating": _rating_payload(hall().ops.rating_of(ticket_id))})


@api.get("/sites/<site>/ratings")
def site_ratings(site: str) -> ResponseReturnValue:
    require(site, STAFF_ROLES)
    conn = hall().db.conn
    found = _site(conn, site)
    day = request.args.get("day") or hours.local_day(hall().ops.clock(), found.timezone)
    try:
        datetime.fromisoformat(day)
    except ValueError:
        raise InvalidInput("day must be YYYY-MM-DD", field="day") from None
    levels = {str(level): 0 for level in sorted(wire.RATING_LEVELS, reverse=True)}
    per_counter: dict[int, dict[str, Any]] = {}
    total = 0
    for row in conn.execute(
        """SELECT counter, rating, count(*) AS n FROM tickets
           WHERE site_id = ? AND day = ? AND rating IS NOT NULL GROUP BY counter, rating""",
        (site, day),
    ):
        levels[str(row["rating"])] += row["n"]
        total += row["n"]
        entry = per_counter.setdefault(row["counter"], {"counter": row["counter"], "count": 0, "sum": 0})
        entry["count"] += row["n"]
        entry["sum"] += row["rating"] * row["n"]
    counters = [
        {"counter": e["counter"], "count": e["count"], "average": round(e["sum"] / e["count"], 2)}
        for e in sorted(per_counter.values(), key=lambda e: e["counter"] or 0)
    ]
    weighted = sum(int(level) * n for level, n in levels.items())
    return jsonify(
        {
            "site": site,
            "day": day,
            "count": total,
            "average": round(weighted / total, 2) if total else None,
            # 满意率 as halls report it: share of ratings 基本满意 or better.
            "satisfied_share": round(sum(levels[k] for k in ("5", "4", "3")) / total, 3)
            if total
            else None,
            "levels": levels,
            "counters": counters,
        }
    )

