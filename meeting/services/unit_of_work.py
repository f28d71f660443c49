"""One action, one transaction: every change to a meeting goes through ``meeting_change``.

It takes the meeting's turn (one writer per meeting in this process, and the meeting's
row lock on PostgreSQL), reads the meeting afresh, lets the service run the domain's
rules and make its writes, then appends the audit events to the hash chain, moves the
version (and the layout version, when the agenda's look changed), and commits; or rolls
everything back if anything refused or failed. Only after the commit are the listeners
told (the screens' push), so a refused change is never shown and a committed one never
forgotten. Services do not commit; handlers do not roll back.

Reads come before writes, so on SQLite the database's single writer slot is held only for
the writes and the commit, not while a service loads what it needs.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from flask import current_app
from sqlalchemy import bindparam, select, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from ..domain.errors import MeetingFinalised, NotInMeeting
from ..domain.messages import msg
from ..domain.record_check import SEALING_KINDS
from ..domain.rules import HearingRules
from ..extensions import db
from ..settings import current_rules
from ..store.changes import layout_touched, rows_written
from ..store.event_log import append_events
from ..store.models import Meeting, MeetingStatus
from ..store.record_reads import household_seal

FINALISED = msg(
    "The minutes of this meeting have been signed off: it can no longer be changed. "
    "Add an amendment instead."
)
COMMITTED_LISTENERS = "meeting.committed_listeners"
logger = logging.getLogger(__name__)


class Busy(Exception):
    """The database was busy (no free connection, a lock held too long, or another process
    changed the meeting at the same moment): nothing was done, and the very same request
    may simply be sent again."""


@dataclass
class Change:
    """What one action does to one meeting, collected until the commit."""

    session: Session
    meeting_id: int
    actor: str
    events: list[tuple[str, str, dict[str, Any]]] = field(default_factory=list)
    #: something changed that screens must see, though no event says so (a ballot)
    touched: bool = False
    #: the agenda's look changed through statements the flush does not see
    reshaped: bool = False
    after_commit: list[Callable[[], None]] = field(default_factory=list)
    #: the meeting's version when this action read it: a write finding another is refused
    read_version: int = 0
    #: the household on every screen, and the meeting's status, as this action read them
    current_position: int | None = None
    status: MeetingStatus = MeetingStatus.PREPARING
    _meeting: Meeting | None = None

    @property
    def meeting(self) -> Meeting:
        """The meeting's row, loaded when a service first needs it (a ballot seldom does)."""
        if self._meeting is None:
            self._meeting = self.session.get(Meeting, self.meeting_id, populate_existing=True)
        return self._meeting

    @property
    def rules(self) -> HearingRules:
        return current_rules()

    def log(self, kind: str, actor: str | None = None, **data: Any) -> None:
        """Record an audit event (chained at the commit); the meeting has changed."""
        self.events.append((kind, actor or self.actor, data))
        self.touched = True

    def touch(self) -> None:
        """The meeting changed in a way no event records (a phone's ballot)."""
        self.touched = True

    def reshape(self) -> None:
        """The agenda's look changed through statements the ORM does not see."""
        self.reshaped = self.touched = True

    def then(self, action: Callable[[], None]) -> None:
        """Run ``action`` after a successful commit (e.g. scrub the database files)."""
        self.after_commit.append(action)


_turns: dict[int, threading.Lock] = {}
_turns_guard = threading.Lock()
_inside = threading.local()
#: actions of each meeting waiting for or holding its turn in this process
_in_flight: dict[int, int] = {}
_in_flight_changed = threading.Condition()


def _turn_of(meeting_id: int) -> threading.Lock:
    with _turns_guard:
        lock = _turns.get(meeting_id)
        if lock is None:
            lock = _turns[meeting_id] = threading.Lock()
        return lock


@contextmanager
def meeting_change(
    meeting_id: int, actor: str, *, after_sign_off: bool = False
) -> Iterator[Change]:
    """Run one action on a meeting as one transaction (see the module's docstring).

    A signed-off meeting refuses (MeetingFinalised) unless ``after_sign_off`` (an
    amendment). A busy database raises Busy: nothing was done.
    """
    if getattr(_inside, "meeting", None) is not None:
        raise RuntimeError("one action is one transaction: changes cannot nest")
    session = db.session()
    # whatever this request read before (its sign-in) goes back to the pool: the wait for
    # the meeting's turn must not hold a database connection
    session.rollback()
    _inside.meeting = meeting_id
    with _in_flight_changed:
        _in_flight[meeting_id] = _in_flight.get(meeting_id, 0) + 1
    try:
        with _turn_of(meeting_id):
            try:
                change = _begin(session, meeting_id, actor, after_sign_off)
                yield change
                _commit(session, change)
            except BaseException:
                session.rollback()
                raise
    except Exception as error:
        if is_busy(error):
            raise Busy(type(error).__name__) from error
        raise
    finally:
        _inside.meeting = None
        with _in_flight_changed:
            _in_flight[meeting_id] -= 1
            if not _in_flight[meeting_id]:
                del _in_flight[meeting_id]
                _in_flight_changed.notify_all()
    if change.touched:
        _after_commit(meeting_id, change.after_commit)


def _after_commit(meeting_id: int, actions: list[Callable[[], None]]) -> None:
    """Run what follows a commit: the change is stored whatever fails here, so a failure is
    logged, never raised (a phone told its committed ballot failed would doubt it)."""
    listeners = current_app.extensions.get(COMMITTED_LISTENERS, ())
    for action in [*actions, *(partial(listener, meeting_id) for listener in listeners)]:
        try:
            action()
        except Exception:
            logger.exception("a step after a committed change failed; the change stands")


class _Locked(Exception):
    """Another process changed the meeting between this action's read and its write."""


def _begin(session: Session, meeting_id: int, actor: str, after_sign_off: bool) -> Change:
    row = session.connection().execute(_lock_statement(session), {"meeting": meeting_id}).first()
    if row is None:
        raise NotInMeeting(msg("No such meeting."))
    version, finalised_at, current_position, status = row
    if finalised_at is not None and not after_sign_off:
        raise MeetingFinalised(FINALISED)
    return Change(
        session,
        meeting_id,
        actor,
        read_version=version,
        current_position=current_position,
        status=status,
    )


def _commit(session: Session, change: Change) -> None:
    """Chain the events, move the version(s) and commit; or roll back if nothing changed."""
    session.flush()  # the writes begin here (SQLite: the writer slot is taken now)
    if not change.touched and not rows_written(session):
        session.rollback()
        return
    change.touched = True
    meeting_id = change.meeting_id
    bump = _RESHAPE if change.reshaped or layout_touched(session) else _BUMP
    row = (
        session.connection()
        .execute(bump, {"meeting": meeting_id, "read": change.read_version})
        .first()
    )
    if row is None:
        # another process changed the meeting after this action read it (a sign-off too):
        # nothing is written; the same request, sent again, reads the meeting as it is now
        raise _Locked("the meeting changed meanwhile")
    if change._meeting is not None:
        set_committed_value(change._meeting, "version", row.version)
        set_committed_value(change._meeting, "layout_version", row.layout_version)
    _seal_record(session, change)
    append_events(session, meeting_id, change.events)
    session.commit()


def _seal_record(session: Session, change: Change) -> None:
    """A change to the households' details, notes or order carries the agenda as it now
    stands, on its last such event, so the chain covers what the minutes print."""
    sealing = [data for kind, _actor, data in change.events if kind in SEALING_KINDS]
    if sealing:
        sealing[-1]["record"] = household_seal(session.connection(), change.meeting_id)


_meeting = Meeting.__table__
_READ = select(
    _meeting.c.version, _meeting.c.finalised_at, _meeting.c.current_position, _meeting.c.status
).where(_meeting.c.id == bindparam("meeting"))
_READ_AND_LOCK = _READ.with_for_update()
#: the version moves by one per change, and only if nobody else moved it since it was read
_BUMP = (
    update(_meeting)
    .where(_meeting.c.id == bindparam("meeting"), _meeting.c.version == bindparam("read"))
    .values(version=_meeting.c.version + 1)
    .returning(_meeting.c.version, _meeting.c.layout_version)
)
_RESHAPE = _BUMP.values(layout_version=_meeting.c.layout_version + 1)


def _lock_statement(session: Session) -> Any:
    """The meeting's version as committed now; on PostgreSQL also its row lock, held to the
    commit, so actions on one meeting from several processes take turns."""
    return _READ_AND_LOCK if session.get_bind().dialect.name == "postgresql" else _READ


def is_busy(error: BaseException) -> bool:
    """Whether an error means only that the database was busy: no free connection, a lock
    held too long, a concurrent change (the same request may be sent again)."""
    if isinstance(error, PoolTimeout | _Locked | Busy):
        return True
    if isinstance(error, OperationalError):
        text = str(error.orig).lower() if error.orig is not None else ""
        return "database is locked" in text or "lock timeout" in text or "deadlock" in text
    return False


def is_storage_full(error: BaseException) -> bool:
    """Whether the database refused a write for want of disk space (nothing was written)."""
    if not isinstance(error, OperationalError):
        return False
    text = str(error.orig).lower() if error.orig is not None else ""
    return any(
        sign in text
        for sign in ("database or disk is full", "no space left", "could not extend file")
    )


def settled(meeting_id: int, timeout: float) -> bool:
    """Wait (at most ``timeout`` seconds) until no action of the meeting is waiting for its
    turn in this process: a state built now would be outdated by them at once."""
    with _in_flight_changed:
        return _in_flight_changed.wait_for(lambda: meeting_id not in _in_flight, timeout)


def on_committed(app: Any, listener: Callable[[int], None]) -> None:
    """Call ``listener(meeting_id)`` after every committed change to a meeting."""
    app.extensions.setdefault(COMMITTED_LISTENERS, []).append(listener)


@contextmanager
def meeting_created(meeting: Meeting, actor: str) -> Iterator[Change]:
    """Create a meeting and its setup as one transaction (nothing to lock: it is new)."""
    session = db.session()
    session.rollback()
    try:
        session.add(meeting)
        session.flush()
        change = Change(
            session, meeting.id, actor, current_position=meeting.current_position, _meeting=meeting
        )
        yield change
        session.flush()
        _seal_record(session, change)
        append_events(session, meeting.id, change.events)
        session.commit()
    except BaseException:
        session.rollback()
        raise
    _after_commit(meeting.id, [])


@contextmanager
def account_change() -> Iterator[Session]:
    """A change to staff accounts, which belong to no meeting: one transaction."""
    session = db.session()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise


__all__ = [
    "Busy",
    "Change",
    "account_change",
    "is_busy",
    "is_storage_full",
    "meeting_change",
    "meeting_created",
    "on_committed",
    "settled",
]
