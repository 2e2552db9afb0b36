"""A “一件事” ticket through its stages over the real centre: stage-done, a transfer for the
next stage at another window, the finish closing the rest, and the citizen's stage ratings."""

from __future__ import annotations

from typing import Any

import requests

from tests.conftest import Centre

HALL = "city-hall"
# Y01 企业开办一件事: A102, A106, B201, D402; windows 21–23 serve it.


def bundle_ticket(centre: Centre) -> dict[str, Any]:
    issued = centre.issue(bundle="Y01")
    assert issued["ticket"]["bundle"] == "Y01"
    return issued  # type: ignore[no-any-return]


def serve_at(centre: Centre, number: int, token: str) -> dict[str, Any]:
    centre.post(f"/sites/{HALL}/counters/{number}/open", token=token)
    called = centre.post(f"/sites/{HALL}/counters/{number}/call-next", token=token)
    assert called.status_code == 200, called.text
    started = centre.post(f"/sites/{HALL}/counters/{number}/start", token=token)
    assert started.status_code == 200, started.text
    return started.json()["ticket"]  # type: ignore[no-any-return]


def stage_done(centre: Centre, number: int, service: str, token: str):  # type: ignore[no-untyped-def]
    return centre.post(f"/sites/{HALL}/counters/{number}/stage-done", {"service": service}, token=token)


def test_stages_are_recorded_across_a_transfer_and_closed_at_the_finish(centre: Centre) -> None:
    admin, clerk = centre.login(), centre.login(Centre.CLERK)
    issued = bundle_ticket(centre)
    ticket_id = issued["ticket"]["id"]
    serve_at(centre, 21, admin)
    first = stage_done(centre, 21, "A102", admin)
    assert first.status_code == 200, first.text
    body = first.json()
    assert [(s["service"], s["counter"], s["timed"]) for s in body["stages"]] == [("A102", 21, True)]
    assert body["stages"][0]["name"] and body["stages"][0]["minutes"] is not None
    assert [r["service"] for r in body["remaining"]] == ["A106", "B201", "D402"]
    assert stage_done(centre, 21, "A102", admin).json()["error"] == "stage_already_done"
    assert stage_done(centre, 21, "C301", admin).json()["error"] == "stage_not_in_bundle"

    moved = centre.post(f"/sites/{HALL}/counters/21/transfer", {"to_counter": 22}, token=admin)
    assert moved.status_code == 200, moved.text
    assert stage_done(centre, 21, "B201", admin).json()["error"] == "no_current_ticket"
    assert serve_at(centre, 22, clerk)["id"] == ticket_id
    second = stage_done(centre, 22, "B201", clerk)
    assert second.status_code == 200, second.text
    finished = centre.post(f"/sites/{HALL}/counters/22/finish", {"outcome": "completed"}, token=clerk)
    assert finished.status_code == 200, finished.text

    stages = centre.get(f"/tickets/{ticket_id}/stages").json()
    assert stages["bundle"] == "Y01" and stages["remaining"] == []
    assert [(s["position"], s["service"], s["counter"], s["timed"]) for s in stages["stages"]] == [
        (1, "A102", 21, True),
        (2, "B201", 22, True),
        (3, "A106", 22, False),  # served together at the finish, the time not split
        (4, "D402", 22, False),
    ]
    assert "clerk" not in stages["stages"][0]  # the phone reads this: no staff names

    from queue_server.storage import Database

    db = Database(centre.db_path)
    try:
        clerks = [s.clerk for s in db.store.ticket_stages.of(ticket_id)]
    finally:
        db.close()
    assert clerks == ["admin", "clerk", "clerk", "clerk"]


def test_stage_done_needs_a_bundle_ticket_and_the_windows_clerk(centre: Centre) -> None:
    admin, clerk = centre.login(), centre.login(Centre.CLERK)
    centre.issue("A101")
    serve_at(centre, 1, admin)
    assert stage_done(centre, 1, "A101", admin).json()["error"] == "not_a_bundle"
    bundle_ticket(centre)
    serve_at(centre, 21, admin)
    held = stage_done(centre, 21, "A102", clerk)
    assert held.status_code == 409 and held.json()["error"] == "counter_held"
    assert centre.post(f"/sites/{HALL}/counters/21/stage-done", {"service": "A102"}, token=centre.kiosk_token).status_code == 403


def rate_stage(centre: Centre, ticket_id: str, service: str, level: int, key: str | None, token: str | None = None):  # type: ignore[no-untyped-def]
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return requests.post(
        centre.api(f"/tickets/{ticket_id}/stages/{service}/rating"),
        json={"level": level, "key": key},
        headers=headers,
        timeout=10,
    )


def test_each_stage_is_rated_once_by_the_citizen_with_the_tickets_key(centre: Centre) -> None:
    admin = centre.login()
    issued = bundle_ticket(centre)
    ticket_id, key = issued["ticket"]["id"], issued["key"]
    serve_at(centre, 21, admin)
    stage_done(centre, 21, "A102", admin)

    def rate(service: str, level: int, key: str | None = key, token: str | None = None):  # type: ignore[no-untyped-def]
        return rate_stage(centre, ticket_id, service, level, key, token)

    too_soon = rate("A102", 5)
    assert too_soon.status_code == 409 and too_soon.json()["error"] == "not_rateable"
    centre.post(f"/sites/{HALL}/counters/21/finish", {"outcome": "completed"}, token=admin)

    assert rate("A102", 5, key=None).status_code == 403
    assert rate("A102", 5, key="0" * 32).json()["error"] == "rating_key_invalid"
    assert rate("A102", 5, token=admin).status_code == 403  # staff never rate
    rated = rate("A102", 5)
    assert rated.status_code == 201, rated.text
    assert [s["rating"] for s in rated.json()["stages"]] == [5, None, None, None]
    again = rate("A102", 1)
    assert again.status_code == 409 and again.json()["error"] == "stage_already_rated"
    assert rate("D402", 2).status_code == 201
    assert rate("C301", 2).json()["error"] == "unknown_stage"
    # The whole is rated as before, on its own.
    overall = requests.post(centre.api(f"/tickets/{ticket_id}/rating"), json={"level": 4, "key": key}, timeout=10)
    assert overall.status_code == 201, overall.text
    stages = centre.get(f"/tickets/{ticket_id}/stages").json()["stages"]
    assert [s["rating"] for s in stages] == [5, None, None, 2]


def test_the_bundle_stages_report_counts_stages_minutes_and_ratings(centre: Centre) -> None:
    admin = centre.login()
    keys, day = [], ""
    for marked in (True, False):
        issued = bundle_ticket(centre)
        keys.append((issued["ticket"]["id"], issued["key"]))
        day = issued["ticket"]["day"]
        serve_at(centre, 21, admin)
        if marked:
            for service in ("A102", "A106", "B201"):
                assert stage_done(centre, 21, service, admin).status_code == 200
        centre.post(f"/sites/{HALL}/counters/21/finish", {"outcome": "completed"}, token=admin)
    (first, first_key), (second, second_key) = keys
    assert rate_stage(centre, first, "A102", 5, first_key).status_code == 201
    assert rate_stage(centre, second, "A102", 2, second_key).status_code == 201
    assert rate_stage(centre, first, "D402", 4, first_key).status_code == 201
    requests.post(centre.api(f"/tickets/{first}/rating"), json={"level": 5, "key": first_key}, timeout=10)

    answer = centre.get("/reports/bundle_stages", token=admin, params={"from": day, "to": day, "site": HALL})
    assert answer.status_code == 200, answer.text
    table = answer.json()
    assert table["columns"] == ["一件事", "环节", "办理次数", "计时次数", "平均环节用时", "评价数", "满意率"]
    rows = {row[1]: row for row in table["rows"]}
    names = {s["code"]: s["name"] for s in centre.get("/admin/catalog", token=admin).json()["services"]}
    a102, d402 = rows[names["A102"]], rows[names["D402"]]
    assert a102[0] == "企业开办一件事" and a102[2:4] == [2, 1]  # the second ticket's four: not timed
    assert a102[4] is not None and a102[5:] == [2, 0.5]
    assert d402[2:4] == [2, 1] and d402[5:] == [1, 1.0]  # the first's last item, timed at the finish
    assert table["rows"][-1] == ["企业开办一件事", "整体", 2, None, None, 1, 1.0]
    assert [row[1] for row in table["rows"][:4]] == [names[c] for c in ("A102", "A106", "B201", "D402")]
