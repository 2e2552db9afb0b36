"""Backup → destroy → restore → serve, with a real centre issuing tickets throughout.

`hallqueue db backup` runs while four kiosks issue tickets through `hallqueue serve`; the
database (with its -wal and -shm) is then lost; `hallqueue db restore` puts the backup in
place, and the centre started on it has every ticket acknowledged before the backup began,
each with its number, and only tickets that were really issued.
"""
from __future__ import annotations

import concurrent.futures
import sqlite3
import threading
import time
from contextlib import closing
from pathlib import Path

import requests

from tests.conftest import CentreProcess
from tests.queue_server.test_cli import hallqueue


def test_every_ticket_acknowledged_before_the_backup_comes_back(centre_process: CentreProcess, tmp_path: Path) -> None:
    centre = centre_process
    acknowledged: dict[str, str] = {}  # ticket id → number
    order: list[str] = []  # ticket ids, as acknowledged
    lock = threading.Lock()
    stop = threading.Event()

    def kiosk(k: int) -> None:
        session = requests.Session()
        session.headers["Authorization"] = f"Bearer {centre.kiosk_token}"
        i = 0
        while not stop.is_set():
            response = session.post(
                centre.api("/sites/city-hall/tickets"), json={"service": "A101", "request_id": f"k{k}-{i}"}, timeout=10
            )
            assert response.status_code == 201, response.text
            ticket = response.json()["ticket"]
            with lock:
                acknowledged[ticket["id"]] = ticket["number"]
                order.append(ticket["id"])
            i += 1

    backup = tmp_path / "backups" / "hall.db"
    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        kiosks = [pool.submit(kiosk, k) for k in range(4)]
        while len(order) < 60:
            time.sleep(0.01)
        with lock:
            before = set(order)
        done = hallqueue("db", "backup", "--db", str(centre.db_path), "--output", str(backup))
        with lock:
            during = len(order)
        while len(order) < during + 40:  # the centre went on issuing after the backup
            time.sleep(0.01)
        stop.set()
        for future in kiosks:
            future.result()
    assert done.returncode == 0, done.stderr
    assert "the secret is not in the backup" in done.stdout

    refused = hallqueue("db", "restore", "--from", str(backup), "--db", str(centre.db_path))
    assert refused.returncode == 4 and "in use by a running centre" in refused.stderr

    # The disaster: the centre dies and its database is gone (the secret, kept apart, is not).
    centre.kill()
    for suffix in ("", "-wal", "-shm"):
        Path(f"{centre.db_path}{suffix}").unlink(missing_ok=True)

    restored = hallqueue("db", "restore", "--from", str(backup), "--db", str(centre.db_path))
    assert restored.returncode == 0, restored.stderr
    assert f"the secret it will use: the file {centre.db_path}.secret" in restored.stdout

    centre.start()
    try:
        with closing(sqlite3.connect(centre.db_path)) as conn:
            stored = {row[0]: row[1] for row in conn.execute("SELECT id, number FROM tickets WHERE service = 'A101'")}
        # Every ticket acknowledged before the backup began, with its number …
        assert all(stored.get(ticket) == acknowledged[ticket] for ticket in before)
        # … and nothing that was never acknowledged.
        assert set(stored) <= set(acknowledged)
        assert len(stored) < len(acknowledged)  # those issued after the backup are (rightly) not there
        for ticket in sorted(before)[:10]:  # and the centre serves them
            response = centre.get(f"/tickets/{ticket}")
            assert response.status_code == 200 and response.json()["ticket"]["number"] == acknowledged[ticket]
        # The restored centre issues on, and its kiosk's token still works.
        fresh = centre.post("/sites/city-hall/tickets", {"service": "A101", "request_id": "after-restore"}, token=centre.kiosk_token)
        assert fresh.status_code == 201
        assert fresh.json()["ticket"]["id"] not in stored
    finally:
        centre.stop()
