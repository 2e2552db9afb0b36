"""Managers' reports over HTTP: JSON, CSV or XLSX, for a date range and part of the site tree."""

from __future__ import annotations

from typing import Any

from flask import Response

from queue_server.accounts.credentials import Principal
from queue_server.administration import audit
from queue_server.api.contract import managers
from queue_server.api.schemas.reports import REPORT_FILES, SPREADSHEET, ReportQuery, ReportTable
from queue_server.app import hall
from queue_server.engine.errors import FieldInvalid
from queue_server.reports import exports, reading
from queue_server.reports import registry as reports


def export_details(
    query: reports.ReportQuery, fmt: str, root: str | None, **rows: int
) -> dict[str, Any]:
    """What the audit row of a report read says: the range, the part of the tree, the rows."""
    details = {"format": fmt, "from": str(query.start), "to": str(query.end), "site": root}
    return {
        **details,
        **{f"{table}_rows" if table != "rows" else "rows": n for table, n in rows.items()},
    }


def heading(report: str, query: reports.ReportQuery) -> dict[str, Any]:
    """What every report's JSON says beside its tables: which report, range and sites."""
    return {
        "report": report,
        "from": str(query.start),
        "to": str(query.end),
        "sites": list(query.sites),
    }


def file_answer(name: str, fmt: str, table: dict[str, Any], title: str) -> Response:
    """One table as a download: CSV (UTF-8 with BOM) or XLSX, cells safe from formulas."""
    if fmt == "csv":
        body: str | bytes = exports.to_csv(table)
        mimetype = "text/csv"
    else:
        body, mimetype = exports.to_xlsx(table, title), SPREADSHEET
    return Response(
        body,
        mimetype=mimetype,
        headers={"Content-Disposition": f'attachment; filename="{name}.{fmt}"'},
    )


@managers.get(
    "/reports/<report>",
    query=ReportQuery,
    answers={200: (ReportTable, REPORT_FILES)},
    errors=(400, 404),
    path_doc={"report": "one of " + ", ".join(reports.REPORTS)},
)
def report(report: str, query: ReportQuery, principal: Principal) -> Any:
    """A report over a date range and part of the site tree (managers and admins)

    Times are minutes; medians and P90 are nearest-rank, exact to 15 seconds. `site`
    picks a subtree (default: every site the token covers). A file (CSV, XLSX) leaving the
    centre is on the record, with who and from where."""
    if report not in reports.REPORTS:
        raise FieldInvalid("report", "choice", choices=", ".join(reports.REPORTS))
    sites = reading.covered_sites(hall().db, principal, query.site)
    found, table = reading.report(hall().db, report, query.start, query.end, sites, query.by)
    if query.format == "json":
        return {**heading(report, found), **table}
    audit.record_access(
        hall().db, principal.name, "export", "report", f"{report}.{query.format}",
        {**export_details(found, query.format, query.site, rows=len(table["rows"])), "by": query.by},
        site=query.site,
    )  # fmt: skip
    return file_answer(f"hallqueue-{report}-{found.start}-{found.end}", query.format, table, report)
