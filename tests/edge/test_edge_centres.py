"""Stations that keep serving when the network doesn't (issue 14), with real processes."""
from __future__ import annotations

import requests

from tests.edge.conftest import VILLAGE, Topology, wait_until


def test_a_handed_over_station_serves_and_the_city_refuses_its_writes(topology: Topology) -> None:
    topology.hand_over()
    issued = topology.issue(topology.station)
    assert issued.status_code == 201, issued.text
    refused = topology.issue(topology.city)
    assert refused.status_code == 409 and refused.json()["error"] == "site_owned_by_edge"
    assert "test edge" in refused.json()["message"]
    wait_until(lambda: topology.city_has(1), what="the city has the station's ticket")
    ticket = requests.get(topology.city.api(f"/tickets/{issued.json()['ticket']['id']}"), timeout=5).json()
    assert ticket["ticket"]["number"] == issued.json()["ticket"]["number"]
    assert ticket["ticket"]["site"] == VILLAGE


def rows_of(db_path, sql: str) -> list[tuple]:  # type: ignore[no-untyped-def,type-arg]
    import sqlite3

    with sqlite3.connect(db_path) as conn:
        return conn.execute(sql).fetchall()


TICKETS = f"""SELECT id, number, day, status, issued_at, called_at, started_at, finished_at,
                     counter, outcome, wait_seconds, service_seconds FROM tickets
              WHERE site_id = '{VILLAGE}' ORDER BY id"""
EVENTS = f"SELECT seq, id, type, at, ticket_id, payload FROM events WHERE site_id = '{VILLAGE}' ORDER BY seq"


def serve_people(topology: Topology, clerk: str, count: int) -> list[str]:
    """A stretch of a morning at the station: issue, call and finish `count` tickets."""
    station = topology.station
    numbers = []
    for _ in range(count):
        issued = topology.issue(station)
        assert issued.status_code == 201, issued.text
        numbers.append(issued.json()["ticket"]["number"])
        called = station.post(f"/sites/{VILLAGE}/counters/1/call-next", {}, token=clerk)
        assert called.status_code == 200, called.text
        done = station.post(f"/sites/{VILLAGE}/counters/1/finish", {"outcome": "completed"}, token=clerk)
        assert done.status_code == 200, done.text
    return numbers


def reports_of(centre, token: str, day: str) -> dict:  # type: ignore[no-untyped-def,type-arg]
    from queue_server.reports.registry import REPORTS

    found = {}
    for report in REPORTS:
        response = centre.get(f"/reports/{report}?site={VILLAGE}&from={day}&to={day}", token=token)
        assert response.status_code == 200, response.text
        found[report] = response.json()
    return found


def test_a_morning_cut_off_with_a_crash_reaches_the_city_exactly_once(topology: Topology) -> None:
    from tests.edge.conftest import TOWN_MANAGER

    topology.hand_over()
    station = topology.station
    clerk = station.login(TOWN_MANAGER)  # the township's manager works the village window today
    assert station.post(f"/sites/{VILLAGE}/counters/1/open", {}, token=clerk).status_code == 200
    topology.link.cut()
    first = serve_people(topology, clerk, 120)
    station.kill()  # kill -9 in the middle of the morning, the line still down
    station.start()
    second = serve_people(topology, clerk, 120)
    assert len(set(first + second)) == 240  # no number given twice, across the crash
    health = requests.get(station.api("/health"), timeout=5).json()["edge"]
    assert health["backlog"] >= 240 * 3 and health["last_error"]  # it says it cannot reach the city
    topology.link.restore()
    wait_until(lambda: requests.get(station.api("/health"), timeout=5).json()["edge"]["backlog"] == 0, 60,
               "the outbox is empty")
    assert rows_of(topology.city.db_path, TICKETS) == rows_of(station.db_path, TICKETS)
    assert rows_of(topology.city.db_path, EVENTS) == rows_of(station.db_path, EVENTS)
    city_events = rows_of(topology.city.db_path, EVENTS)
    assert [row[0] for row in city_events] == list(range(city_events[0][0], city_events[0][0] + len(city_events)))
    day = rows_of(station.db_path, TICKETS)[0][2]
    manager = topology.city.login(TOWN_MANAGER)
    assert reports_of(topology.city, manager, day) == reports_of(station, clerk, day)


def backlog(topology: Topology) -> int:
    return int(requests.get(topology.station.api("/health"), timeout=5).json()["edge"]["backlog"])


def caught_up(topology: Topology, timeout: float = 60) -> None:
    wait_until(lambda: backlog(topology) == 0, timeout, "the outbox is empty")
    assert rows_of(topology.city.db_path, EVENTS) == rows_of(topology.station.db_path, EVENTS)
    assert rows_of(topology.city.db_path, TICKETS) == rows_of(topology.station.db_path, TICKETS)


def open_window(topology: Topology) -> str:
    from tests.edge.conftest import TOWN_MANAGER

    clerk = topology.station.login(TOWN_MANAGER)
    assert topology.station.post(f"/sites/{VILLAGE}/counters/1/open", {}, token=clerk).status_code == 200
    return clerk


def test_a_line_that_drops_every_few_seconds_loses_nothing(topology: Topology) -> None:
    topology.hand_over()
    clerk = open_window(topology)
    topology.link.flap(up_seconds=0.7, down_seconds=0.5)
    serve_people(topology, clerk, 150)
    topology.link.steady()
    caught_up(topology)


def test_the_city_restarted_during_catch_up_loses_nothing(topology: Topology) -> None:
    topology.hand_over()
    clerk = open_window(topology)
    topology.link.cut()
    serve_people(topology, clerk, 200)
    topology.link.rate = 8_000  # a 64 kbit/s line, so the catch-up takes a while
    topology.link.restore()
    wait_until(lambda: topology.city_has(10), 60, "the catch-up has begun")
    topology.city.kill()  # kill -9 of the city in the middle of it
    topology.city.start()
    topology.link.rate = None
    caught_up(topology)


def test_a_site_goes_to_its_station_and_back_with_nothing_lost(topology: Topology) -> None:
    from tests.edge.conftest import hallqueue

    before = topology.issue(topology.city)  # the city serves the village this morning
    assert before.status_code == 201, before.text
    topology.hand_over()
    # The city's ticket went with the site: the station calls it.
    clerk = open_window(topology)
    called = topology.station.post(f"/sites/{VILLAGE}/counters/1/call-next", {}, token=clerk).json()
    assert called["ticket"]["id"] == before.json()["ticket"]["id"]
    topology.station.post(f"/sites/{VILLAGE}/counters/1/finish", {"outcome": "completed"}, token=clerk)
    serve_people(topology, clerk, 5)
    out = hallqueue("site", "take-back", VILLAGE, "--wait", "30", "--db", str(topology.city.db_path))
    assert "served by the city again" in out
    refused = topology.issue(topology.station)
    assert refused.status_code == 409 and refused.json()["error"] == "site_owned_by_edge"
    after = topology.issue(topology.city)
    assert after.status_code == 201, after.text
    numbers = [row[1] for row in rows_of(topology.city.db_path, TICKETS)]
    assert len(numbers) == len(set(numbers)) == 7
    seqs = [row[0] for row in rows_of(topology.city.db_path, EVENTS)]
    assert seqs == list(range(seqs[0], seqs[0] + len(seqs)))  # one sequence through both owners


def test_only_the_sites_edge_centre_exchanges_for_it(topology: Topology) -> None:
    from tests.edge.conftest import enrol

    topology.hand_over()
    other_edge = enrol(topology.city.db_path, "edge", "village-lishu")[1]
    body = {"release": 0, "site": VILLAGE, "batch": {}}
    for token in (other_edge, topology.kiosk_token, topology.city.login()):
        response = requests.post(
            topology.city.api("/edge/sync"), json=body, headers={"Authorization": f"Bearer {token}"}, timeout=5
        )
        assert response.status_code in (403, 409), (token, response.text)
    assert requests.post(topology.city.api("/edge/sync"), json=body, timeout=5).status_code == 401


def test_a_station_whose_clock_is_three_minutes_ahead(tmp_path, demo_template) -> None:  # type: ignore[no-untyped-def]
    """The station's times are the station's: a ticket it issues carries its clock, at the
    station and at the city alike, so the city's reports equal the station's (waits and
    service times are differences of the station's times, right to the second); what is
    off is when in the day things seem to happen (3 minutes late in the city's eyes), and
    the city says so: it measures the offset at every exchange."""
    import shutil

    from tests.edge.conftest import TOWN_MANAGER, make_topology, stop

    assert shutil.which("faketime"), "faketime is needed (apt-get install faketime)"
    topology = make_topology(tmp_path, demo_template, clock_ahead=180)
    try:
        topology.hand_over()
        clerk = open_window(topology)
        serve_people(topology, clerk, 20)
        caught_up(topology)
        link = rows_of(topology.city.db_path, "SELECT clock_offset_seconds FROM edge_links")
        assert 165 <= link[0][0] <= 195, link
        day = rows_of(topology.station.db_path, TICKETS)[0][2]
        manager = topology.city.login(TOWN_MANAGER)
        assert reports_of(topology.city, manager, day) == reports_of(topology.station, clerk, day)
    finally:
        stop(topology)


def test_a_bad_rating_at_the_station_opens_its_follow_up_at_the_city(topology: Topology) -> None:
    from tests.edge.conftest import TOWN_MANAGER

    topology.hand_over()
    station, city = topology.station, topology.city
    clerk = station.login(TOWN_MANAGER)
    assert station.post(f"/sites/{VILLAGE}/counters/1/open", {}, token=clerk).status_code == 200
    issued = topology.issue(station).json()
    number = issued["ticket"]["number"]
    assert station.post(f"/sites/{VILLAGE}/counters/1/call-next", {}, token=clerk).status_code == 200
    assert station.post(f"/sites/{VILLAGE}/counters/1/finish", {"outcome": "completed"}, token=clerk).status_code == 200
    rated = requests.post(
        station.api(f"/tickets/{issued['ticket']['id']}/rating"),
        json={"level": 1, "key": issued["key"], "reason": "many_visits"},
        timeout=10,
    )
    assert rated.status_code == 201, rated.text

    def at_the_city() -> list[dict]:  # type: ignore[type-arg]
        answer = city.get(f"/sites/{VILLAGE}/follow-ups?status=open", token=city.login(TOWN_MANAGER))
        assert answer.status_code == 200, answer.text
        return answer.json()["follow_ups"]  # type: ignore[no-any-return]

    wait_until(lambda: at_the_city(), 20, "the city opens the station's follow-up")
    (opened,) = at_the_city()
    assert (opened["ticket"], opened["ticket_number"], opened["level"]) == (issued["ticket"]["id"], number, 1)
    assert opened["reason"] == "many_visits" and opened["counter"] == 1
