"""The centre's start page (`/`): what each screen is for, with a way to each.

Public, like the site list it shows (`GET /api/v1/sites`): it names the screens and the
sites, never a token. A hall display needs its device token in its address; the page
says where one comes from and opens the display with the token typed in, without sending
the token anywhere but to the display's own address.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint
from flask.typing import ResponseReturnValue

from queue_server.app import hall
from queue_server.engine.model import Site
from queue_server.pages import render_page

start = Blueprint("start", __name__)


@dataclass(frozen=True)
class SiteRow:
    site: Site
    depth: int  # 0 for the city hall, 1 for the stations below it, …


def site_tree(sites: list[Site]) -> list[SiteRow]:
    """The sites parents first, each followed by the sites below it."""
    children: dict[str | None, list[Site]] = {}
    ids = {site.id for site in sites}
    for site in sites:
        parent = site.parent_id if site.parent_id in ids else None
        children.setdefault(parent, []).append(site)
    rows: list[SiteRow] = []

    def walk(parent: str | None, depth: int) -> None:
        for site in children.get(parent, []):
            rows.append(SiteRow(site, depth))
            walk(site.id, depth + 1)

    walk(None, 0)
    return rows


@start.get("/")
def page() -> ResponseReturnValue:
    return render_page("start.html", sites=site_tree(hall().db.store.sites.all()))
