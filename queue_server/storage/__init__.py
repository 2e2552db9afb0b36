"""SQLite storage: one WAL file, numbered migrations, one transaction per change.

Every statement of the centre lives in this package: a repository per aggregate or
concern (`sites`, `catalogue`, `counters`, `tickets`, `numbers`, `events`, `proxies`,
`staff`, `tokens`, `devices`, `audit`, `rollups`, `reports`, `purges`, `webhooks` …), gathered per
connection in a `Store`. Nothing outside it imports `sqlite3` or runs SQL
(`tests/queue_server/test_sql_in_storage.py` keeps it so).
"""

from sqlite3 import Error as DatabaseError  # what a failing database raises, by its own name

from queue_server.storage.database import Database
from queue_server.storage.repository import Row
from queue_server.storage.store import Store

__all__ = ["Database", "DatabaseError", "Row", "Store"]
