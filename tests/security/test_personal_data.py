"""A citizen's ID number and name are nowhere in clear, wherever the centre writes or shows.

One identified citizen goes the whole way (kiosk issue, call, serve, finish, rating
from the phone) while every log record of the process is captured at DEBUG and a
display and a manager follow over Socket.IO. Then every page and every API read of
the flow, the pushed events, the database file with its WAL and the log are searched
for the number (either case of a final X) and the full name. The kiosk's own side (its
screens, spool, printed ticket and log) is checked by tests/kiosk (test_kiosk_browser,
test_cli) with the same rule.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
import socketio

from queue_server import wire
from tests.conftest import Centre, log_to_file

ID_NUMBER = "11010519491231002X"
NAME = "欧阳秀兰"
PERSON = {"id_number": ID_NUMBER, "name": NAME, "birth_date": "1949-12-31"}
SECRETS = (ID_NUMBER, ID_NUMBER.lower(), ID_NUMBER[:-1], NAME, json.dumps(NAME)[1:-1])


@pytest.fixture
def captured_log(tmp_path: Path) -> Iterator[Path]:
    with log_to_file(tmp_path / "centre.log", "%(levelname)s %(name)s: %(message)s %(args)s") as path:
        yield path


def follower(centre: Centre, token: str, heard: list[str]) -> socketio.Client:
    client = socketio.Client(reconnection=False)
    for name in wire.EVENT_TYPES:
        client.on(name, lambda payload: heard.append(json.dumps(payload, ensure_ascii=False)))
    client.connect(centre.url, auth={"token": token}, transports=["websocket"], wait_timeout=5)
    client.call(wire.JOIN, {"site": "city-hall"}, timeout=5)
    return client


def test_id_number_and_name_never_in_clear(centre: Centre, captured_log: Path) -> None:
    seen: dict[str, str] = {}
    heard: list[str] = []
    admin = centre.login()
    followers = [follower(centre, centre.display_token, heard), follower(centre, admin, heard)]

    def keep(label: str, response: requests.Response) -> requests.Response:
        seen[label] = response.content.decode("utf-8", errors="replace")
        return response

    try:
        # Refused forms of the card first: errors must not echo what was sent.
        for bad in ({**PERSON, "id_number": ID_NUMBER[:-1] + "Q"}, {**PERSON, "birth_date": NAME}, {**PERSON, "name": NAME * 30}):
            keep(f"refused {bad}", centre.post("/sites/city-hall/tickets", {"service": "A101", "person": bad}, token=centre.kiosk_token))
        issued = keep(
            "issue",
            centre.post("/sites/city-hall/tickets", {"service": "A101", "request_id": "pii-1", "person": PERSON}, token=centre.kiosk_token),
        )
        assert issued.status_code == 201, issued.text
        ticket = issued.json()["ticket"]
        assert ticket["person"] and ticket["priority"] == "elderly"
        keep("issue again", centre.post("/sites/city-hall/tickets", {"service": "A101", "request_id": "pii-1", "person": PERSON}, token=centre.kiosk_token))
        for action, body in (("open", {}), ("call-next", {}), ("recall", {}), ("start", {}), ("finish", {"outcome": "completed"})):
            response = keep(action, centre.counter(1, action, **body))
            assert response.status_code == 200, (action, response.text)
        rating = {"level": 1, "key": issued.json()["key"], "reason": "other"}  # a 差评: a follow-up too
        keep("rating", requests.post(centre.api(f"/tickets/{ticket['id']}/rating"), json=rating, timeout=10))

        day = ticket["day"]
        reads = {
            "ticket": f"/tickets/{ticket['id']}",
            "ticket rating": f"/tickets/{ticket['id']}/rating",
            "site": "/sites/city-hall",
            "counter": "/sites/city-hall/counters/1",
            "board": "/sites/city-hall/board",
            "events": "/sites/city-hall/events?since=0",
            "ratings": "/sites/city-hall/ratings",
            "live": "/manage/live",
            "devices": "/manage/devices",
            "audit": "/admin/audit?limit=500",
            "follow-ups": "/sites/city-hall/follow-ups",
            "ratings export": f"/sites/city-hall/ratings/export?from={ticket['day']}&to={ticket['day']}&format=csv",
        }
        from queue_server.reports.registry import REPORTS

        for report in REPORTS:
            reads[f"report {report}"] = f"/reports/{report}?from={day}&to={day}&format=csv"
        for label, path in reads.items():
            response = keep(label, centre.get(path, token=admin))
            assert response.status_code == 200, (label, response.text)
        pages = [
            "/",
            "/console",
            "/manage",
            "/manage/reports",
            "/manage/follow-ups",
            f"/display/city-hall?token={centre.display_token}",
            f"/t/{ticket['id']}",
            *(f"/admin/{section}" for section in ("sites", "catalog", "counters", "staff", "devices", "settings", "audit")),
        ]
        for path in pages:
            response = keep(f"page {path}", requests.get(centre.url + path, timeout=10))
            assert response.status_code == 200, path
        time.sleep(0.3)
    finally:
        for client in followers:
            client.disconnect()

    db = Path(centre.db_path)
    places = dict(seen)
    places["pushed events"] = "\n".join(heard)
    places["log"] = captured_log.read_text(encoding="utf-8")
    for path in [db, *db.parent.glob(db.name + "-*")]:
        places[path.name] = path.read_bytes().decode("utf-8", errors="replace")
    assert len(heard) >= 6 and "-wal" in "".join(places)
    found = [f"{secret[:4]}… in {place}" for place, text in places.items() for secret in SECRETS if secret in text]
    assert not found, found


def test_the_public_ticket_read_shows_no_name(centre: Centre) -> None:
    """The phone page's read needs no token, so it carries not even the masked name."""
    person = {"id_number": "33010219500612357X", "name": "张晓明", "birth_date": "1950-06-12"}
    issued = centre.post(
        "/sites/city-hall/tickets", {"service": "A101", "person": person}, token=centre.kiosk_token
    ).json()["ticket"]
    assert issued["person"] == "张**"  # the kiosk that took it may print it
    public = centre.get(f"/tickets/{issued['id']}").json()["ticket"]
    assert "person" not in public
    staff = centre.get(f"/tickets/{issued['id']}", token=centre.login()).json()["ticket"]
    assert staff["person"] == "张**"
