"""Tokens of staff sessions and enrolled devices, kept only as a keyed hash."""

from __future__ import annotations

from queue_server.storage.repository import Repository, Row


class Tokens(Repository):
    def valid(self, token_hash: str) -> Row | None:
        """The token's row if it was not revoked (whether it expired is the caller's to see)."""
        return self._row("SELECT * FROM tokens WHERE hash = ? AND revoked = 0", token_hash)

    def add_session(
        self, token_hash: str, username: str, created_at: str, expires_at: str | None
    ) -> None:
        self._conn.execute(
            "INSERT INTO tokens (hash, kind, subject, created_at, expires_at) VALUES (?, 'session', ?, ?, ?)",
            (token_hash, username, created_at, expires_at),
        )

    def add_device(self, token_hash: str, device_id: str, created_at: str) -> None:
        self._conn.execute(
            "INSERT INTO tokens (hash, kind, subject, created_at) VALUES (?, 'device', ?, ?)",
            (token_hash, device_id, created_at),
        )

    def revoke(self, token_hash: str) -> None:
        self._conn.execute("UPDATE tokens SET revoked = 1 WHERE hash = ?", (token_hash,))

    def end_sessions(self, username: str) -> int:
        """Revoke every session of the member of staff; returns how many were still open."""
        return self._conn.execute(
            "UPDATE tokens SET revoked = 1 WHERE kind = 'session' AND subject = ? AND revoked = 0",
            (username,),
        ).rowcount

    def revoke_device(self, device_id: str) -> None:
        self._conn.execute(
            "UPDATE tokens SET revoked = 1 WHERE subject = ? AND kind = 'device'", (device_id,)
        )
