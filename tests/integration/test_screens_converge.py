"""Screens converge without a new change: a push lost on its way (the message queue down
between two processes, a notice dropped) is healed by each process's version check."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import redis

from meeting import create_app
from meeting.extensions import db
from meeting.services import hearings
from meeting.services.cards import join_token
from meeting.services.demo import ensure_demo
from meeting.services.staff import create_staff
from meeting.services.unit_of_work import COMMITTED_LISTENERS
from meeting.store.models import Meeting

from ..conftest import REPO, service_missing
from .live import Phone, Screen, staff_cookies
from .test_cli import free_port, wait_for
from .test_migrations import postgres_url  # noqa: F401 - a fixture
from .test_scale_out import start_server

#: how long the message queue stays down in the outage test, as the probe that found it did
OUTAGE_S = 5.0


def test_a_push_lost_in_this_process_reaches_every_screen_at_the_next_check(
    app, live_server, demo, host
) -> None:
    phone = Phone(live_server)
    assert phone.scan(demo.members[0]).status_code == 302
    screen = phone.screen(demo.id)
    try:
        screen.wait_for(lambda s: True, "its first state")
        pusher = app.extensions["meeting.pusher"]
        listeners = app.extensions[COMMITTED_LISTENERS]
        listeners.remove(pusher.mark)  # the notice of the next change is lost
        try:
            hearings.start_briefing(demo.id, 1, "host")
        finally:
            listeners.insert(0, pusher.mark)
        db.session.expire_all()
        version = db.session.get(Meeting, demo.id).version
        for watching in (screen, host):
            state = watching.wait_for(lambda s: s["version"] == version, "the lost change")
            assert state["current"]["phase"] == "briefing"
    finally:
        screen.close()


@pytest.fixture
def own_redis(tmp_path: Path) -> Iterator[tuple[str, Callable[[], None], Callable[[], None]]]:
    """A Redis server of this test's own, which it may stop and start again."""
    binary = shutil.which("redis-server")
    if binary is None:
        service_missing("redis-server (to stop a message queue of the test's own)")
    port = free_port()
    url = f"redis://127.0.0.1:{port}/0"
    process: list[subprocess.Popen] = []

    def start() -> None:
        process.append(
            subprocess.Popen(
                [
                    binary,
                    "--port",
                    str(port),
                    "--bind",
                    "127.0.0.1",
                    "--save",
                    "",
                    "--appendonly",
                    "no",
                    "--dir",
                    str(tmp_path),
                ],
                stdout=subprocess.DEVNULL,
            )
        )
        wait_for(lambda: _answers(url), what="the test's Redis")

    def stop() -> None:
        process[-1].kill()
        process[-1].wait(timeout=10)

    start()
    try:
        yield url, start, stop
    finally:
        stop()


def _answers(url: str) -> bool:
    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=0.5).ping())
    except redis.RedisError:
        return False


@pytest.mark.postgres
@pytest.mark.slow
def test_after_a_message_queue_outage_every_screen_shows_the_newest_change(
    postgres_url,  # noqa: F811
    own_redis,
    tmp_path: Path,
) -> None:
    url, start_redis, stop_redis = own_redis
    env = {
        **os.environ,
        "DATABASE_URL": postgres_url,
        "SOCKETIO_MESSAGE_QUEUE": url,
        "SECRET_KEY": uuid.uuid4().hex,
        "MEETING_CONFIG": str(REPO / "config" / "testing.toml"),
        "MEETING_ASYNC_MODE": "gevent",
    }
    app = create_app(
        {"server": {"database_url": postgres_url}}, instance_path=str(tmp_path / "setup")
    )
    with app.app_context():
        from flask_migrate import upgrade

        upgrade()
        create_staff("clerk", "correct horse")
        meeting, _ = ensure_demo()
        meeting_id, cards = meeting.id, [join_token(m) for m in meeting.members[:3]]
        db.session.remove()
        db.engine.dispose()
    first, a = start_server(env, tmp_path / "a")
    second, b = start_server(env, tmp_path / "b")
    screens: list[Screen] = []
    try:
        host = Screen(first, meeting_id, "staff", staff_cookies(first)).connect()
        screens.append(host)
        for base in (first, second, second):
            phone = Phone(base)
            assert phone.browser.get(f"{base}/j/{cards[len(screens) - 1]}").ok
            screens.append(phone.screen(meeting_id))
        screens.append(Screen(second, meeting_id, "staff", staff_cookies(second)).connect())
        assert host.send("start_briefing", {"position": 1}) == {"ok": True}
        for screen in screens:
            screen.wait_for(lambda s: s["current"] and s["current"]["phase"] == "briefing")
        stop_redis()
        down_since = time.monotonic()
        assert host.send("start_statement", {"position": 1}) == {"ok": True}
        # the queue stays down for the outage's length: a scenario, not a wait for a state
        time.sleep(max(0.0, OUTAGE_S - (time.monotonic() - down_since)))
        start_redis()
        # nothing else changes: every screen, on either process, must still catch up
        newest = host.wait_for(lambda s: s["current"]["phase"] == "statement")["version"]
        for screen in screens:
            state = screen.wait_for(lambda s: s["version"] >= newest, "the change in the outage")
            assert state["current"]["phase"] == "statement"
    finally:
        for screen in screens:
            screen.close()
        for process in (a, b):
            process.terminate()
            process.wait(timeout=10)
