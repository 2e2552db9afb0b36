"""Enrolled devices report the state of their peripherals: POST /api/v1/devices/status."""

from __future__ import annotations

from flask import jsonify
from flask.typing import ResponseReturnValue

from queue_server.api import api
from queue_server.api.auth import require
from queue_server.api.contract import json_body
from queue_server.app import hall
from queue_server.monitoring.device_status import parse_status, report_status

DEVICE_ROLES = frozenset({"kiosk", "display", "sign"})


@api.post("/devices/status")
def device_status() -> ResponseReturnValue:
    principal = require(None, DEVICE_ROLES)
    status = parse_status(json_body())
    return jsonify(report_status(hall().ops, principal.name, status))
