"""What a ticket taken without staff may claim: the kiosk's rules of trust.

At a kiosk nobody sees the citizen, so nothing the citizen merely says is believed:

- **No priority class by choice.** A kiosk token sends no class (or `ordinary`): the
  centre gives `elderly` from the card's birth date and `appointment` from an
  appointment checked in, and staff confirm `assisted`, `elderly` or `disabled` on a
  waiting ticket (`POST /tickets/{id}/priority`, event `ticket.prioritized`). A kiosk
  asking for a class is refused: 403 `priority_needs_staff`.
- **Help (帮办) routes, it does not jump.** `"help": true` issues the ticket for the
  site's `help_item` (the demo hall's 帮办代办服务 K001, served at the assisted window)
  in the ordinary class, and keeps the item the citizen came for on the ticket
  (`help_for`), so the assisted clerk sees it and the printed ticket says it. The item
  wanted must still be offered and open now (hours, issuing window, daily cap): help is
  no way round them. A site without a help item issues the wanted item itself, marked
  with `help_for` so the clerk who calls it knows.
- **ID card for capped items** where the site says `require_id_for_capped`: an item
  with a daily cap is what ticket touts (黄牛) hoard, and only an identified ticket
  counts against the per-person limits. A kiosk's anonymous request for one is refused
  with 409 `id_required_for_capped`; staff issuing at the console see the person and
  are not held by it.
"""

from __future__ import annotations

from typing import Any

from queue_server.engine.errors import QueueError, Unavailable
from queue_server.engine.model import Bundle, Priority, Service, Site


class PriorityNeedsStaff(QueueError, code="priority_needs_staff", status=403):
    """A kiosk asked for a priority class: only staff confirm one."""


class IdRequiredForCapped(Unavailable, code="id_required_for_capped"):
    """An anonymous kiosk request for an item with a daily cap, where the site wants a card."""


# The classes staff may confirm on a waiting ticket (appointments come from checking in).
CONFIRMABLE = (Priority.ASSISTED, Priority.ELDERLY, Priority.DISABLED)


def check_unattended_priority(requested: Priority) -> None:
    if requested != Priority.ORDINARY:
        raise PriorityNeedsStaff(priority=requested.value)


def item_key(item: Service | Bundle) -> str:
    return f"{'service' if isinstance(item, Service) else 'bundle'}:{item.code}"


def help_item_code(settings: dict[str, Any]) -> str | None:
    code = settings.get("help_item")
    return code if isinstance(code, str) and code else None


def check_identified(site: Site, item: Service | Bundle, identified: bool) -> None:
    """Refuse an anonymous request for a capped item where the site wants an ID card."""
    if identified or item.daily_cap is None or not site.settings.get("require_id_for_capped"):
        return
    raise IdRequiredForCapped(item=item.code, cap=item.daily_cap)
