"""The kiosk's spool: one JSON file per ticket job, written atomically, surviving restarts.

A job is created when a citizen confirms (its id is the request id sent to the centre,
so every retry asks for the same ticket), becomes ``printing`` once the centre has
issued the ticket, and ``printed`` when the printer has taken it. Just before a
ticket's bytes go out its job notes ``sent_at``: a job found ``printing`` and sent after a
restart may be on paper, so it counts as printed (``print_error: print_unconfirmed``) and
is never printed a second time by itself. The ID number is
never in a job: an issue that still needs the card stays in memory only (see
``agent.Kiosk``), and a printed ticket carries only the masked name.

States: ``issuing`` → ``printing`` → ``printed``; ``issuing`` → dropped (refused by the
centre or abandoned by the citizen before the centre confirmed anything).
"""

from __future__ import annotations

import json
import logging
import threading
import time
import uuid
from pathlib import Path
from typing import Any

from devices import host_system

log = logging.getLogger("hallqueue.kiosk.spool")

ISSUING, PRINTING, PRINTED = "issuing", "printing", "printed"
KEEP_PRINTED_SECONDS = 3600.0


def new_job_id() -> str:
    return f"k-{uuid.uuid4().hex}"


class Spool:
    def __init__(self, directory: str | Path, *, system: str | None = None) -> None:
        self.directory = Path(directory)
        self.system = host_system.system_of(system)
        # Jobs carry masked names: the directory is the kiosk user's alone, like its files
        # (on Windows: the ACL of the data directory the installer made, see host_system).
        host_system.private_directory(self.directory, system=self.system)
        self._lock = threading.RLock()
        # One agent owns the spool: the files are the durable copy, reads come from memory
        # (the screen asks twice a second; an SD card should not be read that often).
        self._jobs: dict[str, dict[str, Any]] = {}
        for path in self.directory.glob("k-*.json"):
            job = self._read(path)
            if job is not None:
                self._jobs[job["id"]] = job

    def _read(self, path: Path) -> dict[str, Any] | None:
        try:
            job: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            log.exception("unreadable spool file %s", path.name)
            return None
        return job if isinstance(job, dict) and job.get("id") == path.stem else None

    def _path(self, job_id: str) -> Path:
        if not job_id.startswith("k-") or not job_id[2:].isalnum():
            raise KeyError(job_id)
        return self.directory / f"{job_id}.json"

    def save(self, job: dict[str, Any]) -> dict[str, Any]:
        """Write a job atomically and durably (a temporary file, fsync, rename, and what the
        system needs for the rename to survive a power cut: `host_system.replace_durably`)."""
        with self._lock:
            job = dict(job, updated_at=time.time())
            job.setdefault("created_at", job["updated_at"])
            path = self._path(job["id"])
            data = json.dumps(job, ensure_ascii=False, indent=1).encode("utf-8")
            host_system.replace_durably(
                path, data, tmp=path.with_suffix(".tmp"), system=self.system
            )
            self._jobs[job["id"]] = job
            return dict(job)

    def create(self, **fields: Any) -> dict[str, Any]:
        job_id = fields.pop("id", None) or new_job_id()
        return self.save({"id": job_id, "state": ISSUING, "attempts": 0, **fields})

    def get(self, job_id: str) -> dict[str, Any] | None:
        with self._lock:
            job = self._jobs.get(job_id)
            return dict(job) if job is not None else None

    def update(self, job_id: str, **fields: Any) -> dict[str, Any] | None:
        with self._lock:
            job = self.get(job_id)
            if job is None:
                return None
            job.update(fields)
            return self.save(job)

    def delete(self, job_id: str) -> None:
        with self._lock:
            self._jobs.pop(job_id, None)
            try:
                self._path(job_id).unlink()
            except (KeyError, FileNotFoundError):
                pass

    def jobs(self, state: str | None = None) -> list[dict[str, Any]]:
        """Jobs in creation order (oldest first), optionally of one state."""
        with self._lock:
            found = [
                dict(job)
                for job in self._jobs.values()
                if state is None or job.get("state") == state
            ]
        return sorted(found, key=lambda j: (j.get("created_at", 0), j["id"]))

    def prune(self, keep_seconds: float = KEEP_PRINTED_SECONDS) -> int:
        """Forget printed jobs older than ``keep_seconds``; leftover temporary files too."""
        removed = 0
        now = time.time()
        with self._lock:
            for job in self.jobs(PRINTED):
                if now - job.get("updated_at", now) > keep_seconds:
                    self.delete(job["id"])
                    removed += 1
            for tmp in self.directory.glob("k-*.tmp"):
                tmp.unlink(missing_ok=True)
        return removed
