"""A site's registered agents (帮办代办) over HTTP, for its admins: /api/v1/admin/sites/{site}/agents

Registering a card agent sends the ID number once; the answer, the errors and the audit
log never hold it (see `agent_admin`). Field errors answer 400 with `field`, as the rest
of the administration does.
"""

from __future__ import annotations

from flask import jsonify

from queue_server.administration import audit
from queue_server.api import api
from queue_server.api.admin_api import admin, with_field
from queue_server.api.contract import json_body
from queue_server.app import hall
from queue_server.people.proxy_register import AgentAdmin


def agent_admin() -> AgentAdmin:
    return AgentAdmin(hall().db, hall().accounts, hall().ops.clock)


@api.get("/admin/sites/<site>/agents")
@with_field
def list_agents(site: str):  # type: ignore[no-untyped-def]
    principal = admin(site)
    agents = agent_admin().list(site)
    # The register of who may take tickets for others (masked names, keyed-hash prefixes):
    # opening it is a view of personal data, on the record.
    audit.record_access(
        hall().db, principal.name, "view", "personal_data", f"{site}/agents",
        {"agents": len(agents)}, site=site,
    )  # fmt: skip
    return jsonify({"site": site, "agents": agents})


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
