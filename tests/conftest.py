"""Shared fixtures: an app on a real SQLite file in a temporary instance folder, clients,
and factories for meetings (after Indico's create_event)."""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask, g, has_app_context
from flask.testing import FlaskClient
from flask_migrate import upgrade
from werkzeug.serving import make_server

from meeting import create_app
from meeting.cli import NamelessRequestHandler
from meeting.domain.categories import AssistanceKind
from meeting.domain.roles import Role
from meeting.extensions import db
from meeting.services import setup
from meeting.services.staff import create_staff
from meeting.store.models import Meeting

REPO = Path(__file__).resolve().parent.parent
ARTIFACTS = REPO / "test-artifacts"
STAFF_PASSWORD = "correct horse"
#: under CI a missing service is a failure, not a skip
IN_CI = os.environ.get("CI", "").lower() == "true"


def service_missing(what: str) -> None:
    """Skip locally, fail under CI=true: a service the tests need is not running."""
    if IN_CI:
        pytest.fail(f"{what} is required under CI=true but is not available")
    pytest.skip(f"{what} is not available")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests that serve the app over real sockets are marked ``live``: the fast inner loop
    (``-m "not live and not slow and not browser"``, README) leaves them to the full run."""
    for item in items:
        if "live_server" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.live)


class FreshRequestClient(FlaskClient):
    """A test client whose every request starts with an empty ``g``, as in production.

    The fixtures keep an app context open so tests can use the database directly; Flask
    reuses that context for requests, so without this the locale Flask-Babel picked or the
    user Flask-Login loaded would leak from one request into the next.
    """

    def open(self, *args, **kwargs):
        if not has_app_context():
            return super().open(*args, **kwargs)
        saved = dict(vars(g))
        vars(g).clear()
        try:
            return super().open(*args, **kwargs)
        finally:
            vars(g).clear()
            vars(g).update(saved)


@pytest.fixture(autouse=True)
def testing_config(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test's app reads config/testing.toml over the defaults (it runs in threading
    mode: the default, gevent, needs the patching that only the `meeting` command does)."""
    monkeypatch.setenv("MEETING_CONFIG", str(REPO / "config" / "testing.toml"))
    monkeypatch.delenv("MEETING_ASYNC_MODE", raising=False)


@pytest.fixture(scope="session")
def migrated_database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An SQLite file with every migration applied, made once: each test starts from a copy
    (the migrations themselves are tested in test_migrations.py)."""
    instance = tmp_path_factory.mktemp("template")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("MEETING_CONFIG", str(REPO / "config" / "testing.toml"))
        template = create_app({"TESTING": True}, instance_path=str(instance))
    with template.app_context():
        upgrade()
        db.session.remove()
        db.engine.dispose()
    return instance / "meeting.sqlite3"


@pytest.fixture
def app(tmp_path: Path, migrated_database: Path) -> Iterator[Flask]:
    instance = tmp_path / "instance"
    instance.mkdir()
    shutil.copyfile(migrated_database, instance / "meeting.sqlite3")
    app = create_app({"TESTING": True}, instance_path=str(instance))
    app.test_client_class = FreshRequestClient
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


class StaffClient:
    """A signed-in staff browser: posts forms with their CSRF token, as a real browser does."""

    def __init__(self, client: FlaskClient) -> None:
        self.client = client

    def get(self, url: str, **kwargs):
        return self.client.get(url, **kwargs)

    def csrf_token(self) -> str:
        page = self.client.get("/login").get_data(as_text=True)
        match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
        assert match, "the login page carries no CSRF token"
        return match.group(1)

    def post(self, url: str, data: dict | None = None, **kwargs):
        data = {"csrf_token": self.csrf_token(), **(data or {})}
        return self.client.post(url, data=data, **kwargs)


@pytest.fixture
def staff(app: Flask, client: FlaskClient) -> StaffClient:
    create_staff("clerk", STAFF_PASSWORD, "村文书")
    signed_in = StaffClient(client)
    response = signed_in.post("/login", {"username": "clerk", "password": STAFF_PASSWORD})
    assert response.status_code == 302, response.get_data(as_text=True)
    return signed_in


def make_meeting(
    representatives: int = 0,
    cadres: int = 0,
    *,
    investigators: tuple[str, ...] = (),
    title: str = "东湖村农村低保评议会",
) -> Meeting:
    """A meeting with a panel of generated names; the app context must be active."""
    meeting_id = setup.create_meeting(
        setup.MeetingDetails(
            title=title,
            place="东湖村村委会",
            held_on=dt.date(2026, 4, 28),
            kind=AssistanceKind.RURAL_MINIMUM_LIVING,
        ),
        "test",
    )
    for i in range(representatives):
        setup.add_member(meeting_id, f"代表{i + 1:02d}", Role.REPRESENTATIVE, "test")
    for i in range(cadres):
        setup.add_member(meeting_id, f"干部{i + 1:02d}", Role.CADRE, "test")
    for name in investigators:
        setup.add_member(meeting_id, name, Role.INVESTIGATOR, "test")
    return db.session.get(Meeting, meeting_id)


@pytest.fixture
def live_server(app: Flask) -> Iterator[str]:
    """The app (HTTP and Socket.IO over real websockets) served on a free loopback port."""
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=NamelessRequestHandler)
    server.daemon_threads = True  # websocket threads end with their clients; do not wait
    server.block_on_close = False
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@pytest.fixture
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
