"""The managers' pages: the live dashboard with its city view, and the reports.

- `/manage`: every site in the manager's scope, live (counters, waiting per service,
  longest wait, device alerts), and `#city`, the site tree rolled up with the sites over
  their target wait flagged. Data: `GET /api/v1/manage/live`, then pushed events.
- `/manage/plans`: window plans (窗口方案推演): draft a site's windows, replay real weeks
  through them beside today's, apply. Data: `/api/v1/sites/<site>/window-plans`.
- `/manage/reports`: summary figures, tables and charts for a date range and part of
  the site tree, with CSV/XLSX downloads. Data: `GET /api/v1/reports/...`.
- `/manage/follow-ups`: a site's 差评 follow-ups (整改/回访), overdue ones marked, each
  open one closed with a note; the ratings export for the national 好差评 system. Data:
  `GET /api/v1/sites/{site}/follow-ups`.

The pages log in like the console (a staff token in sessionStorage) and need a
manager or admin account; the API checks the scope of every read.
"""

from __future__ import annotations

from flask import Blueprint
from flask.typing import ResponseReturnValue

from queue_server.pages import render_page

manage = Blueprint("manage", __name__)


@manage.get("/manage")
def dashboard() -> ResponseReturnValue:
    return render_page("manage.html", page="live")


@manage.get("/manage/reports")
def reports() -> ResponseReturnValue:
    return render_page("manage_reports.html", page="reports")


@manage.get("/manage/plans")
def window_plans() -> ResponseReturnValue:
    """Window plans (窗口方案推演): draft, replay on real weeks, apply (docs/reports.md)."""
    return render_page("manage_plans.html", page="plans")


@manage.get("/manage/follow-ups")
def follow_ups() -> ResponseReturnValue:
    return render_page("manage_follow_ups.html", page="follow_ups")
