"""The REST API under /api/v1: JSON in, JSON out; the OpenAPI document is in `openapi.py`."""

from flask import Blueprint

api = Blueprint("api", __name__, url_prefix="/api/v1")

from . import routes  # noqa: E402,F401  (routes attach themselves to the blueprint)
