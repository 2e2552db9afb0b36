"""Behind a reverse proxy, login throttling counts per client, not per proxy (TRUSTED_PROXIES)."""

from __future__ import annotations

from pathlib import Path

from queue_server.app import create_app
from tests.conftest import copy_demo


def failures_until_throttled(client, forwarded_for: str) -> int:  # type: ignore[no-untyped-def]
    for attempt in range(1, 10):
        response = client.post(
            "/api/v1/auth/login",
            json={"username": "clerk", "password": "wrong-password"},
            headers={"X-Forwarded-For": forwarded_for},
        )
        if response.status_code == 429:
            return attempt
        assert response.status_code == 401
    return 0


def test_forwarded_address_counts_only_behind_trusted_proxies(
    tmp_path: Path, demo_template
) -> None:  # type: ignore[no-untyped-def]
    direct_db, proxied_db = tmp_path / "direct.db", tmp_path / "proxied.db"
    copy_demo(demo_template, direct_db)
    copy_demo(demo_template, proxied_db)
    direct = create_app(overrides={"DB": str(direct_db)}).test_client()
    assert failures_until_throttled(direct, "10.0.0.1") > 0
    # Without trusted proxies the header is ignored: another "address" is the same client.
    assert failures_until_throttled(direct, "10.0.0.2") == 1
    proxied = create_app(overrides={"DB": str(proxied_db), "TRUSTED_PROXIES": 1}).test_client()
    assert failures_until_throttled(proxied, "10.0.0.1") > 0
    # Behind one trusted proxy each client address has its own count.
    assert failures_until_throttled(proxied, "10.0.0.2") > 1
