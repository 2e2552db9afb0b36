"""Fixtures for the calling pages: a window-sign device token, a Socket.IO-free helper."""
from __future__ import annotations

import pytest

from tests.conftest import Centre


def enrol(centre: Centre, kind: str = "sign", site: str = "city-hall", counter: int | None = None) -> str:
    """A new device token on the centre's database (resolved on first use, no cache); a sign
    enrolled for window `counter` may rate at it."""
    from queue_server.accounts.credentials import Accounts
    from queue_server.settings import load, secret_for
    from queue_server.storage import Database

    db = Database(centre.db_path)
    try:
        _, token = Accounts(db, secret_for(load(overrides={"DB": str(centre.db_path)}))).add_device(kind, site, f"test {kind}", counter)
    finally:
        db.close()
    return token


@pytest.fixture
def sign_token(centre: Centre) -> str:
    """The sign over window 1 (where `serve_one` serves by default)."""
    return enrol(centre, counter=1)
