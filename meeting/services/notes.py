"""The secretary's notes of each household: the applicant's statement, the questions and
answers, saved as typed."""

from __future__ import annotations

from ..domain.errors import DomainError
from ..domain.messages import msg
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
