"""The reads behind the console, the display and the sign; ratings over REST."""
from __future__ import annotations

import threading

from tests.conftest import Centre


def serve_one(centre: Centre, counter: int = 1, service: str = "A101") -> dict:  # type: ignore[type-arg]
    """Issue at the kiosk, call and finish at `counter`: the ticket, with the key its QR carries."""
    issued = centre.issue(service)
    ticket = issued["ticket"]
    centre.counter(counter, "open")  # 409 when it already is
    assert centre.counter(counter, "call-next").json()["ticket"]["id"] == ticket["id"]
    assert centre.counter(counter, "finish", outcome="completed").status_code == 200
    return {**ticket, "key": issued["key"]}


def test_counter_view_has_current_queues_next_and_today(centre: Centre) -> None:
    clerk = centre.login(Centre.CLERK)
    first = centre.issue("A101")["ticket"]
    second = centre.issue("A102")["ticket"]
    centre.post("/sites/city-hall/counters/1/open", token=clerk)
    view = centre.get("/sites/city-hall/counters/1", token=clerk).json()
    assert view["counter"]["state"] == "open" and view["current"] is None
    assert [t["number"] for t in view["next"]] == [first["number"], second["number"]]
    queues = {q["service"]: q for q in view["queues"]}
    assert queues["A101"]["waiting"] == 1 and queues["A101"]["oldest_wait_minutes"] is not None
    assert queues["A101"]["name"]

    centre.post("/sites/city-hall/counters/1/call-next", token=clerk)
    view = centre.get("/sites/city-hall/counters/1", token=clerk).json()
    assert view["current"]["number"] == first["number"] and view["current"]["item_name"]
    assert [t["number"] for t in view["next"]] == [second["number"]]
    centre.post("/sites/city-hall/counters/1/finish", {"outcome": "completed"}, token=clerk)
    today = centre.get("/sites/city-hall/counters/1", token=clerk).json()["today"]
    assert today["clerk"] == "clerk" and today["served"] == 1 and today["completed_on_the_spot"] == 1
    assert today["on_the_spot_share"] == 1.0


def test_counter_view_needs_a_token_of_the_site(centre: Centre) -> None:
    assert centre.get("/sites/city-hall/counters/1").status_code == 401
    assert centre.get("/sites/city-hall/counters/99", token=centre.display_token).status_code == 404


def test_board_shows_calls_waiting_and_settings(centre: Centre) -> None:
    first = centre.issue("A101")["ticket"]
    centre.issue("A101")
    centre.counter(3, "open")
    centre.counter(3, "call-next")
    centre.counter(3, "recall")
    board = centre.get("/sites/city-hall/board", token=centre.display_token).json()
    now = [c for c in board["counters"] if c["ticket"]]
    assert [(c["number"], c["ticket"]["number"]) for c in now] == [(3, first["number"])]
    assert [(c["type"], c["number"], c["counter"]) for c in board["recent_calls"]] == [
        ("ticket.recalled", first["number"], 3),
        ("ticket.called", first["number"], 3),
    ]
    assert board["waiting_total"] == 1 and board["waiting"][0]["service"] == "A101"
    assert board["site"]["notice"] and board["last_seq"] >= 4


def test_rating_once_per_finished_ticket(centre: Centre, sign_token: str) -> None:
    waiting = centre.issue("B201")["ticket"]  # not served at counter 1
    refused = centre.post(f"/tickets/{waiting['id']}/rating", {"level": 5}, token=sign_token)
    assert refused.status_code == 409 and refused.json()["error"] == "not_rateable"
    done = serve_one(centre, service="A102")
    assert centre.get(f"/tickets/{done['id']}/rating").json() == {"rating": None}
    stored = centre.post(f"/tickets/{done['id']}/rating", {"level": 4}, token=sign_token)
    assert stored.status_code == 201, stored.text
    assert stored.json()["rating"]["channel"] == "evaluator" and stored.json()["rating"]["name"] == "满意"
    again = centre.post(f"/tickets/{done['id']}/rating", {"level": 1}, token=sign_token)
    assert again.status_code == 409 and again.json()["error"] == "already_rated"
    assert centre.get(f"/tickets/{done['id']}/rating").json()["rating"]["level"] == 4


def test_rating_from_the_phone_needs_the_printed_key_and_staff_may_not_rate(centre: Centre) -> None:
    import requests

    issued = centre.issue("A101")
    done = issued["ticket"]
    centre.counter(1, "open")
    centre.counter(1, "call-next")
    centre.counter(1, "finish", outcome="completed")
    url = centre.api(f"/tickets/{done['id']}/rating")
    key = issued["key"]
    assert centre.post(f"/tickets/{done['id']}/rating", {"level": 5, "key": key}).status_code == 403  # admin
    for bad in ({"level": 0}, {"level": 6}, {"level": "5"}, {"level": True}, {}):
        response = requests.post(url, json={**bad, "key": key}, timeout=5)
        assert response.status_code == 400, bad
    response = requests.post(url, json={"level": 2, "key": key}, timeout=5)  # a 差评 needs its reason
    assert response.status_code == 400 and response.json()["error"] == "reason_required"
    response = requests.post(url, json={"level": 2, "key": key, "reason": "slow"}, timeout=5)
    assert response.status_code == 201 and response.json()["rating"]["channel"] == "phone"
    assert response.json()["rating"]["reason"] == "slow"
    summary = centre.get("/sites/city-hall/ratings", token=centre.login()).json()
    assert summary["count"] == 1 and summary["levels"]["2"] == 1 and summary["counters"] == [
        {"counter": 1, "count": 1, "average": 2.0}
    ]


def test_simultaneous_ratings_store_one(centre: Centre) -> None:
    import requests

    done = serve_one(centre)
    url = centre.api(f"/tickets/{done['id']}/rating")
    codes: list[int] = []
    barrier = threading.Barrier(6)

    def rate(level: int) -> None:
        barrier.wait()
        body = {"level": level, "key": done["key"], **({"reason": "slow"} if level <= 2 else {})}
        codes.append(requests.post(url, json=body, timeout=10).status_code)

    threads = [threading.Thread(target=rate, args=(1 + i % 5,)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(codes) == [201, 409, 409, 409, 409, 409]
    events = centre.get("/sites/city-hall/events?since=0", token=centre.display_token).json()["events"]
    assert [e["type"] for e in events].count("ticket.rated") == 1
