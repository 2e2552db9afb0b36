"""Fixtures of the managers' pages' tests."""
from __future__ import annotations

import pytest

from queue_server.storage import Database
from queue_server.tools.simulation import simulate
from tests.conftest import Centre


@pytest.fixture
def hall_week(centre: Centre) -> Centre:
    """The demo city with a simulated week of the hall (the window plans replay it)."""
    db = Database(centre.db_path)
    simulate(db, days=7, sites=["city-hall"])
    db.close()
    return centre
