"""The REST API under /api/v1: JSON in, JSON out; the OpenAPI document is in `openapi.py`."""

from flask import Blueprint

api = Blueprint("api", __name__, url_prefix="/api/v1")

# Route modules attach themselves to the blueprint: routes (the spine), calling (console,
# display and sign reads; ratings), devices_api (device status), manage_api (managers' live
# reads), reports_api (reports and exports), admin_api (administration and its audit log),
# agents_api (a site's agents, 帮办代办), rules_reports_api (watch and out-of-order reports),
# console_api (the console's finding of tickets by number and of agents).
from queue_server.api import (  # noqa: E402,F401
    admin_api,
    agents_api,
    calling,
    console_api,
    devices_api,
    manage_api,
    reports_api,
    routes,
    rules_reports_api,
)
