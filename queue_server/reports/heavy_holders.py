"""The watch report (黄牛监测): who held unusually many tickets over a range of days.

Two tables for a part of the site tree and a range of local days:

- **identities**: ID cards (by the first `CARD_PREFIX` characters of the keyed hash, and
  the masked name) that held more than the site's `daily_limit_per_person` (default 3)
  tickets on one day, or more than `range_limit` (default 5) over the range. Per card:
  tickets, distinct days, distinct items, the most on one day and the limit it is held
  against. A registered proxy's own card tapped at a kiosk counts for the proxy, not here.
- **proxies**: every proxy (帮办代办) who took tickets in the range: tickets, days, the
  most on one day against the proxy's daily cap, the days the cap was reached, and the
  share of the cap used on the days they took tickets (tickets ÷ (days × cap)).

Cancelled tickets are not counted, as for the limits themselves. Rows are sorted by the
number of tickets, most first. The hash itself, the ID number and the full name never
leave the database: tickets keep only the hash and the masked name.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from queue_server.people.proxy_register import CARD_PREFIX
from queue_server.reports.registry import ReportQuery
from queue_server.storage import Store

DEFAULT_DAY_LIMIT = 3
DEFAULT_RANGE_LIMIT = 5
MAX_RANGE_LIMIT = 10000

IDENTITY_COLUMNS = [
    "网点",
    "身份标识",
    "姓名",
    "取号",
    "天数",
    "事项数",
    "单日最多",
    "单日限额",
    "超出",
]
PROXY_COLUMNS = [
    "网点",
    "代办人",
    "类型",
    "账号或身份标识",
    "取号",
    "天数",
    "单日最多",
    "每日上限",
    "满额天数",
    "上限使用率",
]


def day_limit(settings: dict[str, Any]) -> int:
    limit = settings.get("daily_limit_per_person")
    if isinstance(limit, int) and not isinstance(limit, bool) and limit > 0:
        return limit
    return DEFAULT_DAY_LIMIT


@dataclass
class _Holder:
    mask: str | None = None
    last: str = ""
    per_day: dict[str, int] = field(default_factory=dict)
    items: set[str] = field(default_factory=set)

    @property
    def tickets(self) -> int:
        return sum(self.per_day.values())

    @property
    def most(self) -> int:
        return max(self.per_day.values(), default=0)


def site_limits(store: Store, sites: tuple[str, ...]) -> dict[str, int]:
    return {site: day_limit(settings) for site, settings in store.sites.settings(sites).items()}


def identities(
    store: Store, query: ReportQuery, range_limit: int, limits: dict[str, int]
) -> dict[str, Any]:
    rows = store.reports.card_days(query.sites, query.start, query.end)
    holders: dict[tuple[str, str], _Holder] = {}
    for row in rows:
        holder = holders.setdefault((row["site_id"], row["person_hash"]), _Holder())
        holder.per_day[row["day"]] = holder.per_day.get(row["day"], 0) + row["n"]
        holder.items.add(row["item"])
        if row["last"] >= holder.last:  # the mask of the latest ticket (bare column of max)
            holder.last, holder.mask = row["last"], row["person_mask"] or holder.mask
    found: list[list[Any]] = []
    for (site, person_hash), holder in holders.items():
        limit = limits.get(site, DEFAULT_DAY_LIMIT)
        over = [
            reason
            for reason, hit in (
                ("day", holder.most > limit),
                ("range", holder.tickets > range_limit),
            )
            if hit
        ]
        if not over:
            continue
        found.append(
            [
                site,
                person_hash[:CARD_PREFIX],
                holder.mask,
                holder.tickets,
                len(holder.per_day),
                len(holder.items),
                holder.most,
                limit,
                ",".join(over),
            ]
        )
    found.sort(key=lambda r: (-r[3], -r[6], r[0], r[1]))
    return {"columns": IDENTITY_COLUMNS, "rows": found}


def proxies(store: Store, query: ReportQuery) -> dict[str, Any]:
    rows = store.reports.proxy_days(query.sites, query.start, query.end)
    per_proxy: dict[tuple[str, str], dict[str, int]] = {}
    for row in rows:
        per_proxy.setdefault((row["site_id"], row["proxy_id"]), {})[row["day"]] = row["n"]
    known = {row["id"]: row for row in store.proxies.of_sites(query.sites)}
    found: list[list[Any]] = []
    for (site, proxy_id), per_day in per_proxy.items():
        proxy = known.get(proxy_id)
        cap = proxy["daily_cap"] if proxy is not None else None
        tickets, days = sum(per_day.values()), len(per_day)
        found.append(
            [
                site,
                proxy["name"] if proxy is not None else proxy_id,
                proxy["kind"] if proxy is not None else None,
                (proxy["username"] or (proxy["person_hash"] or "")[:CARD_PREFIX] or None)
                if proxy is not None
                else None,
                tickets,
                days,
                max(per_day.values()),
                cap,
                sum(1 for n in per_day.values() if cap is not None and n >= cap),
                round(tickets / (days * cap), 4) if cap else None,
            ]
        )
    found.sort(key=lambda r: (-r[4], -r[6], r[0], str(r[1])))
    return {"columns": PROXY_COLUMNS, "rows": found}


def heavy_holders(
    store: Store, query: ReportQuery, range_limit: int = DEFAULT_RANGE_LIMIT
) -> dict[str, Any]:
    limits = site_limits(store, query.sites)
    return {
        "range_limit": range_limit,
        "day_limits": limits,
        "identities": identities(store, query, range_limit, limits),
        "proxies": proxies(store, query),
    }
