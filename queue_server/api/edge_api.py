"""The city's door for its edge centres: one exchange every few seconds (`edge/city.py`)."""

from __future__ import annotations

import gzip
import json
from typing import Any

from flask import Response, request

from queue_server.accounts.credentials import Principal
from queue_server.api.contract import Routes
from queue_server.api.schemas import EdgeSync, EdgeSyncAnswer
from queue_server.app import hall
from queue_server.edge import city

EDGE = frozenset({"edge"})
edge_centres = Routes(EDGE)


@edge_centres.post("/edge/sync", body=EdgeSync, answers={200: EdgeSyncAnswer}, errors=(404, 409))
def sync(body: EdgeSync, principal: Principal) -> Response:
    """An edge centre's exchange: its outbox up, its site's configuration down

    The token of an edge centre enrolled for the site (`hallqueue device add --kind edge`).
    Sent gzipped (`Content-Encoding: gzip`); answered gzipped to a client that accepts it.
    A batch that would leave a gap answers 409 `edge_gap` with `since`: send again from
    there. Stations and city must run the same release (409 `edge_release_mismatch`)."""
    answer = city.exchange(
        hall().db, hall().accounts.keys, principal, body.model_dump(), hall().ops.clock(), hall().ops.publish
    )
    return _json(answer)


def _json(answer: dict[str, Any]) -> Response:
    data = json.dumps(answer, ensure_ascii=False, separators=(",", ":")).encode()
    if "gzip" in request.headers.get("Accept-Encoding", ""):  # a slow line: the snapshot is text
        return Response(gzip.compress(data, 6), mimetype="application/json", headers={"Content-Encoding": "gzip"})
    return Response(data, mimetype="application/json")
