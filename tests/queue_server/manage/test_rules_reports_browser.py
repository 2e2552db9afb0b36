"""The reports page's watch (黄牛监测) and out-of-order sections in real headless Chromium,
against the hand-made history of tests/queue_server/test_rules_reports.py."""
from __future__ import annotations

import csv
import io

import pytest
from playwright.sync_api import Page, expect

from queue_server.storage import Database
from tests.conftest import Centre
from tests.queue_server.manage.test_dashboard_browser import login
from tests.queue_server.test_rules_reports import H_B, IDENTITIES, LATEST, load_rules_history

pytestmark = pytest.mark.browser
RANGE = "from=2026-03-02&to=2026-03-03"


def open_reports(page: Page, centre: Centre, query: str = RANGE) -> Page:
    load_rules_history(Database(centre.db_path))
    login(page, centre, f"/manage/reports?{query}")
    page.wait_for_function("() => window.hallqueueWatch && window.hallqueueWatch.loads > 0", timeout=10000)
    return page


def cells(page: Page, table: str, n: int = 0) -> list[str]:
    return page.locator(f'table[data-table="{table}"] tbody tr').nth(n).locator("td").all_inner_texts()


def test_watch_and_out_of_order_sections_render_their_rows(centre: Centre, page: Page) -> None:
    open_reports(page, centre)
    expect(page.locator('table[data-table="heavy_identities"] tbody tr')).to_have_count(len(IDENTITIES))
    assert cells(page, "heavy_identities") == ["市政务服务中心", "#bbbbbbbb", "李*", "6", "2", "3", "4", "3", "单日超限、区间超量"]
    assert cells(page, "heavy_identities", 3)[0] == "古塘镇便民服务中心"
    assert cells(page, "heavy_proxies") == ["市政务服务中心", "赵*", "登记代办人（刷身份证）", "#dddddddd", "6", "2", "3", "3", "2", "100.0%"]
    assert (cells(page, "heavy_proxies", 1)[3], cells(page, "heavy_proxies", 1)[-1]) == ("clerk", "125.0%")
    expect(page.locator('[data-report="heavy_holders"] .m-help')).to_contain_text("超过 5 张")

    expect(page.locator('table[data-table="out_of_order"] tbody tr')).to_have_count(4)
    assert cells(page, "out_of_order")[:5] == ["市政务服务中心", "clerk1", "5", "4", "80.0%"]
    expect(page.locator('table[data-table="out_of_order"] thead')).to_contain_text("特殊困难")
    expect(page.locator('table[data-table="out_of_order_latest"] tbody tr')).to_have_count(len(LATEST))
    assert cells(page, "out_of_order_latest") == ["2026-03-03 11:05:00", "市政务服务中心", "A107", "1号窗口", "clerk1", "其他"]
    assert cells(page, "out_of_order_latest", 1)[-1] == "特殊困难"
    assert H_B not in page.content()  # only the hash's first 8 characters

    # A higher range limit: 王* (6 in the range, 3 a day) is no longer over it.
    page.fill("#range-limit", "6")
    page.dispatch_event("#range-limit", "change")
    expect(page.locator('table[data-table="heavy_identities"] tbody tr')).to_have_count(3)
    expect(page.locator('[data-report="heavy_holders"] .m-help')).to_contain_text("超过 6 张")

    with page.expect_download() as download:
        page.click('[data-report="heavy_holders"] a[data-export="csv"][data-table="identities"]')
    assert download.value.suggested_filename == "hallqueue-heavy-holders-identities-2026-03-02-2026-03-03.csv"
    with open(download.value.path(), encoding="utf-8-sig") as f:
        rows = list(csv.reader(io.StringIO(f.read())))
    assert rows[0][:3] == ["网点", "身份标识", "姓名"]
    assert [r[1] for r in rows[1:]] == ["bbbbbbbb", "aaaaaaaa", "eeeeeeee"]


def test_the_sections_in_english_for_a_part_of_the_tree(centre: Centre, page: Page) -> None:
    load_rules_history(Database(centre.db_path))
    login(page, centre, f"/manage/reports?{RANGE}&site=town-gutang&lang=en", ("town", "Demo-Gutang-4"))
    page.wait_for_function("() => window.hallqueueWatch && window.hallqueueWatch.loads > 0", timeout=10000)
    expect(page.locator('[data-report="heavy_holders"] h3')).to_have_text("Unusually many tickets (scalper watch)")
    expect(page.locator('table[data-table="heavy_identities"] thead')).to_contain_text("Most in a day")
    expect(page.locator('table[data-table="heavy_identities"] tbody tr')).to_have_count(1)
    assert cells(page, "heavy_identities")[1:3] == ["#eeeeeeee", "孙*"]
    expect(page.locator('[data-report="heavy_proxies"], [data-wrap="proxies"]')).to_contain_text("No data")
    assert cells(page, "out_of_order_latest")[-1] == "Joint handling"
