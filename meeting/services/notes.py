"""The secretary's notes of each household: the applicant's statement, the questions and
answers, saved as typed."""

from __future__ import annotations

from sqlalchemy import select

from ..domain.errors import DomainError, NotInMeeting
from ..domain.messages import msg
from ..extensions import db
from ..store.models import Hearing, Household
from .hearing_steps import hearing_at
from .unit_of_work import meeting_change

NOTE_FIELDS = ("statement_notes", "questioning_notes")
MAX_NOTE_LENGTH = 20_000


def save_notes(meeting_id: int, position: int, field: str, text: str, actor: str) -> None:
    """Store one notes field of one household as typed; saving the same text is a no-op."""
    if field not in NOTE_FIELDS:
        raise DomainError(msg("Unknown notes field."))
    if len(text) > MAX_NOTE_LENGTH:
        raise DomainError(msg("The notes are too long."))
    with meeting_change(meeting_id, actor) as change:
        hearing = hearing_at(change, position)
        if getattr(hearing, field) == text:
            return
        setattr(hearing, field, text)
        change.log("notes.saved", household_id=hearing.household_id, field=field)


def notes_of(meeting_id: int, position: int) -> dict[str, str]:
    """One household's notes as stored, to correct them after the host has moved on."""
    row = db.session.execute(
        select(Hearing.statement_notes, Hearing.questioning_notes)
        .join(Household, Household.id == Hearing.household_id)
        .where(Household.meeting_id == meeting_id, Household.position == position)
    ).first()
    db.session.rollback()  # a read: its connection goes back at once
    if row is None:
        raise NotInMeeting(msg("There is no household %(position)d.", position=position))
    return {"statement_notes": row[0], "questioning_notes": row[1]}
