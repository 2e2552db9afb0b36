"""Enrolled devices learn who they are and report the state of their peripherals
(`monitoring/device_status.py`)."""

from __future__ import annotations

from typing import Any

from queue_server.accounts.credentials import Principal
from queue_server.api.contract import Routes
from queue_server.app import hall
from queue_server.monitoring.device_status import report_status
from queue_server.wire.shapes import DeviceIdentity, DeviceStatusAnswer, DeviceStatusReport

DEVICE_ROLES = frozenset({"kiosk", "display", "sign"})
devices = Routes(DEVICE_ROLES)


@devices.get("/devices/me", answers={200: DeviceIdentity})
def device_identity(principal: Principal) -> dict[str, Any]:
    """Who this device token belongs to

    The kiosk agent takes its site from here, so a kiosk set up with another site's name
    still issues only where its token was enrolled. A staff token gets 403."""
    (site,) = principal.sites  # a device is enrolled at exactly one site
    return {
        "kind": principal.role,
        "site": site,
        "counter": principal.counter,
        "name": principal.device_name,
    }


@devices.post("/devices/status", body=DeviceStatusReport, answers={200: DeviceStatusAnswer})
def device_status(body: DeviceStatusReport, principal: Principal) -> dict[str, Any]:
    """A kiosk, display or sign reports its peripherals

    A device token. The status is kept on the device; a change is appended and pushed
    as `device.status` to the device's site. Nothing reported: 400 `field_nothing_reported`."""
    return report_status(hall().ops, principal.name, body.model_dump(exclude_none=True))
