"""Every report figure against numbers computed independently from a small hand-made history."""

from __future__ import annotations

import csv
import io
import math
import statistics
from datetime import UTC, datetime, timedelta

import openpyxl
import pytest

from queue_server.engine.model import Channel, Outcome, Priority, Ticket, TicketStatus
from queue_server.storage import Database
from tests.conftest import Centre

# (site, local day, local hh:mm issued, service, wait min, service min, end, rating, channel, counter)
HISTORY = [
    ("city-hall", "2026-03-02", "09:05", "A101", 4, 10, "completed", 5, "kiosk", 1),
    ("city-hall", "2026-03-02", "09:10", "A101", 12, 8, "completed", 4, "kiosk", 1),
    ("city-hall", "2026-03-02", "09:40", "B201", 30, 15, "accepted", 2, "appointment", 6),
    ("city-hall", "2026-03-02", "10:15", "B201", 25, 5, "materials_incomplete", None, "kiosk", 6),
    ("city-hall", "2026-03-02", "10:20", "A103", 7, 20, "referred", 5, "staff", 2),
    ("city-hall", "2026-03-02", "14:00", "A101", 3, None, "no_show", None, "kiosk", 1),
    ("city-hall", "2026-03-02", "16:50", "A101", None, None, "unserved", None, "kiosk", None),
    ("city-hall", "2026-03-03", "09:30", "A101", 45, 12, "completed", 1, "online", 2),
    ("city-hall", "2026-03-03", "11:00", "B201", 18, 9, "completed", 5, "kiosk", 6),
    ("town-gutang", "2026-03-03", "10:00", "D401", 2, 6, "completed", 3, "kiosk", 1),
    ("village-jinqiu", "2026-03-03", "15:10", "C301", 6, 7, "accepted", 4, "staff", 1),
    (
        "city-hall",
        "2026-03-04",
        "09:00",
        "A101",
        1,
        1,
        "completed",
        5,
        "kiosk",
        1,
    ),  # outside the range
]
DEPARTMENTS = {
    "A101": "市场监督管理局",
    "A103": "市场监督管理局",
    "B201": "税务局",
    "D401": "人力资源和社会保障局",
    "C301": "医疗保障局",
}
SHANGHAI = timedelta(hours=8)


def _at(day: str, clock: str) -> datetime:
    return datetime.fromisoformat(f"{day}T{clock}:00").replace(tzinfo=UTC) - SHANGHAI


def load_history(db: Database) -> None:
    with db.transaction() as store:
        for i, (site, day, clock, service, wait, serve, end, rating, channel, counter) in enumerate(
            HISTORY
        ):
            issued = _at(day, clock)
            called = issued + timedelta(minutes=wait) if wait is not None else None
            finished = called + timedelta(minutes=serve) if serve is not None else None
            status = {"no_show": TicketStatus.NO_SHOW, "unserved": TicketStatus.UNSERVED}.get(
                end, TicketStatus.DONE
            )
            ticket = Ticket(
                id=f"01HISTORY{i:017d}",
                site_id=site,
                day=day,
                prefix=service[0],
                seq_no=100 + i,
                number=f"{service[0]}{100 + i}",
                service=service,
                bundle=None,
                channel=Channel(channel),
                priority=Priority.ORDINARY,
                status=status,
                issued_at=issued,
                called_at=called,
                started_at=called,
                finished_at=finished,
                counter=counter,
                clerk=f"clerk{counter}" if counter else None,
                outcome=Outcome(end) if status == TicketStatus.DONE else None,
                wait_seconds=wait * 60 if wait is not None else None,
                service_seconds=serve * 60 if serve is not None else None,
                recall_count=1 if end == "no_show" else 0,
                transfer_count=1 if end == "referred" else 0,
            )
            store.tickets.insert(ticket, "Asia/Shanghai", None)
            if rating:
                db.conn.execute("UPDATE tickets SET rating = ? WHERE id = ?", (rating, ticket.id))


@pytest.fixture
def history(centre: Centre) -> Centre:
    load_history(Database(centre.db_path))
    return centre


IN_RANGE = [h for h in HISTORY if "2026-03-02" <= h[1] <= "2026-03-03"]


def fetch(centre: Centre, report: str, **params: str):  # type: ignore[no-untyped-def]
    query = {"from": "2026-03-02", "to": "2026-03-03", **params}
    response = centre.get(
        f"/reports/{report}",
        token=centre.login(("manager", "Demo-Hall-2"))
        if params.get("site") == "city-hall"
        else centre.login(),
        params=query,
    )
    assert response.status_code == 200, response.text
    return response


def as_dict(body: dict) -> dict:  # type: ignore[type-arg]
    return {row[0]: row[1:] for row in body["rows"]}


def nearest_rank(values: list[float], fraction: float) -> float:
    """The smallest value with at least `fraction` of the values at or below it."""
    ordered = sorted(values)
    return ordered[max(1, math.ceil(fraction * len(ordered))) - 1]


def test_summary_matches_the_history(history: Centre) -> None:
    rows = dict((r[0], r[1]) for r in fetch(history, "summary").json()["rows"])
    done = [h for h in IN_RANGE if h[6] not in ("no_show", "unserved")]
    called = [h for h in IN_RANGE if h[4] is not None]
    assert rows["issued"] == len(IN_RANGE) == 11
    assert rows["served"] == len(done) == 9
    assert rows["no_show"] == 1 and rows["unserved"] == 1
    assert rows["no_show_rate"] == round(1 / len(called), 4)
    assert rows["on_the_spot_share"] == round(sum(h[6] == "completed" for h in done) / len(done), 4)
    # Target waits: the hall 20 min, the township and village 15 min.
    target = {"city-hall": 20, "town-gutang": 15, "village-jinqiu": 15}
    within = sum(h[4] <= target[h[0]] for h in called)
    assert rows["within_target_share"] == round(within / len(called), 4)
    waits = [h[4] for h in called]
    assert rows["wait_mean_minutes"] == round(statistics.mean(waits), 2)
    assert abs(rows["wait_median_minutes"] - nearest_rank(waits, 0.5)) <= 0.25
    assert abs(rows["wait_p90_minutes"] - nearest_rank(waits, 0.9)) <= 0.25
    services = [h[5] for h in done]
    assert rows["service_mean_minutes"] == round(statistics.mean(services), 2)
    assert abs(rows["service_median_minutes"] - nearest_rank(services, 0.5)) <= 0.25
    assert abs(rows["service_p90_minutes"] - nearest_rank(services, 0.9)) <= 0.25
    rated = [h[7] for h in IN_RANGE if h[7]]
    assert rows["rated"] == len(rated)
    assert rows["satisfaction_rate"] == round(sum(r >= 3 for r in rated) / len(rated), 4)
    assert rows["transfers"] == 1 and rows["recalls"] == 1


def test_throughput_by_every_grouping(history: Centre) -> None:
    by_day = as_dict(fetch(history, "throughput", by="day").json())
    assert by_day["2026-03-02"][:2] == [7, 5] and by_day["2026-03-03"][:2] == [4, 4]
    by_service = as_dict(fetch(history, "throughput", by="service").json())
    assert by_service["A101"][0] == sum(h[3] == "A101" for h in IN_RANGE)
    by_department = as_dict(fetch(history, "throughput", by="department").json())
    for department in set(DEPARTMENTS.values()):
        assert by_department[department][0] == sum(
            DEPARTMENTS[h[3]] == department for h in IN_RANGE
        )
    by_hour = as_dict(fetch(history, "throughput", by="hour").json())
    assert by_hour[9][0] == sum(h[2].startswith("09") for h in IN_RANGE)
    by_weekday = as_dict(fetch(history, "throughput", by="weekday").json())

    def counts(day: str) -> list[int]:
        rows = [h for h in IN_RANGE if h[1] == day]
        return [
            len(rows),
            sum(h[6] not in ("no_show", "unserved") for h in rows),
            sum(h[6] == "no_show" for h in rows),
            sum(h[6] == "unserved" for h in rows),
            sum(h[6] == "referred" for h in rows),  # the hand-made transfer
            sum(h[6] == "no_show" for h in rows),  # each no-show was recalled once
            sum(h[6] == "completed" for h in rows),
        ]

    assert by_weekday == {"周一": counts("2026-03-02"), "周二": counts("2026-03-03")}
    by_site = as_dict(fetch(history, "throughput", by="site").json())
    assert {k: v[0] for k, v in by_site.items()} == {
        "city-hall": 9,
        "town-gutang": 1,
        "village-jinqiu": 1,
    }
    by_counter = as_dict(fetch(history, "throughput", by="counter").json())
    assert by_counter["city-hall #6"][1] == 3
    by_clerk = as_dict(fetch(history, "throughput", by="clerk").json())
    assert by_clerk["clerk1"][0] == sum(h[9] == 1 for h in IN_RANGE)


def test_times_by_service_with_percentiles(history: Centre) -> None:
    table = as_dict(fetch(history, "times", by="service").json())
    for service in ("A101", "B201"):
        waits = [h[4] for h in IN_RANGE if h[3] == service and h[4] is not None]
        row = table[service]
        assert row[0] == round(statistics.mean(waits), 2)
        assert abs(row[1] - nearest_rank(waits, 0.5)) <= 0.25
        assert abs(row[2] - nearest_rank(waits, 0.9)) <= 0.25
        services = [h[5] for h in IN_RANGE if h[3] == service and h[5] is not None]
        assert row[3] == round(statistics.mean(services), 2)
        assert abs(row[4] - nearest_rank(services, 0.5)) <= 0.25
        assert row[7] == len(waits)


def test_outcomes_ratings_channels_heatmap(history: Centre) -> None:
    outcomes = as_dict(fetch(history, "outcomes").json())["全部"]
    done = [h for h in IN_RANGE if h[6] not in ("no_show", "unserved")]
    assert outcomes[:5] == [
        sum(h[6] == "completed" for h in done),
        sum(h[6] == "accepted" for h in done),
        sum(h[6] == "referred" for h in done),
        sum(h[6] == "materials_incomplete" for h in done),
        len(done),
    ]
    ratings = as_dict(fetch(history, "ratings").json())["全部"]
    rated = [h[7] for h in IN_RANGE if h[7]]
    assert ratings[:5] == [rated.count(level) for level in (5, 4, 3, 2, 1)]
    assert ratings[6] == round(sum(r >= 3 for r in rated) / len(rated), 4)
    channels = {row[0]: row[1] for row in fetch(history, "channels").json()["rows"]}
    assert channels == {c: sum(h[8] == c for h in IN_RANGE) for c in {h[8] for h in IN_RANGE}}
    heat = {row[0]: row[1:] for row in fetch(history, "heatmap").json()["rows"]}
    assert heat[9] == [3, 1, 0, 0, 0, 0, 0] and heat[15] == [0, 1, 0, 0, 0, 0, 0]


def test_scope_and_subtree(history: Centre) -> None:
    town = fetch(history, "summary", site="town-gutang").json()
    assert town["sites"] == ["town-gutang", "village-jinqiu", "village-lishu"]
    assert dict((r[0], r[1]) for r in town["rows"])["issued"] == 2
    town_manager = history.login(("town", "Demo-Gutang-4"))
    refused = history.get(
        "/reports/summary",
        token=town_manager,
        params={"from": "2026-03-02", "to": "2026-03-03", "site": "city-hall"},
    )
    assert refused.status_code == 403
    own = history.get(
        "/reports/summary", token=town_manager, params={"from": "2026-03-02", "to": "2026-03-03"}
    ).json()
    assert own["sites"] == ["town-gutang", "village-jinqiu", "village-lishu"]
    clerk = history.login(Centre.CLERK)
    assert (
        history.get(
            "/reports/summary", token=clerk, params={"from": "2026-03-02", "to": "2026-03-03"}
        ).status_code
        == 403
    )
    # The hall is the root of the demo city's tree: its subtree is the whole city.
    city = fetch(history, "summary", site="city-hall").json()
    assert len(city["sites"]) == 5 and dict((r[0], r[1]) for r in city["rows"])["issued"] == 11


def test_bad_report_requests(history: Centre) -> None:
    token = history.login()
    for params in (
        {"from": "2026-03-05", "to": "2026-03-01"},
        {"from": "yesterday", "to": "2026-03-01"},
        {"from": "2026-03-01", "to": "2026-03-02", "by": "moon"},
        {"from": "2026-03-01", "to": "2026-03-02", "format": "pdf"},
    ):
        response = history.get("/reports/throughput", token=token, params=params)
        # A refused field (the one validation kit's field_<rule>) or a range the reports refuse.
        assert response.status_code == 400
        assert response.json()["error"] in ("invalid_input", "field_date", "field_choice"), response.text
    assert (
        history.get(
            "/reports/nothing", token=token, params={"from": "2026-03-01", "to": "2026-03-02"}
        ).status_code
        == 400
    )
    assert (
        history.get(
            "/reports/summary",
            token=token,
            params={"from": "2026-03-01", "to": "2026-03-02", "site": "mars"},
        ).status_code
        == 404
    )


def test_exports_open_and_match(history: Centre) -> None:
    body = fetch(history, "throughput", by="service").json()
    text = fetch(history, "throughput", by="service", format="csv").content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == body["columns"]
    assert [[str(v) for v in r] for r in body["rows"]] == rows[1:]
    workbook = openpyxl.load_workbook(
        io.BytesIO(fetch(history, "throughput", by="service", format="xlsx").content)
    )
    sheet = workbook.active
    values = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert values[0] == body["columns"] and values[1:] == body["rows"]
