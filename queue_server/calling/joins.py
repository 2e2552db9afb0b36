"""What a `join` asks and what it is answered, for every server that holds sockets.

The centre's Socket.IO server (Flask-SocketIO, threads) and the push gateway (python-socketio
on asyncio, `queue_server/gateway`) hold sockets differently but must answer a join the same
way: the same checks, the same budget, the same acknowledgement. Those are here; how each
server waits, enters a room and sends a page stays with the server.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from queue_server import wire
from queue_server.calling.catch_up import (
    JOIN_COST,
    NO_BACKLOG,
    Backlog,
    JoinBudgets,
    Pace,
    TooManyJoins,
)
from queue_server.web_security import MAX_INTEGER
from queue_server.wire.words import say

if TYPE_CHECKING:
    from queue_server.accounts.credentials import Principal
    from queue_server.storage import Store


@dataclass(frozen=True)
class RoomJoin:
    """A checked join: a site's room, or one of its windows' rooms, from `since` on."""

    site: str
    counter: int | None
    since: int | None

    @property
    def room(self) -> str:
        if self.counter is not None:
            return wire.counter_room(self.site, self.counter)
        return wire.site_room(self.site)

    def backlog(self, store: Store) -> Backlog:
        """Read after the socket entered the room (see catch_up: every event is then in the
        backlog or heard live)."""
        upto = store.events.last_seq(self.site)
        return Backlog(self.site, self.counter, self.since if self.since is not None else upto, upto)


class Refused(Exception):
    """A join refused: `answer` is the acknowledgement to send."""

    def __init__(self, answer: dict[str, Any]) -> None:
        super().__init__(answer.get("error"))
        self.answer = answer


def check(principal: Principal | None, data: Any, store: Store) -> RoomJoin:
    """The join `data` of a socket connected as `principal`, checked, or `Refused`."""
    if principal is None:
        raise Refused({"ok": False, "error": "unauthorized"})
    if isinstance(data, dict) and "ticket" in data:
        raise Refused({"ok": False, "error": "forbidden"})  # a token hears its sites; tickets are phones'
    if not isinstance(data, dict) or not isinstance(data.get("site"), str):
        raise Refused({"ok": False, "error": "invalid_input"})
    site, counter, since = data["site"], data.get("counter"), data.get("since")
    if not _whole(counter) or not _whole(since):
        raise Refused({"ok": False, "error": "invalid_input"})
    if not principal.covers(site):
        raise Refused({"ok": False, "error": "forbidden"})
    if store.sites.get(site) is None:
        raise Refused({"ok": False, "error": "unknown_site"})
    return RoomJoin(site, counter, since)


def admit(budgets: JoinBudgets, principal: Principal, join: RoomJoin, store: Store, language: str) -> Pace:
    """Charge the join to its token's budget, or `Refused` with `too_many_joins`.

    The budget is charged on an estimate read before the room is entered, so a refused
    join leaves no trace; the few events committed meanwhile go unbilled."""
    estimate = NO_BACKLOG
    if join.since is not None:
        estimate = Backlog(join.site, join.counter, join.since, store.events.last_seq(join.site))
    try:
        return budgets.admit(budget_key(principal), JOIN_COST + estimate.cost)
    except TooManyJoins as refused:
        raise Refused(too_many_joins(refused.retry_after, language)) from None


def page_due(pace: Pace, backlog: Backlog, page: dict[str, Any]) -> float:
    """When a page of the backlog may be sent: its events paid for at the token's rate."""
    return pace.due(JOIN_COST + page["events"][-1]["seq"] - backlog.since)


def acknowledgement(join: RoomJoin, backlog: Backlog, replayed: int, pages: int) -> dict[str, Any]:
    return {
        "ok": True,
        "site": join.site,
        "counter": join.counter,
        "last_seq": backlog.upto,
        "replayed": replayed,
        "pages": pages,
        "complete": backlog.complete,
    }


def budget_key(principal: Principal) -> str:
    """Whose budget a join spends: screens sharing a device token share one."""
    return f"{principal.kind}:{principal.name}"


def too_many_joins(retry_after: int, language: str) -> dict[str, Any]:
    return {
        "ok": False,
        "error": "too_many_joins",
        "message": say("too_many_joins", language, retry_after=retry_after),
        "retry_after": retry_after,
    }


def token_of(auth: Any) -> str | None:
    """The token a connecting socket gave in its `auth`, if any."""
    given = auth.get("token") if isinstance(auth, dict) else None
    return given if isinstance(given, str) else None


def _whole(value: Any) -> bool:
    """None, or a whole number SQLite can hold (a larger one raised inside the handler)."""
    if value is None:
        return True
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= MAX_INTEGER
