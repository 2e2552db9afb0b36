"""Enrolled devices (kiosks, displays, window signs): who they are and what they last reported."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from queue_server.storage.repository import Repository, Row, marks


class Devices(Repository):
    def get(self, device_id: str) -> Row | None:
        """The device, enrolled or revoked."""
        return self._row("SELECT * FROM devices WHERE id = ?", device_id)

    def enrolled(self, device_id: str) -> Row | None:
        """The device if it was not revoked."""
        return self._row("SELECT * FROM devices WHERE id = ? AND revoked_at IS NULL", device_id)

    def all(self) -> list[Row]:
        return self._rows("SELECT * FROM devices ORDER BY site_id, kind, created_at")

    def of_sites(self, site_ids: Iterable[str]) -> list[Row]:
        """The enrolled (not revoked) devices of these sites with their last report, by kind and name."""
        chosen = tuple(site_ids)
        return self._conn.execute(
            f"""SELECT id, kind, site_id, name, status, last_seen FROM devices
            WHERE site_id IN ({marks(chosen)}) AND revoked_at IS NULL ORDER BY kind, name, id""",
            chosen,
        ).fetchall()

    def add(
        self,
        device_id: str,
        kind: str,
        site_id: str,
        name: str,
        created_at: str,
        counter: int | None,
        site_token_hash: str | None = None,
    ) -> None:
        self._conn.execute(
            """INSERT INTO devices (id, kind, site_id, name, created_at, counter, site_token_hash)
               VALUES (?, ?, ?, ?, ?, ?, ?)""",
            (device_id, kind, site_id, name, created_at, counter, site_token_hash),
        )

    def name_of(self, device_id: str) -> str:
        """A device's name (its id where it has none): what a refusal names it by."""
        row = self._conn.execute(
            "SELECT name FROM devices WHERE id = ?", (device_id.removeprefix("returning:"),)
        ).fetchone()
        return (row["name"] if row and row["name"] else device_id) or "?"

    # --- a device's token under its site's key (what an edge centre checks) -------------

    def needs_site_hash(self, device_id: str) -> bool:
        row = self._conn.execute(
            "SELECT site_token_hash FROM devices WHERE id = ?", (device_id,)
        ).fetchone()
        return row is not None and row["site_token_hash"] is None

    def set_site_hash(self, device_id: str, site_token_hash: str) -> None:
        self._conn.execute(
            "UPDATE devices SET site_token_hash = ? WHERE id = ? AND site_token_hash IS NULL",
            (site_token_hash, device_id),
        )

    def by_site_hash(self, site_token_hash: str) -> Row | None:
        return self._conn.execute(
            "SELECT * FROM devices WHERE site_token_hash = ? AND revoked_at IS NULL",
            (site_token_hash,),
        ).fetchone()

    def revoke(self, device_id: str, at: str) -> None:
        self._conn.execute("UPDATE devices SET revoked_at = ? WHERE id = ?", (at, device_id))

    def report(self, device_id: str, status: dict[str, Any], at: str | None) -> None:
        """The device's status as it reports it now, and when it was last heard."""
        self._conn.execute(
            "UPDATE devices SET status = ?, last_seen = ? WHERE id = ?",
            (json.dumps(status), at, device_id),
        )
