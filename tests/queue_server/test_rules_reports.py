"""The reports behind the queue rules against a small hand-made history, figures by hand:
the watch report (黄牛监测) and the out-of-order calls per clerk. Then the same through
real issues and calls, with nothing personal in any answer or export."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

import openpyxl
import pytest
import requests

from queue_server import wire
from queue_server.engine import hours
from queue_server.engine.lifecycle import OUT_OF_ORDER_REASONS
from queue_server.engine.model import (
    Channel,
    Counter,
    CounterKind,
    CounterState,
    Event,
    Priority,
    Ticket,
    TicketStatus,
)
from queue_server.storage import Database
from tests.conftest import Centre

MANAGER = ("manager", "Demo-Hall-2")
TOWN = ("town", "Demo-Gutang-4")
CLERK = ("clerk", "Demo-Desk-3")
RANGE = {"from": "2026-03-02", "to": "2026-03-03"}
SHANGHAI = timedelta(hours=8)

H_A, H_B, H_C, H_PROXY, H_T = ("a" * 64, "b" * 64, "c" * 64, "d" * 64, "e" * 64)
PROXY_CARD, PROXY_STAFF = "01PROXYCARD000000000000000", "01PROXYSTAFF00000000000000"

# (site, day, hh:mm, service, person hash, mask, proxy, status)
HOLDINGS: list[tuple[str, str, str, str, str | None, str | None, str | None, str]] = [
    # 张*: four on 03-02 (over the hall's 3), one on 03-03, one cancelled: 5 tickets, 2 items
    *[("city-hall", "2026-03-02", f"09:0{i}", "A101", H_A, "张*", None, "done") for i in range(3)],
    ("city-hall", "2026-03-02", "10:00", "A102", H_A, "张*", None, "done"),
    ("city-hall", "2026-03-03", "09:00", "A101", H_A, "张*", None, "done"),
    ("city-hall", "2026-03-03", "09:30", "A103", H_A, "张*", None, "cancelled"),
    # 李*: two, then four on 03-03: 6 tickets (over 5 in the range), 3 items, 4 in a day
    *[("city-hall", "2026-03-02", f"11:0{i}", "A101", H_B, "李*", None, "done") for i in range(2)],
    *[("city-hall", "2026-03-03", f"11:0{i}", "A102", H_B, "李*", None, "done") for i in range(2)],
    *[("city-hall", "2026-03-03", f"12:0{i}", "A103", H_B, "李*", None, "no_show") for i in range(2)],
    # 王*: three a day (not over 3), but three more taken for them by the staff proxy: 6
    *[("city-hall", "2026-03-02", f"13:0{i}", "A101", H_C, "王*", None, "done") for i in range(3)],
    *[("city-hall", "2026-03-03", f"13:0{i}", "A104", H_C, "王*", PROXY_STAFF, "done") for i in range(3)],
    *[("city-hall", "2026-03-04", f"13:0{i}", "A101", H_C, "王*", None, "done") for i in range(5)],  # outside
    # the staff proxy's anonymous tickets
    *[("city-hall", "2026-03-02", f"14:0{i}", "A101", None, None, PROXY_STAFF, "done") for i in range(2)],
    # the registered proxy's own card: six, counted for the proxy, not as a person
    *[("city-hall", day, f"15:0{i}", "A101", H_PROXY, "赵*", PROXY_CARD, "done") for day in RANGE.values() for i in range(3)],
    ("city-hall", "2026-03-03", "15:30", "A101", H_PROXY, "赵*", PROXY_CARD, "cancelled"),
    # the township allows one a day: 孙* with two is over; 张* there once is not
    *[("town-gutang", "2026-03-03", f"10:0{i}", "D401", H_T, "孙*", None, "done") for i in range(2)],
    ("town-gutang", "2026-03-03", "10:30", "D401", H_A, "张*", None, "done"),
]

# Expected, by hand from HOLDINGS.
IDENTITIES = [
    ["city-hall", "bbbbbbbb", "李*", 6, 2, 3, 4, 3, "day,range"],
    ["city-hall", "cccccccc", "王*", 6, 2, 2, 3, 3, "range"],
    ["city-hall", "aaaaaaaa", "张*", 5, 2, 2, 4, 3, "day"],
    ["town-gutang", "eeeeeeee", "孙*", 2, 1, 1, 2, 1, "day"],
]
PROXIES = [
    ["city-hall", "赵*", "registered", "dddddddd", 6, 2, 3, 3, 2, 1.0],
    ["city-hall", "窗口代办", "staff", "clerk", 5, 2, 3, 2, 2, 1.25],
]

# Calls: (ticket, site, day, hh:mm, counter, clerk who opened the window, clerk who pressed,
# out-of-order reason or None). A ticket's last call sets its called_at and clerk.
CALLS: list[tuple[str, str, str, str, int, str, str, str | None]] = [
    ("T1", "city-hall", "2026-03-02", "09:10", 1, "clerk1", "clerk1", None),
    ("T2", "city-hall", "2026-03-02", "09:20", 1, "clerk1", "clerk1", "special_need"),
    ("T3", "city-hall", "2026-03-02", "09:30", 2, "clerk2", "clerk2", None),
    # clerk3 calls at the window clerk2 opened: the ticket knows who pressed
    ("T4", "city-hall", "2026-03-02", "10:00", 2, "clerk2", "clerk3", "system_fault"),
    # called out of order by clerk1, transferred, called again by clerk2
    ("T5", "city-hall", "2026-03-03", "09:00", 1, "clerk1", "clerk1", "returned_with_materials"),
    ("T5", "city-hall", "2026-03-03", "09:30", 2, "clerk2", "clerk2", None),
    ("T6", "city-hall", "2026-03-03", "11:00", 1, "clerk1", "clerk1", "special_need"),
    ("T7", "city-hall", "2026-03-03", "11:05", 1, "clerk1", "clerk1", "vip"),  # a reason no longer listed
    ("T8", "city-hall", "2026-03-04", "09:00", 1, "clerk1", "clerk1", "special_need"),  # outside
    ("T9", "town-gutang", "2026-03-03", "10:00", 1, "townclerk", "townclerk", "joint_handling"),
]
# columns: site, clerk, calls, out of order, share, returned, appointment, special, joint, fault, manager, other
CLERKS = [
    ["city-hall", "clerk1", 5, 4, 0.8, 1, 0, 2, 0, 0, 0, 1],
    ["city-hall", "clerk3", 1, 1, 1.0, 0, 0, 0, 0, 1, 0, 0],
    ["town-gutang", "townclerk", 1, 1, 1.0, 0, 0, 0, 1, 0, 0, 0],
    ["city-hall", "clerk2", 2, 0, 0.0, 0, 0, 0, 0, 0, 0, 0],
]
LATEST = [
    ["2026-03-03 11:05:00", "city-hall", "A107", 1, "clerk1", "other"],
    ["2026-03-03 11:00:00", "city-hall", "A106", 1, "clerk1", "special_need"],
    ["2026-03-03 10:00:00", "town-gutang", "A109", 1, "townclerk", "joint_handling"],
    ["2026-03-03 09:00:00", "city-hall", "A105", 1, "clerk1", "returned_with_materials"],
    ["2026-03-02 10:00:00", "city-hall", "A104", 2, "clerk3", "system_fault"],
    ["2026-03-02 09:20:00", "city-hall", "A102", 1, "clerk1", "special_need"],
]


def _at(day: str, clock: str) -> datetime:
    return datetime.fromisoformat(f"{day}T{clock}:00").replace(tzinfo=UTC) - SHANGHAI


def _ticket(n: int, site: str, day: str, clock: str, service: str, status: str) -> Ticket:
    return Ticket(
        id=f"01RULES{n:019d}",
        site_id=site,
        day=day,
        prefix=service[0],
        seq_no=100 + n,
        number=f"{service[0]}{100 + n}",
        service=service,
        bundle=None,
        channel=Channel.KIOSK,
        priority=Priority.ORDINARY,
        status=TicketStatus(status),
        issued_at=_at(day, clock),
    )


def load_rules_history(db: Database) -> None:
    with db.transaction() as store:
        conn = db.conn  # the store's own connection: rows written here join its transaction
        conn.execute(
            "UPDATE sites SET settings = json_set(settings, '$.daily_limit_per_person', 1) WHERE id = 'town-gutang'"
        )
        for proxy_id, name, kind, username, person, cap in (
            (PROXY_CARD, "赵*", "registered", None, H_PROXY, 3),
            (PROXY_STAFF, "窗口代办", "staff", "clerk", None, 2),
        ):
            conn.execute(
                """INSERT INTO proxies (id, site_id, name, kind, username, person_hash, daily_cap, active, created_at)
                   VALUES (?, 'city-hall', ?, ?, ?, ?, ?, 1, '2026-03-01T00:00:00.000Z')""",
                (proxy_id, name, kind, username, person, cap),
            )
        for n, (site, day, clock, service, person, mask, proxy, status) in enumerate(HOLDINGS):
            ticket = replace(
                _ticket(n, site, day, clock, service, status),
                id=f"01HOLD{n:020d}",
                seq_no=500 + n,
                number=f"{service[0]}{500 + n}",
                person_hash=person,
                person_mask=mask,
                proxy_id=proxy,
            )
            store.tickets.insert(ticket, "Asia/Shanghai", None)

        last: dict[str, tuple[str, str, str, str]] = {}
        for key, site, day, clock, *_rest in CALLS:
            last[key] = (site, day, clock, _rest[2])
        for key, (site, day, clock, clerk) in last.items():
            n = int(key[1:])
            ticket = replace(
                _ticket(n, site, day, "08:30", "A101", "done"),
                called_at=_at(day, clock),
                clerk=clerk,
                counter=1,
            )
            store.tickets.insert(ticket, "Asia/Shanghai", None)
        for key, site, day, clock, number, opener, _presser, why in CALLS:
            n = int(key[1:])
            ticket = _ticket(n, site, day, "08:30", "A101", "called")
            counter = Counter(
                id=f"C-{site}-{number}",
                site_id=site,
                number=number,
                name=f"{number}号窗口",
                kind=CounterKind.COMPREHENSIVE,
                profile=(),
                state=CounterState.OPEN,
                clerk=opener,
                current_ticket_id=ticket.id,
            )
            data: dict[str, Any] = {"reason": "longest_wait"}
            if why:
                data = {"reason": "out_of_order", "out_of_order_reason": why}
            event = Event(
                "ticket.called", site, _at(day, clock), ticket, counter, data, id=f"01EV{key}{clock}"
            )
            store.events.append([event], wire.event_payload)


@pytest.fixture
def history(centre: Centre) -> Centre:
    load_rules_history(Database(centre.db_path))
    return centre


def fetch(centre: Centre, report: str, who: tuple[str, str] = MANAGER, **params: str) -> requests.Response:
    response = centre.get(f"/reports/{report}", token=centre.login(who), params={**RANGE, **params})
    assert response.status_code == 200, response.text
    return response


# --- the watch report ---------------------------------------------------------------------


def test_heavy_holders_match_the_history(history: Centre) -> None:
    body = fetch(history, "heavy-holders").json()
    assert body["identities"]["columns"] == ["网点", "身份标识", "姓名", "取号", "天数", "事项数", "单日最多", "单日限额", "超出"]
    assert body["identities"]["rows"] == IDENTITIES
    assert body["proxies"]["rows"] == PROXIES
    assert body["range_limit"] == 5
    assert body["day_limits"]["city-hall"] == 3 and body["day_limits"]["town-gutang"] == 1
    assert H_A not in json.dumps(body)  # only the first 8 characters of a hash

    # A higher range limit drops 王* (6 is not more than 6); 李* stays for 4 in a day.
    wider = fetch(history, "heavy-holders", range_limit="6").json()
    assert [r[1] for r in wider["identities"]["rows"]] == ["bbbbbbbb", "aaaaaaaa", "eeeeeeee"]
    assert wider["identities"]["rows"][0][-1] == "day"


def test_heavy_holders_for_one_day_and_one_subtree(history: Centre) -> None:
    day = fetch(history, "heavy-holders", **{"from": "2026-03-02", "to": "2026-03-02"}).json()
    # 张* took 4 that day; 李* only 2, 王* 3: neither over 3 nor over 5.
    assert [r[1:4] for r in day["identities"]["rows"]] == [["aaaaaaaa", "张*", 4]]
    assert [r[1] for r in day["proxies"]["rows"]] == ["赵*", "窗口代办"]
    assert [r[4] for r in day["proxies"]["rows"]] == [3, 2]

    town = fetch(history, "heavy-holders", who=TOWN).json()
    assert set(town["sites"]) == {"town-gutang", "village-jinqiu", "village-lishu"}
    assert town["identities"]["rows"] == [IDENTITIES[-1]]
    assert town["proxies"]["rows"] == []


def test_heavy_holders_exports(history: Centre) -> None:
    csv_text = fetch(history, "heavy-holders", format="csv", table="proxies")
    assert 'filename="hallqueue-heavy-holders-proxies-2026-03-02-2026-03-03.csv"' in csv_text.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(csv_text.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["网点", "代办人", "类型"]
    assert [r[1] for r in rows[1:]] == ["赵*", "窗口代办"] and rows[2][-1] == "1.25"

    book = fetch(history, "heavy-holders", format="xlsx")  # the first table by default
    sheet = openpyxl.load_workbook(io.BytesIO(book.content)).active
    values = list(sheet.iter_rows(values_only=True))
    assert list(values[1]) == IDENTITIES[0]
    assert len(values) == 1 + len(IDENTITIES)


# --- out-of-order calls ---------------------------------------------------------------------


def test_out_of_order_calls_match_the_history(history: Centre) -> None:
    body = fetch(history, "out-of-order").json()
    assert body["clerks"]["columns"][:5] == ["网点", "工作人员", "叫号总数", "点名叫号", "点名占比"]
    assert body["reasons"] == list(OUT_OF_ORDER_REASONS)
    assert body["clerks"]["columns"][5:] == ["补齐材料返回", "预约准时到达", "特殊困难", "联办转办衔接", "系统故障补叫", "现场负责人安排", "其他"]
    assert body["clerks"]["rows"] == CLERKS
    assert body["latest"]["columns"] == ["时间", "网点", "号码", "窗口", "工作人员", "原因"]
    assert body["latest"]["rows"] == LATEST

    three = fetch(history, "out-of-order", latest="3").json()
    assert three["latest"]["rows"] == LATEST[:3]
    assert three["clerks"]["rows"] == CLERKS

    town = fetch(history, "out-of-order", site="town-gutang").json()
    assert (town["clerks"]["rows"], town["latest"]["rows"]) == ([CLERKS[2]], [LATEST[2]])
    exported = fetch(history, "out-of-order", format="csv", table="latest").content.decode("utf-8-sig")
    assert list(csv.reader(io.StringIO(exported)))[1] == [str(v) for v in LATEST[0]]


# --- who may read them, and bad requests ------------------------------------------------------


@pytest.mark.parametrize("report", ["heavy-holders", "out-of-order"])
def test_only_managers_of_the_site(history: Centre, report: str) -> None:
    centre = history
    for who, site, status in (
        (CLERK, "station-cbd", 403),  # a clerk reads no report, of another site least of all
        (CLERK, "city-hall", 403),
        (TOWN, "city-hall", 403),  # a manager of another subtree
        (TOWN, "town-gutang", 200),
        (MANAGER, "village-lishu", 200),  # the hall's manager covers the tree below it
    ):
        response = centre.get(f"/reports/{report}", token=centre.login(who), params={**RANGE, "site": site})
        assert response.status_code == status, (who, site, response.text)
    assert centre.get(f"/reports/{report}", token=centre.kiosk_token, params=RANGE).status_code == 403
    assert centre.get(f"/reports/{report}", params=RANGE).status_code == 401
    admin = centre.login()
    for params in (
        {"from": "2026-03-09"},
        {"to": "March"},
        {"format": "pdf"},
        {"format": "csv", "table": "nope"},
        {"range_limit": "0", "latest": "0"},
        {"range_limit": "²", "latest": "²"},
        {"range_limit": "9" * 40, "latest": "9" * 40},
    ):
        response = centre.get(f"/reports/{report}", token=admin, params={**RANGE, **params})
        assert response.status_code == 400, (params, response.text)
        # A refused field (the one validation kit's field_<rule>) or a range the reports refuse.
        assert response.json()["error"] in ("invalid_input", "field_date", "field_choice", "field_integer")
    assert centre.get(f"/reports/{report}", token=admin, params={**RANGE, "site": "nowhere"}).status_code == 404


# --- the same through real tickets and calls ------------------------------------------------


ID_NUMBER = "11010519491231002X"
NAME = "欧阳秀兰"
SECRETS = (ID_NUMBER, ID_NUMBER.lower(), ID_NUMBER[:-1], NAME, json.dumps(NAME)[1:-1])


def today_range() -> dict[str, str]:
    today = date.fromisoformat(hours.local_day(datetime.now(UTC), "Asia/Shanghai"))
    return {"from": str(today - timedelta(days=1)), "to": str(today + timedelta(days=1))}


def test_real_tickets_show_only_the_hash_prefix_and_the_masked_name(centre: Centre) -> None:
    person = {"id_number": ID_NUMBER, "name": NAME, "birth_date": "1949-12-31"}
    for service in ("A101", "A102", "A103", "A104"):  # one item each: four in a day, over 3
        issued = centre.post("/sites/city-hall/tickets", {"service": service, "person": person}, token=centre.kiosk_token)
        assert issued.status_code == 201, issued.text
    texts = []
    body = fetch(centre, "heavy-holders", **today_range())
    texts.append(body.text)
    rows = body.json()["identities"]["rows"]
    assert len(rows) == 1 and rows[0][2:4] == ["欧阳**", 4] and len(rows[0][1]) == 8
    for fmt in ("csv", "xlsx"):
        for table in ("identities", "proxies"):
            texts.append(fetch(centre, "heavy-holders", format=fmt, table=table, **today_range()).content.decode("utf-8", "ignore"))
    with io.BytesIO(fetch(centre, "heavy-holders", format="xlsx", **today_range()).content) as f:
        cells = [str(c) for row in openpyxl.load_workbook(f).active.iter_rows(values_only=True) for c in row]
    texts.append(" ".join(cells))
    assert "欧阳**" in texts[-1]
    for text in texts:
        for secret in SECRETS:
            assert secret not in text


def test_real_calls_by_clerk_and_reason(centre: Centre) -> None:
    admin = centre.login()
    made = centre.post("/admin/staff", {"username": "clerk2", "password": "Second-desk-1", "role": "clerk", "sites": ["city-hall"]}, token=admin)
    assert made.status_code == 201, made.text
    clerk, clerk2 = centre.login(CLERK), centre.login(("clerk2", "Second-desk-1"))
    tickets = [centre.issue("A101")["ticket"] for _ in range(4)]

    def act(token: str, counter: int, action: str, **body: Any) -> dict[str, Any]:
        response = centre.post(f"/sites/city-hall/counters/{counter}/{action}", body, token=token)
        assert response.status_code == 200, response.text
        return response.json()  # type: ignore[no-any-return]

    act(clerk, 1, "open")
    act(clerk2, 2, "open")
    # clerk: out of order (special need), then in turn
    act(clerk, 1, "call", ticket=tickets[2]["id"], reason="special_need")
    act(clerk, 1, "start")
    act(clerk, 1, "finish", outcome="completed")
    act(clerk, 1, "call-next")
    # ...which clerk transfers back; clerk2 then calls it at window 2 out of order
    act(clerk, 1, "transfer", to_counter=2, note="补材料")
    act(clerk2, 2, "call", ticket=tickets[0]["id"], reason="returned_with_materials")
    act(clerk2, 2, "start")
    act(clerk2, 2, "finish", outcome="completed")
    # the manager takes over window 1, which clerk opened, and calls there: counted for the
    # manager (a window is its clerk's until closed or taken over: issue 12)
    manager = centre.login(MANAGER)
    act(manager, 1, "take-over", reason="窗口人员临时离岗")
    act(manager, 1, "call", ticket=tickets[3]["id"], reason="system_fault")

    body = fetch(centre, "out-of-order", **today_range()).json()
    got = {r[1]: r for r in body["clerks"]["rows"]}
    reasons = list(body["reasons"])
    assert got["clerk"][2:4] == [2, 1]
    assert got["clerk"][5 + reasons.index("special_need")] == 1
    assert got["clerk2"][2:4] == [1, 1]
    assert got["clerk2"][5 + reasons.index("returned_with_materials")] == 1
    assert got["manager"][2:4] == [1, 1]
    assert got["manager"][5 + reasons.index("system_fault")] == 1
    assert [r[0] for r in body["clerks"]["rows"]] == ["city-hall", "city-hall", "city-hall"]
    latest = body["latest"]["rows"]
    assert [(r[2], r[3], r[4], r[5]) for r in latest] == [
        (tickets[3]["number"], 1, "manager", "system_fault"),
        (tickets[0]["number"], 2, "clerk2", "returned_with_materials"),
        (tickets[2]["number"], 1, "clerk", "special_need"),
    ]


def test_a_call_is_credited_to_whoever_pressed_even_when_called_again(centre: Centre) -> None:
    """The call event records its clerk: a ticket called out of order by the manager at the
    window clerk opened (taken over), then called again elsewhere, still counts for the manager."""
    admin = centre.login()
    made = centre.post("/admin/staff", {"username": "clerk2", "password": "Second-desk-1", "role": "clerk", "sites": ["city-hall"]}, token=admin)
    assert made.status_code == 201, made.text
    clerk, clerk2 = centre.login(CLERK), centre.login(("clerk2", "Second-desk-1"))
    ticket = centre.issue("A101")["ticket"]
    for token, counter in ((clerk, 1), (clerk2, 2)):
        assert centre.post(f"/sites/city-hall/counters/{counter}/open", {}, token=token).status_code == 200
    manager = centre.login(MANAGER)
    steps = [
        (manager, 1, "take-over", {"reason": "窗口人员临时离岗"}),
        (manager, 1, "call", {"ticket": ticket["id"], "reason": "special_need"}),
        (manager, 1, "transfer", {"to_counter": 2}),
        (clerk2, 2, "call-next", {}),
    ]
    for token, counter, action, body in steps:
        response = centre.post(f"/sites/city-hall/counters/{counter}/{action}", body, token=token)
        assert response.status_code == 200, response.text
    got = {r[1]: r for r in fetch(centre, "out-of-order", **today_range()).json()["clerks"]["rows"]}
    assert "clerk" not in got  # window 1 was opened by clerk, but the manager pressed
    assert got["manager"][2:4] == [1, 1] and got["clerk2"][2:4] == [1, 0]
