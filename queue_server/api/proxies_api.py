"""A site's registered proxies (帮办代办) over HTTP, for its admins: /api/v1/admin/sites/{site}/proxies

Registering a card proxy sends the ID number once; the answer, the errors and the audit
log never hold it (see `people/proxy_register`). Field errors answer 400 with `field`, as the rest
of the administration does.
"""

from __future__ import annotations

from flask import jsonify
from flask.typing import ResponseReturnValue

from queue_server.administration import audit
from queue_server.api import api
from queue_server.api.admin_api import admin, with_field
from queue_server.api.contract import json_body
from queue_server.app import hall
from queue_server.people.proxy_register import ProxyAdmin


def proxy_admin() -> ProxyAdmin:
    return ProxyAdmin(hall().db, hall().accounts, hall().ops.clock)


@api.get("/admin/sites/<site>/proxies")
@with_field
def list_proxies(site: str) -> ResponseReturnValue:
    principal = admin(site)
    proxies = proxy_admin().list(site)
    # The register of who may take tickets for others (masked names, keyed-hash prefixes):
    # opening it is a view of personal data, on the record.
    audit.record_access(
        hall().db, principal.name, "view", "personal_data", f"{site}/proxies",
        {"proxies": len(proxies)}, site=site,
    )  # fmt: skip
    return jsonify({"site": site, "proxies": proxies})


@api.post("/admin/sites/<site>/proxies")
@with_field
def register_proxy(site: str) -> ResponseReturnValue:
    principal = admin(site)
    return jsonify({"proxy": proxy_admin().register(principal.name, site, json_body())}), 201


@api.put("/admin/sites/<site>/proxies/<proxy_id>")
@with_field
def update_proxy(site: str, proxy_id: str) -> ResponseReturnValue:
    principal = admin(site)
    return jsonify({"proxy": proxy_admin().update(principal.name, site, proxy_id, json_body())})
