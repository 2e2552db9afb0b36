"""How a device's agent holds its live feed from the centre (the kiosk's and the window sign's).

Both agents are python-socketio clients: the device token goes in the handshake's `auth`
(the centre checks it before the socket enters any room), and the connection is WebSocket
from the start (engine.io's long-polling first would cost a round trip and, at the centre,
a request thread per device).
"""

from __future__ import annotations

from typing import Any


def connect(client: Any, server: str, token: str, wait_timeout: float, **options: Any) -> None:
    """Connect `client` (a `socketio.Client`) to the centre as the device holding `token`."""
    client.connect(
        server,
        auth={"token": token},
        transports=["websocket"],
        wait_timeout=wait_timeout,
        **options,
    )


def disconnect_quietly(client: Any) -> None:
    """Close the feed; a feed already gone is no error when the agent stops."""
    try:
        client.disconnect()
    except Exception:  # already gone
        pass
