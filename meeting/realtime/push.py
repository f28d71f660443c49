"""Sending every screen of a meeting its newest state, once per burst of changes.

A committed change only marks its meeting. One sender per meeting then builds the newest
state and sends it to each room; changes that commit while it builds mark the meeting
again, and the sender goes round once more. So an idle meeting's change goes out at once,
and twenty-five ballots arriving together cost a few builds, not twenty-five. The answer
to the action that made the change never waits for any of this.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from flask import Flask
from sqlalchemy import bindparam, select

from ..extensions import db, socketio
from ..services.unit_of_work import is_busy, settled
from ..store import live_reads
from ..store.models import Meeting
from ..texts import LOCALES
from . import audience
from .audience import room
from .state import build_states

logger = logging.getLogger(__name__)
_VERSIONS = select(Meeting.__table__.c.id, Meeting.__table__.c.version).where(
    Meeting.__table__.c.id.in_(bindparam("ids", expanding=True))
)
#: a busy database is tried this many times before the state waits for the next change
SEND_ATTEMPTS = 5
#: the longest a state waits for the meeting's actions already in line (a burst)
ACTIONS_WAIT_S = 0.1


class Pusher:
    """One sender per meeting with changes waiting; none for a quiet meeting."""

    def __init__(self, app: Flask, keep_last: bool = False, check_every_s: float = 0) -> None:
        self.app = app
        #: how often the versions on screens are checked against the database (0: never)
        self.check_every_s = check_every_s
        self._checking = False
        #: the newest version this process sent each meeting's screens
        self.sent_version: dict[int, int] = {}
        #: the last states sent per meeting, kept only for the benchmarks' bare broadcast
        self.last_sent: dict[int, dict[tuple[str, str], dict[str, Any]]] | None = (
            {} if keep_last else None
        )
        self._guard = threading.Condition()
        self._sending: set[int] = set()  # a sender is running for these meetings
        self._again: set[int] = set()  # changed while their sender was building

    def mark(self, meeting_id: int) -> None:
        """A change to the meeting was committed: its screens must get the newest state."""
        if not audience.watching(meeting_id, LOCALES):
            return  # no screen of it here: the next one to connect gets the state then
        with self._guard:
            if meeting_id in self._sending:
                self._again.add(meeting_id)
                return
            self._sending.add(meeting_id)
        socketio.start_background_task(self._send_until_quiet, meeting_id)

    def _send_until_quiet(self, meeting_id: int) -> None:
        # the answer to the action that marked the meeting goes out first: under gevent
        # this sender was scheduled before the handler returned, and would run ahead of it
        socketio.sleep(0)
        with self.app.app_context():
            try:
                while True:
                    # actions of the meeting already in line for their turn (a burst of
                    # ballots) would outdate this state at once: they go out in it
                    settled(meeting_id, ACTIONS_WAIT_S)
                    socketio.sleep(0)  # and their answers, just queued, are written first
                    with self._guard:
                        self._again.discard(meeting_id)
                    self._send_retrying(meeting_id)
                    with self._guard:
                        if meeting_id not in self._again:
                            self._sending.discard(meeting_id)
                            self._guard.notify_all()
                            return
            finally:
                db.session.remove()
                with self._guard:
                    self._sending.discard(meeting_id)
                    self._guard.notify_all()

    def settled(self, meeting_id: int, timeout: float = 30.0) -> bool:
        """Wait until no state of the meeting is being built or waits to be (tests)."""
        with self._guard:
            return self._guard.wait_for(lambda: meeting_id not in self._sending, timeout)

    def _send_retrying(self, meeting_id: int) -> None:
        """Send, and if the database was busy, try again a little later: screens must not
        stay on an old state until the next change."""
        for attempt in range(SEND_ATTEMPTS):
            try:
                self.send(meeting_id)
                return
            except Exception as error:
                if not is_busy(error):
                    logger.exception("the state of meeting %s could not be sent", meeting_id)
                    return
                socketio.sleep(0.2 * (attempt + 1))
        logger.warning("the state of meeting %s was not sent: the database stayed busy", meeting_id)

    def send(self, meeting_id: int) -> None:
        """Build the meeting's newest state for every watched language and view, send it."""
        wanted = audience.watching(meeting_id, LOCALES)
        if not wanted:
            return  # nobody is looking: the next screen to connect gets the state then
        session = db.session()
        with live_reads.snapshot(session):  # the connection goes back before the sending
            states = build_states(session, meeting_id, wanted)
        self._emit(meeting_id, states)
        versions = [state["version"] for state in states.values() if "version" in state]
        if versions:
            self.sent_version[meeting_id] = max(versions)
        if self.last_sent is not None:
            self.last_sent[meeting_id] = states

    def start_checks(self) -> None:
        """Check the screens' versions from now on (from the first screen that connects)."""
        with self._guard:
            if self._checking or self.check_every_s <= 0:
                return
            self._checking = True
        socketio.start_background_task(self._check_forever)

    def _check_forever(self) -> None:
        # a push can be lost between processes (the message queue down, or hanging, while
        # a change committed elsewhere): screens must still converge without a new change
        while True:
            socketio.sleep(self.check_every_s)
            with self.app.app_context():
                try:
                    self.check_versions()
                except Exception as error:
                    logger.warning("the screens' versions were not checked: %s", error)
                finally:
                    db.session.remove()

    def first_state_sent(self, meeting_id: int, version: int) -> None:
        """A screen got its first state: if no state was pushed here yet, the screens are
        taken to hold this version (an older one, already here, is kept: it is checked)."""
        self.sent_version.setdefault(meeting_id, version)

    def check_versions(self) -> list[int]:
        """Mark every watched meeting whose stored version is newer than what its screens
        here were last sent; the meetings marked."""
        watched = audience.watched_meetings()
        if not watched:
            return []
        behind = [
            meeting_id
            for meeting_id, version in db.session.execute(_VERSIONS, {"ids": sorted(watched)})
            if version > self.sent_version.get(meeting_id, 0)
        ]
        db.session.rollback()  # the connection goes back before any sending
        for meeting_id in behind:
            self.mark(meeting_id)
        return behind

    def resend_last(self, meeting_id: int) -> bool:
        """Send the last states again, as they were: the benchmarks' bare broadcast."""
        states = (self.last_sent or {}).get(meeting_id)
        if states:
            self._emit(meeting_id, states)
        return bool(states)

    def _emit(self, meeting_id: int, states: dict[tuple[str, str], dict[str, Any]]) -> None:
        for (locale, view), state in states.items():
            # this process's screens only: the others build their own (realtime/feed.py)
            socketio.emit("state", state, to=room(meeting_id, view, locale), ignore_queue=True)


__all__ = ["Pusher"]
