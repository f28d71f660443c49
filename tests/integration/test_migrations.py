"""The migrations build exactly the models' schema, on SQLite and on PostgreSQL."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.exc import OperationalError

from meeting import create_app
from meeting.extensions import db
from meeting.services.demo import ensure_demo

from ..conftest import service_missing

POSTGRES_ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def schema_differences() -> list:
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"render_as_batch": True})
        return compare_metadata(context, db.metadata)


def test_sqlite_migrations_match_the_models(app) -> None:
    assert schema_differences() == []
    tables = set(inspect(db.engine).get_table_names())
    assert {"meeting", "panel_member", "household", "hearing", "recusal", "event"} <= tables


def test_sqlite_migrations_go_down_and_up_again(app) -> None:
    downgrade(revision="base")
    assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
    upgrade()
    assert schema_differences() == []


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A fresh PostgreSQL schema for one test, dropped afterwards."""
    try:
        admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text("SELECT 1"))
    except (OperationalError, ImportError) as exc:
        service_missing(f"PostgreSQL at 127.0.0.1:5432 ({exc.__class__.__name__})")
    name = f"meeting_{uuid.uuid4().hex[:12]}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.mark.postgres
def test_the_same_app_runs_on_postgresql_by_changing_the_url(postgres_url, tmp_path) -> None:
    app = create_app({"server": {"database_url": postgres_url}}, instance_path=str(tmp_path))
    with app.app_context():
        try:
            upgrade()
            assert db.engine.dialect.name == "postgresql"
            assert schema_differences() == []
            meeting, created = ensure_demo()
            assert created and len(meeting.households) == 31
            assert sum(h.persons for h in meeting.households) == 59
        finally:
            db.session.remove()
            db.engine.dispose()
