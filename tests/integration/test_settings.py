"""Configuration: the default rules, an override file, environment variables, SQLite setup."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from sqlalchemy import text

from meeting import create_app
from meeting.domain.errors import InvalidRules
from meeting.domain.phases import Phase
from meeting.domain.rules import DecisionBasis, TierRule
from meeting.extensions import db
from meeting.launch import chosen_mode
from meeting.settings import ConfigError, load_settings


def test_the_default_file_holds_the_documented_rules() -> None:
    settings = load_settings(environ={})
    rules = settings.rules
    assert (rules.min_representatives, rules.max_cadres) == (15, 5)
    assert rules.decision_basis is DecisionBasis.PRESENT_VOTERS
    assert rules.tier_rule is TierRule.MEDIAN
    assert [(t.code, t.label) for t in rules.tiers] == [("A", "一档"), ("B", "二档"), ("C", "三档")]
    assert set(rules.phase_seconds) == {
        Phase.BRIEFING,
        Phase.STATEMENT,
        Phase.QUESTIONING,
        Phase.VOTING,
    }
    assert settings.server.async_mode == "gevent"
    assert settings.server.database_url == ""


def test_an_override_file_changes_only_what_it_sets(tmp_path: Path) -> None:
    override = tmp_path / "county.toml"
    override.write_text('[rules]\nmin_representatives = 11\ndecision_basis = "ballots_cast"\n')
    settings = load_settings(environ={"MEETING_CONFIG": str(override)})
    assert settings.rules.min_representatives == 11
    assert settings.rules.decision_basis is DecisionBasis.BALLOTS_CAST
    assert settings.rules.max_cadres == 5 and len(settings.rules.tiers) == 3


def test_environment_variables_set_addresses_and_the_caller_wins() -> None:
    environ = {
        "DATABASE_URL": "postgresql+psycopg://meeting@db/meeting",
        "SOCKETIO_MESSAGE_QUEUE": "redis://127.0.0.1:6379/0",
        "PUBLIC_URL": "http://192.168.1.10:5000/",
    }
    settings = load_settings({"server": {"port": 8080}}, environ=environ)
    assert settings.server.database_url == "postgresql+psycopg://meeting@db/meeting"
    assert settings.server.socketio_message_queue == "redis://127.0.0.1:6379/0"
    assert settings.server.public_url == "http://192.168.1.10:5000"
    assert settings.server.port == 8080


@pytest.mark.parametrize(
    ("content", "error"),
    [
        ("[rules\n", ConfigError),
        ('[server]\nasync_mode = "asyncio"\n', ConfigError),
        ("[rules]\nmax_cadres = -1\n", InvalidRules),
    ],
)
def test_a_broken_configuration_is_refused_with_a_reason(tmp_path: Path, content, error) -> None:
    override = tmp_path / "bad.toml"
    override.write_text(content)
    with pytest.raises(error):
        load_settings(environ={"MEETING_CONFIG": str(override)})


def test_a_missing_override_file_is_named() -> None:
    with pytest.raises(ConfigError, match=r"not found: /nowhere\.toml"):
        load_settings(environ={"MEETING_CONFIG": "/nowhere.toml"})


def test_sqlite_in_the_instance_folder_runs_in_wal_mode_with_a_busy_timeout(app) -> None:
    database = Path(app.instance_path) / "meeting.sqlite3"
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{database}"
    assert database.exists()
    with db.engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA busy_timeout")).scalar() == 5000
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1


def test_the_generated_secret_key_survives_a_restart(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.delenv("SECRET_KEY", raising=False)
    first = create_app(instance_path=str(tmp_path))
    second = create_app(instance_path=str(tmp_path))
    assert first.config["SECRET_KEY"] == second.config["SECRET_KEY"]
    assert len(first.config["SECRET_KEY"]) == 64
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0
    monkeypatch.setenv("SECRET_KEY", "from-the-environment")
    assert create_app(instance_path=str(tmp_path)).config["SECRET_KEY"] == "from-the-environment"


def test_socketio_runs_in_the_configured_mode_without_packet_logs(app) -> None:
    server = app.extensions["socketio"].server
    assert server.async_mode == "threading"
    # packet logs are written at INFO: they must not be enabled
    assert not server.logger.isEnabledFor(logging.INFO)
    assert not server.eio.logger.isEnabledFor(logging.INFO)
    assert app.config["SQLALCHEMY_ECHO"] is False


def test_gevent_is_refused_unless_the_standard_library_was_patched_first(tmp_path) -> None:
    with pytest.raises(ConfigError, match="patched at start-up"):
        create_app({"server": {"async_mode": "gevent"}}, instance_path=str(tmp_path))


def test_the_command_chooses_the_mode_before_anything_is_imported(tmp_path) -> None:
    override = tmp_path / "county.toml"
    override.write_text('[server]\nasync_mode = "threading"\n')
    assert chosen_mode([], {}) == "gevent"  # the default file
    assert chosen_mode([], {"MEETING_CONFIG": str(override)}) == "threading"
    assert chosen_mode([], {"MEETING_CONFIG": str(override), "MEETING_ASYNC_MODE": "gevent"}) == (
        "gevent"
    )
    assert chosen_mode(["serve", "--async", "threading"], {"MEETING_ASYNC_MODE": "gevent"}) == (
        "threading"
    )
    assert chosen_mode(["serve", "--async=threading"], {}) == "threading"
