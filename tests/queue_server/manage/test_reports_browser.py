"""The reports page in real headless Chromium: charts with data, downloads that parse."""
from __future__ import annotations

import csv
import io
from collections import Counter

import openpyxl
import pytest
from playwright.sync_api import Page, expect

from queue_server.storage import Database
from tests.conftest import Centre
from tests.queue_server.manage.test_dashboard_browser import login
from tests.queue_server.test_reports import IN_RANGE, load_history

pytestmark = pytest.mark.browser
RANGE = "from=2026-03-02&to=2026-03-03"


@pytest.fixture
def reports_page(centre: Centre, page: Page) -> Page:
    load_history(Database(centre.db_path))
    login(page, centre, f"/manage/reports?{RANGE}")
    page.wait_for_function("() => window.hallqueueReports && window.hallqueueReports.loads > 0", timeout=10000)
    return page


def option(page: Page, section: str) -> dict:  # type: ignore[type-arg]
    return page.evaluate(  # type: ignore[no-any-return]
        """(id) => {
             const el = document.querySelector(`[data-report="${id}"] .chart`);
             const option = echarts.getInstanceByDom(el).getOption();
             return {series: option.series.map((s) => ({name: s.name, type: s.type, data: s.data})),
                     xAxis: option.xAxis, yAxis: option.yAxis, svg: el.querySelectorAll("svg path, svg rect").length};
           }""",
        section,
    )


def test_charts_render_with_the_figures(reports_page: Page) -> None:
    page = reports_page
    per_day = Counter(h[1] for h in IN_RANGE)
    by_day = option(page, "by_day")
    assert by_day["xAxis"][0]["data"] == ["2026-03-02", "2026-03-03"]
    assert by_day["series"][0]["data"] == [per_day["2026-03-02"], per_day["2026-03-03"]]
    assert by_day["svg"] > 0

    by_hour = option(page, "by_hour")
    hours = Counter(int(h[2][:2]) for h in IN_RANGE)
    assert dict(zip([int(x[:2]) for x in by_hour["xAxis"][0]["data"]], by_hour["series"][0]["data"], strict=True)) == hours

    channels = option(page, "channels")
    shown = {d["name"]: d["value"] for d in channels["series"][0]["data"]}
    assert shown["自助取号"] == sum(h[8] == "kiosk" for h in IN_RANGE)
    assert channels["series"][0]["type"] == "pie"

    ratings = option(page, "ratings")
    levels = [d["value"] for d in ratings["series"][0]["data"]]
    assert levels == [sum(h[7] == level for h in IN_RANGE) for level in (5, 4, 3, 2, 1)]

    outcomes = option(page, "outcomes")
    parts = {d["name"]: d["value"] for d in outcomes["series"][0]["data"]}
    assert parts["即办"] == sum(h[6] == "completed" for h in IN_RANGE)

    heat = option(page, "heatmap")
    assert sum(cell[2] for cell in heat["series"][0]["data"]) == len(IN_RANGE)
    for section in ("by_weekday", "times", "by_site", "by_department"):
        assert option(page, section)["svg"] > 0, section

    expect(page.locator('[data-figure="issued"] .value')).to_have_text(str(len(IN_RANGE)))
    expect(page.locator('[data-report="by_site"] tbody tr').first).to_contain_text("市政务服务中心")


def test_csv_and_xlsx_downloads_parse(reports_page: Page) -> None:
    page = reports_page
    with page.expect_download() as download:
        page.click('[data-report="by_day"] a[data-export="csv"]')
    assert download.value.suggested_filename == "hallqueue-throughput-2026-03-02-2026-03-03.csv"
    with open(download.value.path(), encoding="utf-8-sig") as f:
        text = f.read()
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:3] == ["日期", "取号", "办结"]
    per_day = Counter(h[1] for h in IN_RANGE)
    assert {r[0]: int(r[1]) for r in rows[1:]} == dict(per_day)

    with page.expect_download() as download:
        page.click('[data-exports="summary"] a[data-export="xlsx"]')
    assert download.value.suggested_filename.endswith(".xlsx")
    with open(download.value.path(), "rb") as f:
        sheet = openpyxl.load_workbook(io.BytesIO(f.read())).active
    values = {row[0]: row[1] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert values["issued"] == len(IN_RANGE)


def test_a_part_of_the_tree_and_english(centre: Centre, page: Page) -> None:
    load_history(Database(centre.db_path))
    login(page, centre, f"/manage/reports?{RANGE}&site=town-gutang&lang=en", ("town", "Demo-Gutang-4"))
    page.wait_for_function("() => window.hallqueueReports && window.hallqueueReports.loads > 0", timeout=10000)
    town = [h for h in IN_RANGE if h[0] in ("town-gutang", "village-jinqiu", "village-lishu")]
    expect(page.locator('[data-figure="issued"] .value')).to_have_text(str(len(town)))
    expect(page.locator('[data-report="by_day"] h3')).to_contain_text("Tickets per day")
    assert option(page, "by_day")["series"][0]["name"] == "Issued"


def test_print_layout_hides_the_controls(reports_page: Page) -> None:
    page = reports_page
    page.emulate_media(media="print")
    expect(page.locator("#report-form button[type=submit]")).to_be_hidden()
    expect(page.locator(".m-nav")).to_be_hidden()
    expect(page.locator('[data-report="heatmap"] .chart svg')).to_be_visible()
