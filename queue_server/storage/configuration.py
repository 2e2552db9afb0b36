"""Sites, the catalogue and what each site offers, kept in memory between their changes.

Every issue reads its site (with its settings and its resolved opening days, as JSON), its
item and whether the site offers it; those change a few times a day, tickets hundreds of
times a minute. A process keeps what it has read under the database's configuration token,
which triggers renew at every change of those tables by any writer (migration
`configuration_token`). An operation reads the token once (`current()`, one small statement
in its own transaction) and gets what was kept under that token, reading only what was not
kept yet; under another token nothing kept is used.

The records kept are shared by the process's threads: frozen dataclasses, whose dicts
(a site's settings, hours and days) nobody changes in place.
"""

from __future__ import annotations

import threading

from queue_server.engine.model import Bundle, Service, Site
from queue_server.storage.catalogue import Catalogue, Offerings
from queue_server.storage.repository import Connection, Repository
from queue_server.storage.sites import Sites


class _Kept:
    """What was read under one token. Only what exists is kept: a name looked up in vain
    is read again (so the dicts stay as small as the configuration)."""

    __slots__ = ("token", "sites", "services", "bundles", "offerings")

    def __init__(self, token: int | None) -> None:
        self.token = token
        self.sites: dict[str, Site] = {}
        self.services: dict[str, Service] = {}
        self.bundles: dict[str, Bundle] = {}
        self.offerings: dict[str, frozenset[tuple[str, str]]] = {}


class ConfigurationCache:
    """One per process (per `Database`), shared by the stores of its connections."""

    def __init__(self) -> None:
        self._kept = _Kept(None)
        self._lock = threading.Lock()

    def under(self, token: int) -> _Kept:
        with self._lock:
            if self._kept.token != token:
                self._kept = _Kept(token)
            return self._kept


class ConfigurationView:
    """The configuration as of one token, read through one connection; the names are the
    repositories' own (`site` as `Sites.get`, `service`, `bundle`, `offers`)."""

    def __init__(self, conn: Connection, kept: _Kept) -> None:
        self._conn = conn
        self._kept = kept

    @property
    def token(self) -> int | None:
        return self._kept.token

    def site(self, site_id: str) -> Site | None:
        found = self._kept.sites.get(site_id)
        if found is None:
            found = Sites(self._conn).get(site_id)
            if found is not None:
                self._kept.sites[site_id] = found
        return found

    def service(self, code: str) -> Service | None:
        found = self._kept.services.get(code)
        if found is None:
            found = Catalogue(self._conn).service(code)
            if found is not None:
                self._kept.services[code] = found
        return found

    def bundle(self, code: str) -> Bundle | None:
        found = self._kept.bundles.get(code)
        if found is None:
            found = Catalogue(self._conn).bundle(code)
            if found is not None:
                self._kept.bundles[code] = found
        return found

    def offers(self, site_id: str, kind: str, code: str) -> bool:
        """Whether the site offers this service (`kind` "service") or bundle ("bundle")."""
        offered = self._kept.offerings.get(site_id)
        if offered is None:
            services, bundles = Offerings(self._conn).of(site_id)
            offered = frozenset([("service", c) for c in services] + [("bundle", c) for c in bundles])
            if self.site(site_id) is not None:  # kept for sites that exist only
                self._kept.offerings[site_id] = offered
        return (kind, code) in offered


class Configuration(Repository):
    def __init__(self, conn: Connection, cache: ConfigurationCache | None = None) -> None:
        super().__init__(conn)
        self._cache = cache or ConfigurationCache()

    def current(self) -> ConfigurationView:
        """The configuration as this connection sees it now (inside a transaction: as of it).
        The token is read before anything kept under it, so what is read after may be newer
        than the token, never older."""
        token = self._conn.execute("SELECT token FROM configuration_token").fetchone()[0]
        return ConfigurationView(self._conn, self._cache.under(token))
