"""The REST API under /api/v1: JSON in, JSON out; the OpenAPI document is in `openapi.py`."""

from flask import Blueprint

api = Blueprint("api", __name__, url_prefix="/api/v1")

# Route modules attach themselves to the blueprint: `routes` (the spine), `calling`
# (console, display and sign reads; ratings).
from . import calling, routes  # noqa: E402,F401
from . import devices_api  # noqa: E402,F401  (device status reports)
from . import manage_api  # noqa: E402,F401  (managers' live dashboard reads)
from . import reports_api  # noqa: E402,F401  (managers' reports and exports)
from . import admin_api  # noqa: E402,F401  (administration and its audit log)
