"""The console's reads for the queue rules: tickets by number, proxies, the call's reason."""
from __future__ import annotations

from tests.conftest import Centre

SITE = "/sites/city-hall"


def test_a_waiting_ticket_is_found_by_the_number_as_typed(centre: Centre) -> None:
    clerk = centre.login(Centre.CLERK)
    centre.issue("A101")
    wanted = centre.issue("A101")["ticket"]
    typed = wanted["number"][0].lower() + str(int(wanted["number"][1:]))  # "A002" typed "a2"
    found = centre.get(f"{SITE}/tickets?number={typed}", token=clerk).json()
    assert [t["id"] for t in found["tickets"]] == [wanted["id"]]
    assert found["tickets"][0]["item_name"] and found["status"] == "waiting"
    every = centre.get(f"{SITE}/tickets", token=clerk).json()["tickets"]
    assert [t["number"] for t in every][-1] == wanted["number"]  # queue order
    assert centre.get(f"{SITE}/tickets?number=A%3F", token=clerk).status_code == 400
    assert centre.get(f"{SITE}/tickets?status=lost", token=clerk).status_code == 400
    assert centre.get(f"{SITE}/tickets").status_code == 401
    assert centre.get(f"{SITE}/tickets", token=centre.display_token).status_code == 403


def test_a_missed_ticket_is_returnable_once(centre: Centre) -> None:
    clerk = centre.login(Centre.CLERK)
    ticket = centre.issue("A101")["ticket"]
    centre.counter(1, "open")
    centre.counter(1, "call-next")
    assert centre.counter(1, "recall").status_code == 200  # the demo hall calls twice
    assert centre.counter(1, "no-show").status_code == 200
    missed = centre.get(f"{SITE}/tickets?status=no_show&number={ticket['number']}", token=clerk).json()
    assert [(t["id"], t["returnable"]) for t in missed["tickets"]] == [(ticket["id"], True)]
    assert centre.post(f"/tickets/{ticket['id']}/return", token=clerk).status_code == 200
    assert centre.get(f"{SITE}/tickets?status=no_show", token=clerk).json()["tickets"] == []
    back = centre.get(f"{SITE}/tickets?number={ticket['number']}", token=clerk).json()["tickets"]
    assert back[0]["return_count"] == 1


def test_counter_view_says_why_the_current_ticket_was_called_and_the_missed_call_rule(centre: Centre) -> None:
    clerk = centre.login(Centre.CLERK)
    centre.issue("A101")
    later = centre.issue("A101")["ticket"]
    centre.counter(1, "open")
    called = centre.counter(1, "call", ticket=later["id"], reason="special_need")
    assert called.status_code == 200, called.text
    view = centre.get(f"{SITE}/counters/1", token=clerk).json()
    assert view["current"]["id"] == later["id"]
    assert (view["current"]["call_reason"], view["current"]["out_of_order_reason"]) == ("out_of_order", "special_need")
    assert view["missed_call_rule"] == {"calls": 2, "interval_seconds": 0, "return_places": 3, "allows_return": True}
    centre.counter(1, "finish", outcome="completed")
    centre.counter(1, "call-next")
    current = centre.get(f"{SITE}/counters/1", token=clerk).json()["current"]
    assert (current["call_reason"], current["out_of_order_reason"]) == ("longest_wait", None)


def test_staff_see_the_sites_proxies_and_their_count_today(centre: Centre) -> None:
    clerk = centre.login(Centre.CLERK)
    registered = centre.post("/admin/sites/city-hall/proxies", {"kind": "staff", "username": "manager", "daily_cap": 3})
    assert registered.status_code == 201, registered.text
    proxy = registered.json()["proxy"]
    listed = centre.get(f"{SITE}/proxies", token=clerk).json()["proxies"]
    assert [(a["id"], a["today"], a["daily_cap"]) for a in listed] == [(proxy["id"], 0, 3)]
    assert "username" not in listed[0]
    issued = centre.post(f"{SITE}/tickets", {"service": "A101", "proxy": proxy["id"]}, token=clerk)
    assert issued.status_code == 201, issued.text
    assert centre.get(f"{SITE}/proxies", token=clerk).json()["proxies"][0]["today"] == 1
    assert centre.get(f"{SITE}/proxies", token=centre.kiosk_token).status_code == 403
