"""Managers' reports over HTTP: JSON, CSV or XLSX, for a date range and part of the site tree."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Response, jsonify, request
from flask.typing import ResponseReturnValue

from queue_server.accounts.store import Forbidden, subtree
from queue_server.administration import audit
from queue_server.api import api
from queue_server.api.auth import require
from queue_server.app import hall
from queue_server.engine.errors import InvalidInput, UnknownSite
from queue_server.reports import exports
from queue_server.reports import registry as reports
from queue_server.storage import repository as repo

MANAGERS = frozenset({"admin", "manager"})


def export_details(
    query: reports.ReportQuery, fmt: str, root: str | None, **rows: int
) -> dict[str, Any]:
    """What the audit row of a report read says: the range, the part of the tree, the rows."""
    details = {"format": fmt, "from": str(query.start), "to": str(query.end), "site": root}
    return {**details, **{f"{table}_rows" if table != "rows" else "rows": n for table, n in rows.items()}}


def _day(name: str) -> date:
    text = request.args.get(name, "")
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidInput(f"{name} must be a date YYYY-MM-DD", field=name) from None


@api.get("/reports/<report>")
def report(report: str) -> ResponseReturnValue:
    principal = require(None, MANAGERS)
    if report not in reports.REPORTS:
        raise InvalidInput("report must be one of " + ", ".join(reports.REPORTS), field="report")
    conn = hall().db.conn
    root = request.args.get("site")
    if root:
        if repo.get_site(conn, root) is None:
            raise UnknownSite(site=root)
        if not principal.covers(root):
            raise Forbidden()
        sites = subtree(conn, [root])
    else:
        sites = {s.id for s in repo.list_sites(conn) if principal.covers(s.id)}
    by = request.args.get("by") or None
    fmt = request.args.get("format", "json")
    if fmt not in ("json", "csv", "xlsx"):
        raise InvalidInput("format must be json, csv or xlsx", field="format")
    query = reports.make_query(conn, _day("from"), _day("to"), sites)
    table = reports.run_report(conn, report, query, by)
    name = f"hallqueue-{report}-{query.start}-{query.end}"
    if fmt != "json":  # a file leaves the centre: on the record, with who and from where
        audit.record_access(
            hall().db, principal.name, "export", "report", f"{report}.{fmt}",
            {**export_details(query, fmt, root, rows=len(table["rows"])), "by": by}, site=root,
        )  # fmt: skip
    if fmt == "csv":
        return Response(
            exports.to_csv(table),
            mimetype="text/csv",
            headers={"Content-Disposition": f'attachment; filename="{name}.csv"'},
        )
    if fmt == "xlsx":
        return Response(
            exports.to_xlsx(table, report),
            mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            headers={"Content-Disposition": f'attachment; filename="{name}.xlsx"'},
        )
    return jsonify(
        {
            "report": report,
            "from": str(query.start),
            "to": str(query.end),
            "sites": list(query.sites),
            **table,
        }
    )
