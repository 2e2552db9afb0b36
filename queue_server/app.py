"""The app factory: binds storage, accounts, operations and Socket.IO to one Flask app."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from flask import Flask, current_app
from flask_socketio import SocketIO
from werkzeug.middleware.proxy_fix import ProxyFix

from devices.loop_thread import LoopThread
from queue_server import assets, log_files
from queue_server import settings as settings_module
from queue_server.accounts.credentials import Accounts
from queue_server.accounts.keys import Keyring
from queue_server.calling.appointments import Bookings
from queue_server.calling.operations import Operations
from queue_server.monitoring.centre_health import SweepRecord
from queue_server.people import retention
from queue_server.reports import rollups as report_cells
from queue_server.storage import Database

if TYPE_CHECKING:
    from queue_server.edge.station import Uplink
    from queue_server.webhooks.courier import Courier

log = logging.getLogger("hallqueue")
# engine.io's own ping only finds dead connections (within 30 s, also for Python clients
# such as sign agents); the screens' heartbeat comes from the centre every PING_SECONDS
# (calling/push.py), far cheaper than a ping per socket at that rate. A ping every 10 s cost the
# console's p95 about a quarter with 1,000 screens connected (their pings cluster).
ENGINE_PING_SECONDS = 25
ENGINE_PING_TIMEOUT_SECONDS = 5


@dataclass
class Hall:
    """Everything a request handler needs, created once per app."""

    settings: dict[str, Any]
    db: Database
    accounts: Accounts
    ops: Operations
    socketio: SocketIO
    uplink: Uplink | None = None  # a station's edge centre's link to the city
    sweeps: SweepRecord | None = None  # what the sweeper last did (health)
    push_ping: Callable[[], bool] | None = None  # asks the message queue, if there is one
    courier: Courier | None = None  # the webhooks' worker (the gateway's deliveries)


def hall() -> Hall:
    return current_app.extensions["hallqueue"]


def create_app(
    config_file: str | None = None, overrides: dict[str, Any] | None = None, clock: Any = None
) -> Flask:
    values = settings_module.load(config_file, overrides)
    log_files.configure(values)
    absent = assets.missing()
    if absent:
        log.warning(
            "front-end files missing from %s (%s): the console, displays and managers' pages will not work; %s",
            assets.VENDOR, ", ".join(absent), assets.HOW_TO_FIX,
        )  # fmt: skip
    app = Flask(__name__)
    from queue_server.web_security import BoundedIntegerConverter

    app.url_map.converters["int"] = BoundedIntegerConverter  # before any route is added
    secret = settings_module.secret_for(values)
    app.config.update(
        SECRET_KEY=secret,
        MAX_CONTENT_LENGTH=1 << 20,
        JSON_AS_ASCII=False,
        VALIDATE_ANSWERS=values["VALIDATE_ANSWERS"],
    )
    app.json.ensure_ascii = False  # type: ignore[attr-defined]

    db = Database(values["DB"], synchronous=values["SYNCHRONOUS"])
    socketio = SocketIO(
        app,
        async_mode="threading",
        message_queue=values["MESSAGE_QUEUE"],
        cors_allowed_origins=[],
        json=None,
        ping_interval=ENGINE_PING_SECONDS,
        ping_timeout=ENGINE_PING_TIMEOUT_SECONDS,
    )
    from queue_server.calling import push

    ops_kwargs: dict[str, Any] = {"ignore_hours": values["IGNORE_HOURS"]}
    if clock is not None:
        ops_kwargs["clock"] = clock
    uplink = None
    keys: Keyring | bytes = secret
    if values["EDGE_OF"]:
        # A station's edge centre: its site's keys and configuration come from the city.
        from queue_server.edge.station import Uplink, station_keyring

        keys = station_keyring(db, secret)
        uplink = Uplink(db, values["EDGE_OF"], values["EDGE_TOKEN"] or "", keys, interval=values["EDGE_SYNC_SECONDS"])
        ops_kwargs["serves_as"] = lambda: uplink.device
    ops = Operations(db, publish=push.publisher(socketio, db), **ops_kwargs)
    components = Hall(values, db, Accounts(db, keys), ops, socketio, uplink)
    if values["MESSAGE_QUEUE"]:
        from queue_server.monitoring.centre_health import redis_ping

        components.push_ping = redis_ping(values["MESSAGE_QUEUE"])
    app.extensions["hallqueue"] = components
    push.register(socketio, components)
    if values["MESSAGE_QUEUE"]:
        push.start_centre_beat(socketio, db)  # what the push gateways listen for

    from queue_server.api import api
    from queue_server.api.error_handlers import register_error_handlers

    app.register_blueprint(api)
    register_error_handlers(app)
    from queue_server import web_security

    if values["TRUSTED_PROXIES"] > 0:
        # Behind nginx the peer is the proxy: take the client's address from the header the
        # trusted proxies set, so login throttling and the audit log see the client's machine, not the proxy.
        n = int(values["TRUSTED_PROXIES"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)  # type: ignore[method-assign]
    web_security.init_app(app, int(values["LOGIN_FAILURES_PER_MINUTE"]))
    from queue_server.pages import register_pages

    register_pages(app)

    ops.close_past_days()
    components.sweeps = _start_sweeper(ops, values["SWEEP_SECONDS"])
    if uplink is not None:
        db.before_closing(uplink.stop)
        uplink.start()
    from queue_server.webhooks.courier import Courier, Timing

    components.courier = Courier(ops, Timing.from_settings(values))
    # An in-memory database is one per connection: the courier's thread would see none of it.
    if values["WEBHOOK_SECONDS"] > 0 and str(values["DB"]) != ":memory:":
        components.courier.start()
    return app


def _start_sweeper(ops: Operations, every_seconds: int) -> SweepRecord:
    from queue_server.administration import plan_drafts

    record = SweepRecord(every_seconds)

    def sweep() -> None:
        while not worker.stopping.wait(every_seconds):
            failed = None
            try:
                ops.close_past_days()
                report_cells.roll_up_finished_months(ops.db.store)
            except Exception as exc:  # a failed sweep must not end the thread; the next one retries
                log.exception("the sweep (closing past days, rolling up months) failed")
                failed = f"closing past days: {exc}"
            try:
                Bookings(ops).sweep()
            except Exception as exc:
                log.exception("the sweep (bookings past their grace time, reminders) failed")
                failed = failed or f"bookings: {exc}"
            try:
                plan_drafts.apply_due(ops.db, ops.clock())
            except Exception as exc:
                log.exception("the sweep (applying window plans whose date has come) failed")
                failed = failed or f"window plans: {exc}"
            try:
                retention.purge(ops.db, ops.clock())
            except Exception as exc:
                log.exception("the sweep (clearing personal data past retention) failed")
                failed = failed or f"personal-data retention: {exc}"
            record.ran(failed)

    worker = LoopThread(sweep, name="day-sweeper")
    ops.db.before_closing(worker.stop)  # ends with the centre's database, never reopens it
    worker.start()
    return record
