"""The reports behind the queue rules, for managers: the watch report (黄牛监测) and the
out-of-order calls per clerk. Same range and scope as the other reports (`from`, `to`,
`site` for a subtree); each answers several tables in JSON, or one of them (`table`) as
CSV or XLSX.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from queue_server.accounts.credentials import Principal
from queue_server.administration import audit
from queue_server.api.contract import Declaration, managers
from queue_server.api.reports_api import export_details, file_answer, heading
from queue_server.api.schemas.reports import (
    REPORT_FILES,
    HeavyHolders,
    HeavyHoldersQuery,
    OutOfOrderCalls,
    OutOfOrderQuery,
    ReportRange,
)
from queue_server.app import hall
from queue_server.reports import reading
from queue_server.reports import registry as reports

TABLES = {
    "heavy-holders": ("identities", "proxies"),
    "out-of-order": ("clerks", "latest"),
}


def _on_record(
    principal: Principal,
    report: str,
    asked: ReportRange,
    query: reports.ReportQuery,
    tables: tuple[str, ...],
    result: dict[str, Any],
) -> None:
    fmt = asked.format
    target = f"{report}.json" if fmt == "json" else f"{report}-{tables[0]}.{fmt}"
    details = export_details(query, fmt, asked.site, **{t: len(result[t]["rows"]) for t in tables})
    action = "view" if fmt == "json" else "export"
    audit.record_access(
        hall().db, principal.name, action, "report", target, details, site=asked.site
    )


def _answer(
    principal: Principal,
    report: str,
    asked: ReportRange,
    table: str | None,
    read: reading.Read,
) -> Any:
    query, result = read
    names = TABLES[report]
    table = table or names[0]
    # Every read of the watch report (who took many tickets, by keyed hash and masked name)
    # and every file of either report is on the record, with who and from where.
    if asked.format != "json" or report == "heavy-holders":
        _on_record(
            principal, report, asked, query, names if asked.format == "json" else (table,), result
        )
    if asked.format == "json":
        return {**heading(report, query), **result}
    name = f"hallqueue-{report}-{table}-{query.start}-{query.end}"
    return file_answer(name, asked.format, result[table], f"{report}-{table}")


def table_report(name: str, query: type[ReportRange], tables: type[BaseModel]) -> Declaration:
    """Declare the report /reports/<name>: its `tables` in JSON, or one of them as a file."""
    return managers.get(
        f"/reports/{name}", query=query, answers={200: (tables, REPORT_FILES)}, errors=(400, 404)
    )


@table_report("heavy-holders", HeavyHoldersQuery, HeavyHolders)
def heavy_holders(query: HeavyHoldersQuery, principal: Principal) -> Any:
    """Watch report (黄牛监测): ID cards and proxies that held unusually many tickets

    Managers and admins. `identities`: cards (first 8 characters of the keyed hash,
    masked name) with more than the site's daily_limit_per_person (default 3) tickets on
    one day or more than `range_limit` over the range: tickets, days, items, most in one
    day, the limit, which was exceeded (day, range). `proxies`: tickets, days, most in one
    day, daily cap, days at the cap, share of the cap used. Cancelled tickets are not
    counted. Every read is on the record."""
    sites = reading.covered_sites(hall().db, principal, query.site)
    read = reading.watch(hall().db, query.start, query.end, sites, query.range_limit)
    return _answer(principal, "heavy-holders", query, query.table, read)


@table_report("out-of-order", OutOfOrderQuery, OutOfOrderCalls)
def out_of_order(query: OutOfOrderQuery, principal: Principal) -> Any:
    """Out-of-order calls (点名叫号) per clerk, with all calls for comparison

    Managers and admins. `clerks`: per site and clerk, calls, out-of-order calls, their
    share and the count per reason. `latest`: the latest out-of-order calls (local time,
    site, number, window, clerk, reason code)."""
    sites = reading.covered_sites(hall().db, principal, query.site)
    read = reading.calls_out_of_order(hall().db, query.start, query.end, sites, query.latest)
    return _answer(principal, "out-of-order", query, query.table, read)
