"""Registered agents (帮办代办): people who take tickets for others, within their own cap.

An agent is either a member of staff (known by their user name: tickets they issue
from the console count against their cap) or someone the site registered by ID card
(known by the keyed hash of the card: at a kiosk their tap takes a ticket under the
agent's cap instead of the one-person limits). Admins register them (`agent_admin`);
managers see, per agent, how many tickets they took (`holders_report`).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import Any

from queue_server import wire
from queue_server.engine import caps
from queue_server.engine.errors import InvalidInput, NotFound
from queue_server.engine.ids import new_id

AGENT_KINDS = ("staff", "registered")
MAX_AGENT_CAP = 500


class UnknownAgent(NotFound):
    code = "unknown_agent"


@dataclass(frozen=True)
class Agent:
    id: str
    site_id: str
    name: str
    kind: str
    username: str | None
    daily_cap: int
    active: bool


def _agent(row: sqlite3.Row) -> Agent:
    return Agent(
        id=row["id"],
        site_id=row["site_id"],
        name=row["name"],
        kind=row["kind"],
        username=row["username"],
        daily_cap=row["daily_cap"],
        active=bool(row["active"]),
    )


def get_agent(conn: sqlite3.Connection, agent_id: str) -> Agent | None:
    row = conn.execute("SELECT * FROM agents WHERE id = ?", (agent_id,)).fetchone()
    return _agent(row) if row else None


def add_agent(
    conn: sqlite3.Connection,
    site_id: str,
    name: str,
    kind: str,
    daily_cap: int,
    now: Any,
    username: str | None = None,
    person_hash: str | None = None,
) -> Agent:
    if kind not in AGENT_KINDS:
        raise InvalidInput("kind must be staff or registered", field="kind")
    if kind == "staff" and not username:
        raise InvalidInput("a staff agent needs a user name", field="username")
    if kind == "registered" and not person_hash:
        raise InvalidInput("a registered agent needs an ID card", field="person")
    if (
        not isinstance(daily_cap, int)
        or isinstance(daily_cap, bool)
        or not 1 <= daily_cap <= MAX_AGENT_CAP
    ):
        raise InvalidInput(f"daily_cap must be 1–{MAX_AGENT_CAP}", field="daily_cap")
    agent = Agent(new_id(), site_id, name, kind, username, daily_cap, True)
    conn.execute(
        """INSERT INTO agents (id, site_id, name, kind, username, person_hash, daily_cap, active,
           created_at) VALUES (?, ?, ?, ?, ?, ?, ?, 1, ?)""",
        (agent.id, site_id, name, kind, username, person_hash, daily_cap, wire.iso(now)),
    )
    return agent


def agent_for(
    conn: sqlite3.Connection,
    site_id: str,
    agent_id: str | None = None,
    username: str | None = None,
    person_hash: str | None = None,
) -> Agent | None:
    """The active agent an issue request is made by: named outright, the staff member
    issuing, or the card tapped at the kiosk."""
    if agent_id is not None:
        agent = get_agent(conn, agent_id)
        if agent is None or agent.site_id != site_id or not agent.active:
            raise UnknownAgent(agent=agent_id)
        return agent
    for column, value in (("username", username), ("person_hash", person_hash)):
        if value is None:
            continue
        row = conn.execute(
            f"SELECT * FROM agents WHERE site_id = ? AND {column} = ? AND active = 1",
            (site_id, value),
        ).fetchone()
        if row is not None:
            return _agent(row)
    return None


def check_cap(conn: sqlite3.Connection, agent: Agent, day: str) -> None:
    taken = conn.execute(
        """SELECT count(*) FROM tickets WHERE site_id = ? AND agent_id = ? AND day = ?
           AND status != 'cancelled'""",
        (agent.site_id, agent.id, day),
    ).fetchone()[0]
    caps.check_agent(taken, agent.daily_cap, agent.name)
