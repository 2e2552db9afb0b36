"""The audit log's table: rows appended inside the change they record, read newest first.

`administration.audit` decides what goes in a row and who may read it; this stores it
(`before` and `after` as JSON with sorted keys, `sites` as a JSON list) and pages it by
row number.
"""

from __future__ import annotations

import json
from collections.abc import Collection
from typing import Any

from queue_server.storage.repository import Repository, Row


def _json(value: Any) -> str | None:
    return None if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True)


class AuditLog(Repository):
    def add(
        self,
        entry_id: str,
        at: str,
        actor: str,
        action: str,
        kind: str,
        target: str,
        site: str | None,
        before: Any,
        after: Any,
        sites: list[str],
        address: str | None,
    ) -> None:
        self._conn.execute(
            """INSERT INTO audit_log
                 (id, at, actor, action, kind, target, site_id, before, after, sites, address)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            (
                entry_id,
                at,
                actor,
                action,
                kind,
                target,
                site,
                _json(before),
                _json(after),
                json.dumps(sites),
                address,
            ),
        )

    def page(
        self,
        limit: int,
        before: int | None = None,
        scope: Collection[str] | None = None,
        kind: str | None = None,
        actor: str | None = None,
        address: str | None = None,
    ) -> tuple[list[Row], int | None]:
        """Up to `limit` rows, newest first, and the cursor of the next (older) page, if any.

        With a `scope`, only rows that touched at least one site and no site outside it;
        `kind`, `actor` and `address`, where given, must match. The cursor is the row number
        (rowid), which grows with every insert: ids are ULIDs, ordered only to the millisecond.
        """
        where: list[str] = []
        params: list[Any] = []
        if scope is not None:
            where.append(
                """sites != '[]' AND NOT EXISTS (
                 SELECT 1 FROM json_each(audit_log.sites) AS touched
                 WHERE touched.value NOT IN (SELECT value FROM json_each(?)))"""
            )
            params.append(json.dumps(sorted(scope)))
        for column, value in (("kind", kind), ("actor", actor), ("address", address)):
            if value is not None:
                where.append(f"{column} = ?")
                params.append(value)
        if before is not None:
            where.append("rowid < ?")
            params.append(before)
        sql = "SELECT rowid AS n, * FROM audit_log"
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY rowid DESC LIMIT ?"
        rows = self._conn.execute(sql, (*params, limit + 1)).fetchall()
        more = len(rows) > limit
        rows = rows[:limit]
        return rows, (rows[-1]["n"] if more and rows else None)
