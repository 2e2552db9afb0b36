"""Counters (windows): their profile, state and the ticket each holds."""

from __future__ import annotations

from queue_server.engine.model import Counter
from queue_server.storage import records
from queue_server.storage.repository import Repository, upsert


class Counters(Repository):
    def get(self, site_id: str, number: int) -> Counter | None:
        return self._record(
            records.COUNTERS, "SELECT * FROM counters WHERE site_id = ? AND number = ?", site_id, number
        )

    def of_site(self, site_id: str) -> list[Counter]:
        """The site's counters by number."""
        return self._records(
            records.COUNTERS, "SELECT * FROM counters WHERE site_id = ? ORDER BY number", site_id
        )

    def open_at(self, site_id: str) -> list[Counter]:
        """The site's open counters by number (what a wait estimate shares out)."""
        return self._records(
            records.COUNTERS,
            "SELECT * FROM counters WHERE site_id = ? AND state = 'open' ORDER BY number",
            site_id,
        )

    def open_serving(self, site_id: str, kind: str, code: str) -> list[Counter]:
        """The open counters that have this service (or bundle) in their profile."""
        item = "service" if kind == "service" else "bundle"
        return self._records(
            records.COUNTERS,
            f"""SELECT * FROM counters WHERE site_id = ? AND state = 'open' AND EXISTS (
                  SELECT 1 FROM json_each(counters.profile) AS entry
                  WHERE json_extract(entry.value, '$.{item}') = ?)
                ORDER BY number""",
            site_id,
            code,
        )

    def save(self, counter: Counter) -> None:
        upsert(self._conn, "counters", "id", records.COUNTERS.to_row(counter))
