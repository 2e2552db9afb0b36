"""The REST API under /api/v1: JSON in, JSON out; each route declared once (`contract.py`),
the OpenAPI document made from the declarations (`document.py`)."""

from flask import Blueprint

api = Blueprint("api", __name__, url_prefix="/api/v1")

# Route modules attach themselves to the blueprint: tickets_api (the spine: sites, tickets,
# counters' actions, events, logins), counters_api (console, display and sign reads;
# ratings), devices_api (device status), manage_api (managers' live reads), reports_api
# (reports and exports), admin_api (administration and its audit log), proxies_api (a
# site's registered proxies, 帮办代办), rules_reports_api (watch and out-of-order reports),
# console_api (the console's finding of tickets by number and of proxies), edge_api (the
# city's exchange with its stations' edge centres), appointments_api (slots, bookings,
# check-in, remote tickets and slot plans), webhooks_api (the gateway's webhook
# subscriptions and their delivery logs), window_plans_api (window plans replayed on
# real weeks, 窗口方案推演), follow_ups_api (差评 follow-ups and the ratings export for
# the national 好差评 system), stages_api (the stages of “一件事” tickets: stage-done,
# stage ratings).
from queue_server.api import (  # noqa: E402,F401
    admin_api,
    appointments_api,
    console_api,
    counters_api,
    devices_api,
    edge_api,
    follow_ups_api,
    manage_api,
    proxies_api,
    reports_api,
    rules_reports_api,
    stages_api,
    tickets_api,
    webhooks_api,
    window_plans_api,
)
