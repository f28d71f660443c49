"""Whether a transaction changed what every screen shows of the agenda (its "layout").

Screens' states cache the part that changes only with a step or a setup change (the
household list, the current household's card, its findings, recusals and count) by the
meeting's ``layout_version`` (realtime/state.py). The unit of work bumps that version when
a flush touched any of it; presence, seats, hands raised, notes, receipts and ballots do
not, so a ballot costs no rebuild of the layout.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event, inspect
from sqlalchemy.orm import Session

from .models import (
    BallotResult,
    Hearing,
    HearingPhaseChange,
    Household,
    HouseholdFinding,
    Meeting,
    PanelMember,
    Recusal,
)

TOUCHED = "meeting.layout_touched"
WROTE = "meeting.rows_written"

#: every change to these rows changes the layout
_LAYOUT_ROWS = (Household, HouseholdFinding, Recusal, BallotResult, HearingPhaseChange)
#: columns of these rows that are not part of the layout (the state reads them afresh)
_LIVE_COLUMNS: dict[type, frozenset[str]] = {
    Meeting: frozenset({"version", "layout_version", "updated_at", "entry_generation"}),
    Hearing: frozenset({"statement_notes", "questioning_notes"}),
    PanelMember: frozenset(
        {
            "present",
            "device_hash",
            "seat_claimed_at",
            "votes_on_paper",
            "card_generation",
            "join_token_hash",
        }
    ),
}


def layout_touched(session: Session) -> bool:
    """Whether this transaction's flushes changed the layout so far."""
    return bool(session.info.get(TOUCHED))


def rows_written(session: Session) -> bool:
    """Whether this transaction's flushes wrote any row so far."""
    return bool(session.info.get(WROTE))


def _changes_layout(row: Any, is_new_or_deleted: bool) -> bool:
    if isinstance(row, _LAYOUT_ROWS):
        return True
    live = _LIVE_COLUMNS.get(type(row))
    if live is None:
        return False
    if is_new_or_deleted:
        return True
    state = inspect(row)
    return any(
        attr.key not in live and attr.history.has_changes()
        for attr in state.attrs
        if attr.key in state.mapper.column_attrs
    )


@event.listens_for(Session, "before_flush")
def _note_layout(session: Session, _context: Any, _instances: Any) -> None:
    if session.new or session.deleted or session.dirty:
        session.info[WROTE] = True
    if session.info.get(TOUCHED):
        return
    for row in session.new:
        if _changes_layout(row, True):
            session.info[TOUCHED] = True
            return
    for row in session.deleted:
        if _changes_layout(row, True):
            session.info[TOUCHED] = True
            return
    for row in session.dirty:
        if _changes_layout(row, False):
            session.info[TOUCHED] = True
            return


@event.listens_for(Session, "after_commit")
@event.listens_for(Session, "after_rollback")
def _forget(session: Session, *_: Any) -> None:
    session.info.pop(TOUCHED, None)
    session.info.pop(WROTE, None)
