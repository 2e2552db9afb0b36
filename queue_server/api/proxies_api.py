"""A site's registered proxies (代办人) over HTTP, for its admins: /api/v1/admin/sites/{site}/proxies

Registering a card proxy sends the ID number once; the answer, the errors and the audit
log never hold it (see `people/proxy_register`). Field errors answer 400 with `field`, as the rest
of the administration does.
"""

from __future__ import annotations

from typing import Any

from queue_server.accounts.credentials import Principal
from queue_server.administration import audit
from queue_server.api.admin_api import ADMINS, admins
from queue_server.api.contract import Routes
from queue_server.api.schemas.proxies import ProxyAnswer, ProxyChange, ProxyList, ProxyRegistration
from queue_server.app import hall
from queue_server.people.proxy_register import ProxyAdmin

CHANGE = "Admins of the site. Writes one audit row (kind `proxy`) in the same transaction; 400 names the field."
admin_changes = Routes(ADMINS, prefix="/admin", footnote=CHANGE)


def proxy_admin() -> ProxyAdmin:
    return ProxyAdmin(hall().db, hall().accounts, hall().ops.clock)


@admins.get("/sites/<site>/proxies", answers={200: ProxyList}, errors=(404,))
def list_proxies(site: str, principal: Principal) -> dict[str, Any]:
    """A site's proxies (代办人) with their cap and today's tickets

    Admins of the site; each opening of the register is on the record (a view of personal data)."""
    proxies = proxy_admin().list(site)
    # The register of who may take tickets for others (masked names, keyed-hash prefixes):
    # opening it is a view of personal data, on the record.
    audit.record_access(
        hall().db, principal.name, "view", "personal_data", f"{site}/proxies",
        {"proxies": len(proxies)}, site=site,
    )  # fmt: skip
    return {"site": site, "proxies": proxies}


@admin_changes.post(
    "/sites/<site>/proxies", body=ProxyRegistration, answers={201: ProxyAnswer}, errors=(404,)
)
def register_proxy(
    site: str, body: ProxyRegistration, principal: Principal
) -> tuple[dict[str, Any], int]:
    """Register a proxy: a member of staff, or a person by ID card

    A card's number is read once: only its keyed hash is kept, and no answer, error or log holds it. One active proxy per member of staff or card at a site."""
    return {"proxy": proxy_admin().register(principal.name, site, body)}, 201


@admin_changes.put(
    "/sites/<site>/proxies/<proxy_id>", body=ProxyChange, answers={200: ProxyAnswer}, errors=(404,)
)
def update_proxy(
    site: str, proxy_id: str, body: ProxyChange, principal: Principal
) -> dict[str, Any]:
    """Change a proxy's cap or name, deactivate or activate it

    A deactivated proxy no longer counts: its tickets fall under the one-person limits again."""
    return {"proxy": proxy_admin().update(principal.name, site, proxy_id, body)}
