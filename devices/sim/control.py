"""A JSON-lines control channel for simulators running in another process.

Each request is one line ``{"cmd": "paper", "args": {"state": "out"}}``; each reply
is one line ``{"ok": true, "result": …}`` or ``{"ok": false, "error": "…"}``. The
server listens on loopback TCP only.
"""

from __future__ import annotations

import json
import socket
import socketserver
import threading
from typing import Any

from devices.sim.simulator import Simulator


class _Handler(socketserver.StreamRequestHandler):
    server: _Server

    def handle(self) -> None:
        for raw in self.rfile:
            line = raw.strip()
            if not line:
                continue
            try:
                request = json.loads(line)
                cmd = request["cmd"]
                args = request.get("args") or {}
                result = self.server.simulator.control(cmd, **args)
                reply: dict[str, Any] = {"ok": True, "result": result}
            except Exception as exc:  # report any failure to the client, keep serving
                reply = {"ok": False, "error": f"{type(exc).__name__}: {exc}"}
            self.wfile.write((json.dumps(reply, ensure_ascii=False, default=str) + "\n").encode())
            self.wfile.flush()


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], simulator: Simulator) -> None:
        self.simulator = simulator
        super().__init__(address, _Handler)


class ControlServer:
    """Serve a simulator's control verbs on ``127.0.0.1:port`` (0 = pick a free port)."""

    def __init__(self, simulator: Simulator, port: int = 0, host: str = "127.0.0.1") -> None:
        self._server = _Server((host, port), simulator)
        self._thread = threading.Thread(
            target=self._server.serve_forever, daemon=True, name="sim-control"
        )

    @property
    def address(self) -> str:
        host, port = self._server.server_address[:2]
        return f"{host!s}:{port}"

    def start(self) -> str:
        self._thread.start()
        return self.address

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()


class ControlClient:
    """Send control verbs to a simulator's :class:`ControlServer`."""

    def __init__(self, address: str, timeout: float = 5.0) -> None:
        host, _, port = address.rpartition(":")
        self._sock = socket.create_connection((host or "127.0.0.1", int(port)), timeout=timeout)
        self._file = self._sock.makefile("rwb")

    def call(self, cmd: str, **args: Any) -> Any:
        self._file.write((json.dumps({"cmd": cmd, "args": args}) + "\n").encode())
        self._file.flush()
        line = self._file.readline()
        if not line:
            raise ConnectionError("simulator closed the control connection")
        reply = json.loads(line)
        if not reply.get("ok"):
            raise RuntimeError(reply.get("error", "control command failed"))
        return reply.get("result")

    def close(self) -> None:
        self._file.close()
        self._sock.close()

    def __enter__(self) -> ControlClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
