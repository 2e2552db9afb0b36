"""Administration over /api/v1/admin: validation names the field, only admins may change,
and every change writes exactly one audit row with the record before and after."""
from __future__ import annotations

import csv
import io
import json
from typing import Any

import pytest
import requests

from tests.conftest import Centre

MANAGER = ("manager", "Demo-Hall-2")


def put(centre: Centre, path: str, body: Any, token: str | None = None, lang: str = "zh-CN") -> requests.Response:
    return requests.put(
        centre.api(path),
        json=body,
        headers={"Authorization": f"Bearer {token or centre.login()}", "Accept-Language": lang},
        timeout=10,
    )


def post(centre: Centre, path: str, body: Any, token: str | None = None, lang: str = "zh-CN") -> requests.Response:
    return centre.post(path, body, token=token, headers={"Accept-Language": lang})


def audit(centre: Centre, **params: Any) -> list[dict[str, Any]]:
    response = centre.get("/admin/audit", token=centre.login(), params=params)
    assert response.status_code == 200, response.text
    return response.json()["entries"]  # type: ignore[no-any-return]


# Access on the record (logins, report reads, views of personal data) is not a change.
ACCESS_KINDS = {"login", "report", "personal_data"}


def changes(centre: Centre) -> list[dict[str, Any]]:
    return [r for r in audit(centre, limit=500) if r["kind"] not in ACCESS_KINDS]


def audit_count(centre: Centre) -> int:
    return len(changes(centre))


def one_new_row(centre: Centre, before_count: int) -> dict[str, Any]:
    rows = changes(centre)
    assert len(rows) == before_count + 1, [r["kind"] + ":" + r["action"] for r in rows[: len(rows) - before_count]]
    return rows[0]


def field_error(response: requests.Response, field: str) -> dict[str, Any]:
    assert response.status_code == 400, response.text
    body = response.json()
    assert body["field"] == field, body
    assert body["message"], body
    return body  # type: ignore[no-any-return]


# --- who may ------------------------------------------------------------------------------

ROUTES = [
    ("get", "/admin/audit", None),
    ("post", "/admin/sites", {"id": "x-site", "name": "X", "kind": "hall"}),
    ("put", "/admin/sites/city-hall", {"name": "X", "kind": "hall"}),
    ("put", "/admin/sites/city-hall/offerings", {"services": []}),
    ("put", "/admin/sites/city-hall/counters/31", {"name": "X", "profile": [{"service": "A101"}]}),
    ("get", "/admin/catalog", None),
    ("post", "/admin/catalog/import", {"format": "json", "text": "{}"}),
    ("put", "/admin/services/Z001", {"name": "X"}),
    ("put", "/admin/bundles/Z001", {"name": "X"}),
    ("get", "/admin/staff", None),
    ("post", "/admin/staff", {"username": "x"}),
    ("put", "/admin/staff/clerk", {"active": False}),
    ("post", "/admin/staff/clerk/password", {"password": "whatever-123"}),
    ("post", "/admin/staff/clerk/unlock", {}),
    ("get", "/admin/devices", None),
    ("post", "/admin/devices", {"kind": "kiosk", "site": "city-hall"}),
    ("post", "/admin/devices/nothing/revoke", {}),
    ("get", "/admin/sites/city-hall/proxies", None),
    ("post", "/admin/sites/city-hall/proxies", {"kind": "staff", "username": "clerk", "daily_cap": 5}),
    ("put", "/admin/sites/city-hall/proxies/nothing", {"active": False}),
    ("put", "/admin/sites/city-hall/slot-plans/service/A101", {"slot_minutes": 30, "capacity": 2, "days_ahead": 3}),
    ("delete", "/admin/sites/city-hall/slot-plans/service/A101", None),
    ("get", "/admin/webhooks", None),
    ("post", "/admin/webhooks", {"url": "http://127.0.0.1:9/", "events": ["ticket.called"], "sites": ["city-hall"]}),
    ("put", "/admin/webhooks/nothing", {"active": False}),
    ("delete", "/admin/webhooks/nothing", None),
    ("post", "/admin/webhooks/nothing/ping", {}),
    ("get", "/admin/webhooks/nothing/deliveries", None),
    ("get", "/admin/calendar/2026", None),
    ("put", "/admin/calendar/2027", {"days": [{"date": "2027-01-01", "kind": "holiday"}]}),
]


# Trying rules on history saves nothing, and the hall's own settings (waits, announcements,
# queue rules) are its managers' to set: the site's managers may as well as its admins.
MANAGERS_MAY = [
    ("post", "/admin/sites/city-hall/rules/preview", {"days": 1}),
    ("put", "/admin/sites/city-hall/settings", {}),
    # A site's own days (a market-day closure) are its managers' to set as well.
    ("get", "/admin/sites/city-hall/days", None),
    ("put", "/admin/sites/city-hall/days/2026-10-12", {"closed": True}),
    ("delete", "/admin/sites/city-hall/days/2026-10-12", None),
]


def test_every_admin_route_is_documented_here_too(centre: Centre) -> None:
    documented = {
        (method, path)
        for path, item in centre.get("/openapi.json").json()["paths"].items()
        if path.startswith("/api/v1/admin")
        for method in item
    }
    assert len(documented) == len(ROUTES) + len(MANAGERS_MAY)


@pytest.mark.parametrize("who", [MANAGER, Centre.CLERK])
def test_non_admins_get_403_and_change_nothing(centre: Centre, who: tuple[str, str]) -> None:
    token = centre.login(who)
    before = audit_count(centre)
    for method, path, body in ROUTES + (MANAGERS_MAY if who == Centre.CLERK else []):
        response = requests.request(
            method, centre.api(path), json=body, headers={"Authorization": f"Bearer {token}"}, timeout=10
        )
        assert response.status_code == 403, (method, path, response.status_code, response.text)
        assert response.json()["error"] == "forbidden"
    assert audit_count(centre) == before


def test_devices_and_strangers_are_refused(centre: Centre) -> None:
    for method, path, body in ROUTES + MANAGERS_MAY:
        anonymous = requests.request(method, centre.api(path), json=body, timeout=10)
        assert anonymous.status_code == 401, (method, path)
        kiosk = requests.request(
            method, centre.api(path), json=body, headers={"Authorization": f"Bearer {centre.kiosk_token}"}, timeout=10
        )
        assert kiosk.status_code == 403, (method, path)


# --- sites ----------------------------------------------------------------------------------

HOURS = {"mon": [["08:30", "12:00"], ["13:30", "17:30"]], "sat": [["09:00", "12:00"]]}


def test_create_and_edit_a_site_with_its_audit_rows(centre: Centre) -> None:
    count = audit_count(centre)
    body = {"id": "village-new", "name": "新村便民服务站", "kind": "village_station", "parent": "town-gutang", "hours": HOURS}
    response = post(centre, "/admin/sites", body)
    assert response.status_code == 201, response.text
    row = one_new_row(centre, count)
    assert (row["actor"], row["action"], row["kind"], row["target"], row["site"]) == (
        "admin", "create", "site", "village-new", "village-new",
    )  # fmt: skip
    assert row["before"] is None
    assert row["after"]["parent"] == "town-gutang" and row["after"]["hours"] == HOURS
    assert row["after"]["timezone"] == "Asia/Shanghai"
    site = centre.get("/sites/village-new").json()["site"]
    assert site["hours"] == HOURS and site["parent"] == "town-gutang"

    response = put(centre, "/admin/sites/village-new", {**body, "name": "新村", "timezone": "Asia/Urumqi"})
    assert response.status_code == 200, response.text
    row = one_new_row(centre, count + 1)
    assert row["action"] == "update"
    assert (row["before"]["name"], row["after"]["name"]) == ("新村便民服务站", "新村")
    assert (row["before"]["timezone"], row["after"]["timezone"]) == ("Asia/Shanghai", "Asia/Urumqi")


def test_editing_a_site_keeps_its_settings(centre: Centre) -> None:
    settings = centre.get("/sites/city-hall").json()["site"]["settings"]
    response = put(centre, "/admin/sites/city-hall", {"name": "市政务服务中心", "kind": "hall", "hours": HOURS})
    assert response.status_code == 200, response.text
    assert centre.get("/sites/city-hall").json()["site"]["settings"] == settings


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"id": "Bad Id", "name": "X", "kind": "hall"}, "id"),
        ({"id": "city-hall", "name": "X", "kind": "hall"}, "id"),
        ({"id": "new-site", "kind": "hall"}, "name"),
        ({"id": "new-site", "name": "X", "kind": "palace"}, "kind"),
        ({"id": "new-site", "name": "X", "kind": "hall", "parent": "atlantis"}, "parent"),
        ({"id": "new-site", "name": "X", "kind": "hall", "timezone": "Mars/Olympus"}, "timezone"),
        ({"id": "new-site", "name": "X", "kind": "hall", "hours": {"mon": [["08:30", "12:00"], ["11:30", "17:00"]]}}, "hours.mon"),
        ({"id": "new-site", "name": "X", "kind": "hall", "hours": {"tue": [["17:00", "08:30"]]}}, "hours.tue"),
        ({"id": "new-site", "name": "X", "kind": "hall", "hours": {"wed": [["8h", "17:00"]]}}, "hours.wed"),
        ({"id": "new-site", "name": "X", "kind": "hall", "hours": {"someday": []}}, "hours.someday"),
        ({"id": "new-site", "name": "X" * 101, "kind": "hall"}, "name"),
    ],
)
def test_site_validation_names_the_field(centre: Centre, body: dict[str, Any], field: str) -> None:
    count = audit_count(centre)
    field_error(post(centre, "/admin/sites", body), field)
    assert audit_count(centre) == count


def test_a_site_cannot_hang_below_itself(centre: Centre) -> None:
    body = {"name": "古塘镇便民服务中心", "kind": "township_center", "parent": "village-jinqiu"}
    error = field_error(put(centre, "/admin/sites/town-gutang", body), "parent")
    assert error["error"] == "field_parent_cycle"


# --- settings ---------------------------------------------------------------------------------

GOOD_SETTINGS = {
    "target_wait_minutes": 15,
    "max_wait_minutes": 45,
    "identification": "required",
    "elderly_age": 60,
    "daily_limit_per_person": 2,
    "announce_template": "请{number}号到{window}号窗口（{window_name}）",
    "announce_template_en": "Number {number}, window {window}",
    "announce_english": True,
    "announce_times": 2,
    "notice": "今天下午系统维护",
    "notice_en": "Maintenance this afternoon",
    "mix": [1, 2],
    "appointment_early_minutes": 20,
    "appointment_late_minutes": 10,
    "no_show_calls": 2,
    "no_show_interval_seconds": 30,
    "no_show_return": 3,
    "walk_in_share": 0.3,
}


def test_settings_are_saved_read_by_the_display_and_audited(centre: Centre) -> None:
    old = centre.get("/sites/city-hall").json()["site"]["settings"]
    count = audit_count(centre)
    response = put(centre, "/admin/sites/city-hall/settings", GOOD_SETTINGS)
    assert response.status_code == 200, response.text
    assert response.json()["settings"] == GOOD_SETTINGS
    row = one_new_row(centre, count)
    assert (row["kind"], row["action"], row["target"]) == ("settings", "update", "city-hall")
    assert row["before"] == old and row["after"] == GOOD_SETTINGS
    board = centre.get("/sites/city-hall/board", token=centre.display_token).json()["site"]
    assert board["notice"] == "今天下午系统维护"
    assert board["announce_template"] == GOOD_SETTINGS["announce_template"]
    assert board["announce_times"] == 2


def test_empty_settings_fall_back_to_defaults(centre: Centre) -> None:
    response = put(centre, "/admin/sites/city-hall/settings", {"target_wait_minutes": "", "notice": "", "identification": "off"})
    assert response.status_code == 200, response.text
    assert response.json()["settings"] == {"identification": "off"}


@pytest.mark.parametrize(
    ("change", "field", "code"),
    [
        ({"target_wait_minutes": 0}, "target_wait_minutes", "field_integer"),
        ({"target_wait_minutes": "soon"}, "target_wait_minutes", "field_integer"),
        ({"target_wait_minutes": 12.5}, "target_wait_minutes", "field_integer"),
        ({"max_wait_minutes": 10}, "max_wait_minutes", "field_below_target"),
        ({"identification": "maybe"}, "identification", "field_choice"),
        ({"elderly_age": 30}, "elderly_age", "field_integer"),
        ({"daily_limit_per_person": True}, "daily_limit_per_person", "field_integer"),
        ({"announce_template": "请{number}号办理"}, "announce_template", "field_template"),
        ({"announce_template": "请{number}号到{counter}号窗口"}, "announce_template", "field_placeholder"),
        ({"announce_template": "请{number号到{window}号窗口"}, "announce_template", "field_placeholder"),
        ({"announce_template_en": "Number {number}"}, "announce_template_en", "field_template"),
        ({"announce_english": "yes"}, "announce_english", "field_bool"),
        ({"announce_times": 5}, "announce_times", "field_integer"),
        ({"notice": "第一行\n第二行"}, "notice", "field_one_line"),
        ({"notice": "长" * 201}, "notice", "field_too_long"),
        ({"colour": "red"}, "colour", "field_unknown_setting"),
        ({"mix": [0, 2]}, "mix", "field_mix"),
        ({"mix": [1, 21]}, "mix", "field_mix"),
        ({"mix": [1]}, "mix", "field_mix"),
        ({"mix": "1:2"}, "mix", "field_mix"),
        ({"mix": [1, True]}, "mix", "field_mix"),
        ({"mix": ["1", ""]}, "mix", "field_mix"),
        ({"appointment_early_minutes": -1}, "appointment_early_minutes", "field_integer"),
        ({"appointment_late_minutes": 121}, "appointment_late_minutes", "field_integer"),
        ({"no_show_calls": 0}, "no_show_calls", "field_integer"),
        ({"no_show_calls": 6}, "no_show_calls", "field_integer"),
        ({"no_show_interval_seconds": 301}, "no_show_interval_seconds", "field_integer"),
        ({"no_show_return": "start"}, "no_show_return", "field_no_show_return"),
        ({"no_show_return": 21}, "no_show_return", "field_no_show_return"),
        ({"no_show_return": -1}, "no_show_return", "field_no_show_return"),
        ({"no_show_return": 2.5}, "no_show_return", "field_no_show_return"),
        ({"walk_in_share": 1.5}, "walk_in_share", "field_fraction"),
        ({"walk_in_share": "much"}, "walk_in_share", "field_fraction"),
        ({"walk_in_share": False}, "walk_in_share", "field_fraction"),
    ],
)
def test_settings_validation_names_the_field(centre: Centre, change: dict[str, Any], field: str, code: str) -> None:
    count = audit_count(centre)
    error = field_error(put(centre, "/admin/sites/city-hall/settings", {**GOOD_SETTINGS, **change}), field)
    assert error["error"] == code
    assert audit_count(centre) == count


def test_messages_in_chinese_and_english(centre: Centre) -> None:
    bad = {**GOOD_SETTINGS, "announce_template": "请{number}号办理"}
    zh = put(centre, "/admin/sites/city-hall/settings", bad).json()["message"]
    en = put(centre, "/admin/sites/city-hall/settings", bad, lang="en").json()["message"]
    assert "播报模板须包含 {number}" in zh and "{window}" in zh
    assert en == "The announcement must contain {number} and {window}"
    zh = put(centre, "/admin/sites/city-hall/settings", {"elderly_age": 200}).json()["message"]
    assert zh == "“elderly_age”须为 50–100 之间的整数"


def test_queue_rules_as_the_form_sends_them(centre: Centre) -> None:
    """The form sends text: the numbers come back as numbers, an empty ratio means none,
    and the site's rule sentences follow at once."""
    form = {"mix": ["2", "3"], "no_show_return": "end", "walk_in_share": "0.25", "no_show_calls": "3",
            "max_wait_minutes": "45", "identification": "off"}  # fmt: skip
    response = put(centre, "/admin/sites/city-hall/settings", form)
    assert response.status_code == 200, response.text
    assert response.json()["settings"] == {
        "mix": [2, 3], "no_show_return": "end", "walk_in_share": 0.25, "no_show_calls": 3,
        "max_wait_minutes": 45, "identification": "off",
    }  # fmt: skip
    rules = centre.get("/sites/city-hall").json()["rules"]
    assert rules["zh"]["mixing"] == "优先号与普通号按 2:3 交替叫号；任何人等候满 45 分钟即优先叫号。"
    assert "3 times" in rules["en"]["no_show"]
    response = put(centre, "/admin/sites/city-hall/settings", {"mix": ["", ""], "no_show_return": 0})
    assert response.json()["settings"] == {"identification": "off", "no_show_return": 0}
    assert centre.get("/sites/city-hall").json()["rules"]["zh"]["mixing"].startswith("优先号（老年人")


def test_rule_messages_in_both_languages(centre: Centre) -> None:
    zh = put(centre, "/admin/sites/city-hall/settings", {"mix": [0, 1]}).json()["message"]
    en = put(centre, "/admin/sites/city-hall/settings", {"mix": [0, 1]}, lang="en").json()["message"]
    assert zh.startswith("“mix”须为两个 1–20 之间的整数") and en.startswith("mix must be two whole numbers from 1 to 20")
    en = put(centre, "/admin/sites/city-hall/settings", {"walk_in_share": 2}, lang="en").json()["message"]
    assert en == "walk_in_share must be a number from 0 to 1 (e.g. 0.3 for 30 %)"


# --- offerings and counters ----------------------------------------------------------------


def test_offerings_are_validated_and_audited(centre: Centre) -> None:
    services = [s["code"] for s in centre.get("/sites/station-cbd").json()["services"]]
    count = audit_count(centre)
    response = put(centre, "/admin/sites/station-cbd/offerings", {"services": services + ["A101"], "bundles": []})
    assert response.status_code == 200, response.text
    row = one_new_row(centre, count)
    assert row["before"]["services"] == services and row["after"]["services"] == services + ["A101"]
    field_error(put(centre, "/admin/sites/station-cbd/offerings", {"services": ["NOPE"]}), "services")


def test_a_new_counter_is_callable_at_once(centre: Centre) -> None:
    count = audit_count(centre)
    profile = [{"service": "A101", "weight": 2}, {"bundle": "Y01", "weight": 1}]
    response = put(centre, "/admin/sites/city-hall/counters/31", {"name": "综合窗口31", "kind": "comprehensive", "profile": profile})
    assert response.status_code == 200, response.text
    row = one_new_row(centre, count)
    assert (row["kind"], row["action"], row["target"], row["before"]) == ("counter", "create", "city-hall/31", None)
    assert row["after"] == {"number": 31, "name": "综合窗口31", "kind": "comprehensive", "profile": profile, "rules": {}}

    number = centre.issue("A101")["ticket"]["number"]
    assert centre.counter(31, "open").status_code == 200
    called = centre.counter(31, "call-next")
    assert called.status_code == 200, called.text
    assert called.json()["ticket"]["number"] == number

    # Editing keeps the counter's state (open, with its ticket) and logs before/after.
    response = put(centre, "/admin/sites/city-hall/counters/31", {"name": "综合窗口31", "kind": "comprehensive", "profile": profile[:1]})
    assert response.status_code == 200, response.text
    row = one_new_row(centre, count + 1)
    assert row["action"] == "update"
    assert row["before"]["profile"] == profile and row["after"]["profile"] == profile[:1]
    view = centre.get("/sites/city-hall/counters/31", token=centre.login()).json()
    assert view["counter"]["state"] == "open"


def test_a_counter_keeps_its_own_rules(centre: Centre) -> None:
    """Overrides of the mixing rule and the longest wait live with the counter, are audited,
    shown with it, and kept by an edit that leaves them out."""
    body = {"name": "综合窗口1", "kind": "comprehensive", "profile": [{"service": "A101", "weight": 1}]}
    count = audit_count(centre)
    response = put(centre, "/admin/sites/city-hall/counters/1", {**body, "rules": {"mix": ["1", "1"], "max_wait_minutes": 30}})
    assert response.status_code == 200, response.text
    assert response.json()["counter"]["rules"] == {"mix": [1, 1], "max_wait_minutes": 30}
    row = one_new_row(centre, count)
    assert row["after"]["rules"] == {"mix": [1, 1], "max_wait_minutes": 30} and row["before"]["rules"] == {}

    def shown() -> dict[str, Any]:
        counters = centre.get("/sites/city-hall").json()["counters"]
        return next(c["rules"] for c in counters if c["number"] == 1)  # type: ignore[no-any-return]

    assert shown() == {"mix": [1, 1], "max_wait_minutes": 30}
    assert put(centre, "/admin/sites/city-hall/counters/1", body).status_code == 200
    assert shown() == {"mix": [1, 1], "max_wait_minutes": 30}
    assert put(centre, "/admin/sites/city-hall/counters/1", {**body, "rules": {"mix": None, "max_wait_minutes": ""}}).status_code == 200
    assert shown() == {}


@pytest.mark.parametrize(
    ("rules", "field", "code"),
    [
        ({"mix": [1, 0]}, "rules.mix", "field_mix"),
        ({"max_wait_minutes": 0}, "rules.max_wait_minutes", "field_integer"),
        ({"no_show_calls": 2}, "rules.no_show_calls", "field_unknown_setting"),
        ([1, 2], "rules", "field_form"),
    ],
)
def test_counter_rules_are_validated(centre: Centre, rules: Any, field: str, code: str) -> None:
    count = audit_count(centre)
    body = {"name": "X", "profile": [{"service": "A101"}], "rules": rules}
    error = field_error(put(centre, "/admin/sites/city-hall/counters/1", body), field)
    assert error["error"] == code and field in error["message"]
    assert audit_count(centre) == count


def _station_service_not_offered(centre: Centre) -> str:
    offered = {s["code"] for s in centre.get("/sites/station-cbd").json()["services"]}
    every = json.loads(centre.get("/admin/catalog", token=centre.login()).text)["services"]
    return next(s["code"] for s in every if s["code"] not in offered)


@pytest.mark.parametrize(
    ("body", "field", "code"),
    [
        ({"kind": "comprehensive", "profile": [{"service": "A101"}]}, "name", "field_required"),
        ({"name": "X", "kind": "teller", "profile": [{"service": "A101"}]}, "kind", "field_choice"),
        ({"name": "X", "profile": []}, "profile", "field_profile_empty"),
        ({"name": "X", "profile": [{"service": "A101", "weight": 0}]}, "profile[0]", "field_profile_entry"),
        ({"name": "X", "profile": [{"service": "A101", "bundle": "Y01"}]}, "profile[0]", "field_profile_entry"),
        ({"name": "X", "profile": [{"service": "A101"}, {"service": "NOPE"}]}, "profile[1]", "field_unknown_item"),
        ({"name": "X", "profile": [{"service": "A101"}, {"service": "A101"}]}, "profile", "field_profile_duplicate"),
    ],
)
def test_counter_validation_names_the_field(centre: Centre, body: dict[str, Any], field: str, code: str) -> None:
    count = audit_count(centre)
    error = field_error(put(centre, "/admin/sites/city-hall/counters/32", body), field)
    assert error["error"] == code
    assert audit_count(centre) == count


def test_a_counter_serves_only_what_its_site_offers(centre: Centre) -> None:
    code = _station_service_not_offered(centre)
    body = {"name": "X", "profile": [{"service": code}]}
    error = field_error(put(centre, "/admin/sites/station-cbd/counters/9", body), "profile[0]")
    assert error["error"] == "field_not_offered" and code in error["message"]


# --- catalogue ------------------------------------------------------------------------------


def test_export_json_and_csv(centre: Centre) -> None:
    token = centre.login()
    data = json.loads(centre.get("/admin/catalog", token=token).text)
    assert len(data["services"]) == 46 and len(data["bundles"]) == 4
    text = centre.get("/admin/catalog", token=token, params={"format": "csv"}).content.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == 46 and rows[0]["code"] == data["services"][0]["code"]


def test_import_json_audits_what_changed(centre: Centre) -> None:
    data = json.loads(centre.get("/admin/catalog", token=centre.login()).text)
    old = dict(data["services"][0])
    data["services"][0]["expected_minutes"] = 25
    data["services"].append({**old, "code": "Z901", "name": "新事项", "prefix": "Z"})
    count = audit_count(centre)
    response = post(centre, "/admin/catalog/import", {"format": "json", "text": json.dumps(data, ensure_ascii=False)})
    assert response.status_code == 200, response.text
    assert response.json()["changed_services"] == sorted([old["code"], "Z901"])
    row = one_new_row(centre, count)
    assert (row["kind"], row["action"]) == ("catalog", "import")
    assert row["before"]["services"][old["code"]]["expected_minutes"] == old["expected_minutes"]
    assert row["after"]["services"][old["code"]]["expected_minutes"] == 25
    assert row["before"]["services"]["Z901"] is None
    # The same document again changes nothing and logs nothing.
    again = post(centre, "/admin/catalog/import", {"format": "json", "text": json.dumps(data, ensure_ascii=False)})
    assert again.json()["changed_services"] == []
    assert audit_count(centre) == count + 1


def test_import_names_the_bad_row_and_changes_nothing(centre: Centre) -> None:
    data = json.loads(centre.get("/admin/catalog", token=centre.login()).text)
    data["services"][0]["expected_minutes"] = 99
    data["services"][3]["prefix"] = "a1"
    count = audit_count(centre)
    error = field_error(post(centre, "/admin/catalog/import", {"format": "json", "text": json.dumps(data)}, lang="en"), "text")
    assert error["message"].startswith("services[3]: prefix")
    after = json.loads(centre.get("/admin/catalog", token=centre.login()).text)
    assert after["services"][0]["expected_minutes"] != 99
    assert audit_count(centre) == count

    text = centre.get("/admin/catalog", token=centre.login(), params={"format": "csv"}).content.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    rows[1]["expected_minutes"] = "-3"  # the second service: line 3 of the file
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    error = field_error(post(centre, "/admin/catalog/import", {"format": "csv", "text": out.getvalue()}), "text")
    assert error["message"] == "line 3：expected_minutes 须为不小于 0 的数字"
    field_error(post(centre, "/admin/catalog/import", {"format": "json", "text": "{not json"}), "text")
    field_error(post(centre, "/admin/catalog/import", {"format": "xml", "text": "<a/>"}), "format")


def test_edit_a_service_and_a_bundle(centre: Centre) -> None:
    count = audit_count(centre)
    body = {"name": "测试事项", "department": "测试局", "domain": "comprehensive", "prefix": "Q", "expected_minutes": 12}
    response = put(centre, "/admin/services/Q001", body)
    assert response.status_code == 200, response.text
    row = one_new_row(centre, count)
    assert (row["kind"], row["action"], row["target"], row["before"]) == ("service", "create", "Q001", None)
    response = put(centre, "/admin/services/Q001", {**body, "expected_minutes": 20})
    row = one_new_row(centre, count + 1)
    assert (row["before"]["expected_minutes"], row["after"]["expected_minutes"]) == (12, 20)

    bundle = {"name": "测试一件事", "prefix": "QB", "services": ["Q001", "A101"]}
    assert put(centre, "/admin/bundles/QB1", bundle).status_code == 200
    row = one_new_row(centre, count + 2)
    assert (row["kind"], row["action"], row["after"]["services"]) == ("bundle", "create", ["Q001", "A101"])

    error = field_error(put(centre, "/admin/services/Q001", {**body, "prefix": "a1"}), "prefix")
    assert (error["error"], error["message"]) == ("field_cat_prefix", "prefix：号码字头 prefix 须为一到两个大写字母")
    field_error(put(centre, "/admin/services/Q001", {**body, "expected_minutes": 0}), "expected_minutes")
    field_error(put(centre, "/admin/services/Q001", {**body, "name": ""}), "name")
    field_error(put(centre, "/admin/services/Q%20001", body), "code")
    error = field_error(put(centre, "/admin/bundles/QB1", {**bundle, "services": ["NOPE"]}, lang="en"), "services")
    assert error["message"] == "services: unknown services NOPE"
    assert audit_count(centre) == count + 3


# --- staff ----------------------------------------------------------------------------------


def login(centre: Centre, username: str, password: str) -> requests.Response:
    return requests.post(centre.api("/auth/login"), json={"username": username, "password": password}, timeout=10)


def test_staff_add_reset_deactivate(centre: Centre) -> None:
    count = audit_count(centre)
    body = {"username": "wang", "password": "first-pass-1", "role": "clerk", "sites": ["city-hall"], "display_name": "王芳"}
    response = post(centre, "/admin/staff", body)
    assert response.status_code == 201, response.text
    row = one_new_row(centre, count)
    assert (row["kind"], row["action"], row["target"], row["before"]) == ("staff", "create", "wang", None)
    assert row["after"]["role"] == "clerk" and row["after"]["sites"] == ["city-hall"] and row["after"]["active"]
    assert "first-pass-1" not in json.dumps(row) and "password_hash" not in json.dumps(row)
    old_token = login(centre, "wang", "first-pass-1").json()["token"]

    response = put(centre, "/admin/staff/wang", {"role": "manager", "sites": ["city-hall", "station-cbd"]})
    assert response.status_code == 200, response.text
    row = one_new_row(centre, count + 1)
    assert (row["before"]["role"], row["after"]["role"]) == ("clerk", "manager")
    assert row["after"]["sites"] == ["city-hall", "station-cbd"] and row["after"]["display_name"] == "王芳"

    response = post(centre, "/admin/staff/wang/password", {"password": "second-pass-2"})
    assert response.status_code == 200, response.text
    row = one_new_row(centre, count + 2)
    assert row["action"] == "reset_password" and "second-pass-2" not in json.dumps(row)
    assert login(centre, "wang", "first-pass-1").status_code == 401
    assert centre.get("/admin/staff", token=old_token).status_code == 401  # the old session ended
    token = login(centre, "wang", "second-pass-2").json()["token"]

    response = put(centre, "/admin/staff/wang", {"active": False})
    assert response.status_code == 200, response.text
    row = one_new_row(centre, count + 3)
    assert row["action"] == "deactivate" and row["before"]["active"] and not row["after"]["active"]
    assert login(centre, "wang", "second-pass-2").status_code == 401
    assert centre.post("/sites/city-hall/counters/1/open", token=token).status_code == 401

    staff = {s["username"]: s for s in centre.get("/admin/staff", token=centre.login()).json()["staff"]}
    assert staff["wang"]["active"] is False and "password_hash" not in staff["wang"]


@pytest.mark.parametrize(
    ("body", "field", "code"),
    [
        ({"username": "clerk", "password": "Long-enough-1", "role": "clerk", "sites": ["city-hall"]}, "username", "field_taken"),
        ({"username": "li si", "password": "Long-enough-1", "role": "clerk", "sites": ["city-hall"]}, "username", "field_username"),
        ({"username": "lisi", "password": "short", "role": "clerk", "sites": ["city-hall"]}, "password", "field_password"),
        ({"username": "lisi", "password": "Long-enough-1", "role": "boss", "sites": ["city-hall"]}, "role", "field_choice"),
        ({"username": "lisi", "password": "Long-enough-1", "role": "clerk", "sites": []}, "sites", "field_sites_needed"),
        ({"username": "lisi", "password": "Long-enough-1", "role": "clerk", "sites": ["atlantis"]}, "sites", "field_unknown_site"),
    ],
)
def test_staff_validation_names_the_field(centre: Centre, body: dict[str, Any], field: str, code: str) -> None:
    count = audit_count(centre)
    assert field_error(post(centre, "/admin/staff", body), field)["error"] == code
    assert audit_count(centre) == count


def test_the_last_admin_and_oneself_stay_active(centre: Centre) -> None:
    assert field_error(put(centre, "/admin/staff/admin", {"active": False}), "active")["error"] == "field_self"
    post(centre, "/admin/staff", {"username": "root2", "password": "Long-enough-1", "role": "admin"})
    token = login(centre, "root2", "Long-enough-1").json()["token"]
    # root2 may deactivate admin; then root2 is the last admin and cannot be demoted.
    assert put(centre, "/admin/staff/admin", {"active": False}, token=token).status_code == 200
    error = field_error(put(centre, "/admin/staff/root2", {"role": "clerk", "sites": ["city-hall"]}, token=token), "role")
    assert error["error"] == "field_last_admin"
    assert requests.put(centre.api("/admin/staff/nobody"), json={}, headers={"Authorization": f"Bearer {token}"}, timeout=10).status_code == 404


# --- devices --------------------------------------------------------------------------------


def test_enrol_then_revoke_a_device(centre: Centre) -> None:
    count = audit_count(centre)
    response = post(centre, "/admin/devices", {"kind": "kiosk", "site": "station-cbd", "name": "驿站一体机"})
    assert response.status_code == 201, response.text
    device, token = response.json()["device"], response.json()["token"]
    row = one_new_row(centre, count)
    assert (row["kind"], row["action"], row["target"], row["site"], row["before"]) == (
        "device", "enrol", device["id"], "station-cbd", None,
    )  # fmt: skip
    assert token not in json.dumps(row)
    listed = centre.get("/admin/devices", token=centre.login()).json()["devices"]
    assert token not in json.dumps(listed) and any(d["id"] == device["id"] for d in listed)

    status = centre.post("/devices/status", {"printer": "ok"}, token=token)
    assert status.status_code == 200, status.text
    issued = centre.post("/sites/station-cbd/tickets", {"service": centre.get("/sites/station-cbd").json()["services"][0]["code"]}, token=token)
    assert issued.status_code == 201, issued.text

    response = post(centre, f"/admin/devices/{device['id']}/revoke", {})
    assert response.status_code == 200, response.text
    row = one_new_row(centre, count + 1)
    assert row["action"] == "revoke" and row["before"]["revoked_at"] is None and row["after"]["revoked_at"]
    assert centre.post("/devices/status", {"printer": "ok"}, token=token).status_code == 401
    # Revoking again changes nothing and logs nothing.
    assert post(centre, f"/admin/devices/{device['id']}/revoke", {}).status_code == 200
    assert audit_count(centre) == count + 2
    assert post(centre, "/admin/devices/nothing/revoke", {}).status_code == 404


def test_device_validation_names_the_field(centre: Centre) -> None:
    assert field_error(post(centre, "/admin/devices", {"kind": "toaster", "site": "city-hall"}), "kind")
    assert field_error(post(centre, "/admin/devices", {"kind": "kiosk", "site": "atlantis"}), "site")
    assert field_error(post(centre, "/admin/devices", {"kind": "kiosk"}), "site")


# --- the log itself ---------------------------------------------------------------------------


def test_audit_log_newest_first_filtered_and_paged(centre: Centre) -> None:
    put(centre, "/admin/sites/city-hall/settings", {"identification": "optional"})
    put(centre, "/admin/sites/city-hall/counters/33", {"name": "A", "profile": [{"service": "A101"}]})
    put(centre, "/admin/sites/city-hall/settings", {"identification": "required"})
    rows = audit(centre)
    assert [r["kind"] for r in rows[:3]] == ["settings", "counter", "settings"]
    assert rows[0]["after"] == {"identification": "required"} and rows[0]["before"] == {"identification": "optional"}
    assert rows[0]["at"] >= rows[1]["at"] >= rows[2]["at"]
    assert {r["kind"] for r in audit(centre, kind="settings")} == {"settings"}
    page = centre.get("/admin/audit", token=centre.login(), params={"limit": 1}).json()
    older = centre.get("/admin/audit", token=centre.login(), params={"limit": 1, "before": page["next_before"]}).json()
    assert page["entries"][0]["id"] == rows[0]["id"] and older["entries"][0]["id"] == rows[1]["id"]
    field_error(centre.get("/admin/audit", token=centre.login(), params={"kind": "weather"}), "kind")
    field_error(centre.get("/admin/audit", token=centre.login(), params={"limit": 0}), "limit")


def test_a_change_and_its_audit_row_share_one_transaction(centre: Centre, monkeypatch: pytest.MonkeyPatch) -> None:
    """If the audit row cannot be written, the change is rolled back with it."""
    from queue_server.administration import changes as administration

    def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("disk full")

    centre.login()  # before the break: a login is audited too
    monkeypatch.setattr(administration.audit, "record", broken)
    before = centre.get("/sites/city-hall").json()["site"]["settings"]
    response = put(centre, "/admin/sites/city-hall/settings", {"identification": "off"})
    assert response.status_code == 500
    assert centre.get("/sites/city-hall").json()["site"]["settings"] == before


def test_an_empty_offerings_body_changes_nothing(centre: Centre) -> None:
    before = centre.get("/sites/station-cbd").json()
    response = put(centre, "/admin/sites/station-cbd/offerings", {})
    assert response.status_code == 200
    after = centre.get("/sites/station-cbd").json()
    assert [s["code"] for s in after["services"]] == [s["code"] for s in before["services"]] != []
    cleared = put(centre, "/admin/sites/station-cbd/offerings", {"bundles": []})
    assert cleared.status_code == 200 and cleared.json()["services"] == [s["code"] for s in before["services"]]
