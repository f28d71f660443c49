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

from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload, selectinload

from ..domain.phases import Phase
from ..domain.roles import Role
from ..domain.tally import Outcome
from .models import (
    BallotReceipt,
    BallotResult,
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


def head(session: Session, meeting_id: int) -> Head | None:
    row = session.execute(
        select(
            Meeting.id,
            Meeting.version,
            Meeting.layout_version,
            Meeting.title,
            Meeting.place,
            Meeting.held_on,
            Meeting.status,
            Meeting.current_position,
        ).where(Meeting.id == meeting_id)
    ).first()
    return Head(*row) if row is not None else None


def sitters(session: Session, meeting_id: int) -> list[Sitter]:
    rows = session.execute(
        select(
            PanelMember.id,
            PanelMember.name,
            PanelMember.role,
            PanelMember.present,
            PanelMember.device_hash.is_not(None),
            PanelMember.votes_on_paper,
        )
        .where(PanelMember.meeting_id == meeting_id)
        .order_by(PanelMember.position)
    )
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
    return sorted(
        session.scalars(
            select(BallotReceipt.member_id).where(BallotReceipt.hearing_id == hearing_id)
        )
    )


def ballots_entered(session: Session, hearing_id: int) -> int:
    return session.scalar(
        select(func.count()).select_from(SecretBallot).where(SecretBallot.hearing_id == hearing_id)
    )


def queue(session: Session, hearing_id: int) -> list[tuple[int, int, SpeakStatus]]:
    """(request id, member id, status) of those waiting or speaking, in the order they asked."""
    rows = session.execute(
        select(SpeakRequest.id, SpeakRequest.member_id, SpeakRequest.status)
        .where(
            SpeakRequest.hearing_id == hearing_id,
            SpeakRequest.status.in_([SpeakStatus.WAITING, SpeakStatus.SPEAKING]),
        )
        .order_by(SpeakRequest.id)
    )
    return [tuple(row) for row in rows]


def pending_seat_requests(session: Session, meeting_id: int) -> list[tuple[int, int]]:
    rows = session.execute(
        select(SeatRequest.id, SeatRequest.member_id)
        .where(
            SeatRequest.meeting_id == meeting_id,
            SeatRequest.status == SeatRequestStatus.PENDING,
        )
        .order_by(SeatRequest.id)
    )
    return [tuple(row) for row in rows]


def notes(session: Session, hearing_id: int) -> dict[str, Any]:
    row = session.execute(
        select(Hearing.statement_notes, Hearing.questioning_notes).where(Hearing.id == hearing_id)
    ).first()
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
