"""Two server processes, one PostgreSQL database, Redis as the Socket.IO message queue: a
host on one process moves the hearing on, and a phone connected to the other sees it."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from meeting import create_app
from meeting.extensions import db
from meeting.services.cards import join_token
from meeting.services.demo import ensure_demo
from meeting.services.staff import create_staff

from ..conftest import REPO, service_missing
from .live import Phone, Screen, staff_cookies, wait_until
from .test_cli import free_port, wait_for
from .test_migrations import postgres_url  # noqa: F401 - a fixture

REDIS_URL = "redis://127.0.0.1:6379/0"


@pytest.fixture
def redis_queue() -> str:
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except redis.RedisError as exc:
        service_missing(f"Redis at 127.0.0.1:6379 ({exc.__class__.__name__})")
    return REDIS_URL


def start_server(env: dict[str, str], instance: Path) -> tuple[str, subprocess.Popen]:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "meeting", "serve", "--host", "127.0.0.1", "--port", str(port)],
        env={**env, "MEETING_INSTANCE": str(instance)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"

    def answers() -> bool:
        if process.poll() is not None:
            pytest.fail("a server process exited")
        try:
            return Phone(base).browser.get(base + "/login", timeout=1).status_code == 200
        except OSError:
            return False

    wait_for(answers, what=f"the server on {port}")
    return base, process


@pytest.fixture
def two_servers(postgres_url, redis_queue, tmp_path) -> Iterator[tuple[str, str, dict]]:  # noqa: F811
    env = {
        **os.environ,
        "DATABASE_URL": postgres_url,
        "SOCKETIO_MESSAGE_QUEUE": redis_queue,
        "SECRET_KEY": uuid.uuid4().hex,
        "MEETING_CONFIG": str(REPO / "config" / "testing.toml"),
        "MEETING_ASYNC_MODE": "gevent",  # a county's processes run the default mode
    }
    app = create_app(
        {"server": {"database_url": postgres_url}}, instance_path=str(tmp_path / "setup")
    )
    app.config["SECRET_KEY"] = env["SECRET_KEY"]
    with app.app_context():
        from flask_migrate import upgrade

        upgrade()
        create_staff("clerk", "correct horse")
        meeting, _ = ensure_demo()
        cards = {
            "member": join_token(meeting.members[0]),
            "member_id": meeting.members[0].id,
            "meeting": meeting.id,
        }
        db.session.remove()
        db.engine.dispose()
    first, a = start_server(env, tmp_path / "a")
    second, b = start_server(env, tmp_path / "b")
    try:
        yield first, second, cards
    finally:
        for process in (a, b):
            process.terminate()
            process.wait(timeout=10)


@pytest.mark.postgres
@pytest.mark.slow
def test_a_change_made_on_one_process_reaches_a_phone_on_another(two_servers) -> None:
    first, second, cards = two_servers
    phone = Phone(second)
    claimed = phone.browser.get(f"{second}/j/{cards['member']}", allow_redirects=False)
    assert claimed.status_code == 302
    screen = phone.screen(cards["meeting"])
    host = Screen(first, cards["meeting"], "staff", staff_cookies(first)).connect()
    try:
        assert host.send("step", {"position": 1, "step": "start_briefing"}) == {"ok": True}
        state = screen.wait_for(
            lambda s: s["current"] is not None, "the change from the other process"
        )
        assert state["current"]["phase"] == "briefing"
        assert state["version"] == host.wait_for(lambda s: s["current"] is not None)["version"]
    finally:
        screen.close()
        host.close()


@pytest.mark.postgres
@pytest.mark.slow
def test_freeing_a_seat_on_one_process_disconnects_the_phone_on_another(two_servers) -> None:
    first, second, cards = two_servers
    phone = Phone(second)
    assert phone.browser.get(f"{second}/j/{cards['member']}", allow_redirects=False).ok
    screen = phone.screen(cards["meeting"])
    host = Screen(first, cards["meeting"], "staff", staff_cookies(first)).connect()
    try:
        screen.wait_for(lambda s: True, "its first state")
        assert host.send("release_seat", {"member_id": cards["member_id"]}) == {"ok": True}
        wait_until(lambda: not screen.client.connected, "the freed phone's disconnection")
    finally:
        screen.close()
        host.close()
