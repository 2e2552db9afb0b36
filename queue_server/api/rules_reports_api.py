"""The reports behind the queue rules, for managers: the watch report (黄牛监测) and the
out-of-order calls per clerk. Same range and scope as the other reports (`from`, `to`,
`site` for a subtree); each answers several tables in JSON, or one of them (`table`) as
CSV or XLSX.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Response, jsonify, request
from flask.typing import ResponseReturnValue

from queue_server.accounts.store import Forbidden, Principal, subtree
from queue_server.administration import audit
from queue_server.api import api
from queue_server.api.auth import require
from queue_server.api.reports_api import MANAGERS, export_details
from queue_server.app import hall
from queue_server.engine.errors import InvalidInput, UnknownSite
from queue_server.reports import exports
from queue_server.reports import heavy_holders as holders_report
from queue_server.reports import out_of_order as out_of_order_report
from queue_server.reports import registry as reports
from queue_server.storage import repository as repo

TABLES = {
    "heavy-holders": ("identities", "proxies"),
    "out-of-order": ("clerks", "latest"),
}


def _day(name: str) -> date:
    try:
        return date.fromisoformat(request.args.get(name, ""))
    except ValueError:
        raise InvalidInput(f"{name} must be a date YYYY-MM-DD", field=name) from None


def _count(name: str, default: int, high: int) -> int:
    text = request.args.get(name)
    if text is None or text == "":
        return default
    if not (text.isascii() and text.isdigit() and len(text) <= 6) or not 1 <= int(text) <= high:
        raise InvalidInput(f"{name} must be a whole number from 1 to {high}", field=name)
    return int(text)


def _sites(principal: Principal) -> set[str]:
    conn = hall().db.conn
    root = request.args.get("site")
    if root:
        if repo.get_site(conn, root) is None:
            raise UnknownSite(site=root)
        if not principal.covers(root):
            raise Forbidden()
        return subtree(conn, [root])
    return {s.id for s in repo.list_sites(conn) if principal.covers(s.id)}


def _on_record(
    principal: Principal,
    report: str,
    query: reports.ReportQuery,
    fmt: str,
    tables: tuple[str, ...],
    result: dict[str, Any],
) -> None:
    root = request.args.get("site") or None
    target = f"{report}.json" if fmt == "json" else f"{report}-{tables[0]}.{fmt}"
    details = export_details(query, fmt, root, **{t: len(result[t]["rows"]) for t in tables})
    action = "view" if fmt == "json" else "export"
    audit.record_access(hall().db, principal.name, action, "report", target, details, site=root)


def _answer(
    principal: Principal, report: str, query: reports.ReportQuery, result: dict[str, Any]
) -> Any:
    fmt = request.args.get("format", "json")
    if fmt not in ("json", "csv", "xlsx"):
        raise InvalidInput("format must be json, csv or xlsx", field="format")
    names = TABLES[report]
    table = names[0] if fmt == "json" else request.args.get("table") or names[0]
    if table not in names:
        raise InvalidInput("table must be one of " + ", ".join(names), field="table")
    # Every read of the watch report (who took many tickets, by keyed hash and masked name)
    # and every file of either report is on the record, with who and from where.
    if fmt != "json" or report == "heavy-holders":
        _on_record(principal, report, query, fmt, names if fmt == "json" else (table,), result)
    if fmt == "json":
        return jsonify(
            {
                "report": report,
                "from": str(query.start),
                "to": str(query.end),
                "sites": list(query.sites),
                **result,
            }
        )
    name = f"hallqueue-{report}-{table}-{query.start}-{query.end}"
    if fmt == "csv":
        return Response(
            exports.to_csv(result[table]),
            mimetype="text/csv",
            headers={"Content-Disposition": f'attachment; filename="{name}.csv"'},
        )
    return Response(
        exports.to_xlsx(result[table], f"{report}-{table}"),
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": f'attachment; filename="{name}.xlsx"'},
    )


@api.get("/reports/heavy-holders")
def heavy_holders() -> ResponseReturnValue:
    principal = require(None, MANAGERS)
    range_limit = _count(
        "range_limit", holders_report.DEFAULT_RANGE_LIMIT, holders_report.MAX_RANGE_LIMIT
    )
    conn = hall().db.conn
    query = reports.make_query(conn, _day("from"), _day("to"), _sites(principal))
    return _answer(principal, "heavy-holders", query, holders_report.heavy_holders(conn, query, range_limit))


@api.get("/reports/out-of-order")
def out_of_order() -> ResponseReturnValue:
    principal = require(None, MANAGERS)
    latest = _count("latest", out_of_order_report.DEFAULT_LATEST, out_of_order_report.MAX_LATEST)
    conn = hall().db.conn
    query = reports.make_query(conn, _day("from"), _day("to"), _sites(principal))
    return _answer(
        principal, "out-of-order", query, out_of_order_report.out_of_order_calls(conn, query, latest)
    )
