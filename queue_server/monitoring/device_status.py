"""What enrolled devices report about their peripherals (`device.status`).

A kiosk reports its printer (ok / paper near end / paper out / cover open / offline)
and its ID reader (ok / absent); displays and signs report what they have. The status
is kept on the device row; a change is appended as a `device.status` event of the
device's site and pushed, so managers see a kiosk that cannot print within a second.
A report that changes nothing only refreshes `last_seen`. What may be reported is
`wire.shapes.DeviceStatusReport`, the model the kiosk builds its report with.
"""

from __future__ import annotations

import json
from typing import Any

from queue_server import wire
from queue_server.calling.operations import Operations
from queue_server.engine.errors import UnknownSite
from queue_server.engine.ids import new_id
from queue_server.engine.lifecycle import Change
from queue_server.engine.model import Event, Site
from queue_server.storage import Store


def report_status(ops: Operations, device_id: str, status: dict[str, str]) -> dict[str, Any]:
    """Store a device's status; append and push `device.status` when it changed."""

    def work(store: Store) -> tuple[dict[str, Any], list[Change], Site]:
        row = store.devices.get(device_id)
        site = store.sites.get(row["site_id"]) if row else None
        if row is None or site is None:
            raise UnknownSite(site=row["site_id"] if row else "?")
        previous = json.loads(row["status"] or "{}")
        merged = {**previous, **status}
        now = ops.clock()
        store.devices.report(device_id, merged, wire.iso(now))
        result = {"device": device_id, "kind": row["kind"], "status": merged}
        if merged == previous:
            return result, [], site
        event = Event(
            type=wire.DEVICE_STATUS,
            site_id=site.id,
            at=now,
            data={**result, "name": row["name"], "previous": previous},
            id=new_id(),
        )
        return result, [Change(events=(event,))], site

    return ops.commit(work)
