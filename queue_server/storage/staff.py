"""Staff accounts: role, sites, the password's slow hash and the failed-login count.

Rows are answered as they are stored (`sites` is JSON text); `accounts` and
`administration` decide what they mean and what may be shown.
"""

from __future__ import annotations

import json

from queue_server.storage.repository import Repository, Row

_ADD = """INSERT INTO staff (username, password_hash, role, sites, display_name, created_at)
          VALUES (?, ?, ?, ?, ?, ?)"""
_OR_REPLACE = """ ON CONFLICT (username) DO UPDATE SET password_hash = excluded.password_hash,
          role = excluded.role, sites = excluded.sites, display_name = excluded.display_name,
          active = 1"""


class Staff(Repository):
    def get(self, username: str) -> Row | None:
        """The account, active or not."""
        return self._row("SELECT * FROM staff WHERE username = ?", username)

    def active(self, username: str) -> Row | None:
        """The account if it is active (a deactivated one cannot log in or act)."""
        return self._row("SELECT * FROM staff WHERE username = ? AND active = 1", username)

    def all(self) -> list[Row]:
        return self._rows("SELECT * FROM staff ORDER BY role, username")

    def add(
        self,
        username: str,
        password_hash: str,
        role: str,
        sites: list[str],
        display_name: str,
        created_at: str,
        *,
        or_replace: bool = False,
    ) -> None:
        """Add the account; `or_replace` gives an existing one this password, role, sites and
        name and makes it active again (the command line's `user add`)."""
        self._conn.execute(
            _ADD + _OR_REPLACE if or_replace else _ADD,
            (username, password_hash, role, json.dumps(sites), display_name, created_at),
        )

    def update(
        self, username: str, role: str, sites: list[str], display_name: str, active: bool
    ) -> None:
        self._conn.execute(
            "UPDATE staff SET role = ?, sites = ?, display_name = ?, active = ? WHERE username = ?",
            (role, json.dumps(sites), display_name, int(active), username),
        )

    def other_active_admins(self, username: str) -> int:
        """Active admins besides this one (the last admin may not go)."""
        return int(
            self._conn.execute(
                "SELECT count(*) FROM staff WHERE role = 'admin' AND active = 1 AND username != ?",
                (username,),
            ).fetchone()[0]
        )

    # --- logins -----------------------------------------------------------------------

    def count_failure(self, username: str, failures: int, locked_at: str | None) -> None:
        """Record the account's consecutive failed logins; `locked_at` locks it (if not yet)."""
        self._conn.execute(
            "UPDATE staff SET failed_logins = ?, locked_at = coalesce(locked_at, ?) WHERE username = ?",
            (failures, locked_at, username),
        )

    def clear_failures(self, username: str) -> None:
        self._conn.execute("UPDATE staff SET failed_logins = 0 WHERE username = ?", (username,))

    def unlock(self, username: str) -> None:
        self._conn.execute(
            "UPDATE staff SET failed_logins = 0, locked_at = NULL WHERE username = ?",
            (username,),
        )

    def set_password(self, username: str, password_hash: str) -> None:
        """A new password hash; it opens a locked account too."""
        self._conn.execute(
            "UPDATE staff SET password_hash = ?, failed_logins = 0, locked_at = NULL WHERE username = ?",
            (password_hash, username),
        )
