"""The reads the screens' states are built from: a few plain queries, no lazy loads, all
from one snapshot of the database, so that a state shows one moment: the version it
carries, and no turnout read half before and half after a ballot.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session, joinedload, selectinload

from ..domain.phases import Phase
from ..domain.roles import Role
from ..domain.tally import Outcome
from .models import (
    BallotReceipt,
    BallotResult,
    CountConfirmation,
    Hearing,
    Household,
    Meeting,
    MeetingStatus,
    PanelMember,
    Recusal,
    SeatRequest,
    SeatRequestStatus,
    SecretBallot,
    SpeakRequest,
    SpeakStatus,
)


@dataclass(frozen=True)
class Head:
    """The meeting row: its versions and what the layout hangs on."""

    id: int
    version: int
    layout_version: int
    title: str
    place: str
    held_on: dt.date
    status: MeetingStatus
    current_position: int | None


@dataclass(frozen=True)
class Sitter:
    """A panel member as the screens show them."""

    id: int
    name: str
    role: Role
    present: bool
    has_phone: bool
    on_paper: bool
    scrutineer: bool


@dataclass(frozen=True)
class AgendaRow:
    position: int
    head_name: str
    persons: int
    phase: Phase
    outcome: Outcome | None
    tier_code: str | None


@contextmanager
def snapshot(session: Session) -> Iterator[None]:
    """Make the reads inside one consistent snapshot, and give the connection back after.

    SQLite runs plain reads outside a transaction (each sees the latest commit), so a read
    transaction is begun explicitly; PostgreSQL's default reads committed data per
    statement, so the snapshot is REPEATABLE READ. Nothing is written inside.
    """
    session.rollback()
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
    elif dialect == "sqlite":
        session.connection().exec_driver_sql("BEGIN")
    try:
        yield
    finally:
        session.rollback()


# Built once: a state is read several times a second in a busy hall, and building and
# caching a statement costs more than running it on a small table.
_meeting, _member = Meeting.__table__, PanelMember.__table__
_receipt, _ballot = BallotReceipt.__table__, SecretBallot.__table__
_speak, _seat = SpeakRequest.__table__, SeatRequest.__table__
_hearing = Hearing.__table__

_HEAD = select(
    _meeting.c.id,
    _meeting.c.version,
    _meeting.c.layout_version,
    _meeting.c.title,
    _meeting.c.place,
    _meeting.c.held_on,
    _meeting.c.status,
    _meeting.c.current_position,
).where(_meeting.c.id == bindparam("meeting"))
_SITTERS = (
    select(
        _member.c.id,
        _member.c.name,
        _member.c.role,
        _member.c.present,
        _member.c.device_hash.is_not(None),
        _member.c.votes_on_paper,
        _member.c.scrutineer,
    )
    .where(_member.c.meeting_id == bindparam("meeting"))
    .order_by(_member.c.position)
)
_VOTED = select(_receipt.c.member_id).where(_receipt.c.hearing_id == bindparam("hearing"))
_ENTERED = (
    select(func.count()).select_from(_ballot).where(_ballot.c.hearing_id == bindparam("hearing"))
)
_QUEUE = (
    select(_speak.c.id, _speak.c.member_id, _speak.c.status)
    .where(
        _speak.c.hearing_id == bindparam("hearing"),
        _speak.c.status.in_([SpeakStatus.WAITING, SpeakStatus.SPEAKING]),
    )
    .order_by(_speak.c.id)
)
_SEAT_REQUESTS = (
    select(_seat.c.id, _seat.c.member_id)
    .where(
        _seat.c.meeting_id == bindparam("meeting"),
        _seat.c.status == SeatRequestStatus.PENDING,
    )
    .order_by(_seat.c.id)
)
_NOTES = select(_hearing.c.statement_notes, _hearing.c.questioning_notes).where(
    _hearing.c.id == bindparam("hearing")
)


def head(session: Session, meeting_id: int) -> Head | None:
    row = session.connection().execute(_HEAD, {"meeting": meeting_id}).first()
    return Head(*row) if row is not None else None


def sitters(session: Session, meeting_id: int) -> list[Sitter]:
    rows = session.connection().execute(_SITTERS, {"meeting": meeting_id})
    return [Sitter(*row) for row in rows]


def agenda(session: Session, meeting_id: int) -> list[AgendaRow]:
    rows = session.execute(
        select(
            Household.position,
            Household.head_name,
            Household.persons,
            Hearing.phase,
            BallotResult.outcome,
            BallotResult.tier_code,
        )
        .join(Hearing, Hearing.household_id == Household.id)
        .outerjoin(BallotResult, BallotResult.hearing_id == Hearing.id)
        .where(Household.meeting_id == meeting_id)
        .order_by(Household.position)
    )
    return [AgendaRow(*row) for row in rows]


def household_card(session: Session, meeting_id: int, position: int) -> Household | None:
    """The household on screen with everything its card shows, loaded at once."""
    return session.scalar(
        select(Household)
        .where(Household.meeting_id == meeting_id, Household.position == position)
        .options(
            selectinload(Household.findings),
            joinedload(Household.investigator),
            joinedload(Household.hearing).joinedload(Hearing.result),
            selectinload(Household.recusals).joinedload(Recusal.member),
        )
    )


def voted_ids(session: Session, hearing_id: int) -> list[int]:
    return sorted(session.connection().execute(_VOTED, {"hearing": hearing_id}).scalars())


def ballots_entered(session: Session, hearing_id: int) -> int:
    return session.connection().execute(_ENTERED, {"hearing": hearing_id}).scalar_one()


def queue(session: Session, hearing_id: int) -> list[tuple[int, int, SpeakStatus]]:
    """(request id, member id, status) of those waiting or speaking, in the order they asked."""
    rows = session.connection().execute(_QUEUE, {"hearing": hearing_id})
    return [(rid, mid, SpeakStatus(status)) for rid, mid, status in rows]


def pending_seat_requests(session: Session, meeting_id: int) -> list[tuple[int, int]]:
    rows = session.connection().execute(_SEAT_REQUESTS, {"meeting": meeting_id})
    return [tuple(row) for row in rows]


def notes(session: Session, hearing_id: int) -> dict[str, Any]:
    row = session.connection().execute(_NOTES, {"hearing": hearing_id}).first()
    return {"statement_notes": row[0], "questioning_notes": row[1]} if row else {}


__all__ = [
    "AgendaRow",
    "Head",
    "Sitter",
    "agenda",
    "ballots_entered",
    "head",
    "household_card",
    "notes",
    "pending_seat_requests",
    "queue",
    "sitters",
    "snapshot",
    "voted_ids",
]


def confirmations(session: Session, hearing_id: int) -> list[tuple[int, str]]:
    """Who confirmed a household's count: (member id, name), in panel order."""
    rows = session.execute(
        select(PanelMember.id, PanelMember.name)
        .join(CountConfirmation, CountConfirmation.member_id == PanelMember.id)
        .where(CountConfirmation.hearing_id == hearing_id)
        .order_by(PanelMember.position)
    )
    return [(member_id, name) for member_id, name in rows]
