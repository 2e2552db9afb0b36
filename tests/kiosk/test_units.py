"""The kiosk's pure parts and the centre's person rules, without servers."""

from __future__ import annotations

import json
import time
from datetime import date

from kiosk.service_menu import build, initials, window_labels
from kiosk.spool import ISSUING, PRINTED, PRINTING, Spool
from queue_server.engine.model import Priority
from queue_server.people.persons import Person, mask_name, parse_person, priority_for


def test_initials_and_windows() -> None:
    assert initials("不动产登记") == "bdcdj"
    assert initials("ETC 办理") == "etcbl"
    assert window_labels([5, 1, 2, 3, 21]) == ["1–3号", "5号", "21号"]
    assert window_labels([7], "en") == ["7"]


def test_catalogue_groups_by_domain_and_merges_bundle_materials() -> None:
    detail = {
        "site": {"id": "s", "name": "大厅", "settings": {"identification": "optional"}},
        "services": [
            {"code": "T1", "name": "发票申领", "domain": "tax", "materials": ["身份证", "章"]},
            {"code": "C1", "name": "公司登记", "domain": "comprehensive", "materials": ["身份证"]},
        ],
        "bundles": [{"code": "Y1", "name": "开办一件事", "services": ["C1", "T1"]}],
        "counters": [],
    }
    built = build(detail)
    assert [d["code"] for d in built["domains"]] == ["comprehensive", "tax"]
    assert built["domains"][1]["name"] == "税务"
    assert built["items"]["bundle:Y1"]["materials"] == ["身份证", "章"]
    assert built["site"]["identification"] == "optional" and built["site"]["elderly_age"] == 65


def test_spool_is_ordered_atomic_and_pruned(tmp_path) -> None:  # type: ignore[no-untyped-def]
    spool = Spool(tmp_path)
    first = spool.create(kind="service", code="A", language="zh", help=False)
    second = spool.create(kind="service", code="B", language="zh", help=False)
    assert [j["id"] for j in spool.jobs(ISSUING)] == [first["id"], second["id"]]
    spool.update(first["id"], state=PRINTING)
    assert [j["id"] for j in Spool(tmp_path).jobs(PRINTING)] == [first["id"]]  # from disk
    assert not list(tmp_path.glob("*.tmp"))
    spool.update(second["id"], state=PRINTED)
    path = tmp_path / f"{second['id']}.json"
    job = json.loads(path.read_text())
    job["updated_at"] = time.time() - 7200
    path.write_text(json.dumps(job))
    spool = Spool(tmp_path)  # as after a restart
    assert spool.prune() == 1 and spool.get(second["id"]) is None
    assert not path.exists() and spool.get(first["id"]) is not None
    assert spool.get("../etc/passwd") is None


def test_person_rules() -> None:
    assert mask_name("张三") == "张*" and mask_name("欧阳明月") == "欧阳**"
    assert mask_name("JOHN SMITH") == "J*** S****"
    person = parse_person({"id_number": "11010119600101123x", "name": "李四", "birth_date": "1960-01-01"})
    assert person is not None and person.id_number.endswith("X")
    assert "李四" not in repr(person) and "1101" not in repr(person)
    settings = {"elderly_age": 65}
    assert priority_for(person, Priority.ORDINARY, settings, date(2025, 1, 1)) == Priority.ELDERLY
    assert priority_for(person, Priority.ORDINARY, settings, date(2024, 12, 31)) == Priority.ORDINARY
    assert priority_for(person, Priority.ASSISTED, settings, date(2025, 1, 1)) == Priority.ASSISTED
    no_birth = Person("110101196001011234", "李四", None)
    assert priority_for(no_birth, Priority.ORDINARY, settings, date(2025, 1, 1)) == Priority.ORDINARY


def test_catalogue_quotas_one_tap_item_and_rules() -> None:
    from kiosk.service_menu import local_moment

    detail = {
        "site": {"id": "s", "name": "大厅", "timezone": "Asia/Shanghai",
                 "settings": {"elderly_one_tap": "K1"}},
        "services": [
            {"code": "K1", "name": "帮办代办", "domain": "assisted", "quota": None},
            {"code": "E1", "name": "不动产", "domain": "natural_resources",
             "quota": {"cap": 40, "taken": 40, "remaining": 0, "reserved_for_walk_ins": 0,
                       "next_issue_at": "2026-11-30T00:30:00Z"}},
            {"code": "E2", "name": "抵押", "domain": "natural_resources",
             "quota": {"cap": 10, "taken": 3, "remaining": 7, "next_issue_at": None}},
        ],
        "bundles": [],
        "counters": [],
        "rules": {"zh": {"mixing": "优先号…", "no_show": "过号规则：…"}, "en": {"mixing": "Priority…"}},
    }
    built = build(detail)
    items = built["items"]
    assert items["service:K1"]["quota"] is None
    assert items["service:E2"]["quota"] == {
        "cap": 10, "remaining": 7, "full": False, "next_issue_at": None, "next_issue": None,
    }
    full = items["service:E1"]["quota"]
    assert full["full"] and full["next_issue"] == {"zh": "11月30日 08:30", "en": "30 Nov 08:30"}
    assert built["site"]["elderly_one_tap"] == "service:K1"
    assert built["site"]["rules"]["zh"]["no_show"] == "过号规则：…"
    assert built["site"]["rules"]["en"] == {"mixing": "Priority…"}
    # A one-tap item the site does not offer is no one-tap item; no rules, empty sentences.
    detail["site"]["settings"]["elderly_one_tap"] = "F601"
    del detail["rules"]
    assert build(detail)["site"]["elderly_one_tap"] is None
    assert build(detail)["site"]["rules"] == {"zh": {}, "en": {}}
    # Local midnight is the day before in UTC.
    assert local_moment("2026-12-31T16:00:00Z", "Asia/Shanghai")["zh"] == "1月1日 00:00"
