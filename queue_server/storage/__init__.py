"""SQLite storage: one WAL file, numbered migrations, one transaction per change."""

from .database import Database

__all__ = ["Database"]
