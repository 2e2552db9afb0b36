"""A citizen identified by an ID card, as the centre may keep them.

The kiosk sends `{"id_number", "name", "birth_date"}` with an issue request. Nothing of
it is stored or logged in clear: the centre keeps a keyed hash of the number (for the
per-person daily limit and history) and the masked name; the birth date only decides
the elderly priority class and is then dropped.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from devices.masking import mask_name  # one masking rule for card, kiosk and centre
from queue_server.engine import caps, hours
from queue_server.engine.errors import FieldInvalid, PersonLimitReached  # noqa: F401 (re-exported)
from queue_server.engine.model import Priority
from queue_server.parsing import parse
from queue_server.storage import Store
from queue_server.wire.shapes import PersonCard

DEFAULT_ELDERLY_AGE = 65


@dataclass(frozen=True, repr=False)
class Person:
    """A parsed identity; its `repr` never shows the number or the full name."""

    id_number: str
    name: str
    birth_date: date | None

    def __repr__(self) -> str:
        return f"Person(name={mask_name(self.name)!r}, …)"

    __str__ = __repr__

    def age_on(self, day: date) -> int | None:
        if self.birth_date is None:
            return None
        years = day.year - self.birth_date.year
        if (day.month, day.day) < (self.birth_date.month, self.birth_date.day):
            years -= 1
        return years


def from_card(card: PersonCard | None) -> Person | None:
    """The card an issue request carries, as a `Person`; errors never echo what was sent."""
    if card is None:
        return None
    birth_date = None
    if card.birth_date is not None:
        try:
            birth_date = date.fromisoformat(card.birth_date)
        except ValueError:
            raise FieldInvalid("person.birth_date", "date") from None
    return Person(card.id_number, card.name, birth_date)


def parse_person(value: Any) -> Person | None:
    """A card sent as plain JSON (`PersonCard`'s fields), checked by the same model."""
    return from_card(parse(PersonCard, value)) if value is not None else None


def priority_for(
    person: Person | None, requested: Priority, settings: dict[str, Any], today: date
) -> Priority:
    """Elderly priority from the card's birth date; a requested class is never lowered."""
    if person is None or requested != Priority.ORDINARY:
        return requested
    threshold = settings.get("elderly_age", DEFAULT_ELDERLY_AGE)
    age = person.age_on(today)
    if age is not None and isinstance(threshold, int) and age >= threshold:
        return Priority.ELDERLY
    return requested


def site_priority(
    store: Store, site_id: str, person: Person | None, requested: Priority, now: Any
) -> Priority:
    """`priority_for` with the site's settings and its local day."""
    site = store.sites.get(site_id) if person is not None else None
    if site is None:
        return requested
    today = date.fromisoformat(hours.local_day(now, site.timezone))
    return priority_for(person, requested, site.settings, today)


def check_holdings(
    store: Store,
    site_id: str,
    settings: dict[str, Any],
    day: str,
    person_hash: str,
    service: str | None,
    bundle: str | None,
) -> None:
    """Refuse ticket hoarding: one active ticket per item, `daily_limit_per_person` a day."""
    limit = settings.get("daily_limit_per_person")
    if not isinstance(limit, int) or isinstance(limit, bool) or limit <= 0:
        limit = None
    today, active, held = store.tickets.held_by(site_id, person_hash, day, service, bundle)
    caps.check_person(caps.Holdings(active=active, today=today, held=held), limit)
