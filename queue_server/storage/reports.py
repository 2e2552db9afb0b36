"""The reads of the watch report (黄牛监测) and the out-of-order calls report.

Both read a range of local days of a part of the site tree in one grouped pass; the
report modules (`reports.heavy_holders`, `reports.out_of_order`) turn the rows into tables.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from queue_server.storage.repository import Repository, Row, marks

# One row per call of a ticket of the range: its site, clerk and, when out of order, why.
# JSON is parsed only where needed (a call that is not the ticket's latest; a payload that
# says out_of_order at all): a year of a city's calls is read in a second or two.
_CALLS = """
    SELECT t.site_id AS site, e.at AS at, t.number AS number, e.counter AS counter,
           coalesce(json_extract(e.payload, '$.data.clerk'),
                    CASE WHEN t.called_at = e.at AND t.clerk IS NOT NULL THEN t.clerk
                         ELSE coalesce(json_extract(e.payload, '$.counter.clerk'), t.clerk)
                    END) AS clerk,
           CASE WHEN instr(e.payload, '"out_of_order"') > 0
                 AND json_extract(e.payload, '$.data.reason') = 'out_of_order'
                THEN coalesce(json_extract(e.payload, '$.data.out_of_order_reason'), '')
           END AS why
    FROM tickets t JOIN events e ON e.ticket_id = t.id
    WHERE t.site_id IN ({sites}) AND t.day BETWEEN ? AND ? AND e.type = 'ticket.called'
"""


class Reports(Repository):
    def card_days(self, sites: tuple[str, ...], start: date, end: date) -> list[Row]:
        """Tickets held per site, card (keyed hash), day and item, cancelled ones and a
        registered proxy's own card not counted: `site_id, person_hash, day, item, n, last`
        (the latest issue time) and `person_mask` (of some ticket of the group)."""
        return self._conn.execute(
            f"""SELECT t.site_id, t.person_hash, t.day,
                   coalesce('S:' || t.service, 'B:' || t.bundle) AS item,
                   count(*) AS n, max(t.issued_at) AS last, t.person_mask
            FROM tickets t
            WHERE t.site_id IN ({marks(sites)}) AND t.day BETWEEN ? AND ?
              AND t.person_hash IS NOT NULL AND t.status != 'cancelled'
              AND NOT EXISTS (SELECT 1 FROM proxies p
                              WHERE p.id = t.proxy_id AND p.person_hash = t.person_hash)
            GROUP BY t.site_id, t.person_hash, t.day, item""",
            (*sites, str(start), str(end)),
        ).fetchall()

    def proxy_days(self, sites: tuple[str, ...], start: date, end: date) -> list[Row]:
        """Tickets taken per site, proxy and day, cancelled ones not counted:
        `site_id, proxy_id, day, n`."""
        return self._conn.execute(
            f"""SELECT t.site_id, t.proxy_id, t.day, count(*) AS n
            FROM tickets t
            WHERE t.site_id IN ({marks(sites)}) AND t.day BETWEEN ? AND ?
              AND t.proxy_id IS NOT NULL AND t.status != 'cancelled'
            GROUP BY t.site_id, t.proxy_id, t.day""",
            (*sites, str(start), str(end)),
        ).fetchall()

    def calls(self, sites: tuple[str, ...], start: date, end: date) -> Iterator[Row]:
        """Every call (`ticket.called`) of the tickets of these sites and days: `site, at,
        number, counter, clerk` (who called) and `why` (the out-of-order reason, `''` for
        one given none, NULL for a call in turn). Read lazily: a year is large."""
        return self._conn.execute(_CALLS.format(sites=marks(sites)), (*sites, str(start), str(end)))
