"""Window plans over HTTP (窗口方案推演): /api/v1/sites/<site>/window-plans/…

A site's managers (and admins) draft plans and replay them on the site's real weeks; an
admin applies one to the site's counters. Each route checks that the caller covers the
site (`contract.route`); the service layer is `administration/plan_drafts.py`.
"""

from __future__ import annotations

from typing import Any

from queue_server.accounts.credentials import Principal
from queue_server.administration import plan_drafts as plans
from queue_server.api.auth import MANAGERS
from queue_server.api.contract import Routes
from queue_server.api.schemas.window_plans import (
    AppliedPlan,
    ApplyRequest,
    PlanForm,
    PlanReplay,
    ReplayRequest,
    WindowPlan,
    WindowPlanList,
)
from queue_server.app import hall

CHANGE = "Writes one audit row in the same transaction; 400 names the field to fix."
drafters = Routes(MANAGERS, prefix="/sites/<site>/window-plans")
drafter_changes = Routes(MANAGERS, prefix="/sites/<site>/window-plans", footnote=CHANGE)
appliers = Routes(frozenset({"admin"}), prefix="/sites/<site>/window-plans", footnote=CHANGE)


@drafters.get("", answers={200: WindowPlanList}, errors=(404,))
def list_window_plans(site: str) -> dict[str, Any]:
    """A site's window plans, newest first, and today's plan (its counters now)

    The site's managers and admins."""
    return plans.list_plans(hall().db, site)


@drafter_changes.post("", body=PlanForm, answers={201: WindowPlan}, errors=(404,))
def create_window_plan(
    site: str, body: PlanForm, principal: Principal
) -> tuple[dict[str, Any], int]:
    """Draft a window plan

    The site's managers and admins. Each window: `number`, `name`, `kind`, `profile`
    (items the site offers, with weights), `rules` (mix, max_wait_minutes), `hours` by
    weekday (a weekday left out: closed; null: the site's hours)."""
    return plans.save_plan(hall().db, principal, site, body, hall().ops.clock()), 201


@drafters.get("/<plan>", answers={200: WindowPlan}, errors=(404,))
def window_plan(site: str, plan: str) -> dict[str, Any]:
    """One window plan

    The site's managers and admins."""
    return plans.get_plan(hall().db, site, plan)


@drafter_changes.put("/<plan>", body=PlanForm, answers={200: WindowPlan}, errors=(404,))
def update_window_plan(
    site: str, plan: str, body: PlanForm, principal: Principal
) -> dict[str, Any]:
    """Replace a window plan's name and windows

    The site's managers and admins."""
    return plans.save_plan(hall().db, principal, site, body, hall().ops.clock(), plan)


@drafter_changes.delete("/<plan>", answers={200: WindowPlan}, errors=(404,))
def delete_window_plan(site: str, plan: str, principal: Principal) -> dict[str, Any]:
    """Delete a window plan; answers it as it was

    The site's managers and admins."""
    return plans.delete_plan(hall().db, principal, site, plan)


@drafters.post("/<plan>/replay", body=ReplayRequest, answers={200: PlanReplay}, errors=(404,))
def replay_window_plan(site: str, plan: str, body: ReplayRequest) -> dict[str, Any]:
    """Replay the site's real tickets of past days through the plan and another, side by side

    The site's managers and admins; nothing is saved. Days: the last `weeks` complete
    weeks (default 4) or `from`–`to` (at most 56 days, before today). Beside it: plan
    `against`, or today's plan (the site's counters, open all its hours). Per plan and
    item (and `all`): tickets, served, not_served, average, p90 (nearest rank) and longest
    wait in minutes, share called within the site's target wait; each window's
    utilisation per local hour. Arrivals are the real ones, service times drawn from each
    item's measured times (`seed`); no transfers or recalls (`assumptions`)."""
    return plans.replay(hall().db, site, plan, body, hall().ops.clock())


@appliers.post("/<plan>/apply", body=ApplyRequest, answers={200: AppliedPlan}, errors=(404,))
def apply_window_plan(
    site: str, plan: str, body: ApplyRequest, principal: Principal
) -> dict[str, Any]:
    """Apply a window plan to the site's counters from a date

    Admins of the site. Each window's name, kind, profile and rules are saved to the
    site's counter of that number (created where missing); the site's other counters
    stay as they are (`not_in_plan`). `from` today or past: at once; later: the sweeper
    applies it on that local date (`applied: false` until then)."""
    return plans.apply(hall().db, principal, site, plan, body.start, hall().ops.clock())
