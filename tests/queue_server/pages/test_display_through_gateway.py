"""A hall display in Chromium behind nginx as docs/deployment.md sets it up for a city:
`/socket.io/` to the push gateway, everything else to the centre (with its Redis queue).

The page cannot tell: it loads from the centre, its socket lands on the gateway (whose
health counts it), it is online on the gateway's heartbeats, and a clerk's call made at the
centre shows at once. Without nginx installed this skips (under CI=true a skip fails:
.ci/run installs nginx-light).
"""

from __future__ import annotations

import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, expect

from tests.conftest import (
    Centre,
    CentreProcess,
    GatewayProcess,
    copy_demo,
    free_port,
    wait_for_http,
)
from tests.queue_server.pages.test_browser import open_display

pytestmark = pytest.mark.browser

NGINX_CONF = """
worker_processes 1;
daemon off;
pid {dir}/nginx.pid;
error_log {dir}/nginx-error.log;
events {{ worker_connections 256; }}
http {{
    access_log off;
    client_body_temp_path {dir}/body;
    proxy_temp_path {dir}/proxy;
    fastcgi_temp_path {dir}/fastcgi;
    uwsgi_temp_path {dir}/uwsgi;
    scgi_temp_path {dir}/scgi;
    upstream hallqueue {{ server 127.0.0.1:{centre}; }}
    upstream hallqueue_push {{ ip_hash; server 127.0.0.1:{gateway}; }}
    server {{
        listen 127.0.0.1:{port};
        location /socket.io/ {{
            proxy_pass http://hallqueue_push;
            proxy_http_version 1.1;
            proxy_set_header Upgrade $http_upgrade;
            proxy_set_header Connection "upgrade";
            proxy_set_header Host $host;
            proxy_read_timeout 3600s;
            proxy_buffering off;
        }}
        location / {{
            proxy_pass http://hallqueue;
            proxy_http_version 1.1;
            proxy_set_header Host $host;
        }}
    }}
}}
"""


@pytest.fixture
def city(redis_url: str, tmp_path: Path, db_path: Path, demo_template: tuple[Path, str, str]) -> Iterator[tuple[Centre, GatewayProcess]]:
    nginx = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
    if nginx is None:
        pytest.skip("nginx not found: install it with `sudo apt-get install nginx-light`")
    kiosk, display = copy_demo(demo_template, db_path)
    centre = CentreProcess(db_path, free_port(), tmp_path / "centre.log", args=("--message-queue", redis_url))
    gateway = GatewayProcess(db_path, free_port(), tmp_path / "gateway.log", redis_url)
    port = free_port()
    conf = tmp_path / "nginx.conf"
    conf.write_text(NGINX_CONF.format(dir=tmp_path, centre=centre.port, gateway=gateway.port, port=port))
    proxy = None
    try:
        centre.start()
        gateway.start()
        proxy = subprocess.Popen([nginx, "-c", str(conf), "-p", str(tmp_path)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        front = Centre(f"http://127.0.0.1:{port}", db_path)
        front.kiosk_token, front.display_token = kiosk, display
        wait_for_http(front.api("/health"))
        yield front, gateway
    finally:
        if proxy is not None:
            proxy.terminate()
            proxy.wait(10)
        gateway.stop()
        centre.stop()


def test_a_display_behind_nginx_follows_the_hall_through_the_gateway(city: tuple[Centre, GatewayProcess], context: BrowserContext) -> None:
    front, gateway = city
    page = open_display(context, front)
    assert gateway.health()[1]["sockets"] == 1  # the page's socket is the gateway's
    front.issue("A101")
    assert front.counter(2, "open").status_code == 200
    started = time.monotonic()
    called = front.counter(2, "call-next")
    assert called.status_code == 200, called.text
    number = called.json()["ticket"]["number"]
    expect(page.locator(".call-row.newest")).to_have_attribute("data-number", number, timeout=3000)
    assert time.monotonic() - started < 3
    expect(page.locator("#conn")).to_have_attribute("data-state", "online")
