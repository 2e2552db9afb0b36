"""What a manager's report request reads: the sites it covers and the report over them.

The API's one door to the report modules: it names the range, the part of the tree and
the report; the store is taken here (`api/` never holds one).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from queue_server.accounts.credentials import Forbidden, Principal, subtree
from queue_server.engine.errors import UnknownSite
from queue_server.reports import heavy_holders, out_of_order, registry
from queue_server.storage import Database

Read = tuple[registry.ReportQuery, dict[str, Any]]


def covered_sites(db: Database, principal: Principal, root: str | None) -> set[str]:
    """The subtree below `root` (which the principal must cover), or every site the
    principal covers."""
    store = db.store
    if root:
        if store.sites.get(root) is None:
            raise UnknownSite(site=root)
        if not principal.covers(root):
            raise Forbidden()
        return subtree(store, [root])
    return {s.id for s in store.sites.all() if principal.covers(s.id)}


def report(
    db: Database, name: str, start: date, end: date, sites: set[str], by: str | None
) -> Read:
    """One of `registry.REPORTS` over the range and the sites, grouped `by`."""
    store = db.store
    query = registry.make_query(store, start, end, sites)
    return query, registry.run_report(store, name, query, by)


def watch(db: Database, start: date, end: date, sites: set[str], range_limit: int) -> Read:
    """The watch report (黄牛监测): cards and proxies that held unusually many tickets."""
    store = db.store
    query = registry.make_query(store, start, end, sites)
    return query, heavy_holders.heavy_holders(store, query, range_limit)


def calls_out_of_order(db: Database, start: date, end: date, sites: set[str], latest: int) -> Read:
    """Out-of-order calls per clerk, and the `latest` of them."""
    store = db.store
    query = registry.make_query(store, start, end, sites)
    return query, out_of_order.out_of_order_calls(store, query, latest)
