"""Issue 12 (3): scopes nobody can climb, windows nobody else can work.

An admin limited to one township could set its `parent` to any site (moving it under
another manager's tree, or to the root) and read the whole city's staff list and audit
log; any clerk of a site could call, finish or close a window another clerk had open.
Each attack is written here as the request that worked.
"""
from __future__ import annotations

import pytest
import requests

from tests.conftest import Centre

TOWN = "town-gutang"  # with its villages village-jinqiu and village-lishu below it
PASSWORD = "Gutang-Office-2026!"


@pytest.fixture
def town_admin(centre: Centre) -> str:
    """An admin of one township (and so of its villages), and nothing else."""
    made = centre.post("/admin/staff", {"username": "town-admin", "password": PASSWORD, "role": "admin", "sites": [TOWN]})
    assert made.status_code == 201, made.text
    return centre.login(("town-admin", PASSWORD))


def site_body(centre: Centre, site: str, **change: object) -> dict:  # type: ignore[type-arg]
    current = next(s for s in centre.get("/sites").json()["sites"] if s["id"] == site)
    return {"name": current["name"], "name_en": current["name_en"], "kind": current["kind"],
            "parent": current["parent"], "timezone": current["timezone"], "hours": current["hours"], **change}  # fmt: skip


def parent_of(centre: Centre, site: str) -> str | None:
    return next(s for s in centre.get("/sites").json()["sites"] if s["id"] == site)["parent"]  # type: ignore[no-any-return]


def test_a_township_admin_cannot_move_its_township_out_of_its_tree(centre: Centre, town_admin: str) -> None:
    def put(site: str, body: dict) -> requests.Response:  # type: ignore[type-arg]
        return requests.put(centre.api(f"/admin/sites/{site}"), json=body, headers={"Authorization": f"Bearer {town_admin}"}, timeout=10)

    for parent in ("station-cbd", None):  # under another manager's tree; to the root
        refused = put(TOWN, site_body(centre, TOWN, parent=parent))
        assert refused.status_code == 403, (parent, refused.text)
    assert parent_of(centre, TOWN) == "city-hall"
    # A village of its own moved under a site of someone else's: refused too.
    assert put("village-jinqiu", site_body(centre, "village-jinqiu", parent="station-cbd")).status_code == 403
    assert parent_of(centre, "village-jinqiu") == TOWN
    # Within its own tree it may rearrange, and edit its own site as long as it stays put.
    moved = put("village-jinqiu", site_body(centre, "village-jinqiu", parent="village-lishu"))
    assert moved.status_code == 200, moved.text
    renamed = put(TOWN, site_body(centre, TOWN, name="古塘镇便民服务中心（新）"))
    assert renamed.status_code == 200, renamed.text


def test_a_township_admin_reads_only_its_own_staff_devices_and_audit(centre: Centre, town_admin: str) -> None:
    city_admin = centre.login()
    centre.post("/admin/devices", {"kind": "kiosk", "site": "village-lishu", "name": "村站取号机"}, token=city_admin)
    centre.post("/admin/devices", {"kind": "kiosk", "site": "city-hall", "name": "大厅取号机"}, token=city_admin)
    hall_clerk = {"username": "hall-2", "password": PASSWORD, "role": "clerk", "sites": ["city-hall"]}
    assert centre.post("/admin/staff", hall_clerk, token=city_admin).status_code == 201
    staff = centre.get("/admin/staff", token=town_admin).json()["staff"]
    assert {s["username"] for s in staff} == {"town", "town-admin"}  # not the hall's, not the city's admin
    devices = centre.get("/admin/devices", token=town_admin).json()["devices"]
    assert [d["name"] for d in devices] == ["村站取号机"]
    entries = centre.get("/admin/audit?limit=500", token=town_admin).json()["entries"]
    assert {(e["kind"], e["target"]) for e in entries if e["kind"] == "staff"} == {("staff", "town-admin")}
    assert [e["after"]["name"] for e in entries if e["kind"] == "device"] == ["村站取号机"]
    assert {e["actor"] for e in entries if e["kind"] == "login"} == {"town-admin"}  # its own staff's logins
    everything = centre.get("/admin/audit?limit=500", token=city_admin).json()["entries"]
    assert {e["target"] for e in everything} >= {"hall-2", "town-admin", "admin"}
    hidden = [e for e in everything if e not in entries]
    assert hidden and all(e["site"] in ("city-hall", None) for e in hidden)


def test_a_township_admin_cannot_give_or_take_sites_beyond_its_scope(centre: Centre, town_admin: str) -> None:
    def call(method: str, path: str, body: dict) -> requests.Response:  # type: ignore[type-arg]
        return requests.request(method, centre.api(path), json=body, headers={"Authorization": f"Bearer {town_admin}"}, timeout=10)

    # A new member of staff with a site of someone else's, or none (the whole city).
    assert call("POST", "/admin/staff", {"username": "x1", "password": PASSWORD, "role": "clerk", "sites": [TOWN, "city-hall"]}).status_code == 403
    assert call("POST", "/admin/staff", {"username": "x2", "password": PASSWORD, "role": "admin", "sites": []}).status_code == 403
    # Its own clerk given the hall too; the hall's clerk moved into its township.
    assert call("POST", "/admin/staff", {"username": "x3", "password": PASSWORD, "role": "clerk", "sites": ["village-lishu"]}).status_code == 201
    assert call("PUT", "/admin/staff/x3", {"sites": ["village-lishu", "city-hall"]}).status_code == 403
    assert call("PUT", "/admin/staff/clerk", {"sites": [TOWN]}).status_code == 403
    assert call("POST", "/admin/staff/clerk/password", {"password": PASSWORD}).status_code == 403
    assert call("PUT", "/admin/staff/x3", {"sites": ["village-jinqiu"]}).status_code == 200
    # Devices of other sites.
    assert call("POST", "/admin/devices", {"kind": "kiosk", "site": "city-hall"}).status_code == 403
    hall_devices = centre.get("/admin/devices", token=centre.login()).json()["devices"]
    hall_kiosk = next(d for d in hall_devices if d["site"] == "city-hall")
    assert call("POST", f"/admin/devices/{hall_kiosk['id']}/revoke", {}).status_code == 403
    staff = {s["username"]: s for s in centre.get("/admin/staff", token=centre.login()).json()["staff"]}
    assert staff["clerk"]["sites"] == ["city-hall"] and staff["x3"]["sites"] == ["village-jinqiu"]


# --- windows ---------------------------------------------------------------------------


@pytest.fixture
def second_clerk(centre: Centre) -> str:
    made = centre.post("/admin/staff", {"username": "clerk2", "password": PASSWORD, "role": "clerk", "sites": ["city-hall"]})
    assert made.status_code == 201, made.text
    return centre.login(("clerk2", PASSWORD))


def act(centre: Centre, token: str, action: str, number: int = 4, **body: object):  # type: ignore[no-untyped-def]
    return centre.post(f"/sites/city-hall/counters/{number}/{action}", dict(body), token=token)


def test_a_clerk_cannot_work_a_window_another_clerk_holds(centre: Centre, second_clerk: str) -> None:
    clerk = centre.login(Centre.CLERK)
    centre.issue("A101")
    assert act(centre, clerk, "open").status_code == 200
    for action, body in (("call-next", {}), ("open", {}), ("pause", {"reason": "x"}), ("close", {})):
        refused = act(centre, second_clerk, action, **body)
        assert refused.status_code == 409 and refused.json()["error"] == "counter_held", (action, refused.text)
        assert "clerk" in refused.json()["message"]
    called = act(centre, clerk, "call-next").json()["ticket"]
    for action, body in (("finish", {"outcome": "completed"}), ("recall", {}), ("transfer", {"to_counter": 2})):
        assert act(centre, second_clerk, action, **body).json()["error"] == "counter_held", action
    # A manager is held off too, until they take it over with a reason.
    manager = centre.login(("manager", "Demo-Hall-2"))
    assert act(centre, manager, "finish", outcome="completed").json()["error"] == "counter_held"
    view = centre.get("/sites/city-hall/counters/4", token=clerk).json()
    assert view["current"]["id"] == called["id"] and view["counter"]["clerk"] == "clerk"


def test_only_a_manager_takes_a_window_over_and_it_is_on_the_record(centre: Centre, second_clerk: str) -> None:
    clerk = centre.login(Centre.CLERK)
    act(centre, clerk, "open")
    assert act(centre, second_clerk, "take-over", reason="我来").status_code == 403  # clerks may not
    manager = centre.login(("manager", "Demo-Hall-2"))
    assert act(centre, manager, "take-over").status_code == 400  # a reason is required
    taken = act(centre, manager, "take-over", reason="原窗口人员离岗未关窗")
    assert taken.status_code == 200 and taken.json()["counter"]["clerk"] == "manager"
    assert act(centre, clerk, "call-next").json()["error"] == "counter_held"  # no longer the clerk's
    assert act(centre, manager, "close").status_code == 200
    assert act(centre, second_clerk, "open").status_code == 200  # closed: anyone of the site may open
    events = centre.get("/sites/city-hall/events?since=0", token=centre.display_token).json()["events"]
    record = [e for e in events if e["type"] == "counter.taken_over"]
    assert len(record) == 1 and record[0]["data"] == {
        "reason": "原窗口人员离岗未关窗",
        "from_clerk": "clerk",
        "clerk": "manager",
    }
    audit = centre.get("/admin/audit?kind=counter", token=centre.login()).json()["entries"]
    assert any(e["action"] == "take_over" and e["actor"] == "manager" and e["after"]["reason"] == "原窗口人员离岗未关窗" for e in audit)
    # A manager of another subtree cannot take over the hall's window.
    town = centre.login(("town", "Demo-Gutang-4"))
    assert act(centre, town, "take-over", reason="x").status_code == 403
