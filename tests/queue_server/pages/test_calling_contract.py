"""The calling routes as they are declared: what their models refuse answers 400
`field_<rule>` naming the field, in the reader's language; the document comes from the
same models; the kiosk and the sign build what they send with them."""
from __future__ import annotations

import requests

from queue_server.api.document import openapi_document
from queue_server.wire.shapes import DeviceStatusReport, IssueRequest, PersonCard, RatingRequest
from tests.conftest import Centre
from tests.queue_server.pages.test_calling_api import serve_one

SITE = "/sites/city-hall"


def refusal(response: requests.Response) -> tuple[int, str, str | None]:
    body = response.json()
    return response.status_code, body["error"], body.get("field")


def test_the_console_finder_names_the_bad_query(centre: Centre) -> None:
    clerk = centre.login(Centre.CLERK)
    assert refusal(centre.get(f"{SITE}/tickets?number=A%3F", token=clerk)) == (400, "field_form", "number")
    assert refusal(centre.get(f"{SITE}/tickets?status=lost", token=clerk)) == (400, "field_choice", "status")
    english = requests.get(
        centre.api(f"{SITE}/tickets?status=lost"),
        headers={"Authorization": f"Bearer {clerk}", "Accept-Language": "en"},
        timeout=10,
    ).json()["message"]
    assert english.startswith("status must be one of") and "no_show" in english
    # An empty number is no number (the console's list by status).
    assert centre.get(f"{SITE}/tickets?number=", token=clerk).status_code == 200


def test_ratings_and_device_reports_name_what_is_wrong(centre: Centre, sign_token: str) -> None:
    manager = centre.login()
    assert refusal(centre.get(f"{SITE}/ratings?day=2026-13-01", token=manager)) == (400, "field_date", "day")
    assert centre.get(f"{SITE}/ratings?day=", token=manager).json()["day"]  # today
    done = serve_one(centre)
    for level in (0, 6, "5", True, 4.0):
        refused = centre.post(f"/tickets/{done['id']}/rating", {"level": level}, token=sign_token)
        assert refusal(refused) == (400, "field_integer", "level"), level
    kiosk = centre.kiosk_token
    assert refusal(centre.post("/devices/status", {"printer": "smoking"}, token=kiosk)) == (400, "field_choice", "printer")
    nothing = centre.post("/devices/status", {"printer": None}, token=kiosk)
    assert refusal(nothing) == (400, "field_nothing_reported", "body")
    assert "id_reader" in nothing.json()["message"]


def test_an_empty_site_query_is_the_whole_scope(centre: Centre) -> None:
    manager = centre.login()
    everything = centre.get("/manage/live", token=manager).json()["sites"]
    assert [s["site"]["id"] for s in centre.get("/manage/live?site=", token=manager).json()["sites"]] == [
        s["site"]["id"] for s in everything
    ]
    assert centre.get("/manage/devices?site=nowhere", token=manager).status_code == 404


def test_the_document_of_the_calling_routes_is_their_models() -> None:
    paths = openapi_document()["paths"]

    def schema(path: str, method: str, status: str) -> str:
        return paths[path][method]["responses"][status]["content"]["application/json"]["schema"]["$ref"]

    assert schema("/api/v1/sites/{site}/counters/{number}", "get", "200").endswith("/CounterView")
    assert schema("/api/v1/sites/{site}/board", "get", "200").endswith("/Board")
    assert schema("/api/v1/manage/live", "get", "200").endswith("/Live")
    assert schema("/api/v1/tickets/{ticket_id}/rating", "post", "201").endswith("/RatingAnswer")
    body = paths["/api/v1/devices/status"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert body["$ref"].endswith("/DeviceStatusReport")
    queries = {p["name"] for p in paths["/api/v1/sites/{site}/tickets"]["get"]["parameters"]}
    assert queries == {"site", "status", "number"}


def test_what_the_agents_send_is_what_the_centre_takes() -> None:
    card = PersonCard(id_number=" 11010119400101123x ", name="张三丰", birth_date="1940-01-01")
    request = IssueRequest(service="A101", request_id="r-1", channel="kiosk", person=card)
    assert request.model_dump(exclude_defaults=True) == {
        "service": "A101",
        "request_id": "r-1",
        "channel": "kiosk",
        "person": {"id_number": "11010119400101123X", "name": "张三丰", "birth_date": "1940-01-01"},
    }
    assert "110101" not in repr(card) and "张三丰" not in repr(request)
    assert DeviceStatusReport(printer="out", id_reader="ok").model_dump(exclude_none=True) == {
        "printer": "out",
        "id_reader": "ok",
    }
    assert RatingRequest(level=4).model_dump(exclude_none=True) == {"level": 4}
