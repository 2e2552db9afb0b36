"""Sites: the places with a queue, their settings and the tree they form."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from queue_server.engine.model import Site
from queue_server.storage import records
from queue_server.storage.opening_days import OpeningDays
from queue_server.storage.repository import Repository, marks


class Sites(Repository):
    def get(self, site_id: str) -> Site | None:
        return self._record(records.SITES, "SELECT * FROM sites WHERE id = ?", site_id)

    def all(self) -> list[Site]:
        """Every site, in the order they were created (parents before their children)."""
        return self._records(records.SITES, "SELECT * FROM sites ORDER BY rowid")

    def save(self, site: Site) -> None:
        """Create the site or change it (its event sequence is left as it is)."""
        self._conn.execute(
            """INSERT INTO sites (id, name, name_en, kind, parent_id, timezone, hours, settings)
               VALUES (:id, :name, :name_en, :kind, :parent_id, :timezone, :hours, :settings)
               ON CONFLICT (id) DO UPDATE SET name=:name, name_en=:name_en, kind=:kind,
                 parent_id=:parent_id, timezone=:timezone, hours=:hours, settings=:settings""",
            records.SITES.to_row(site),
        )
        # Its hours or its settings (`open_on_holidays`) may change the days it opens.
        OpeningDays(self._conn).resolve([site.id])

    def ids(self) -> list[str]:
        return [row[0] for row in self._conn.execute("SELECT id FROM sites").fetchall()]

    def timezone(self, site_id: str) -> str | None:
        row = self._conn.execute("SELECT timezone FROM sites WHERE id = ?", (site_id,)).fetchone()
        return row[0] if row else None

    def settings(self, site_ids: Iterable[str]) -> dict[str, dict[str, Any]]:
        """The settings of each of these sites (a site not found is left out)."""
        chosen = tuple(site_ids)
        rows = self._conn.execute(
            f"SELECT id, settings FROM sites WHERE id IN ({marks(chosen)})", chosen
        )
        return {row["id"]: json.loads(row["settings"] or "{}") for row in rows}

    def subtree(self, roots: Iterable[str]) -> set[str]:
        """The given sites and every site below them (a township manager sees its villages)."""
        children: dict[str | None, list[str]] = {}
        for row in self._conn.execute("SELECT id, parent_id FROM sites"):
            children.setdefault(row["parent_id"], []).append(row["id"])
        found: set[str] = set()
        stack = list(roots)
        while stack:
            site = stack.pop()
            if site in found:
                continue
            found.add(site)
            stack.extend(children.get(site, []))
        return found
