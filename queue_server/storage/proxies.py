"""Registered proxies (代办人) and the tickets they took, which their daily caps count."""

from __future__ import annotations

from collections.abc import Iterable

from queue_server.storage.repository import Repository, Row, marks


class Proxies(Repository):
    def get(self, proxy_id: str) -> Row | None:
        return self._conn.execute("SELECT * FROM proxies WHERE id = ?", (proxy_id,)).fetchone()

    def active_for_staff(self, site_id: str, username: str) -> Row | None:
        """The site's active proxy that is this member of staff."""
        return self._conn.execute(
            "SELECT * FROM proxies WHERE site_id = ? AND username = ? AND active = 1",
            (site_id, username),
        ).fetchone()

    def active_for_card(self, site_id: str, person_hash: str) -> Row | None:
        """The site's active proxy registered with this card (by its keyed hash)."""
        return self._conn.execute(
            "SELECT * FROM proxies WHERE site_id = ? AND person_hash = ? AND active = 1",
            (site_id, person_hash),
        ).fetchone()

    def of_site(self, site_id: str) -> list[Row]:
        """The site's proxies, active ones first, by name."""
        return self._conn.execute(
            "SELECT * FROM proxies WHERE site_id = ? ORDER BY active DESC, name, created_at",
            (site_id,),
        ).fetchall()

    def of_sites(self, site_ids: Iterable[str]) -> list[Row]:
        chosen = tuple(site_ids)
        return self._conn.execute(
            f"SELECT * FROM proxies WHERE site_id IN ({marks(chosen)})", chosen
        ).fetchall()

    def add(
        self,
        proxy_id: str,
        site_id: str,
        name: str,
        kind: str,
        username: str | None,
        person_hash: str | None,
        daily_cap: int,
        created_at: str | None,
    ) -> None:
        self._conn.execute(
            """INSERT INTO proxies (id, site_id, name, kind, username, person_hash, daily_cap, active,
               created_at) VALUES (?, ?, ?, ?, ?, ?, ?, 1, ?)""",
            (proxy_id, site_id, name, kind, username, person_hash, daily_cap, created_at),
        )

    def update(self, proxy_id: str, name: str, daily_cap: int, active: bool) -> None:
        self._conn.execute(
            "UPDATE proxies SET name = ?, daily_cap = ?, active = ? WHERE id = ?",
            (name, daily_cap, int(active), proxy_id),
        )

    # --- what the caps count: tickets taken, cancelled ones not counted ----------------

    def taken(self, site_id: str, proxy_id: str, day: str) -> int:
        """Tickets the proxy took at the site on `day`."""
        return int(
            self._conn.execute(
                """SELECT count(*) FROM tickets WHERE site_id = ? AND proxy_id = ? AND day = ?
           AND status != 'cancelled'""",
                (site_id, proxy_id, day),
            ).fetchone()[0]
        )

    def taken_on(self, site_id: str, day: str) -> dict[str, int]:
        """Tickets each proxy of the site took on `day`."""
        rows = self._conn.execute(
            """SELECT proxy_id, count(*) FROM tickets WHERE site_id = ? AND day = ?
           AND proxy_id IS NOT NULL AND status != 'cancelled' GROUP BY proxy_id""",
            (site_id, day),
        ).fetchall()
        return {proxy_id: n for proxy_id, n in rows}
