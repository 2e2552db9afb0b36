"""差评 follow-ups (整改/回访) for a site's managers, and its ratings exported in the
national 好差评 system's fields. The work is `calling.follow_ups`'."""

from __future__ import annotations

from typing import Any

from flask import Response

from queue_server.accounts.credentials import Principal
from queue_server.administration import audit
from queue_server.api.contract import managers
from queue_server.api.reports_api import file_answer
from queue_server.api.schemas.follow_ups import (
    CloseFollowUp,
    FollowUp,
    FollowUpList,
    FollowUpsQuery,
    RatingsExportQuery,
)
from queue_server.api.schemas.reports import REPORT_FILES
from queue_server.app import hall
from queue_server.calling.follow_ups import close_follow_up, ratings_table, site_follow_ups
from queue_server.engine.errors import FieldInvalid


@managers.get(
    "/sites/<site>/follow-ups", query=FollowUpsQuery, answers={200: FollowUpList}, errors=(400, 404)
)
def follow_ups(site: str, query: FollowUpsQuery) -> dict[str, Any]:
    """A site's 差评 follow-ups (整改/回访), overdue ones marked

    Each 差评 (不满意, 非常不满意) opens one, due in 15 working days of the site's
    calendar. Managers and admins of the site."""
    return site_follow_ups(hall().db, site, query.status, hall().ops.clock())


@managers.post(
    "/follow-ups/<follow_up_id>/close",
    body=CloseFollowUp,
    answers={200: FollowUp},
    errors=(400, 403, 404, 409),
)
def close(follow_up_id: str, body: CloseFollowUp, principal: Principal) -> dict[str, Any]:
    """Close a 差评's follow-up with a note of what was done

    A manager or admin of its site (another site's: 403); once
    (409 `follow_up_closed`). On the audit log, before and after."""
    return close_follow_up(hall().db, principal, follow_up_id, body.note, hall().ops.clock())


@managers.get(
    "/sites/<site>/ratings/export",
    query=RatingsExportQuery,
    answers={200: REPORT_FILES},
    errors=(400, 404),
)
def ratings_export(site: str, query: RatingsExportQuery, principal: Principal) -> Response:
    """A site's ratings in the national 好差评 system's fields, as CSV or XLSX

    One row a rating of local days `from` … `to` (at most a year): 评价编号, 评价时间,
    事项名称, 事项编码, 办理部门, 办理窗口, 评价渠道, 评价等级, 差评原因, 整改状态. No
    name, ID number or its hash leaves. Cells are safe from spreadsheet formulas; the
    export is on the record."""
    if query.end < query.start or (query.end - query.start).days > 366:
        raise FieldInvalid("to", "date_range")
    table = ratings_table(hall().db, site, query.start, query.end)
    audit.record_access(
        hall().db, principal.name, "export", "report", f"ratings.{query.format}",
        {"format": query.format, "from": str(query.start), "to": str(query.end), "rows": len(table["rows"])},
        site=site,
    )  # fmt: skip
    name = f"hallqueue-ratings-{site}-{query.start}-{query.end}"
    return file_answer(name, query.format, table, "好差评")
