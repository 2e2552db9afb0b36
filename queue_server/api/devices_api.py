"""Enrolled devices learn who they are (GET /api/v1/devices/me) and report the state of
their peripherals (POST /api/v1/devices/status)."""

from __future__ import annotations

from flask import jsonify
from flask.typing import ResponseReturnValue

from queue_server.api import api
from queue_server.api.auth import require
from queue_server.api.contract import json_body
from queue_server.app import hall
from queue_server.monitoring.device_status import parse_status, report_status

DEVICE_ROLES = frozenset({"kiosk", "display", "sign"})


@api.get("/devices/me")
def device_identity() -> ResponseReturnValue:
    """Who a device token belongs to. The kiosk agent takes its site from here, so a kiosk
    set up with another site's name still issues only where its token was enrolled."""
    principal = require(None, DEVICE_ROLES)
    (site,) = principal.sites  # a device is enrolled at exactly one site
    return jsonify(
        {
            "kind": principal.role,
            "site": site,
            "counter": principal.counter,
            "name": principal.device_name,
        }
    )


@api.post("/devices/status")
def device_status() -> ResponseReturnValue:
    principal = require(None, DEVICE_ROLES)
    status = parse_status(json_body())
    return jsonify(report_status(hall().ops, principal.name, status))
