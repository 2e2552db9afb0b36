"""Window plans (窗口方案推演): drafts of a site's windows, replayed on real weeks, applied.

The shell around `engine.window_plans`: a site's managers save drafts (name and windows,
each a counter as the counter form saves it with its open hours by weekday), replay the
site's real tickets of chosen past days through a draft beside today's plan (the site's
counters as they are, each open all the site's hours) or beside another draft, and an
admin applies a draft: its windows' names, kinds, profiles and rules are saved to the
site's counters of the same numbers (created where missing) from a local date — at once
when that date is today or past, else by the sweeper on that date (`apply_due`). Windows
of the site the plan does not name are left as they are (the answer lists them); the
plan's open hours are the replay's, not the live counters' (a counter has no hours: its
clerk opens it). Each save, deletion, scheduling and application writes one audit row
in the same transaction.

Service times are drawn from the finished tickets of the replayed days themselves
(their measured service times per item); an item without one takes the catalogue's
expected minutes.
"""

from __future__ import annotations

import json
import time
from dataclasses import replace
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from queue_server.accounts.credentials import Principal
from queue_server.administration import audit
from queue_server.administration.changes import check_scope, counter_config
from queue_server.engine import hours, window_plans
from queue_server.engine.errors import FieldInvalid, NotFound, UnknownSite
from queue_server.engine.ids import new_id
from queue_server.engine.model import Counter, CounterKind, ProfileEntry, Site, TicketStatus
from queue_server.engine.replay import ALL
from queue_server.reports.rollups import DEFAULT_TARGET_WAIT_MINUTES
from queue_server.storage import Database, Row, Store

if TYPE_CHECKING:
    from queue_server.api.schemas.window_plans import PlanForm, ReplayRequest

DEFAULT_WEEKS = 4
MAX_DAYS = 56
CURRENT = "current"


class UnknownWindowPlan(NotFound, code="unknown_window_plan"): ...


# --- what a plan holds ------------------------------------------------------------------


def _window_body(
    counter: Counter, hours_by_day: dict[str, list[list[str]]] | None
) -> dict[str, Any]:
    config = counter_config(counter) or {}
    return {**config, "hours": hours_by_day}


def current_windows(counters: list[Counter]) -> list[dict[str, Any]]:
    """Today's plan: the site's counters as they are, open all the site's hours."""
    return [_window_body(c, None) for c in counters]


def _counter(site_id: str, window: dict[str, Any], existing: Counter | None = None) -> Counter:
    profile = tuple(
        ProfileEntry(service=line.get("service"), bundle=line.get("bundle"), weight=line["weight"])
        for line in window["profile"]
    )
    if existing is not None:
        return replace(
            existing,
            name=window["name"],
            kind=CounterKind(window["kind"]),
            profile=profile,
            rules=dict(window.get("rules") or {}),
        )
    return Counter(
        id=new_id(),
        site_id=site_id,
        number=window["number"],
        name=window["name"],
        kind=CounterKind(window["kind"]),
        profile=profile,
        rules=dict(window.get("rules") or {}),
    )


def plan_payload(row: Row) -> dict[str, Any]:
    return {
        "id": row["id"],
        "site": row["site_id"],
        "name": row["name"],
        "windows": json.loads(row["body"])["windows"],
        "created_by": row["created_by"],
        "created_at": row["created_at"],
        "changed_at": row["changed_at"],
        "applied_from": row["applied_from"],
        "applied_at": row["applied_at"],
        "applied_by": row["applied_by"],
    }


def _body(form: PlanForm) -> dict[str, Any]:
    windows = []
    for window in sorted(form.windows, key=lambda w: w.number):
        windows.append(
            {
                "number": window.number,
                "name": window.name,
                "kind": window.kind,
                "profile": [
                    {"service": line.service, "weight": line.weight}
                    if line.service
                    else {"bundle": line.bundle, "weight": line.weight}
                    for line in window.profile
                ],
                "rules": window.rules.given() if window.rules is not None else {},
                "hours": window.hours.days() if window.hours is not None else None,
            }
        )
    return {"windows": windows}


def _check_offered(store: Store, site_id: str, windows: list[dict[str, Any]]) -> None:
    for i, window in enumerate(windows):
        for j, line in enumerate(window["profile"]):
            kind = "service" if line.get("service") else "bundle"
            code = line.get(kind) or ""
            found = (
                store.catalogue.service(code) if kind == "service" else store.catalogue.bundle(code)
            )
            where = f"windows[{i}].profile[{j}]"
            if found is None:
                raise FieldInvalid(where, "unknown_item", value=code)
            if not store.offerings.offers(site_id, kind, code):
                raise FieldInvalid(where, "not_offered", value=code)


def _site(store: Store, site_id: str) -> Site:
    site = store.sites.get(site_id)
    if site is None:
        raise UnknownSite(site=site_id)
    return site


def _plan(store: Store, site_id: str, plan_id: str) -> Row:
    row = store.window_plans.get(site_id, plan_id)
    if row is None:
        raise UnknownWindowPlan(site=site_id, plan=plan_id[:40])
    return row


# --- drafts ---------------------------------------------------------------------------


def list_plans(db: Database, site_id: str) -> dict[str, Any]:
    store = db.store
    _site(store, site_id)
    return {
        "site": site_id,
        "plans": [plan_payload(r) for r in store.window_plans.of_site(site_id)],
        "current": current_windows(store.counters.of_site(site_id)),
    }


def get_plan(db: Database, site_id: str, plan_id: str) -> dict[str, Any]:
    store = db.store
    _site(store, site_id)
    return plan_payload(_plan(store, site_id, plan_id))


def save_plan(
    db: Database,
    actor: Principal,
    site_id: str,
    form: PlanForm,
    now: datetime,
    plan_id: str | None = None,
) -> dict[str, Any]:
    """Create a plan (`plan_id` None) or replace one's name and windows."""
    check_scope(actor, [site_id])
    body = _body(form)
    with db.transaction() as store:
        _site(store, site_id)
        _check_offered(store, site_id, body["windows"])
        before = None
        if plan_id is None:
            plan_id = new_id()
            store.window_plans.add(plan_id, site_id, form.name, body, actor.name, now)
        else:
            before = plan_payload(_plan(store, site_id, plan_id))
            store.window_plans.change(plan_id, form.name, body, now)
        after = plan_payload(_plan(store, site_id, plan_id))
        action = "create" if before is None else "update"
        audit.record(
            store, actor.name, action, "window_plan", f"{site_id}/{plan_id}", before, after, site_id
        )
    return after


def delete_plan(db: Database, actor: Principal, site_id: str, plan_id: str) -> dict[str, Any]:
    check_scope(actor, [site_id])
    with db.transaction() as store:
        before = plan_payload(_plan(store, site_id, plan_id))
        store.window_plans.delete(plan_id)
        audit.record(
            store,
            actor.name,
            "delete",
            "window_plan",
            f"{site_id}/{plan_id}",
            before,
            None,
            site_id,
        )
    return before


# --- the replay -------------------------------------------------------------------------


def replay_days(request: ReplayRequest, today: date) -> tuple[date, date]:
    """The local days replayed: `from`–`to` (both, before today, at most 56 days), or the
    last `weeks` complete weeks (7 days each) before today."""
    if request.start is not None or request.end is not None:
        first, last = request.start, request.end
        if first is None or last is None or first > last or last >= today:
            raise FieldInvalid("from", "replay_range", max=MAX_DAYS)
        if (last - first).days + 1 > MAX_DAYS:
            raise FieldInvalid("to", "replay_range", max=MAX_DAYS)
        return first, last
    weeks = request.weeks or DEFAULT_WEEKS
    return today - timedelta(days=7 * weeks), today - timedelta(days=1)


def _plan_windows(site_id: str, windows: list[dict[str, Any]]) -> list[window_plans.PlanWindow]:
    return [window_plans.PlanWindow(_counter(site_id, w), w.get("hours")) for w in windows]


def _outcome(plan_id: str, name: str, windows: int, found: window_plans.Outcome) -> dict[str, Any]:
    def minutes(value: float | None) -> float | None:
        return None if value is None else round(value, 1)

    everyone = found.items.get(ALL)
    return {
        "plan": plan_id,
        "name": name,
        "windows": windows,
        "items": {
            key: {
                "tickets": f.tickets,
                "served": f.served,
                "not_served": f.not_served,
                "within_target": f.within_target,
                "within_target_share": None
                if f.within_target_share is None
                else round(f.within_target_share, 3),
                "average_minutes": minutes(f.average_minutes),
                "p90_minutes": minutes(f.p90_minutes),
                "longest_minutes": minutes(f.longest_minutes),
            }
            for key, f in found.items.items()
        },
        "utilisation": {
            str(number): {str(hour): round(share, 3) for hour, share in hours_.items()}
            for number, hours_ in found.utilisation.items()
        },
        "not_served": found.not_served,
        "longest_minutes": minutes(everyone.longest_minutes) if everyone else None,
        "within_target_share": None
        if everyone is None or everyone.within_target_share is None
        else round(everyone.within_target_share, 3),
    }


def replay(
    db: Database, site_id: str, plan_id: str, request: ReplayRequest, now: datetime
) -> dict[str, Any]:
    """The plan and another (`against`; default today's plan) on the same real days."""
    store = db.store
    site = _site(store, site_id)
    plan = plan_payload(_plan(store, site_id, plan_id))
    if request.against:
        other = plan_payload(_plan(store, site_id, request.against))
        baseline = (other["id"], other["name"], other["windows"])
    else:
        baseline = (CURRENT, CURRENT, current_windows(store.counters.of_site(site_id)))
    today = date.fromisoformat(hours.local_day(now, site.timezone))
    first, last = replay_days(request, today)
    first_day, last_day = first.isoformat(), last.isoformat()
    tickets = [
        t
        for t in store.tickets.of_days(site_id, first_day, last_day)
        # a ticket cancelled before any call: its citizen chose to leave
        if not (t.status == TicketStatus.CANCELLED and t.wait_seconds is None)
    ]
    measured = store.window_plans.service_minutes(site_id, first_day, last_day)
    expected, names = _catalogue(store, {t.queue_key for t in tickets})
    target = float(site.settings.get("target_wait_minutes") or DEFAULT_TARGET_WAIT_MINUTES)
    started = time.perf_counter()
    drawn = window_plans.draw_service_minutes(tickets, measured, expected, request.seed)
    outcomes = [
        _outcome(
            pid,
            name,
            len(windows),
            window_plans.simulate(site, _plan_windows(site_id, windows), tickets, drawn, target),
        )
        for pid, name, windows in (baseline, (plan["id"], plan["name"], plan["windows"]))
    ]
    return {
        "site": site_id,
        "first_day": first_day,
        "last_day": last_day,
        "days_with_history": len({t.day for t in tickets}),
        "tickets": len(tickets),
        "target_wait_minutes": target,
        "items": names,
        "assumptions": list(window_plans.ASSUMPTIONS),
        "seconds": round(time.perf_counter() - started, 3),
        "baseline": outcomes[0],
        "plan": outcomes[1],
    }


def _catalogue(store: Store, keys: set[str]) -> tuple[dict[str, float], dict[str, str]]:
    """Queue key → the catalogue's expected minutes, and → the item's name."""
    expected: dict[str, float] = {}
    names: dict[str, str] = {}
    for key in sorted(keys):
        kind, _, code = key.partition(":")
        item = store.catalogue.service(code) if kind == "S" else store.catalogue.bundle(code)
        if item is not None:
            expected[key] = item.expected_minutes
            names[key] = item.name
        else:
            names[key] = code
    return expected, names


# --- application ------------------------------------------------------------------------


def apply(
    db: Database, actor: Principal, site_id: str, plan_id: str, start: date, now: datetime
) -> dict[str, Any]:
    """Save the plan's windows to the site's counters from `start`: now when it is today
    or past, else record it as due (the sweeper applies it that day)."""
    check_scope(actor, [site_id])
    with db.transaction() as store:
        site = _site(store, site_id)
        row = _plan(store, site_id, plan_id)
        today = date.fromisoformat(hours.local_day(now, site.timezone))
        windows = plan_payload(row)["windows"]
        _check_offered(store, site_id, windows)
        numbers = [w["number"] for w in windows]
        if start <= today:
            _save_counters(store, actor.name, site_id, plan_id, windows)
            store.window_plans.set_applied(plan_id, start.isoformat(), actor.name, now)
        else:
            store.window_plans.set_applied(plan_id, start.isoformat(), actor.name, None)
            audit.record(
                store, actor.name, "schedule", "window_plan", f"{site_id}/{plan_id}", None,
                {"from": start.isoformat(), "windows": numbers}, site_id,
            )  # fmt: skip
        plan = plan_payload(_plan(store, site_id, plan_id))
        others = [c.number for c in store.counters.of_site(site_id) if c.number not in numbers]
    return {"plan": plan, "applied": start <= today, "counters": numbers, "not_in_plan": others}


def _save_counters(
    store: Store, actor: str, site_id: str, plan_id: str, windows: list[dict[str, Any]]
) -> None:
    before, after = [], []
    for window in windows:
        existing = store.counters.get(site_id, window["number"])
        counter = _counter(site_id, window, existing)
        store.counters.save(counter)
        before.append(counter_config(existing))
        after.append(counter_config(counter))
    audit.record(
        store, actor, "apply", "window_plan", f"{site_id}/{plan_id}",
        {"counters": before}, {"counters": after}, site_id,
    )  # fmt: skip


def apply_due(db: Database, now: datetime) -> int:
    """Apply each plan whose date has come at its site (the sweeper's part); how many."""
    applied = 0
    for row in db.store.window_plans.pending():
        with db.transaction() as store:
            current = store.window_plans.get(row["site_id"], row["id"])
            site = store.sites.get(row["site_id"])
            if current is None or site is None or current["applied_at"] is not None:
                continue
            if current["applied_from"] > hours.local_day(now, site.timezone):
                continue
            windows = plan_payload(current)["windows"]
            _save_counters(
                store, current["applied_by"] or "sweeper", site.id, current["id"], windows
            )
            store.window_plans.set_applied(
                current["id"], current["applied_from"], current["applied_by"] or "sweeper", now
            )
            applied += 1
    return applied
