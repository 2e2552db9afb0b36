"""/api/v1/sites/<site>/window-plans: drafts of the hall's windows replayed on its real week.

The history is the simulator's week of the demo hall. Who may call each write route is
the access table's (tests/security/test_route_access.py); here, what the routes do.
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, date, datetime, timedelta
from typing import Any

from queue_server.administration import plan_drafts
from queue_server.storage import Database
from queue_server.tools.demo import add_demo_window_plans
from tests.conftest import Centre

PLANS = "/sites/city-hall/window-plans"
MANAGER = ("manager", "Demo-Hall-2")


def current(centre: Centre) -> list[dict[str, Any]]:
    found = centre.get(PLANS, token=centre.login(MANAGER))
    assert found.status_code == 200, found.text
    return found.json()["current"]  # type: ignore[no-any-return]


def merged(windows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The first two windows merged into the first (its profile takes the second's items)."""
    first, second, *rest = windows
    items = {(p.get("service"), p.get("bundle")): p for p in [*first["profile"], *second["profile"]]}
    return [{**first, "name": "合并综合窗口", "profile": list(items.values())}, *rest]


def draft(centre: Centre, name: str, windows: list[dict[str, Any]], who: tuple[str, str] = MANAGER) -> dict[str, Any]:
    made = centre.post(PLANS, {"name": name, "windows": windows}, token=centre.login(who))
    assert made.status_code == 201, made.text
    return made.json()  # type: ignore[no-any-return]


def audit_of(centre: Centre, plan_id: str) -> list[dict[str, Any]]:
    rows = centre.get("/admin/audit", token=centre.login(), params={"kind": "window_plan", "limit": 100}).json()
    return [r for r in rows["entries"] if r["target"].endswith(plan_id)]


def test_a_merged_plan_replayed_beside_todays(hall_week: Centre) -> None:
    windows = current(hall_week)
    plan = draft(hall_week, "合并一号二号窗口", merged(windows))
    assert [w["number"] for w in plan["windows"]] == [windows[0]["number"]] + [w["number"] for w in windows[2:]]
    assert plan["created_by"] == "manager" and plan["applied_from"] is None
    assert [a["action"] for a in audit_of(hall_week, plan["id"])] == ["create"]

    response = hall_week.post(f"{PLANS}/{plan['id']}/replay", {"weeks": 1}, token=hall_week.login(MANAGER))
    assert response.status_code == 200, response.text
    found = response.json()
    tickets = sqlite3.connect(hall_week.db_path).execute(
        "SELECT count(*) FROM tickets WHERE site_id = 'city-hall' AND day BETWEEN ? AND ? AND status != 'cancelled'",
        (found["first_day"], found["last_day"]),
    ).fetchone()[0]
    assert found["tickets"] >= tickets > 100 and found["days_with_history"] >= 4
    assert (date.fromisoformat(found["last_day"]) - date.fromisoformat(found["first_day"])).days == 6
    baseline, proposed = found["baseline"], found["plan"]
    assert baseline["plan"] == "current" and proposed["plan"] == plan["id"]
    assert (baseline["windows"], proposed["windows"]) == (len(windows), len(windows) - 1)
    for outcome in (baseline, proposed):
        everyone = outcome["items"]["all"]
        assert everyone["tickets"] == found["tickets"] == everyone["served"] + everyone["not_served"]
        assert everyone["average_minutes"] <= everyone["p90_minutes"] <= everyone["longest_minutes"]
        assert outcome["longest_minutes"] == everyone["longest_minutes"]
        assert 0 <= outcome["within_target_share"] <= 1
        assert set(outcome["items"]) - {"all"} <= set(found["items"])
    assert set(proposed["utilisation"]) == {str(w["number"]) for w in plan["windows"]}
    assert found["target_wait_minutes"] > 0 and "arrivals_unchanged" in found["assumptions"]
    # The same draws again: the same figures; nothing saved, nothing audited.
    again = hall_week.post(f"{PLANS}/{plan['id']}/replay", {"weeks": 1}, token=hall_week.login(MANAGER)).json()
    assert (again["baseline"], again["plan"]) == (baseline, proposed)
    assert len(audit_of(hall_week, plan["id"])) == 1


def test_against_another_plan_and_windows_never_open(hall_week: Centre) -> None:
    windows = current(hall_week)
    closed = draft(hall_week, "全部关闭", [{**w, "hours": {}} for w in windows])
    assert all(w["hours"] == {} for w in closed["windows"])
    mornings = draft(
        hall_week, "只开上午", [{**w, "hours": {d: [["08:30", "12:00"]] for d in ("mon", "tue", "wed", "thu", "fri")}} for w in windows]
    )
    found = hall_week.post(
        f"{PLANS}/{closed['id']}/replay", {"weeks": 1, "against": mornings["id"]}, token=hall_week.login(MANAGER)
    ).json()
    assert found["baseline"]["plan"] == mornings["id"]
    shut = found["plan"]["items"]["all"]
    assert shut["served"] == 0 and shut["not_served"] == found["tickets"] == found["plan"]["not_served"]
    assert found["plan"]["utilisation"] == {str(w["number"]): {} for w in windows}
    assert all(int(hour) < 13 for hours in found["baseline"]["utilisation"].values() for hour in hours)


def test_refusals(hall_week: Centre) -> None:
    token = hall_week.login(MANAGER)
    window = current(hall_week)[0]
    unknown = hall_week.post(PLANS, {"name": "x", "windows": [{**window, "profile": [{"service": "NOPE", "weight": 1}]}]}, token=token)
    assert unknown.status_code == 400 and unknown.json()["field"] == "windows[0].profile[0]", unknown.text
    twice = hall_week.post(PLANS, {"name": "x", "windows": [window, window]}, token=token)
    assert twice.status_code == 400 and twice.json()["error"] == "field_window_duplicate", twice.text
    assert hall_week.get(f"{PLANS}/nope", token=token).status_code == 404
    plan = draft(hall_week, "x", [window])
    today = date.today()
    for body in ({"from": today.isoformat(), "to": today.isoformat()}, {"from": "2026-01-01", "to": "2026-05-01"}, {"from": "2026-01-02"}):
        refused = hall_week.post(f"{PLANS}/{plan['id']}/replay", body, token=token)
        assert refused.status_code == 400 and refused.json()["error"] == "field_replay_range", refused.text
    other = hall_week.post(f"{PLANS}/{plan['id']}/replay", {"against": "nope"}, token=token)
    assert other.status_code == 404


def test_edit_delete_and_apply(hall_week: Centre) -> None:
    windows = current(hall_week)
    plan = draft(hall_week, "草稿", merged(windows))
    changed = hall_week.session(hall_week.login(MANAGER)).put(
        hall_week.api(f"{PLANS}/{plan['id']}"), json={"name": "定稿", "windows": merged(windows)}, timeout=10
    )
    assert changed.status_code == 200 and changed.json()["name"] == "定稿", changed.text
    # A manager drafts, only an admin applies.
    today = date.today().isoformat()
    assert hall_week.post(f"{PLANS}/{plan['id']}/apply", {"from": today}, token=hall_week.login(MANAGER)).status_code == 403
    applied = hall_week.post(f"{PLANS}/{plan['id']}/apply", {"from": today})
    assert applied.status_code == 200, applied.text
    answer = applied.json()
    assert answer["applied"] is True and answer["plan"]["applied_at"] and answer["plan"]["applied_by"] == "admin"
    assert answer["not_in_plan"] == [windows[1]["number"]]
    now = {w["number"]: w for w in current(hall_week)}
    assert now[windows[0]["number"]]["name"] == "合并综合窗口"
    assert len(now[windows[0]["number"]]["profile"]) >= len(windows[1]["profile"])
    assert [a["action"] for a in audit_of(hall_week, plan["id"])] == ["apply", "update", "create"]

    deleted = hall_week.session(hall_week.login(MANAGER)).delete(hall_week.api(f"{PLANS}/{plan['id']}"), timeout=10)
    assert deleted.status_code == 200 and deleted.json()["id"] == plan["id"]
    assert hall_week.get(f"{PLANS}/{plan['id']}", token=hall_week.login(MANAGER)).status_code == 404
    assert audit_of(hall_week, plan["id"])[0]["action"] == "delete"


def test_a_later_date_is_applied_by_the_sweeper_then(hall_week: Centre) -> None:
    windows = current(hall_week)
    renamed = [{**w, "name": f"{w['name']}（新）"} for w in windows]
    plan = draft(hall_week, "下周起", renamed)
    later = date.today() + timedelta(days=10)
    due = hall_week.post(f"{PLANS}/{plan['id']}/apply", {"from": later.isoformat()}).json()
    assert due["applied"] is False and due["plan"]["applied_from"] == later.isoformat() and due["plan"]["applied_at"] is None
    assert [w["name"] for w in current(hall_week)] == [w["name"] for w in windows]
    db = Database(hall_week.db_path)
    try:
        assert plan_drafts.apply_due(db, datetime.now(UTC)) == 0
        assert plan_drafts.apply_due(db, datetime.now(UTC) + timedelta(days=11)) == 1
        assert plan_drafts.apply_due(db, datetime.now(UTC) + timedelta(days=11)) == 0
    finally:
        db.close()
    assert [w["name"] for w in current(hall_week)] == [w["name"] for w in renamed]
    assert [a["action"] for a in audit_of(hall_week, plan["id"])] == ["apply", "schedule", "create"]


def test_the_demo_citys_two_drafts_load_and_replay(hall_week: Centre) -> None:
    """`make demo` saves two drafts for the hall (add_demo_window_plans); both are valid
    plans the page lists and replays: the merged one has one window fewer, the Monday one
    opens window 6 on Monday mornings only."""
    db = Database(hall_week.db_path)
    try:
        assert add_demo_window_plans(db) == 2
    finally:
        db.close()
    listed = hall_week.get(PLANS, token=hall_week.login(MANAGER)).json()
    plans = {p["name"]: p for p in listed["plans"]}
    merged = next(p for name, p in plans.items() if name.startswith("合并"))
    monday = next(p for name, p in plans.items() if name.startswith("6号窗"))
    assert len(merged["windows"]) == len(listed["current"]) - 1
    assert next(w for w in monday["windows"] if w["number"] == 6)["hours"] == {"mon": [["08:30", "12:00"]]}
    for plan in (merged, monday):
        replayed = hall_week.post(f"{PLANS}/{plan['id']}/replay", {"weeks": 1}, token=hall_week.login(MANAGER))
        assert replayed.status_code == 200, replayed.text
