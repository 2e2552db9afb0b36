"""好差评 as the rules want it: one 满意率, a 差评's reason, its follow-up (整改/回访), and
the ratings export for the national system — over a real centre."""
from __future__ import annotations

import csv
import io
import sqlite3
from typing import get_args

import requests

from queue_server.engine import ratings as rating_rules
from queue_server.wire.shapes import BadReason
from tests.conftest import Centre
from tests.queue_server.pages.test_calling_api import serve_one

MANAGER = ("manager", "Demo-Hall-2")
OTHER_MANAGER = ("town", "Demo-Gutang-4")  # a manager of another subtree


def rate_by_phone(centre: Centre, ticket: dict, level: int, **more: str) -> requests.Response:  # type: ignore[type-arg]
    body = {"level": level, "key": ticket["key"], **more}
    return requests.post(centre.api(f"/tickets/{ticket['id']}/rating"), json=body, timeout=10)


def follow_ups(centre: Centre, status: str = "", who: tuple[str, str] = MANAGER) -> requests.Response:
    query = f"?status={status}" if status else ""
    return centre.get(f"/sites/city-hall/follow-ups{query}", token=centre.login(who))


def test_the_wire_names_the_engines_reasons() -> None:
    assert get_args(BadReason) == rating_rules.BAD_REASONS


def test_satisfaction_is_one_number_in_the_ratings_api_and_the_reports(centre: Centre) -> None:
    levels = [5, 4, 3, 3, 2, 1, 1, 5]
    for level in levels:
        done = serve_one(centre)
        reason = {"reason": "slow"} if level <= 2 else {}
        assert rate_by_phone(centre, done, level, **reason).status_code == 201
    day = centre.get("/sites/city-hall/ratings", token=centre.login()).json()
    expected = round(sum(level >= 3 for level in levels) / len(levels), 4)  # 5 of 8: 基本满意 or better
    assert day["satisfied_share"] == expected == 0.625
    when = f"from={day['day']}&to={day['day']}&site=city-hall"
    table = centre.get(f"/reports/ratings?{when}", token=centre.login()).json()
    row = table["rows"][0]
    assert row[table["columns"].index("满意率")] == expected
    assert row[table["columns"].index("评价数")] == len(levels)
    summary = centre.get(f"/reports/summary?{when}", token=centre.login()).json()
    assert dict(summary["rows"])["satisfaction_rate"] == expected


def test_a_bad_rating_from_the_phone_names_its_reason_and_opens_a_follow_up(centre: Centre) -> None:
    done = serve_one(centre)
    refused = rate_by_phone(centre, done, 2)
    assert refused.status_code == 400
    assert refused.json()["error"] == "reason_required" and refused.json()["field"] == "reason"
    assert "原因" in refused.json()["message"]
    assert rate_by_phone(centre, done, 2, reason="rude").status_code == 400  # not on the list
    assert rate_by_phone(centre, serve_one(centre), 5, reason="slow").status_code == 400  # good: none
    assert follow_ups(centre).json()["follow_ups"] == []

    rated = rate_by_phone(centre, done, 2, reason="many_visits", note="第三次来了")
    assert rated.status_code == 201, rated.text
    assert rated.json()["rating"]["reason"] == "many_visits"
    assert rated.json()["rating"]["reason_name"] == "多次跑动"
    assert rated.json()["rating"]["reason_name_en"] == "Had to come back several times"
    listed = follow_ups(centre, "open").json()
    (opened,) = listed["follow_ups"]
    assert opened["ticket"] == done["id"] and opened["counter"] == 1 and opened["clerk"] == "admin"
    assert (opened["level"], opened["reason"], opened["reason_name"]) == (2, "many_visits", "多次跑动")
    assert opened["status"] == "open" and not opened["overdue"] and opened["due_on"] > listed["today"]
    assert listed["open"] == 1 and listed["overdue"] == 0


def test_the_evaluators_bad_rating_opens_a_follow_up_not_stated(centre: Centre, sign_token: str) -> None:
    done = serve_one(centre)
    rated = centre.post(f"/tickets/{done['id']}/rating", {"level": 1}, token=sign_token)
    assert rated.status_code == 201, rated.text
    assert rated.json()["rating"]["reason_name"] == "未说明"
    (opened,) = follow_ups(centre, "open").json()["follow_ups"]
    assert (opened["level"], opened["reason"], opened["reason_name"]) == (1, "not_stated", "未说明")


def test_a_manager_closes_a_follow_up_with_a_note_another_sites_may_not(centre: Centre) -> None:
    rate_by_phone(centre, serve_one(centre), 1, reason="attitude")
    (opened,) = follow_ups(centre, "open").json()["follow_ups"]
    close = f"/follow-ups/{opened['id']}/close"
    assert follow_ups(centre, who=OTHER_MANAGER).status_code == 403
    refused = centre.post(close, {"note": "看看"}, token=centre.login(OTHER_MANAGER))
    assert refused.status_code == 403
    assert centre.post(close, {"note": ""}, token=centre.login(MANAGER)).status_code == 400
    assert centre.post(close, {}, token=centre.login(MANAGER)).status_code == 400

    closed = centre.post(close, {"note": "已电话回访，向群众致歉"}, token=centre.login(MANAGER))
    assert closed.status_code == 200, closed.text
    assert closed.json()["status"] == "closed" and closed.json()["closed_by"] == "manager"
    assert closed.json()["note"] == "已电话回访，向群众致歉"
    again = centre.post(close, {"note": "再关一次"}, token=centre.login(MANAGER))
    assert again.status_code == 409 and again.json()["error"] == "follow_up_closed"
    assert follow_ups(centre, "open").json()["follow_ups"] == []
    assert [f["id"] for f in follow_ups(centre, "closed").json()["follow_ups"]] == [opened["id"]]
    audit = centre.get("/admin/audit?kind=follow_up", token=centre.login()).json()
    (entry,) = audit["entries"]
    assert (entry["actor"], entry["action"], entry["target"]) == ("manager", "close", opened["id"])
    assert entry["before"]["status"] == "open" and entry["after"]["note"] == "已电话回访，向群众致歉"


def test_a_follow_up_past_its_due_day_is_overdue(centre: Centre) -> None:
    rate_by_phone(centre, serve_one(centre), 2, reason="slow")
    rate_by_phone(centre, serve_one(centre), 1, reason="other")
    first, second = follow_ups(centre).json()["follow_ups"]
    with sqlite3.connect(centre.db_path) as db:  # 16 working days on: the first is past due
        db.execute("UPDATE follow_ups SET due_on = '2020-01-02' WHERE id = ?", (first["id"],))
    listed = follow_ups(centre, "open").json()
    assert [f["overdue"] for f in listed["follow_ups"]] == [True, False] and listed["overdue"] == 1
    centre.post(f"/follow-ups/{first['id']}/close", {"note": "整改完毕"}, token=centre.login(MANAGER))
    assert follow_ups(centre, "closed").json()["follow_ups"][0]["overdue"] is False


def test_the_export_has_the_national_fields_and_is_safe_from_formulas(centre: Centre) -> None:
    catalog = centre.get("/admin/catalog", token=centre.login()).json()
    (service,) = [s for s in catalog["services"] if s["code"] == "A101"]
    changed = requests.put(
        centre.api("/admin/services/A101"),
        json={
            **{k: v for k, v in service.items() if k not in ("code",)},
            "department": '=HYPERLINK("http://x","详情")',
        },
        headers={"Authorization": f"Bearer {centre.login()}"},
        timeout=10,
    )
    assert changed.status_code == 200, changed.text
    good, bad = serve_one(centre), serve_one(centre)
    rate_by_phone(centre, good, 5)
    rate_by_phone(centre, bad, 2, reason="unclear_materials")
    day = centre.get("/sites/city-hall/ratings", token=centre.login()).json()["day"]
    query = f"/sites/city-hall/ratings/export?from={day}&to={day}&format=csv"
    assert centre.get(query, token=centre.login(OTHER_MANAGER)).status_code == 403
    assert centre.get(query, token=centre.login(Centre.CLERK)).status_code == 403
    answer = centre.get(query, token=centre.login(MANAGER))
    assert answer.status_code == 200 and answer.headers["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(answer.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["评价编号", "评价时间", "事项名称"] and "差评原因" in rows[0] and "整改状态" in rows[0]
    found = {row[0]: dict(zip(rows[0], row, strict=True)) for row in rows[1:]}
    assert set(found) == {good["id"], bad["id"]}
    assert found[bad["id"]]["评价等级"] == "不满意" and found[bad["id"]]["差评原因"] == "材料要求不清"
    assert found[bad["id"]]["整改状态"] == "整改中" and found[good["id"]]["整改状态"] == ""
    assert found[good["id"]]["评价渠道"] == "移动端" and found[good["id"]]["事项编码"] == "A101"
    assert found[good["id"]]["办理部门"] == "'" + '=HYPERLINK("http://x","详情")'  # text, never a formula
    text = answer.content.decode("utf-8-sig")
    assert "person" not in text and "hash" not in text
    xlsx = centre.get(query.replace("csv", "xlsx"), token=centre.login(MANAGER))
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    backwards = centre.get(f"/sites/city-hall/ratings/export?from={day}&to=2020-01-01", token=centre.login())
    assert backwards.status_code == 400
