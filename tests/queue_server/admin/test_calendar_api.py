"""The calendar over HTTP, on the real centre with a fixed clock: National Day closes the
hall (the refusal says it reopens after the holiday week), a make-up Saturday opens it,
the public site answer says when it next opens, and the admin routes import a year and set
a site's own days with one audit row each, refused outside the actor's sites."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.conftest import Centre, copy_demo, free_port, wait_for_http

TOWN = ("town", "Demo-Gutang-4")  # a manager of town-gutang and the villages below it
MANAGER = ("manager", "Demo-Hall-2")  # a manager of city-hall


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 10, 1, 2, 0, tzinfo=UTC)  # National Day, 10:00 in the hall

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def hall(db_path: Path, demo_template: tuple[Path, str, str], clock: Clock) -> Iterator[Centre]:
    """The real centre keeping hours (IGNORE_HOURS off), on a clock the test sets."""
    from werkzeug.serving import make_server

    from queue_server.app import create_app
    from queue_server.server import QuietHandler

    kiosk, display = copy_demo(demo_template, db_path)
    app = create_app(overrides={"DB": str(db_path), "IGNORE_HOURS": False, "SYNCHRONOUS": "NORMAL"}, clock=clock)
    port = free_port()
    server = make_server("127.0.0.1", port, app, threaded=True, request_handler=QuietHandler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    running = Centre(f"http://127.0.0.1:{port}", db_path)
    running.kiosk_token, running.display_token = kiosk, display
    wait_for_http(running.api("/health"))
    yield running
    server.shutdown()
    app.extensions["hallqueue"].db.close()


def issue(centre: Centre, site: str = "city-hall") -> requests.Response:
    token = centre.kiosk_token if site == "city-hall" else None
    return centre.post(f"/sites/{site}/tickets", {"service": "A101"}, token=token)


def put(centre: Centre, path: str, body: Any, who: tuple[str, str] = Centre.ADMIN) -> requests.Response:
    return requests.put(centre.api(path), json=body, headers={"Authorization": f"Bearer {centre.login(who)}"}, timeout=10)


def delete(centre: Centre, path: str, who: tuple[str, str] = Centre.ADMIN) -> requests.Response:
    return requests.delete(centre.api(path), headers={"Authorization": f"Bearer {centre.login(who)}"}, timeout=10)


def changes(centre: Centre, kind: str) -> list[dict[str, Any]]:
    response = centre.get("/admin/audit", token=centre.login(), params={"kind": kind, "limit": 500})
    assert response.status_code == 200, response.text
    return response.json()["entries"]  # type: ignore[no-any-return]


def test_national_day_closes_the_hall_until_after_the_holiday_week(hall: Centre, clock: Clock) -> None:
    refused = issue(hall)
    assert refused.status_code == 409, refused.text
    body = refused.json()
    assert body["error"] == "site_closed"
    assert body["reopens_at"].startswith("2026-10-08T08:30")  # Thursday after Golden Week
    assert "10-08 08:30" in body["message"]

    site = hall.get("/sites/city-hall").json()
    assert site["opening"]["open_today"] is False and site["opening"]["open_now"] is False
    assert site["opening"]["next_opening"].startswith("2026-10-08T08:30")

    clock.now = datetime(2026, 9, 30, 2, 0, tzinfo=UTC)  # the Wednesday before: open
    assert issue(hall).status_code == 201
    assert hall.get("/sites/city-hall").json()["opening"]["open_now"] is True


def test_a_make_up_saturday_opens_the_hall_with_weekday_hours(hall: Centre, clock: Clock) -> None:
    # The hall opens on Saturdays 09:00–12:00; a make-up Saturday (调休) keeps Monday's hours.
    clock.now = datetime(2026, 10, 10, 6, 0, tzinfo=UTC)  # Saturday 14:00, worked
    assert issue(hall).status_code == 201
    clock.now = datetime(2026, 10, 17, 6, 0, tzinfo=UTC)  # an ordinary Saturday, 14:00
    refused = issue(hall).json()
    assert refused["error"] == "site_closed" and refused["reopens_at"].startswith("2026-10-19T08:30")


def test_import_a_year_with_its_audit_row(hall: Centre, clock: Clock) -> None:
    year = [
        {"date": "2027-01-01", "kind": "holiday", "name": "元旦"},
        {"date": "2027-02-20", "kind": "workday", "name": "春节", "hours_of": "fri"},
    ]
    before = len(changes(hall, "national_days"))
    answer = put(hall, "/admin/calendar/2027", {"days": year})
    assert answer.status_code == 200, answer.text
    listed = hall.get("/admin/calendar/2027", token=hall.login()).json()["days"]
    assert [(d["date"], d["kind"], d["hours_of"]) for d in listed] == [("2027-01-01", "holiday", "mon"), ("2027-02-20", "workday", "fri")]
    rows = changes(hall, "national_days")
    assert len(rows) == before + 1 and rows[0]["target"] == "2027" and rows[0]["action"] == "import"
    # The same list again replaces the year with itself.
    assert put(hall, "/admin/calendar/2027", {"days": year}).status_code == 200
    assert len(hall.get("/admin/calendar/2027", token=hall.login()).json()["days"]) == 2
    # The imported holiday closes the hall (a Friday); 2026 is left as it was.
    clock.now = datetime(2027, 1, 1, 2, 0, tzinfo=UTC)
    assert issue(hall).json()["error"] == "site_closed"
    assert len(hall.get("/admin/calendar/2026", token=hall.login()).json()["days"]) > 30
    # A date outside the year is refused and changes nothing.
    wrong = put(hall, "/admin/calendar/2027", {"days": [{"date": "2028-01-01", "kind": "holiday"}]})
    assert wrong.status_code == 400 and wrong.json()["field"] == "days"
    assert len(hall.get("/admin/calendar/2027", token=hall.login()).json()["days"]) == 2


def test_only_admins_import_and_only_for_their_sites(hall: Centre) -> None:
    body = {"days": [{"date": "2027-01-01", "kind": "holiday", "name": "元旦"}]}
    assert put(hall, "/admin/calendar/2027", body, who=MANAGER).status_code == 403
    closed = {"closed": True, "note": "market day"}
    assert put(hall, "/admin/sites/city-hall/days/2026-10-12", closed, who=TOWN).status_code == 403
    assert delete(hall, "/admin/sites/city-hall/days/2026-10-12", who=TOWN).status_code == 403
    assert hall.get("/admin/sites/city-hall/days", token=hall.login(TOWN)).status_code == 403
    assert not [r for r in changes(hall, "site_day") if r["target"].startswith("city-hall/")]


def test_a_sites_own_day_closes_it_and_goes_again(hall: Centre, clock: Clock) -> None:
    path = "/admin/sites/village-jinqiu/days/2026-10-12"  # a Monday after Golden Week
    before = len(changes(hall, "site_day"))
    saved = put(hall, path, {"closed": True, "note": "赶集日"}, who=TOWN)
    assert saved.status_code == 200, saved.text
    assert saved.json() == {"date": "2026-10-12", "closed": True, "spans": [], "note": "赶集日"}
    assert len(changes(hall, "site_day")) == before + 1
    listed = hall.get("/admin/sites/village-jinqiu/days", token=hall.login(TOWN)).json()
    assert listed["follows_national"] is True
    # Beside the demo's own market day, weeks after today.
    assert "2026-10-12" in [d["date"] for d in listed["days"]]

    clock.now = datetime(2026, 10, 12, 2, 0, tzinfo=UTC)
    opening = hall.get("/sites/village-jinqiu").json()["opening"]
    assert opening["open_today"] is False and opening["next_opening"].startswith("2026-10-13T09:00")
    # Open after all, for a morning only: its own spans, not its weekly hours.
    reopened = put(hall, path, {"closed": False, "spans": [["09:00", "10:00"]], "note": ""}, who=TOWN)
    assert reopened.status_code == 200, reopened.text
    assert hall.get("/sites/village-jinqiu").json()["opening"]["today"] == [["09:00", "10:00"]]
    refused = put(hall, path, {"closed": False, "spans": [], "note": ""}, who=TOWN)
    assert refused.status_code == 400 and refused.json()["field"] == "spans"

    assert delete(hall, path, who=TOWN).status_code == 200
    assert hall.get("/sites/village-jinqiu").json()["opening"]["today"] == [["09:00", "11:30"], ["14:30", "17:00"]]
    assert delete(hall, path, who=TOWN).status_code == 404
    listed = hall.get("/admin/sites/village-jinqiu/days", token=hall.login(TOWN)).json()
    assert "2026-10-12" not in [d["date"] for d in listed["days"]]
    assert len(changes(hall, "site_day")) == before + 3
