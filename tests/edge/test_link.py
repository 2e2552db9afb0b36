"""The test link itself: it forwards, it can be cut and restored, it keeps to its rate."""
from __future__ import annotations

import socket
import socketserver
import threading
import time
from collections.abc import Iterator

import pytest

from tests.edge.link import Link


class Echo(socketserver.BaseRequestHandler):
    def handle(self) -> None:
        while data := self.request.recv(65536):
            self.request.sendall(data)


@pytest.fixture
def echo_port() -> Iterator[int]:
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Echo)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


def round_trip(port: int, payload: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(payload)
        got = b""
        while len(got) < len(payload):
            chunk = sock.recv(65536)
            if not chunk:
                break
            got += chunk
        return got


def reaches(port: int) -> bool:
    try:
        return round_trip(port, b"ping") == b"ping"
    except OSError:
        return False


def test_the_link_forwards_is_cut_and_comes_back(echo_port: int) -> None:
    link = Link(echo_port)
    try:
        assert round_trip(link.port, b"hello") == b"hello"
        assert link.sent == 5 and link.received == 5
        link.cut()
        assert not reaches(link.port)
        link.restore()
        assert round_trip(link.port, b"back") == b"back"
    finally:
        link.close()


def test_a_cut_ends_a_connection_already_open(echo_port: int) -> None:
    link = Link(echo_port)
    try:
        with socket.create_connection(("127.0.0.1", link.port), timeout=5) as sock:
            sock.sendall(b"x")
            assert sock.recv(10) == b"x"
            link.cut()
            time.sleep(0.05)
            with pytest.raises(OSError):
                sock.sendall(b"y" * 100_000)
                if not sock.recv(10):
                    raise OSError("closed")
    finally:
        link.close()


def test_the_link_keeps_to_its_rate(echo_port: int) -> None:
    link = Link(echo_port, rate=8_000)  # 64 kbit/s
    try:
        started = time.monotonic()
        assert round_trip(link.port, b"z" * 8_000) == b"z" * 8_000
        took = time.monotonic() - started
        assert 0.9 <= took < 4, took  # a second each way, pipelined: about one to two
    finally:
        link.close()
