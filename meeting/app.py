"""Building the app: settings, extensions, the push of states, pages and socket handlers."""

from __future__ import annotations

import datetime as dt
import logging
import os
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask, Response, request
from werkzeug.middleware.proxy_fix import ProxyFix

from .extensions import babel, compress, csrf, db, limiter, login_manager, migrate, socketio
from .resources import PACKAGE_DIR, resource_dir
from .settings import ConfigError, Settings, load_settings

logger = logging.getLogger(__name__)

MIGRATIONS_DIR = PACKAGE_DIR / "migrations"


def create_app(
    config: Mapping[str, Any] | None = None, *, instance_path: str | None = None
) -> Flask:
    """Build the app.

    ``config`` may hold ``rules`` and ``server`` tables (merged over the TOML files, see
    config/default.toml) and plain Flask keys such as ``TESTING``, applied last.
    ``instance_path`` (or $MEETING_INSTANCE) is where the SQLite file and the generated
    secret key live.
    """
    config = dict(config or {})
    instance = instance_path or os.environ.get("MEETING_INSTANCE")
    app = Flask(
        __name__,
        instance_path=str(Path(instance).resolve()) if instance else None,
        static_folder=str(resource_dir("static")),
        template_folder=str(resource_dir("templates")),
    )
    _private_instance(app.instance_path)
    _cap_database_logs()

    settings = load_settings({k: config.pop(k) for k in ("rules", "server") if k in config})
    _check_async_mode(settings.server.async_mode)
    app.extensions["meeting.settings"] = settings
    app.config.update(
        SECRET_KEY=os.environ.get("SECRET_KEY") or _instance_secret_key(app.instance_path),
        SQLALCHEMY_DATABASE_URI=settings.server.database_url
        or "sqlite:///" + os.path.join(app.instance_path, "meeting.sqlite3"),
        SQLALCHEMY_ECHO=False,  # SQL echo could print ballots next to receipts
        # nor may a database error's message carry the values of the failed statement
        SQLALCHEMY_ENGINE_OPTIONS={
            "hide_parameters": True,
            "pool_size": settings.server.db_pool_size,
            "max_overflow": settings.server.db_pool_overflow,
            "pool_timeout": settings.server.db_pool_timeout_s,
        },
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        REMEMBER_COOKIE_SAMESITE="Lax",
        MAX_CONTENT_LENGTH=5 * 1024 * 1024,  # imports are small; refuse anything huge
        BABEL_DEFAULT_LOCALE=settings.server.default_locale,
        WTF_CSRF_TIME_LIMIT=None,  # a setup form may stay open through a long meeting
        # one store per process by default; several processes share Redis (config: server)
        RATELIMIT_STORAGE_URI=settings.server.limiter_storage_uri,
        # gzip: every phone browser has it (brotli needs HTTPS); static files are streamed
        COMPRESS_ALGORITHM=["gzip"],
        COMPRESS_MIMETYPES=[
            "text/html",
            "text/css",
            "text/javascript",
            "application/javascript",
            "application/json",
        ],
        JOIN_RATE_LIMIT=settings.server.join_rate_limit,
        JOIN_FAILURES_LIMIT=settings.server.join_failures_limit,
        # behind a TLS proxy the session cookies are sent over HTTPS only
        SESSION_COOKIE_SECURE=settings.server.public_url.startswith("https://"),
        REMEMBER_COOKIE_SECURE=settings.server.public_url.startswith("https://"),
        # a staff session lasts while it is used, and ends after the idle time
        PERMANENT_SESSION_LIFETIME=dt.timedelta(minutes=settings.server.staff_idle_minutes),
        SESSION_REFRESH_EACH_REQUEST=True,
        REMEMBER_COOKIE_DURATION=dt.timedelta(days=7),
        REMEMBER_COOKIE_HTTPONLY=True,
    )
    app.config.update(config)

    if settings.server.trusted_proxies:
        # the address, scheme and host the proxy saw: the limits key on the real client,
        # and cookies are marked Secure under TLS; never trusted without a proxy in front
        n = settings.server.trusted_proxies
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n, x_port=n)
    _attach_extensions(app, settings)
    _register_pages(app)
    return app


def _check_async_mode(mode: str) -> None:
    """gevent works only if the standard library was patched before anything imported it,
    which the `meeting` command does (meeting/launch.py); refuse rather than half-work."""
    if mode != "gevent":
        return
    try:
        from gevent import monkey
    except ImportError:
        raise ConfigError('[server] async_mode = "gevent" needs the gevent package') from None
    if not monkey.is_module_patched("threading"):
        raise ConfigError(
            '[server] async_mode = "gevent" needs the standard library patched at start-up: '
            "run the app with the `meeting` command (e.g. `meeting serve --async gevent`)"
        )


class _NoRowsLogged(logging.Filter):
    """SQLAlchemy's engine logs every row it reads at DEBUG: ballots as the close reads them
    and who voted after each ballot, which read together link a voter to a ballot, and the
    staff's password hashes. Whatever level is configured, the engine logs no more than
    statements (their parameters hidden: ``hide_parameters``)."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno >= logging.INFO


def _cap_database_logs() -> None:
    for name in ("sqlalchemy.engine", "sqlalchemy.engine.Engine"):
        engine_logger = logging.getLogger(name)
        if not any(isinstance(f, _NoRowsLogged) for f in engine_logger.filters):
            engine_logger.addFilter(_NoRowsLogged())


def _private_instance(instance_path: str) -> None:
    """The instance folder holds the database (ballots, during a ballot still in casting
    order) and the key that signs cards: readable by the app's own account only. Files
    made from here on are 0600 and folders 0700 (the umask); an older folder is narrowed."""
    os.umask(0o077)
    os.makedirs(instance_path, mode=0o700, exist_ok=True)
    folder = Path(instance_path)
    for path in [folder, *folder.iterdir()]:
        wanted = 0o700 if path.is_dir() else 0o600
        if path.stat().st_mode & 0o077:
            try:
                path.chmod(wanted)
            except OSError:
                logger.warning("%s is readable by other accounts and cannot be narrowed", path)


def _instance_secret_key(instance_path: str) -> str:
    """A secret key kept in the instance folder, made on first run.

    Kept so that printed cards and sign-ins survive a restart of the laptop.
    """
    path = Path(instance_path) / "secret_key"
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_hex(32))
    return path.read_text().strip()


def _attach_extensions(app: Flask, settings: Settings) -> None:
    # Handlers must be known before the first socketio.init_app: Flask-SocketIO replays its
    # handler list onto each new server only for handlers registered while it had none.
    from .realtime import handlers, hearing_events, panel_events  # noqa: F401
    from .realtime.audience import disconnect_here, watched_meetings
    from .realtime.feed import ChangeFeed
    from .realtime.limits import EventBudget
    from .realtime.packets import JsonPacket, Utf8Json
    from .realtime.push import Pusher
    from .realtime.quiet_logs import silence_packet_traces
    from .services.unit_of_work import on_committed
    from .store import sqlite  # noqa: F401  (registers the SQLite connection pragmas)
    from .store.ballot_box import Scrubber
    from .web.i18n import init_i18n

    db.init_app(app)
    migrate.init_app(app, db, directory=str(MIGRATIONS_DIR), render_as_batch=True)
    csrf.init_app(app)
    login_manager.init_app(app)
    limiter.init_app(app)
    compress.init_app(app)
    app.after_request(_buffer_static_file)  # runs before Compress's hook (reverse order)
    init_i18n(app, babel)
    silence_packet_traces()
    # every committed change marks its meeting; one sender per meeting sends its screens
    # the newest state (realtime/push.py)
    pusher = Pusher(
        app,
        keep_last=settings.server.benchmark_events,
        check_every_s=settings.server.state_check_s,
    )
    app.extensions["meeting.pusher"] = pusher
    on_committed(app, pusher.mark)
    queue = settings.server.socketio_message_queue
    if queue.startswith(("redis://", "rediss://", "unix://")):
        # several processes: each tells the others which meetings changed (realtime/feed.py)
        feed = ChangeFeed(queue, pusher.mark, watched_meetings, disconnect_here)
        app.extensions["meeting.feed"] = feed
        on_committed(app, feed.publish)
    # after a close the database files are scrubbed of the casting order, off the path of
    # the answer to the phone (store/ballot_box.py)
    app.extensions["meeting.scrubber"] = Scrubber(socketio.start_background_task)
    # each connection, and each member or account, may send so many events (realtime/limits.py)
    app.extensions["meeting.event_budget"] = EventBudget(
        settings.server.live_events_per_s, settings.server.live_event_burst
    )
    socketio.init_app(
        app,
        async_mode=settings.server.async_mode,
        # packet logs would print ballots next to socket ids: keep them off at every level
        logger=False,
        engineio_logger=False,
        serializer=JsonPacket,
        json=Utf8Json,
        # a connection's events are handled one after another, in its own thread (or
        # greenlet): no client can raise the number of threads by sending faster
        async_handlers=False,
    )
    if not settings.server.websocket_compression:
        app.wsgi_app = _WithoutWebsocketCompression(app.wsgi_app)  # outside Socket.IO's


class _WithoutWebsocketCompression:
    """Declines permessage-deflate by not passing the browser's offer on: compressing every
    state for every phone costs the server more than the hall's Wi-Fi gains."""

    def __init__(self, wsgi_app: Any) -> None:
        self.wsgi_app = wsgi_app

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        environ.pop("HTTP_SEC_WEBSOCKET_EXTENSIONS", None)
        return self.wsgi_app(environ, start_response)


def _buffer_static_file(response: Response) -> Response:
    """Read a static file into memory so it is compressed whole and its file closed.

    The files are small (the largest, socket.io, is 47 KB); streamed through gzip, the
    open file would only be closed by the garbage collector.
    """
    if request.endpoint == "static" and response.direct_passthrough:
        response.direct_passthrough = False
        response.get_data()  # reads the file; werkzeug closes it when the response closes
    return response


def _register_pages(app: Flask) -> None:
    from .web import register_blueprints
    from .web.exports.views import bp as exports_bp

    register_blueprints(app)
    app.register_blueprint(exports_bp)
