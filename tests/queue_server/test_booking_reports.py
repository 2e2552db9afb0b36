"""The booking reports and the dashboard's booking figures, against a hand-made history.

Every expected figure below is counted by hand from `BOOKINGS` and `TICKETS`.
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from queue_server.engine import hours
from queue_server.engine.booking import Appointment, AppointmentStatus, SlotPlan
from queue_server.engine.model import Channel, Priority, Ticket, TicketStatus
from queue_server.storage import Database
from tests.conftest import Centre

SHANGHAI = timedelta(hours=8)
MANAGER = ("manager", "Demo-Hall-2")


def _at(day: str, clock: str) -> datetime:
    return datetime.fromisoformat(f"{day}T{clock}").replace(tzinfo=UTC) - SHANGHAI


# (site, item, local day, slot, status, check-in at (local), late, channel)
BOOKINGS = [
    ("city-hall", "A101", "2026-03-02", "09:00", "checked_in", "08:55:00", False, "phone"),
    ("city-hall", "A101", "2026-03-02", "09:00", "checked_in", "09:03:00", False, "platform"),
    ("city-hall", "A101", "2026-03-02", "09:00", "no_show", None, None, "phone"),
    ("city-hall", "A101", "2026-03-02", "09:30", "checked_in", "09:50:00", True, "phone"),
    ("city-hall", "A101", "2026-03-02", "09:30", "cancelled", None, None, "phone"),
    ("city-hall", "A101", "2026-03-02", "10:00", "booked", None, None, "staff"),
    ("town-gutang", "D401", "2026-03-02", "10:00", "no_show", None, None, "phone"),
    # a remote ticket's row: not a booking, never counted
    ("city-hall", "A101", "2026-03-02", "09:00", "awaiting_arrival", None, None, "remote"),
    # outside the range
    ("city-hall", "A101", "2026-03-04", "09:00", "checked_in", "09:00:00", False, "phone"),
]
# (site, local day, channel, how many)
TICKETS = [
    ("city-hall", "2026-03-02", "kiosk", 2),
    ("city-hall", "2026-03-02", "appointment", 3),
    ("city-hall", "2026-03-02", "online", 1),
    ("city-hall", "2026-03-03", "kiosk", 1),
    ("city-hall", "2026-03-03", "staff", 1),
    ("town-gutang", "2026-03-03", "appointment", 1),
    ("city-hall", "2026-03-09", "kiosk", 4),  # the next week
]


def _booking(i: int, site: str, item: str, day: str, slot: str, status: str, at: str | None,
             late: bool | None, channel: str) -> Appointment:  # fmt: skip
    return Appointment(
        id=f"01BOOKING{i:017d}",
        code=f"TESTCD{i:02d}",
        site_id=site,
        service=item,
        bundle=None,
        start=_at(day, slot + ":00"),
        day=day,
        slot_minutes=30,
        status=AppointmentStatus(status),
        channel=channel,
        person_hash=f"hash{i}",
        created_at=_at(day, "00:00:00") - timedelta(days=2),
        checked_in_at=_at(day, at) if at else None,
        late=late,
    )


def _ticket(n: int, site: str, day: str, channel: str) -> Ticket:
    return Ticket(
        id=f"01CHANNEL{n:017d}",
        site_id=site,
        day=day,
        prefix="A",
        seq_no=n,
        number=f"A{n:03d}",
        service="A101" if site == "city-hall" else "D401",
        bundle=None,
        channel=Channel(channel),
        priority=Priority.ORDINARY,
        status=TicketStatus.WAITING,
        issued_at=_at(day, "10:00:00"),
    )


def load(db: Database) -> None:
    with db.transaction() as store:
        for site in ("city-hall", "town-gutang"):
            for plan in store.appointments.plans(site):
                store.appointments.delete_plan(site, plan.item_kind, plan.item_code)
        # 4 citizens a slot, a quarter kept for walk-ins: 3 bookable places
        store.appointments.save_plan(SlotPlan("city-hall", "service", "A101", 30, 4, 7, 0.25))
        for i, booking in enumerate(BOOKINGS):
            store.appointments.insert(_booking(i, *booking))
        n = 0
        for site, day, channel, count in TICKETS:
            for _ in range(count):
                n += 1
                store.tickets.insert(_ticket(n, site, day, channel), "Asia/Shanghai", None)


@pytest.fixture
def booked(centre: Centre) -> Centre:
    db = Database(centre.db_path)
    load(db)
    db.close()
    return centre


def fetch(centre: Centre, report: str, start: str = "2026-03-02", end: str = "2026-03-03",
          **params: str) -> dict[str, Any]:  # fmt: skip
    response = centre.get(
        f"/reports/{report}", token=centre.login(), params={"from": start, "to": end, **params}
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def test_bookings_per_slot(booked: Centre) -> None:
    body = fetch(booked, "slots", end="2026-03-02")
    assert body["columns"] == [
        "网点",
        "日期",
        "时段",
        "事项",
        "可预约号源",
        "已预约",
        "已签到",
        "爽约",
        "已取消",
        "待签到",
    ]
    rows = {(r[0], r[2], r[3]): r[4:] for r in body["rows"]}
    assert rows[("city-hall", "09:00", "A101")] == [3, 3, 2, 1, 0, 0]
    assert rows[("city-hall", "09:30", "A101")] == [3, 2, 1, 0, 1, 0]
    assert rows[("city-hall", "10:00", "A101")] == [3, 1, 0, 0, 0, 1]
    # Monday 08:30–12:00 and 13:30–17:30 in half hours: 7 + 8 slots, the empty ones too
    hall = [key for key in rows if key[0] == "city-hall"]
    assert len(hall) == 15 and rows[("city-hall", "17:00", "A101")] == [3, 0, 0, 0, 0, 0]
    # a booking of an item with no plan now: its places are unknown
    assert rows[("town-gutang", "10:00", "D401")] == [None, 1, 0, 1, 0, 0]

    per_time = {r[0]: r[1:] for r in fetch(booked, "slots", end="2026-03-02", by="hour")["rows"]}
    assert per_time["09:00"] == [3, 3, 2, 1, 0, 0]
    assert per_time["10:00"] == [3, 2, 0, 1, 0, 1]  # the hall's and the township's


def test_check_in_punctuality(booked: Centre) -> None:
    body = fetch(booked, "punctuality")
    assert body["columns"][:5] == ["网点", "到期预约", "准时签到", "迟到签到", "爽约"]
    rows = {r[0]: r[1:] for r in body["rows"]}
    # the hall: 2 on time, 1 late, 1 no-show come due; check-ins at -300 s, +180 s, +1200 s
    assert rows["city-hall"] == [4, 2, 1, 1, 0.5, 0.25, 0.25, 3.0]
    assert rows["town-gutang"] == [1, 0, 0, 1, 0.0, 0.0, 1.0, None]

    minutes = fetch(booked, "checkin_minutes")
    assert minutes["rows"] == [[-5, 1, 0, 0.3333], [0, 1, 0, 0.3333], [20, 0, 1, 0.3333]]


def test_appointment_no_shows_per_site_and_item(booked: Centre) -> None:
    body = fetch(booked, "booking_no_shows")
    assert body["columns"] == ["网点", "事项", "已预约", "已取消", "已签到", "爽约", "爽约率"]
    assert body["rows"] == [
        ["city-hall", "A101", 6, 1, 3, 1, 0.25],
        ["town-gutang", "D401", 1, 0, 0, 1, 1.0],
    ]


def test_tickets_by_channel_per_day_and_week(booked: Centre) -> None:
    body = fetch(booked, "channel_days")
    assert body["columns"] == [
        "网点", "日期", "自助取号", "预约", "窗口代取", "网上取号", "电话预约", "合计", "预约占比",
    ]  # fmt: skip
    assert body["rows"] == [
        ["city-hall", "2026-03-02", 2, 3, 0, 1, 0, 6, 0.5],
        ["city-hall", "2026-03-03", 1, 0, 1, 0, 0, 2, 0.0],
        ["town-gutang", "2026-03-03", 0, 1, 0, 0, 0, 1, 1.0],
    ]
    weeks = fetch(booked, "channel_days", end="2026-03-15", by="week")["rows"]
    assert weeks == [
        ["city-hall", "2026-03-02", 3, 3, 1, 1, 0, 8, 0.375],
        ["city-hall", "2026-03-09", 4, 0, 0, 0, 0, 4, 0.0],
        ["town-gutang", "2026-03-02", 0, 1, 0, 0, 0, 1, 1.0],
    ]
    # tickets per week through the existing reports too
    through = {r[0]: r[1] for r in fetch(booked, "throughput", end="2026-03-15", by="week")["rows"]}
    assert through == {"2026-03-02": 9, "2026-03-09": 4}


def test_a_booking_report_downloads_as_csv_and_a_wrong_grouping_is_refused(booked: Centre) -> None:
    token = booked.login(("town", "Demo-Gutang-4"))
    response = booked.get(
        "/reports/booking_no_shows", token=token,
        params={"from": "2026-03-02", "to": "2026-03-03", "format": "csv"},
    )  # fmt: skip
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    # the township's manager sees the township's tree only
    assert rows == [
        ["网点", "事项", "已预约", "已取消", "已签到", "爽约", "爽约率"],
        ["town-gutang", "D401", "1", "0", "0", "1", "1.0"],
    ]
    refused = booked.get(
        "/reports/slots",
        token=token,
        params={"from": "2026-03-02", "to": "2026-03-02", "by": "clerk"},
    )
    assert refused.status_code == 400


def test_the_dashboard_shows_todays_bookings_and_channels(centre: Centre) -> None:
    db = Database(centre.db_path)
    now = datetime.now(UTC)
    today = hours.local_day(now, "Asia/Shanghai")
    slot = hours.local_time(now, "Asia/Shanghai").strftime("%H:%M")
    with db.transaction() as store:
        for i, status in enumerate(["booked", "booked", "checked_in", "no_show", "cancelled"]):
            store.appointments.insert(
                _booking(i, "city-hall", "A101", today, slot, status, None, None, "phone")
            )
        store.appointments.insert(
            _booking(9, "city-hall", "A101", today, slot, "awaiting_arrival", None, None, "remote")
        )
    db.close()
    centre.issue()
    centre.issue(channel="staff")
    centre.issue()
    live = centre.get("/manage/live", token=centre.login(MANAGER), params={"site": "city-hall"})
    assert live.status_code == 200, live.text
    hall = next(s for s in live.json()["sites"] if s["site"]["id"] == "city-hall")
    assert hall["today"]["bookings"] == {"booked": 2, "checked_in": 1, "no_show": 1, "cancelled": 1}
    assert hall["today"]["channels"] == {"kiosk": 2, "staff": 1}


@pytest.mark.browser
def test_the_dashboard_and_the_reports_page_show_bookings_and_channels(
    booked: Centre, page: Any
) -> None:
    from playwright.sync_api import expect

    page.goto(f"{booked.url}/manage")
    page.fill("#username", MANAGER[0])
    page.fill("#password", MANAGER[1])
    page.click("#login-form button[type=submit]")
    hall = page.locator('article.site[data-site="city-hall"]')
    expect(hall.locator('[data-figure="bookings"] .value')).to_have_text("0")
    booked.issue()
    expect(hall.locator('[data-channel="kiosk"]')).to_have_text("自助取号 100%", timeout=2000)

    page.goto(f"{booked.url}/manage/reports?from=2026-03-02&to=2026-03-03")
    page.wait_for_function("() => window.hallqueueReports && window.hallqueueReports.loads > 0")
    no_shows = page.locator('[data-report="booking_no_shows"] tbody tr').first
    expect(no_shows).to_contain_text("市政务服务中心")
    expect(no_shows).to_contain_text("25.0%")
    channel_chart = page.evaluate(
        "() => window.hallqueueReports.charts.channel_days.getOption().series.length"
    )
    assert channel_chart == 5
    slots = page.evaluate(
        "() => window.hallqueueReports.tables.slots.rows.find((r) => r[0] === '09:00')"
    )
    assert slots == ["09:00", 3 * 2, 3, 2, 1, 0, 0]  # two days of the hall's plan: 3 places each


def test_the_dashboards_booking_reads_use_indexes(db_path: Any) -> None:
    from queue_server.tools.demo import load_demo

    db = Database(db_path)
    load_demo(db)
    statements: list[str] = []
    db.conn.set_trace_callback(statements.append)
    db.store.booking_reports.day_bookings("city-hall", "2026-03-02")
    db.store.booking_reports.day_channels("city-hall", "2026-03-02")
    db.conn.set_trace_callback(None)
    assert len(statements) == 2
    for sql in statements:
        plan = " | ".join(row[3] for row in db.query("EXPLAIN QUERY PLAN " + sql))
        assert "(site_id=? AND day=?)" in plan and "SCAN" not in plan, plan  # one site's day
