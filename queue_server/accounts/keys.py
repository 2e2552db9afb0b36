"""The keys a centre hashes with, and which of them an edge centre may hold.

The city keeps one secret (`HALLQUEUE_SECRET` or `<db>.secret`). Its own sessions are
hashed under it. Everything hashed for a site is hashed under that site's keys, derived
from the secret and the site's id:

- `devices`: the site's device tokens (each device's `site_token_hash`), so the centre
  that serves the site — the city, or the station's own edge centre — can check them;
- `persons`: the keyed hash kept instead of an ID number, for the per-person limits; a
  person's hashes at two sites cannot be matched (nobody needs to, PIPL prefers it);
- `tickets`: the key of a ticket's QR, which lets its holder rate it.

An edge centre receives its site's three keys and nothing else: a station box that is
stolen reveals nothing of any other site, and its own secret (for its local sessions)
never leaves it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Mapping

PURPOSES = ("devices", "persons", "tickets")


class MissingKey(Exception):
    """This centre holds no key for that site (an edge centre serves only its own)."""


class Keyring:
    def __init__(self, secret: bytes, site_keys: Mapping[str, Mapping[str, bytes]] | None = None) -> None:
        self.secret = secret  # this centre's own: its sessions
        self._given = {site: dict(keys) for site, keys in (site_keys or {}).items()}
        self.derives = site_keys is None  # the city derives every site's keys

    def site_key(self, site: str, purpose: str) -> bytes:
        if site in self._given:
            return self._given[site][purpose]
        if not self.derives:
            raise MissingKey(site)
        return hmac.new(self.secret, f"{purpose}:{site}".encode(), hashlib.sha256).digest()

    def export(self, site: str) -> dict[str, str]:
        """A site's keys for the edge centre that serves it (hex)."""
        return {purpose: self.site_key(site, purpose).hex() for purpose in PURPOSES}

    @staticmethod
    def imported(keys: Mapping[str, str]) -> dict[str, bytes]:
        return {purpose: bytes.fromhex(keys[purpose]) for purpose in PURPOSES}

    def give(self, site: str, keys: Mapping[str, bytes]) -> None:
        self._given[site] = dict(keys)

    def given_sites(self) -> list[str]:
        """The sites whose keys came from the city (an edge centre's); none at the city."""
        return list(self._given)

    # --- what is hashed ------------------------------------------------------------------

    def session_hash(self, token: str) -> str:
        return hmac.new(self.secret, token.encode(), hashlib.sha256).hexdigest()

    def device_hash(self, site: str, token: str) -> str:
        return hmac.new(self.site_key(site, "devices"), token.encode(), hashlib.sha256).hexdigest()

    def person_hash(self, site: str, id_number: str) -> str:
        message = b"person:" + id_number.strip().upper().encode()
        return hmac.new(self.site_key(site, "persons"), message, hashlib.sha256).hexdigest()

    def ticket_key(self, site: str, ticket_id: str) -> str:
        digest = hmac.new(self.site_key(site, "tickets"), b"ticket:" + ticket_id.encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest[:12]).decode()  # 16 characters, 96 bits
