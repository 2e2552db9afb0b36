"""The calendar's tables: the national holidays and make-up working days, each site's own
exceptions, and `sites.days`, the two resolved for a site (engine/opening_days.py)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import date

from queue_server.engine import opening_days
from queue_server.engine.opening_days import DayKind, NationalDay, SiteDay
from queue_server.storage.repository import Repository, marks

# The first year seeded from the package: older years hold no opening a hall needs.
SEED_FROM = 2025


def seed_rows(first_year: int = SEED_FROM) -> list[NationalDay]:
    """Every holiday and make-up working day `chinesecalendar` knows from `first_year` on,
    as published: a holiday on a weekend inside a holiday period is kept, so a hall open on
    Saturdays closes on Golden Week's Saturday too."""
    import chinese_calendar  # the centre's dependency; imported here, where it is used

    days = [
        NationalDay(day, DayKind.HOLIDAY, str(name or ""))
        for day, name in chinese_calendar.holidays.items()
        if day.year >= first_year
    ]
    days += [
        NationalDay(day, DayKind.WORKDAY, str(name or ""))
        for day, name in chinese_calendar.workdays.items()
        if day.year >= first_year and day.weekday() >= 5
    ]
    return sorted(days, key=lambda entry: entry.day)


class OpeningDays(Repository):
    # --- the national list -------------------------------------------------------------

    def national(self, year: int | None = None) -> list[NationalDay]:
        if year is None:
            rows = self._rows("SELECT * FROM national_days ORDER BY day")
        else:
            rows = self._rows(
                "SELECT * FROM national_days WHERE day >= ? AND day < ? ORDER BY day",
                f"{year:04d}-01-01",
                f"{year + 1:04d}-01-01",
            )
        return [
            NationalDay(date.fromisoformat(r["day"]), DayKind(r["kind"]), r["name"], r["hours_of"])
            for r in rows
        ]

    def add_national(self, days: Iterable[NationalDay]) -> None:
        self._conn.executemany(
            """INSERT INTO national_days (day, kind, name, hours_of) VALUES (?, ?, ?, ?)
               ON CONFLICT (day) DO UPDATE SET kind=excluded.kind, name=excluded.name,
                 hours_of=excluded.hours_of""",
            [(d.day.isoformat(), d.kind.value, d.name, d.hours_of) for d in days],
        )

    def replace_year(self, year: int, days: Iterable[NationalDay]) -> None:
        """That year's list is exactly `days` (the other years are left as they are)."""
        self._conn.execute(
            "DELETE FROM national_days WHERE day >= ? AND day < ?",
            (f"{year:04d}-01-01", f"{year + 1:04d}-01-01"),
        )
        self.add_national(days)

    # --- a site's own exceptions ------------------------------------------------------

    def of_site(self, site_id: str) -> list[SiteDay]:
        rows = self._rows("SELECT * FROM site_days WHERE site_id = ? ORDER BY day", site_id)
        return [
            SiteDay(date.fromisoformat(r["day"]), json.loads(r["spans"]), r["note"]) for r in rows
        ]

    def set_site_day(self, site_id: str, day: SiteDay) -> None:
        self._conn.execute(
            """INSERT INTO site_days (site_id, day, spans, note) VALUES (?, ?, ?, ?)
               ON CONFLICT (site_id, day) DO UPDATE SET spans=excluded.spans, note=excluded.note""",
            (site_id, day.day.isoformat(), json.dumps(day.spans), day.note),
        )

    def delete_site_day(self, site_id: str, day: date) -> bool:
        cursor = self._conn.execute(
            "DELETE FROM site_days WHERE site_id = ? AND day = ?", (site_id, day.isoformat())
        )
        return cursor.rowcount > 0

    # --- sites.days: the calendar resolved for each site ------------------------------

    def resolve(self, site_ids: Iterable[str] | None = None) -> None:
        """Write `sites.days` of these sites (None: every site) from the tables above."""
        national = self.national()
        if site_ids is None:
            rows = self._rows("SELECT id, hours, settings FROM sites")
        else:
            chosen = tuple(site_ids)
            rows = self._rows(
                f"SELECT id, hours, settings FROM sites WHERE id IN ({marks(chosen)})", *chosen
            )
        for row in rows:
            hours = json.loads(row["hours"]) if row["hours"] else None
            settings = json.loads(row["settings"] or "{}")
            days = opening_days.resolve(
                hours, national, self.of_site(row["id"]), opening_days.follows_national(settings)
            )
            self._conn.execute(
                "UPDATE sites SET days = ? WHERE id = ?", (json.dumps(days), row["id"])
            )

    def resolve_all(self) -> None:
        self.resolve(None)
