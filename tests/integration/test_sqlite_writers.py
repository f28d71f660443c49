"""SQLite's writers queue on a lock in the process instead of polling the database: every
write lands, the lock is always given back, and it can never deadlock."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import text, update

from meeting import create_app
from meeting.extensions import db
from meeting.services.unit_of_work import Busy, meeting_change
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
                    with meeting_change(meeting_id, "test") as change:
                        change.touch()
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
    meeting_id = make_meeting().id
    with pytest.raises(Busy), meeting_change(meeting_id, "test") as change:
        # this change now holds the write transaction and the queue
        change.session.execute(update(Meeting).where(Meeting.id == meeting_id).values(place="y"))
        assert sqlite._writers.locked()
        with db.engine.connect() as other:
            other.execute(text("UPDATE meeting SET title = 'x'"))
            other.commit()
    assert not sqlite._writers.locked()
    db.session.expire_all()
    meeting = db.session.get(Meeting, meeting_id)
    assert (meeting.title, meeting.place) != ("x", "y") and meeting.title != "x"
