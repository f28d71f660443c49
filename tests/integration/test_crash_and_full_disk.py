"""Faults a laptop meets: the server killed mid-burst (SIGKILL) loses no acknowledged
ballot and casts none twice; a full disk refuses ballots with a clear answer, stores
nothing, and the same retries succeed once there is room."""

from __future__ import annotations

import os
import signal
import sqlite3
import threading
import uuid
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.exc import OperationalError

from meeting import create_app
from meeting.extensions import db
from meeting.services.cards import join_token
from meeting.services.demo import ensure_demo
from meeting.services.staff import create_staff
from meeting.store.models import BallotReceipt, Meeting, SecretBallot

from ..conftest import REPO, STAFF_PASSWORD
from .ballot_helpers import tracker
from .live import Phone, Screen, close_all, staff_cookies
from .test_scale_out import start_server

pytestmark = pytest.mark.slow


class FullDisk:
    """Every write that would add rows fails as SQLite fails on a full disk ("database or
    disk is full", raised where the driver raises it), until room is made again. (A real
    full disk fails the same way but not at a foreseeable write: SQLite reuses its WAL.)"""

    def __init__(self) -> None:
        self.refused = 0

    def _refuse(self, _conn, _cursor, statement: str, parameters, _context, _many) -> None:
        if statement.lstrip().upper().startswith("INSERT"):
            self.refused += 1
            full = sqlite3.OperationalError("database or disk is full")
            raise OperationalError(statement, parameters, full)

    def fill(self) -> None:
        event.listen(db.engine, "before_cursor_execute", self._refuse)

    def make_room(self) -> None:
        if event.contains(db.engine, "before_cursor_execute", self._refuse):
            event.remove(db.engine, "before_cursor_execute", self._refuse)


@pytest.fixture
def full_disk(app) -> Iterator[FullDisk]:
    disk = FullDisk()
    yield disk
    disk.make_room()


def test_a_full_disk_refuses_ballots_clearly_and_the_same_retries_succeed_later(
    live_server, demo, host, full_disk
) -> None:
    screens = []
    for member in [m for m in demo.members if m.votes]:
        phone = Phone(live_server)
        assert phone.scan(member).status_code == 302
        screens.append(phone.screen(demo.id))
    try:
        for verb in ("start_briefing", "start_statement", "start_questioning", "open_ballot"):
            assert host.send(verb, {"position": 1}) == {"ok": True}
        full_disk.fill()
        payloads = [
            {"position": 1, "choice": "abstain", "tier": None, "tracker": tracker()}
            for _ in screens
        ]
        refused = [s.send("cast_ballot", p) for s, p in zip(screens, payloads, strict=True)]
        assert {r.get("code") for r in refused} == {"storage_full"}, refused
        assert full_disk.refused >= len(screens)  # each was refused by the database
        assert all("磁盘已满" in r["error"] for r in refused)
        assert db.session.scalar(select(func.count()).select_from(BallotReceipt)) == 0
        full_disk.make_room()  # the host frees space
        again = [s.send("cast_ballot", p) for s, p in zip(screens, payloads, strict=True)]
        assert Counter(a.get("status") for a in again) == {"recorded": len(screens)}
        counted = host.wait_for(lambda s: s["current"]["phase"] == "counted", "the count")
        assert counted["current"]["result"]["abstain"] == len(screens)
    finally:
        close_all(screens)


@pytest.mark.parametrize("after_acks", [1, 12])
def test_a_server_killed_mid_burst_loses_no_acknowledged_ballot(
    tmp_path: Path, after_acks: int
) -> None:
    instance = tmp_path / "instance"
    env = {
        **os.environ,
        "SECRET_KEY": uuid.uuid4().hex,
        "MEETING_CONFIG": str(REPO / "config" / "testing.toml"),
        "MEETING_ASYNC_MODE": "gevent",
    }
    env.pop("DATABASE_URL", None)
    app = create_app(instance_path=str(instance))
    app.config["SECRET_KEY"] = env["SECRET_KEY"]
    with app.app_context():
        from flask_migrate import upgrade

        upgrade()
        create_staff("clerk", STAFF_PASSWORD)
        meeting, _ = ensure_demo()
        meeting_id = meeting.id
        cards = [join_token(m) for m in meeting.members if m.votes]
        db.session.remove()
        db.engine.dispose()
    base, server = start_server(env, instance)
    phones = [Phone(base) for _ in cards]
    for phone, card in zip(phones, cards, strict=True):
        assert phone.browser.get(f"{base}/j/{card}").ok
    screens = [phone.screen(meeting_id) for phone in phones]
    host = Screen(base, meeting_id, "staff", staff_cookies(base)).connect()
    try:
        for verb in ("start_briefing", "start_statement", "start_questioning", "open_ballot"):
            assert host.send(verb, {"position": 1}) == {"ok": True}
        ballots = [
            {
                "position": 1,
                "choice": choice,
                "tier": "B" if choice == "eligible" else None,
                "tracker": tracker(),
            }
            for choice in (["eligible", "not_eligible", "abstain"] * 10)[: len(screens)]
        ]
        acked: list[int] = []
        killed = threading.Event()
        guard = threading.Lock()

        def cast(index: int) -> None:
            try:
                answer = screens[index].send("cast_ballot", ballots[index])
            except Exception:
                return  # the server died before answering
            if answer.get("status") == "recorded":
                with guard:
                    acked.append(index)
                    if len(acked) >= after_acks and not killed.is_set():
                        killed.set()
                        os.kill(server.pid, signal.SIGKILL)

        threads = [threading.Thread(target=cast, args=(i,)) for i in range(len(screens))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert killed.is_set() and server.wait(timeout=10) == -signal.SIGKILL
        for dead in [*screens, host]:  # their server is gone: drop what is left of them
            dead.client.eio.disconnect(abort=True)
            if getattr(dead.client.eio, "ws", None) is not None:
                dead.client.eio.ws.close()
        # the laptop restarts the app; every phone reconnects and sends its ballot again
        base, server = start_server(env, instance)
        screens = []
        for phone in phones:
            phone.base = base
            screens.append(phone.screen(meeting_id))
        answers = [s.send("cast_ballot", b) for s, b in zip(screens, ballots, strict=True)]
        for index in acked:
            assert answers[index].get("status") == "already_recorded", answers[index]
        assert all(a.get("ok") for a in answers), answers
        host = Screen(base, meeting_id, "staff", staff_cookies(base)).connect()
        counted = host.wait_for(lambda s: s["current"]["phase"] == "counted", "the count")
        result = counted["current"]["result"]
        expected = Counter(b["choice"] for b in ballots)
        assert (result["eligible"], result["not_eligible"], result["abstain"]) == (
            expected["eligible"],
            expected["not_eligible"],
            expected["abstain"],
        )
    finally:
        close_all([*screens, host])
        for phone in phones:
            phone.browser.close()
        server.terminate()
        server.wait(timeout=10)
    with app.app_context():
        db.session.remove()
        stored = db.session.scalar(select(func.count()).select_from(SecretBallot))
        assert stored == len(ballots)  # each once
        assert db.session.get(Meeting, meeting_id) is not None
