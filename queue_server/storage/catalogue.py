"""The city's one catalogue of services and bundles, and what each site offers of it."""

from __future__ import annotations

from collections.abc import Iterable

from queue_server.engine.model import Bundle, Service
from queue_server.storage import records
from queue_server.storage.repository import Repository, upsert


class Catalogue(Repository):
    def service(self, code: str) -> Service | None:
        return self._record(records.SERVICES, "SELECT * FROM services WHERE code = ?", code)

    def services(self) -> list[Service]:
        return self._records(records.SERVICES, "SELECT * FROM services ORDER BY rowid")

    def save_service(self, service: Service) -> None:
        upsert(self._conn, "services", "code", records.SERVICES.to_row(service))

    def bundle(self, code: str) -> Bundle | None:
        return self._record(records.BUNDLES, "SELECT * FROM bundles WHERE code = ?", code)

    def bundles(self) -> list[Bundle]:
        return self._records(records.BUNDLES, "SELECT * FROM bundles ORDER BY rowid")

    def save_bundle(self, bundle: Bundle) -> None:
        upsert(self._conn, "bundles", "code", records.BUNDLES.to_row(bundle))

    def departments(self) -> dict[str, str]:
        """Service code → its department (bundles have none)."""
        return dict(self._conn.execute("SELECT code, department FROM services").fetchall())


class Offerings(Repository):
    """Which services and bundles each site offers (a subset of the catalogue)."""

    def set(self, site_id: str, services: Iterable[str], bundles: Iterable[str]) -> None:
        self._conn.execute("DELETE FROM site_offerings WHERE site_id = ?", (site_id,))
        self._conn.executemany(
            "INSERT INTO site_offerings (site_id, kind, code) VALUES (?, ?, ?)",
            [(site_id, "service", c) for c in services] + [(site_id, "bundle", c) for c in bundles],
        )

    def of(self, site_id: str) -> tuple[list[str], list[str]]:
        """The site's service codes and bundle codes, in the order they were set."""
        rows = self._conn.execute(
            "SELECT kind, code FROM site_offerings WHERE site_id = ? ORDER BY rowid", (site_id,)
        ).fetchall()
        return [r["code"] for r in rows if r["kind"] == "service"], [
            r["code"] for r in rows if r["kind"] == "bundle"
        ]

    def offers(self, site_id: str, kind: str, code: str) -> bool:
        """Whether the site offers this service (`kind` "service") or bundle ("bundle")."""
        return (
            self._conn.execute(
                "SELECT 1 FROM site_offerings WHERE site_id = ? AND kind = ? AND code = ?",
                (site_id, kind, code),
            ).fetchone()
            is not None
        )
