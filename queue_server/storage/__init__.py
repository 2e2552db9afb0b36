"""SQLite storage: one WAL file, numbered migrations, one transaction per change."""

from queue_server.storage.database import Database

__all__ = ["Database"]
