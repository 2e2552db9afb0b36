"""The centre's log: to stderr always (journald takes it under systemd), and, where there is
no journald, also to a file rotated by size (`LOG_FILE`, `LOG_FILE_MB`, `LOG_FILE_COUNT`).

A rotating file belongs to one process: two processes rotating one file lose lines (each
renames the file under the other). Give each process its own file.
"""

from __future__ import annotations

import logging
import logging.handlers
from pathlib import Path
from typing import Any

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def configure(values: dict[str, Any]) -> logging.Handler | None:
    """Set up the root logger from the settings; the file handler added, if any."""
    logging.basicConfig(level=values["LOG_LEVEL"], format=FORMAT)
    path = values.get("LOG_FILE")
    if not path:
        return None
    path = Path(path).resolve()
    root = logging.getLogger()
    for handler in root.handlers:  # a second app in the same process (tests): one handler per file
        if isinstance(handler, logging.handlers.RotatingFileHandler) and Path(handler.baseFilename) == path:
            return handler
    path.parent.mkdir(parents=True, exist_ok=True)
    handler = logging.handlers.RotatingFileHandler(
        path,
        maxBytes=int(float(values["LOG_FILE_MB"]) * (1 << 20)),
        backupCount=int(values["LOG_FILE_COUNT"]),
        encoding="utf-8",
    )
    handler.setFormatter(logging.Formatter(FORMAT))
    handler.setLevel(values["LOG_LEVEL"])
    root.addHandler(handler)
    return handler
