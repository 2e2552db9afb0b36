"""The REST API against the real centre on a loopback port."""
from __future__ import annotations

import concurrent.futures
import json
import sqlite3

import requests

from tests.conftest import Centre


def test_sites_and_site_detail(centre: Centre) -> None:
    sites = centre.get("/sites").json()["sites"]
    ids = {s["id"] for s in sites}
    assert {"city-hall", "station-cbd", "town-gutang", "village-jinqiu", "village-lishu"} <= ids
    villages = [s for s in sites if s["kind"] == "village_station"]
    assert all(v["parent"] == "town-gutang" for v in villages)

    centre.issue("A101")
    detail = centre.get("/sites/city-hall").json()
    assert detail["site"]["name"] == "市政务服务中心"
    assert len(detail["counters"]) == 24
    a101 = next(s for s in detail["services"] if s["code"] == "A101")
    assert a101["waiting"] == 1
    assert a101["materials"] and a101["prefix"] == "A"
    assert 1 in a101["counters"]
    assert any(b["code"] == "Y01" for b in detail["bundles"])
    assert detail["last_seq"] >= 1


def test_issue_returns_ticket_ahead_and_wait(centre: Centre) -> None:
    first = centre.issue("B201")
    second = centre.issue("B201")
    assert first["ticket"]["number"] == "B001" and second["ticket"]["number"] == "B002"
    assert first["ticket"]["status"] == "waiting"
    assert first["ahead"] == 0 and second["ahead"] == 1
    assert second["estimated_wait_minutes"] >= 1
    assert first["ticket"]["channel"] == "kiosk"  # a kiosk token issues kiosk tickets


def test_request_id_is_idempotent(centre: Centre) -> None:
    body = {"service": "C301", "request_id": "kiosk-1-000042"}
    first = centre.post("/sites/city-hall/tickets", body, token=centre.kiosk_token)
    again = centre.post("/sites/city-hall/tickets", body, token=centre.kiosk_token)
    assert first.status_code == 201 and again.status_code == 200
    assert again.json()["ticket"]["id"] == first.json()["ticket"]["id"]
    different = centre.post(
        "/sites/city-hall/tickets", {"service": "C302", "request_id": "kiosk-1-000042"}, token=centre.kiosk_token
    )
    assert different.status_code == 409 and different.json()["error"] == "request_id_reused"


def test_concurrent_duplicates_give_one_ticket(centre: Centre) -> None:
    body = {"service": "D401", "request_id": "same-request"}

    def send(_: int) -> tuple[int, str]:
        response = requests.post(
            centre.api("/sites/city-hall/tickets"),
            json=body,
            headers={"Authorization": f"Bearer {centre.kiosk_token}"},
            timeout=10,
        )
        return response.status_code, response.json()["ticket"]["id"]

    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        results = list(pool.map(send, range(16)))
    assert len({ticket for _, ticket in results}) == 1
    assert sorted(code for code, _ in results).count(201) == 1
    with sqlite3.connect(centre.db_path) as conn:
        assert conn.execute("SELECT count(*) FROM tickets WHERE request_id = 'same-request'").fetchone()[0] == 1


def test_numbers_unique_under_concurrent_issuing(centre: Centre) -> None:
    def send(i: int) -> str:
        return centre.issue("E503", request_id=f"r-{i}")["ticket"]["number"]

    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        numbers = list(pool.map(send, range(60)))
    assert sorted(numbers) == [f"E{n:03d}" for n in range(1, 61)]


def test_bundle_ticket(centre: Centre) -> None:
    issued = centre.post("/sites/city-hall/tickets", {"bundle": "Y01"}, token=centre.kiosk_token)
    assert issued.status_code == 201
    ticket = issued.json()["ticket"]
    assert ticket["bundle"] == "Y01" and ticket["service"] is None and ticket["number"] == "Y001"


def test_counter_flow_call_recall_start_finish(centre: Centre) -> None:
    issued = centre.issue("A101")["ticket"]
    assert centre.counter(1, "open").status_code == 200
    called = centre.counter(1, "call-next")
    assert called.status_code == 200
    body = called.json()
    assert body["ticket"]["id"] == issued["id"] and body["ticket"]["status"] == "called"
    assert body["ticket"]["counter"] == 1 and body["counter"]["current_ticket"] == issued["id"]
    assert centre.counter(1, "recall").json()["ticket"]["recall_count"] == 1
    assert centre.counter(1, "start").json()["ticket"]["status"] == "serving"
    finished = centre.counter(1, "finish", outcome="completed").json()
    assert finished["ticket"]["status"] == "done" and finished["ticket"]["outcome"] == "completed"
    assert finished["counter"]["current_ticket"] is None
    assert centre.get(f"/tickets/{issued['id']}").json()["ticket"]["status"] == "done"


def test_call_next_with_nobody_waiting_is_204(centre: Centre) -> None:
    centre.counter(2, "open")
    response = centre.counter(2, "call-next")
    assert response.status_code == 204 and response.content == b""


def test_priority_and_transfer_to_counter(centre: Centre) -> None:
    ordinary = centre.issue("A103")["ticket"]
    # Staff give the class (a kiosk may not: tests/queue_server/test_self_service.py).
    elderly = centre.post("/sites/city-hall/tickets", {"service": "A103", "priority": "elderly"}).json()["ticket"]
    centre.counter(3, "open")
    first = centre.counter(3, "call-next").json()["ticket"]
    assert first["id"] == elderly["id"]
    # Transfer the elderly citizen to counter 24 (assisted): it is called there first.
    moved = centre.counter(3, "transfer", to_counter=24, note="需要帮办").json()["ticket"]
    assert moved["status"] == "waiting" and moved["target_counter"] == 24 and moved["transfer_count"] == 1
    centre.counter(24, "open")
    centre.issue("K001")
    there = centre.counter(24, "call-next").json()["ticket"]
    assert there["id"] == elderly["id"] and there["number"] == elderly["number"]
    assert centre.counter(3, "call-next").json()["ticket"]["id"] == ordinary["id"]


def test_transfer_to_service_and_no_show(centre: Centre) -> None:
    ticket = centre.issue("A110")["ticket"]
    centre.counter(1, "open")
    centre.counter(1, "call-next")
    moved = centre.counter(1, "transfer", to_service="B201").json()["ticket"]
    assert moved["service"] == "B201" and moved["status"] == "waiting"
    centre.counter(6, "open")
    assert centre.counter(6, "call-next").json()["ticket"]["id"] == ticket["id"]
    # The demo hall's missed-call rule: two calls before a no-show.
    early = centre.counter(6, "no-show")
    assert early.status_code == 409 and early.json()["error"] == "no_show_too_early"
    assert centre.counter(6, "recall").status_code == 200
    missed = centre.counter(6, "no-show").json()
    assert missed["ticket"]["status"] == "no_show" and missed["counter"]["current_ticket"] is None


def test_pause_needs_reason_and_blocks_calls(centre: Centre) -> None:
    centre.issue("A101")
    centre.counter(4, "open")
    refused = centre.counter(4, "pause")
    assert refused.status_code == 400 and refused.json()["error"] == "invalid_input"
    paused = centre.counter(4, "pause", reason="午休")
    assert paused.json()["counter"]["state"] == "paused" and paused.json()["counter"]["pause_reason"] == "午休"
    blocked = centre.counter(4, "call-next")
    assert blocked.status_code == 409 and blocked.json()["error"] == "counter_not_open"
    assert centre.counter(4, "close").json()["counter"]["state"] == "closed"


def test_busy_counter_refuses_call_next_and_close(centre: Centre) -> None:
    centre.issue("A101")
    centre.issue("A101")
    centre.counter(5, "open")
    centre.counter(5, "call-next")
    assert centre.counter(5, "call-next").json()["error"] == "counter_busy"
    assert centre.counter(5, "close").json()["error"] == "counter_busy"


def test_cancel_waiting_ticket(centre: Centre) -> None:
    ticket = centre.issue("A101")["ticket"]
    response = centre.post(f"/tickets/{ticket['id']}/cancel", token=centre.kiosk_token)
    assert response.status_code == 200 and response.json()["ticket"]["status"] == "cancelled"
    again = centre.post(f"/tickets/{ticket['id']}/cancel", token=centre.kiosk_token)
    assert again.status_code == 409 and again.json()["error"] == "invalid_transition"


def test_events_since_in_order(centre: Centre) -> None:
    before = centre.get("/sites/city-hall").json()["last_seq"]
    centre.issue("A101")
    centre.counter(1, "open")
    centre.counter(1, "call-next")
    events = centre.get(f"/sites/city-hall/events?since={before}", token=centre.display_token).json()
    types = [e["type"] for e in events["events"]]
    assert types == ["ticket.issued", "counter.opened", "ticket.called"]
    seqs = [e["seq"] for e in events["events"]]
    assert seqs == list(range(before + 1, before + 4)) and events["last_seq"] == seqs[-1]
    called = events["events"][-1]
    assert called["counter"]["number"] == 1 and called["ticket"]["status"] == "called"
    assert called["data"]["reason"] == "longest_wait"
    later = centre.get(f"/sites/city-hall/events?since={seqs[-1]}", token=centre.display_token).json()
    assert later["events"] == []


def test_errors_are_json_chinese_by_default_english_on_request(centre: Centre) -> None:
    zh = centre.get("/sites/nowhere")
    assert zh.status_code == 404 and zh.json() == {"error": "unknown_site", "message": "没有这个网点：nowhere"}
    en = centre.get("/sites/nowhere", headers={"Accept-Language": "en-US,en;q=0.9"})
    assert en.json()["message"] == "No such site: nowhere"
    route = centre.get("/no/such/route")
    assert route.status_code == 404 and route.json()["error"] == "not_found"
    method = requests.delete(centre.api("/sites"), timeout=5)
    assert method.status_code == 405 and method.json()["error"] == "method_not_allowed"


def test_bad_input_never_makes_a_500(centre: Centre) -> None:
    token = centre.kiosk_token
    url = centre.api("/sites/city-hall/tickets")
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    bodies = [
        b"",
        b"not json",
        b"[]",
        b"null",
        b'"text"',
        b"{}",
        b'{"service": 5}',
        b'{"service": "A101", "bundle": "Y01"}',
        b'{"service": "NOPE"}',
        b'{"service": "A101", "priority": "vip"}',
        b'{"service": "A101", "channel": ["kiosk"]}',
        b'{"service": "A101", "request_id": ""}',
        b'{"service": "' + b"x" * 5000 + b'"}',
        b'{"service": "A101", "request_id": {"a": 1}}',
        "{\"service\": \"\ud800\"}".encode("utf-8", "surrogatepass"),
    ]
    for body in bodies:
        response = requests.post(url, data=body, headers=headers, timeout=5)
        assert 400 <= response.status_code < 500, (body[:40], response.status_code, response.text)
        payload = response.json()
        # The documented error: a code, a message and, for a refused field, its name.
        assert {"error", "message"} <= set(payload) <= {"error", "message", "field"} and payload["message"]
    counter_bodies = [b'{"outcome": 3}', b'{"to_counter": -1}', b'{"to_counter": true}', b'{"reason": ""}']
    for body in counter_bodies:
        for action in ("finish", "transfer", "pause"):
            response = requests.post(
                centre.api(f"/sites/city-hall/counters/1/{action}"),
                data=body,
                headers={"Authorization": f"Bearer {centre.login()}", "Content-Type": "application/json"},
                timeout=5,
            )
            assert 400 <= response.status_code < 500, (action, body, response.text)


def test_not_offered_at_site(centre: Centre) -> None:
    response = centre.post("/sites/village-jinqiu/tickets", {"service": "F601"})
    assert response.status_code == 422 and response.json()["error"] == "not_offered"


def test_writes_need_the_right_token(centre: Centre) -> None:
    anonymous = requests.post(centre.api("/sites/city-hall/tickets"), json={"service": "A101"}, timeout=5)
    assert anonymous.status_code == 401 and anonymous.json()["error"] == "unauthorized"
    wrong = centre.post("/sites/city-hall/tickets", {"service": "A101"}, token="not-a-token")
    assert wrong.status_code == 401
    display = centre.post("/sites/city-hall/tickets", {"service": "A101"}, token=centre.display_token)
    assert display.status_code == 403 and display.json()["error"] == "forbidden"
    kiosk_calls = centre.post("/sites/city-hall/counters/1/open", token=centre.kiosk_token)
    assert kiosk_calls.status_code == 403
    kiosk_elsewhere = centre.post("/sites/station-cbd/tickets", {"service": "A110"}, token=centre.kiosk_token)
    assert kiosk_elsewhere.status_code == 403
    # A township manager covers its villages but not the hall.
    town = centre.login(("town", "Demo-Gutang-4"))
    assert centre.post("/sites/village-lishu/counters/1/open", token=town).status_code == 200
    assert centre.post("/sites/city-hall/counters/1/open", token=town).status_code == 403
    events = centre.get("/sites/city-hall/events")
    assert events.status_code == 401
    # A clerk works at exactly the sites named: the hall's clerk not at the stations below it.
    clerk = centre.login(Centre.CLERK)
    assert centre.post("/sites/city-hall/counters/9/open", token=clerk).status_code == 200
    assert centre.post("/sites/station-cbd/counters/1/open", token=clerk).status_code == 403
    manager = centre.login(("manager", "Demo-Hall-2"))
    assert centre.post("/sites/station-cbd/counters/2/open", token=manager).status_code == 200


def test_login_and_logout(centre: Centre) -> None:
    bad = requests.post(centre.api("/auth/login"), json={"username": "admin", "password": "wrong"}, timeout=5)
    assert bad.status_code == 401 and bad.json()["error"] == "login_failed"
    token = centre.login(Centre.CLERK)
    assert centre.post("/sites/city-hall/counters/7/open", token=token).status_code == 200
    assert centre.post("/auth/logout", token=token).status_code == 200
    assert centre.post("/sites/city-hall/counters/7/pause", {"reason": "x"}, token=token).status_code == 401


def test_a_lone_surrogate_is_refused_however_it_is_written(centre: Centre) -> None:
    """An ASCII body without a backslash skips the check (issue 18): a surrogate as bytes,
    as an escape, or in UTF-16 is still refused, with the field error of the check."""
    url = centre.api("/sites/city-hall/tickets")
    headers = {"Authorization": f"Bearer {centre.kiosk_token}", "Content-Type": "application/json"}
    bodies = [
        '{"service": "A101", "request_id": "\ud800"}'.encode("utf-8", "surrogatepass"),
        b'{"service": "A101", "request_id": "\\ud800"}',
        '{"service": "A101", "request_id": "\ud800"}'.encode("utf-16-le", "surrogatepass"),
        '{"service": "A101", "request_id": "\\udfff"}'.encode("utf-16-le"),
    ]
    for body in bodies:
        response = requests.post(url, data=body, headers=headers, timeout=5)
        assert response.status_code == 400, (body, response.text)
        assert response.json()["error"] == "field_characters", body
    fine = requests.post(url, data=b'{"service": "A101", "request_id": "ascii-1"}', headers=headers, timeout=5)
    assert fine.status_code == 201
    escaped = requests.post(url, data=b'{"service": "A101", "request_id": "\\u4e00"}', headers=headers, timeout=5)
    assert escaped.status_code == 201


def test_an_issue_answers_and_stores_plain_utf8_json(centre: Centre) -> None:
    """orjson writes the answer and the stored event (issue 18): the same bytes json.dumps
    gave the answer (compact, Chinese unescaped), and an event read back as it was pushed."""
    response = requests.post(
        centre.api("/sites/city-hall/tickets"),
        json={"service": "A101", "request_id": "utf8-1"},
        headers={"Authorization": f"Bearer {centre.kiosk_token}", "Accept-Language": "zh"},
        timeout=5,
    )
    assert response.status_code == 201
    answer = response.json()
    assert response.content == json.dumps(answer, ensure_ascii=False, separators=(",", ":")).encode()
    assert "\\u" not in response.text and any(ord(c) > 127 for c in response.text)
    with sqlite3.connect(centre.db_path) as conn:
        stored = conn.execute(
            "SELECT payload FROM events WHERE ticket_id = ?", (answer["ticket"]["id"],)
        ).fetchone()[0]
    assert isinstance(stored, str)  # text, not a blob
    events = centre.get("/sites/city-hall/events?since=0", token=centre.kiosk_token).json()["events"]
    assert json.loads(stored) == [e for e in events if e["ticket"]["id"] == answer["ticket"]["id"]][0]
