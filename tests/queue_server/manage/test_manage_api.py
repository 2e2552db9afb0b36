"""The live dashboard's reads: scope, waiting tickets, counters, devices."""
from __future__ import annotations

from tests.conftest import Centre

MANAGER = ("manager", "Demo-Hall-2")
TOWN = ("town", "Demo-Gutang-4")


def test_live_state_follows_the_hall(centre: Centre) -> None:
    token = centre.login(MANAGER)
    issued = centre.issue("A101")["ticket"]
    centre.counter(1, "open")
    live = centre.get("/manage/live", token=token).json()
    ids = [s["site"]["id"] for s in live["sites"]]
    assert ids[0] == "city-hall" and "village-lishu" in ids  # the manager's subtree, parents first
    hall = live["sites"][0]
    assert [t["number"] for t in hall["waiting"]] == [issued["number"]]
    assert hall["today"]["issued"] == 1
    assert hall["target_wait_minutes"] == 20
    assert "S:A101" in hall["offered"] and live["items"]["S:A101"]["prefix"] == "A"
    one = next(c for c in hall["counters"] if c["number"] == 1)
    assert one["state"] == "open" and one["ticket"] is None and one["idle_since"]
    assert hall["last_seq"] == 2

    centre.counter(1, "call-next")
    hall = centre.get("/manage/live", token=token).json()["sites"][0]
    one = next(c for c in hall["counters"] if c["number"] == 1)
    assert hall["waiting"] == []
    assert one["ticket"]["number"] == issued["number"] and one["ticket"]["status"] == "called"
    assert one["idle_since"] is None


def test_scope_is_the_managers_subtree(centre: Centre) -> None:
    town = centre.login(TOWN)
    live = centre.get("/manage/live", token=town).json()
    assert {s["site"]["id"] for s in live["sites"]} == {"town-gutang", "village-jinqiu", "village-lishu"}
    assert centre.get("/manage/live?site=city-hall", token=town).status_code == 403
    assert centre.get("/manage/live?site=nowhere", token=town).status_code == 404
    one = centre.get("/manage/live?site=village-lishu", token=town).json()
    assert [s["site"]["id"] for s in one["sites"]] == ["village-lishu"]
    assert centre.get("/manage/live", token=centre.login(Centre.CLERK)).status_code == 403
    assert centre.get("/manage/live").status_code == 401


def test_devices_report_alerts(centre: Centre) -> None:
    token = centre.login(MANAGER)
    response = centre.post("/devices/status", {"printer": "out", "id_reader": "ok"}, token=centre.kiosk_token)
    assert response.status_code == 200
    devices = centre.get("/manage/devices?site=city-hall", token=token).json()
    kiosk = next(d for d in devices["sites"]["city-hall"] if d["kind"] == "kiosk")
    assert kiosk["status"]["printer"] == "out" and kiosk["alerts"] == ["printer_out"]
    assert kiosk["offline"] is False and kiosk["last_seen"]
    live = centre.get("/manage/live?site=city-hall", token=token).json()
    assert any(d["alerts"] == ["printer_out"] for d in live["sites"][0]["devices"])


def test_a_silent_kiosk_is_offline(centre: Centre) -> None:
    import sqlite3

    centre.post("/devices/status", {"printer": "ok", "id_reader": "ok"}, token=centre.kiosk_token)
    conn = sqlite3.connect(centre.db_path)
    conn.execute("UPDATE devices SET last_seen = '2020-01-01T00:00:00.000Z' WHERE kind = 'kiosk'")
    conn.commit()
    conn.close()
    devices = centre.get("/manage/devices", token=centre.login(MANAGER)).json()
    kiosk = next(d for d in devices["sites"]["city-hall"] if d["kind"] == "kiosk")
    assert kiosk["offline"] is True and kiosk["alerts"] == ["kiosk_offline"]
    display = next(d for d in devices["sites"]["city-hall"] if d["kind"] == "display")
    assert display["offline"] is False and display["last_seen"] is None  # never reported: no alarm


def test_the_live_read_uses_indexes(db_path) -> None:  # type: ignore[no-untyped-def]
    from queue_server.calling.operations import Operations
    from queue_server.reports import dashboard
    from queue_server.storage import Database
    from queue_server.tools.demo import load_demo

    db = Database(db_path)
    load_demo(db)
    ops = Operations(db, ignore_hours=True)
    ops.issue_ticket("city-hall", service="A101", request_id="plan-1")
    ops.counter_action("city-hall", 1, "open", clerk="clerk")
    ops.counter_action("city-hall", 2, "open", clerk="clerk")
    ops.counter_action("city-hall", 1, "call-next", clerk="clerk")
    statements: list[str] = []
    db.conn.set_trace_callback(statements.append)
    live = dashboard.live(db, {"city-hall", "town-gutang"}, ops.clock())
    db.conn.set_trace_callback(None)
    assert [s["site"]["id"] for s in live["sites"]] == ["city-hall", "town-gutang"]
    checked = 0
    for sql in statements:
        if " tickets" not in sql and " events" not in sql:
            continue
        plan = " | ".join(row[3] for row in db.query("EXPLAIN QUERY PLAN " + sql))
        assert "SCAN tickets" not in plan and "SCAN events" not in plan, f"{sql}\n→ {plan}"
        checked += 1
    assert checked >= 5
    db.close()
