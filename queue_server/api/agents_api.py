"""A site's registered agents (帮办代办) over HTTP, for its admins: /api/v1/admin/sites/{site}/agents

Registering a card agent sends the ID number once; the answer, the errors and the audit
log never hold it (see `agent_admin`). Field errors answer 400 with `field`, as the rest
of the administration does.
"""

from __future__ import annotations

from flask import jsonify

from ..agent_admin import AgentAdmin
from ..app import hall
from . import api
from .admin_api import admin, with_field
from .routes import json_body


def agent_admin() -> AgentAdmin:
    return AgentAdmin(hall().db, hall().accounts, hall().ops.clock)


@api.get("/admin/sites/<site>/agents")
@with_field
def list_agents(site: str):  # type: ignore[no-untyped-def]
    admin(site)
    return jsonify({"site": site, "agents": agent_admin().list(site)})


@api.post("/admin/sites/<site>/agents")
@with_field
def register_agent(site: str):  # type: ignore[no-untyped-def]
    principal = admin(site)
    return jsonify({"agent": agent_admin().register(principal.name, site, json_body())}), 201


@api.put("/admin/sites/<site>/agents/<agent_id>")
@with_field
def update_agent(site: str, agent_id: str):  # type: ignore[no-untyped-def]
    principal = admin(site)
    return jsonify({"agent": agent_admin().update(principal.name, site, agent_id, json_body())})
