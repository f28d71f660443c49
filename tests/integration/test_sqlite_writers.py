"""SQLite's writers queue on a lock in the process instead of polling the database: every
write lands, the lock is always given back, and it can never deadlock."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from meeting import create_app
from meeting.extensions import db
from meeting.services.events import lock_meeting
from meeting.store import sqlite
from meeting.store.models import Meeting

from ..conftest import REPO, make_meeting


@pytest.fixture
def app(tmp_path, monkeypatch):
    monkeypatch.setenv("MEETING_CONFIG", str(REPO / "config" / "testing.toml"))
    app = create_app(
        {"TESTING": True, "server": {"sqlite_busy_timeout_ms": 300}},
        instance_path=str(tmp_path / "instance"),
    )
    from flask_migrate import upgrade

    with app.app_context():
        upgrade()
        yield app
        db.session.remove()
        db.engine.dispose()


def test_many_threads_writing_at_once_all_land_and_the_queue_is_left_free(app) -> None:
    meeting = make_meeting()
    meeting_id, start_version = meeting.id, meeting.version
    db.session.remove()
    failures: list[BaseException] = []
    start = threading.Barrier(8)

    def write() -> None:
        with app.app_context():
            start.wait()
            try:
                for _ in range(15):
                    lock_meeting(db.session.get(Meeting, meeting_id))
                    db.session.commit()
            except BaseException as error:
                failures.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=write) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert db.session.get(Meeting, meeting_id).version == start_version + 8 * 15
    assert not sqlite._writers.locked()


def test_a_second_writer_in_the_same_thread_gets_an_error_not_a_deadlock(app) -> None:
    meeting = make_meeting()
    lock_meeting(meeting)  # this session now holds the write transaction and the queue
    assert sqlite._writers.locked()
    with pytest.raises(OperationalError, match="locked"), db.engine.connect() as other:
        other.execute(text("UPDATE meeting SET title = 'x'"))
        other.commit()
    db.session.rollback()
    assert not sqlite._writers.locked()
    assert db.session.get(Meeting, meeting.id).title != "x"
