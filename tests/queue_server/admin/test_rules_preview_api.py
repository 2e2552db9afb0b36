"""POST /api/v1/admin/sites/<site>/rules/preview: proposed rules replayed on the hall's days.

The history is the simulator's, which calls through the same engine under the site's
rules. Without a mixing ratio, the current rules replayed give back exactly what was
recorded: leaving out recalls, returns and transfers changes no first call. (With a
ratio it would not be exact: those left-out calls move a counter's mixing turn.)
"""

from __future__ import annotations

import sqlite3
from typing import Any

import pytest
import requests

from queue_server.storage import Database
from queue_server.tools.simulation import simulate
from tests.conftest import Centre

PATH = "/admin/sites/city-hall/rules/preview"
MANAGER = ("manager", "Demo-Hall-2")


@pytest.fixture
def history(centre: Centre) -> Centre:
    """Three days of the hall under its rules with priority always first."""
    settings = {k: v for k, v in settings_now(centre).items() if k != "mix"}
    saved = centre.session(centre.login()).put(centre.api("/admin/sites/city-hall/settings"), json=settings, timeout=10)
    assert saved.status_code == 200, saved.text
    db = Database(centre.db_path)
    simulate(db, days=3, sites=["city-hall"])
    db.close()
    return centre


def preview(centre: Centre, body: Any, who: tuple[str, str] = Centre.ADMIN, lang: str = "zh-CN") -> requests.Response:
    return centre.post(PATH, body, token=centre.login(who), headers={"Accept-Language": lang})


def settings_now(centre: Centre) -> dict[str, Any]:
    return centre.get("/sites/city-hall").json()["site"]["settings"]  # type: ignore[no-any-return]


def test_the_current_rules_replayed_give_back_the_record(history: Centre) -> None:
    before = settings_now(history)
    history.login(MANAGER)  # a login is on the record: before counting
    audit_rows = len(history.get("/admin/audit", token=history.login(), params={"limit": 500}).json()["entries"])
    response = preview(history, {"days": 3}, who=MANAGER)
    assert response.status_code == 200, response.text
    found = response.json()
    assert found["days_with_history"] >= 2  # three days back: a Sunday has no history
    tickets = sqlite3.connect(history.db_path).execute(
        "SELECT count(*) FROM tickets WHERE site_id = 'city-hall' AND day BETWEEN ? AND ?",
        (found["first_day"], found["last_day"]),
    ).fetchone()[0]
    assert found["tickets"] == tickets > 100
    assert found["groups"] == ["ordinary", "appointment", "elderly", "disabled", "assisted", "priority", "all"]
    # No settings sent: the proposal is the rules as they are, and both replays are the record.
    assert found["current"] == found["recorded"] == found["proposed"]
    recorded = found["recorded"]["all"]
    assert recorded["served"] + recorded["not_served"] == tickets
    assert recorded["average_minutes"] <= recorded["p90_minutes"] <= recorded["longest_minutes"]
    assert found["rules"]["current"] == found["rules"]["proposed"]
    # Nothing was saved.
    assert settings_now(history) == before
    after = history.get("/admin/audit", token=history.login(), params={"limit": 500}).json()["entries"]
    assert len(after) == audit_rows


def test_a_ratio_against_priority_first(history: Centre) -> None:
    """A 1 : 2 ratio holds priority tickets back behind some ordinary ones: they wait
    longer, the others less."""
    assert "mix" not in settings_now(history)
    proposal = {**settings_now(history), "mix": [1, 2]}
    found = preview(history, {"settings": proposal, "days": 3}).json()
    current, proposed = found["current"], found["proposed"]
    assert proposed["priority"]["average_minutes"] > current["priority"]["average_minutes"]
    assert proposed["ordinary"]["average_minutes"] < current["ordinary"]["average_minutes"]
    assert proposed["all"]["served"] + proposed["all"]["not_served"] == found["tickets"]
    assert found["settings"] == proposal
    assert found["rules"]["current"]["mixing"].startswith("优先号（老年人")
    assert found["rules"]["proposed"]["mixing"].startswith("优先号与普通号按 1:2 交替叫号")


def test_a_counter_override_alone(history: Centre) -> None:
    counters = [c["number"] for c in history.get("/sites/city-hall").json()["counters"]]
    overrides = {str(n): {"mix": [5, 1]} for n in counters}
    found = preview(history, {"counter_rules": overrides, "days": 3}, lang="en").json()
    assert found["counter_rules"] == {str(n): {"mix": [5, 1]} for n in counters}
    # 5 priority for each ordinary, where priority always went first: priority waits longer.
    assert found["proposed"]["priority"]["average_minutes"] > found["current"]["priority"]["average_minutes"]
    assert found["rules"]["current"]["mixing"].startswith("Priority tickets (elderly, disabled")


@pytest.mark.parametrize(
    ("body", "field", "code"),
    [
        ({"days": 0}, "days", "field_integer"),
        ({"days": 57}, "days", "field_integer"),
        ({"days": "two weeks"}, "days", "field_integer"),
        ({"settings": {"mix": [1, 0]}}, "mix", "field_mix"),
        ({"settings": {"no_show_return": "front"}}, "no_show_return", "field_no_show_return"),
        ({"settings": "1:2"}, "settings", "field_form"),
        ({"counter_rules": {"999": {}}}, "counter_rules.999", "field_unknown_counter"),
        ({"counter_rules": {"one": {}}}, "counter_rules.one", "field_unknown_counter"),
        ({"counter_rules": {"1": {"mix": [0, 1]}}}, "counter_rules.1.mix", "field_mix"),
        ({"counter_rules": {"1": {"max_wait_minutes": 1000}}}, "counter_rules.1.max_wait_minutes", "field_integer"),
        ({"counter_rules": [1]}, "counter_rules", "field_form"),
    ],
)
def test_bad_requests_name_the_field(centre: Centre, body: dict[str, Any], field: str, code: str) -> None:
    zh = preview(centre, body)
    assert zh.status_code == 400, zh.text
    assert (zh.json()["error"], zh.json()["field"]) == (code, field)
    en = preview(centre, body, lang="en")
    assert en.json()["field"] == field and en.json()["message"] != zh.json()["message"]
    named = field.split(".")[-1]
    assert named in en.json()["message"] and named in zh.json()["message"]


def test_messages_in_chinese_and_english(centre: Centre) -> None:
    assert preview(centre, {"days": 0}).json()["message"] == "“days”须为 1–56 之间的整数"
    assert preview(centre, {"days": 0}, lang="en").json()["message"] == "days must be a whole number from 1 to 56"
    unknown = preview(centre, {"counter_rules": {"999": {}}}, lang="en").json()["message"]
    assert unknown == "No such window: 999"


def test_who_may_preview(centre: Centre) -> None:
    assert preview(centre, {"days": 1}, who=MANAGER).status_code == 200
    clerk = preview(centre, {"days": 1}, who=Centre.CLERK)
    assert clerk.status_code == 403 and clerk.json()["error"] == "forbidden"
    town_manager = preview(centre, {"days": 1}, who=("town", "Demo-Gutang-4"))
    assert town_manager.status_code == 403  # a township's manager does not cover the city hall
    nowhere = centre.post("/admin/sites/nowhere/rules/preview", {}, token=centre.login())
    assert nowhere.status_code == 404 and nowhere.json()["error"] == "unknown_site"


def test_no_history_answers_empty_figures(centre: Centre) -> None:
    found = preview(centre, {"settings": {"mix": [1, 1]}, "days": 14}).json()
    assert (found["tickets"], found["calls"], found["days_with_history"]) == (0, 0, 0)
    assert found["proposed"]["all"] == {
        "served": 0, "not_served": 0, "average_minutes": None, "p90_minutes": None, "longest_minutes": None,
    }  # fmt: skip
