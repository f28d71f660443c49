"""Configuration: the default TOML, an override file, environment variables, then the caller's."""

from __future__ import annotations

import copy
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import current_app

from .domain.rules import HearingRules
from .resources import resource_dir

#: environment variables that override a server setting (secrets and addresses)
ENV_OVERRIDES = {
    "DATABASE_URL": "database_url",
    "SOCKETIO_MESSAGE_QUEUE": "socketio_message_queue",
    "PUBLIC_URL": "public_url",
    # set by the `meeting` command once it has prepared that mode (meeting/launch.py)
    "MEETING_ASYNC_MODE": "async_mode",
}
ASYNC_MODES = ("threading", "eventlet", "gevent", "gevent_uwsgi")


class ConfigError(RuntimeError):
    """The configuration cannot be used; the message says which file and which key."""


@dataclass(frozen=True)
class ServerSettings:
    host: str
    port: int
    public_url: str
    database_url: str
    socketio_message_queue: str
    async_mode: str
    default_locale: str
    sqlite_busy_timeout_ms: int
    #: how often one card may be scanned, and one phone ask for a seat by name
    join_rate_limit: str
    #: how many wrong cards or entry codes one address may try
    join_failures_limit: str
    #: where the limits count (memory:// per process; redis://… shared by processes)
    limiter_storage_uri: str
    #: how many proxies in front set X-Forwarded-For/-Proto/-Host (0: none, headers ignored)
    trusted_proxies: int
    #: how often one address, and one account, may try to sign in
    sign_in_rate_limit: str
    #: a staff session ends after this many minutes without a request
    staff_idle_minutes: int
    #: database connections each server process keeps (and how many more it may open)
    db_pool_size: int
    db_pool_overflow: int
    #: how long an action waits for a free connection before the phone is told "busy"
    db_pool_timeout_s: float
    #: the events only the benchmarks use (benchmarks/live_core.py); off in a real meeting
    benchmark_events: bool
    #: how often each process checks that its screens show the newest version (seconds;
    #: 0: never): a push lost with the message queue is healed within this
    state_check_s: float
    #: live events one connection, and one member or staff account, may send per second,
    #: and at once (realtime/limits.py); 0: no limit
    live_events_per_s: float
    live_event_burst: int
    #: accept permessage-deflate on websockets (browsers offer it): fewer bytes, more CPU
    websocket_compression: bool
    #: the most rows one import file may hold (its write holds the database's one writer)
    import_row_limit: int


@dataclass(frozen=True)
class NoticeSettings:
    """What the public notice list (公示名单) tells the village beyond the results."""

    #: how many days the list stays posted for objections
    period_days: int
    #: where and how to object, as printed on the notice
    object_to: str
    #: who to contact, as printed on the notice
    contact: str


@dataclass(frozen=True)
class Settings:
    """The validated configuration the app runs with."""

    rules: HearingRules
    server: ServerSettings
    notice: NoticeSettings


def _merge(base: dict[str, Any], extra: Mapping[str, Any]) -> dict[str, Any]:
    for key, value in extra.items():
        if isinstance(value, Mapping) and isinstance(base.get(key), dict):
            _merge(base[key], value)
        else:
            base[key] = copy.deepcopy(value)
    return base


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as f:
            return tomllib.load(f)
    except FileNotFoundError as exc:
        raise ConfigError(f"configuration file not found: {path}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"configuration file {path} is not valid TOML: {exc}") from exc


def load_settings(
    overrides: Mapping[str, Any] | None = None, environ: Mapping[str, str] | None = None
) -> Settings:
    """Read the configuration in order: default.toml, $MEETING_CONFIG, env vars, ``overrides``."""
    environ = os.environ if environ is None else environ
    raw = _read_toml(resource_dir("config") / "default.toml")
    if environ.get("MEETING_CONFIG"):
        _merge(raw, _read_toml(Path(environ["MEETING_CONFIG"])))
    for variable, key in ENV_OVERRIDES.items():
        if environ.get(variable):
            raw["server"][key] = environ[variable]
    if overrides:
        _merge(raw, overrides)
    return Settings(
        rules=HearingRules.from_mapping(raw["rules"]),
        server=_server(raw["server"]),
        notice=_notice(raw.get("notice", {})),
    )


def _server(raw: Mapping[str, Any]) -> ServerSettings:
    try:
        server = ServerSettings(
            host=str(raw["host"]),
            port=int(raw["port"]),
            public_url=str(raw.get("public_url", "")).rstrip("/"),
            database_url=str(raw.get("database_url", "")),
            socketio_message_queue=str(raw.get("socketio_message_queue", "")),
            async_mode=str(raw["async_mode"]),
            default_locale=str(raw.get("default_locale", "zh")),
            sqlite_busy_timeout_ms=int(raw.get("sqlite_busy_timeout_ms", 5000)),
            join_rate_limit=str(raw.get("join_rate_limit", "10 per minute")),
            join_failures_limit=str(raw.get("join_failures_limit", "30 per minute")),
            limiter_storage_uri=str(raw.get("limiter_storage_uri", "memory://")),
            trusted_proxies=int(raw.get("trusted_proxies", 0)),
            sign_in_rate_limit=str(raw.get("sign_in_rate_limit", "10 per 5 minutes")),
            staff_idle_minutes=int(raw.get("staff_idle_minutes", 480)),
            db_pool_size=int(raw.get("db_pool_size", 10)),
            db_pool_overflow=int(raw.get("db_pool_overflow", 20)),
            db_pool_timeout_s=float(raw.get("db_pool_timeout_s", 3)),
            benchmark_events=bool(raw.get("benchmark_events", False)),
            websocket_compression=bool(raw.get("websocket_compression", False)),
            state_check_s=float(raw.get("state_check_s", 5.0)),
            live_events_per_s=float(raw.get("live_events_per_s", 10.0)),
            live_event_burst=int(raw.get("live_event_burst", 40)),
            import_row_limit=int(raw.get("import_row_limit", 2000)),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise ConfigError(f"invalid [server] setting: {exc!r}") from exc
    if server.async_mode not in ASYNC_MODES:
        raise ConfigError(f"[server] async_mode must be one of {', '.join(ASYNC_MODES)}")
    if server.db_pool_size < 1 or server.db_pool_overflow < 0 or server.db_pool_timeout_s <= 0:
        raise ConfigError(
            "[server] db_pool_size must be >= 1, db_pool_overflow >= 0 and db_pool_timeout_s > 0"
        )
    if server.import_row_limit < 1:
        raise ConfigError("[server] import_row_limit must be at least 1")
    if server.socketio_message_queue and not server.socketio_message_queue.startswith(
        ("redis://", "rediss://", "unix://")
    ):
        raise ConfigError(
            "[server] socketio_message_queue must be a Redis URL (redis://, rediss://, unix://)"
        )
    if server.default_locale not in ("zh", "en"):
        raise ConfigError('[server] default_locale must be "zh" or "en"')
    return server


def _notice(raw: Mapping[str, Any]) -> NoticeSettings:
    try:
        notice = NoticeSettings(
            period_days=int(raw.get("period_days", 7)),
            object_to=str(raw.get("object_to", "")).strip(),
            contact=str(raw.get("contact", "")).strip(),
        )
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"invalid [notice] setting: {exc!r}") from exc
    if notice.period_days < 1:
        raise ConfigError("[notice] period_days must be at least 1")
    return notice


def current_settings() -> Settings:
    """The settings of the running app."""
    return current_app.extensions["meeting.settings"]


def current_rules() -> HearingRules:
    """The hearing rules the running app was configured with."""
    return current_settings().rules
