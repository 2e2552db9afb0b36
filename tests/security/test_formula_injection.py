"""Item 7 of issue 12: a formula planted in a name must reach the managers' spreadsheets as
text. An admin names a department, a service, a window, a site and a proxy with what a
spreadsheet would run (`=HYPERLINK(…)`, `+`, `-`, `@`, their full-width forms); every CSV
and XLSX the centre writes (the reports, the watch and out-of-order reports, the catalogue)
is parsed as a spreadsheet program would, and no cell may be a formula. The catalogue's CSV
still imports back to exactly the same names."""

from __future__ import annotations

import csv
import io
import json
import unicodedata
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import requests
from openpyxl import load_workbook

from queue_server.reports import exports
from queue_server.reports.registry import REPORTS, groupings_of
from tests.conftest import Centre

HYPERLINK = '=HYPERLINK("http://x","y")'
PAYLOADS = {
    "A101": HYPERLINK,
    "A102": "+1+1",
    "A103": "-2+3",
    "A104": "@SUM(1)",
    "A105": "＝HYPERLINK(\"http://x\",\"y\")",  # full-width equals sign
}
SITE_NAME = "-市政务服务中心"
COUNTER_NAME = "@窗口"
PROXY_NAME = "+代办员"
RAW_STARTS = "=+-@\t\r"
HOURS = {"mon": [["08:30", "12:00"]]}


def _put(centre: Centre, path: str, body: Any) -> requests.Response:
    response = requests.put(centre.api(path), json=body, headers={"Authorization": f"Bearer {centre.login()}"}, timeout=10)
    assert response.status_code in (200, 201), response.text
    return response


def _dangerous(text: str) -> bool:
    return bool(text) and (text[0] in RAW_STARTS or unicodedata.normalize("NFKC", text[0])[0] in RAW_STARTS)


def plant(centre: Centre) -> dict[str, Any]:
    """What an admin can type: departments and service names, a window, a site, a proxy."""
    catalogue = json.loads(centre.get("/admin/catalog", token=centre.login()).text)
    services = {s["code"]: s for s in catalogue["services"]}
    for code, payload in PAYLOADS.items():
        _put(centre, f"/admin/services/{code}", {**services[code], "department": payload, "name": payload})
    _put(centre, "/admin/sites/city-hall", {"name": SITE_NAME, "kind": "hall", "hours": HOURS})
    _put(centre, "/admin/sites/city-hall/counters/31", {"name": COUNTER_NAME, "profile": [{"service": "A101"}]})
    proxy = centre.post("/admin/sites/city-hall/proxies", {"kind": "staff", "username": "clerk", "name": PROXY_NAME, "daily_cap": 20})
    assert proxy.status_code == 201, proxy.text
    clerk = centre.login(Centre.CLERK)
    for code in PAYLOADS:
        centre.issue(code)
        issued = centre.post("/sites/city-hall/tickets", {"service": code}, token=clerk)  # under the proxy's cap
        assert issued.status_code in (200, 201), issued.text
    return {"day": datetime.now(ZoneInfo("Asia/Shanghai")).date().isoformat()}


def csv_cells(text: str) -> list[Any]:
    """Read as a spreadsheet program would: a quoted field is text, a bare one a number
    (QUOTE_NONNUMERIC fails on a bare field that is not a number)."""
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")), quoting=csv.QUOTE_NONNUMERIC)
    return [cell for row in reader for cell in row]


def xlsx_cells(content: bytes) -> list[Any]:
    book = load_workbook(io.BytesIO(content))
    found = []
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"formula in {cell.coordinate}: {cell.value!r}"
                found.append(cell.value)
    return found


def no_formula(cells: list[Any]) -> None:
    for value in cells:
        if isinstance(value, str):
            assert not _dangerous(value), f"a cell a spreadsheet would run: {value!r}"


def exports_of(centre: Centre, day: str) -> dict[str, requests.Response]:
    token = centre.login()
    answers = {}
    span = {"from": day, "to": day}
    for report in REPORTS:
        for by in (None, "department", "service", "counter", "site", "clerk", "hour", "week"):
            if by and by not in groupings_of(report):
                continue
            for fmt in ("csv", "xlsx"):
                params = {**span, "format": fmt, **({"by": by} if by else {})}
                answers[f"{report}/{by}.{fmt}"] = centre.get(f"/reports/{report}", token=token, params=params)
    for report, tables in (("heavy-holders", ("identities", "proxies")), ("out-of-order", ("clerks", "latest"))):
        for table in tables:
            for fmt in ("csv", "xlsx"):
                params = {**span, "format": fmt, "table": table, "range_limit": 1}
                answers[f"{report}/{table}.{fmt}"] = centre.get(f"/reports/{report}", token=token, params=params)
    answers["catalog.csv"] = centre.get("/admin/catalog", token=token, params={"format": "csv"})
    for name, response in answers.items():
        assert response.status_code == 200, (name, response.text)
    return answers


def test_no_export_carries_a_planted_formula(centre: Centre) -> None:
    day = plant(centre)["day"]
    seen: list[str] = []
    for name, response in exports_of(centre, day).items():
        cells = xlsx_cells(response.content) if name.endswith(".xlsx") else csv_cells(response.content.decode("utf-8"))
        no_formula(cells)
        seen += [c for c in cells if isinstance(c, str)]
    # The planted names were exported, as text a spreadsheet shows (a leading quote).
    for payload in (*PAYLOADS.values(), PROXY_NAME):
        assert "'" + payload in seen, f"{payload!r} never exported"


def test_report_csv_quotes_text_and_leaves_numbers_bare(centre: Centre) -> None:
    day = plant(centre)["day"]
    raw = centre.get(
        "/reports/throughput", token=centre.login(), params={"from": day, "to": day, "by": "department", "format": "csv"}
    ).content.decode("utf-8-sig")
    assert '"\'=HYPERLINK(""http://x"",""y"")",2,' in raw  # quoted, escaped; the count a number
    book = load_workbook(io.BytesIO(centre.get(
        "/reports/throughput", token=centre.login(), params={"from": day, "to": day, "by": "department", "format": "xlsx"}
    ).content))
    rows = {row[0]: row[1:] for row in book.active.iter_rows(min_row=2, values_only=True)}
    assert rows["'" + HYPERLINK][0] == 2  # the figure stays a number


def test_tab_cr_nul_and_numbers_at_the_cell_level() -> None:
    # The admin forms strip a leading tab and refuse a CR, so these come in only through data.
    table = {"columns": ["名称", "值"], "rows": [["\tcmd", -5], ["\r=1+1", -0.5], ["\0x", 3], ["'已引", None], ["普通", 1]]}
    cells = csv_cells(exports.to_csv(table))
    no_formula(cells)
    assert cells[2:] == ["'\tcmd", -5, "'\r=1+1", -0.5, "'\0x", 3, "''已引", "", "普通", 1]
    values = xlsx_cells(exports.to_xlsx(table, "t"))
    no_formula(values)
    assert "x" in values  # XLSX cannot hold a NUL: dropped, instead of the whole export failing
    assert [v for v in values if not isinstance(v, str)] == [-5, -0.5, 3, None, 1]  # numbers stay numbers


def test_catalogue_csv_round_trips_names_that_start_like_formulas(centre: Centre) -> None:
    token = centre.login()
    catalogue = json.loads(centre.get("/admin/catalog", token=token).text)
    service = dict(catalogue["services"][0])
    names = {"name": "=1+1", "department": "-部门", "name_en": "'quoted", "materials": ["@材料", "+复印件"]}
    _put(centre, f"/admin/services/{service['code']}", {**service, **names})
    before = json.loads(centre.get("/admin/catalog", token=token).text)["services"]
    text = centre.get("/admin/catalog", token=token, params={"format": "csv"}).content.decode("utf-8-sig")
    assert "\"'=1+1\"" in text and "\"''quoted\"" in text
    no_formula(csv_cells(text))
    # Change the name elsewhere so the import has something to restore.
    _put(centre, f"/admin/services/{service['code']}", {**service, "name": "别的名字"})
    imported = centre.post("/admin/catalog/import", {"format": "csv", "text": text})
    assert imported.status_code == 200, imported.text
    after = json.loads(centre.get("/admin/catalog", token=token).text)["services"]
    assert after == before
    assert after[0]["name"] == "=1+1" and after[0]["materials"] == ["@材料", "+复印件"]
