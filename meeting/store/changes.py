"""Which meetings a transaction changed, known only once it commits.

Services mark a meeting when they log an event; a commit moves the marks to "committed",
a rollback drops them. The web and socket layers then announce the committed meetings, so
a refused change is never announced and a committed one never forgotten.
"""

from __future__ import annotations

from sqlalchemy import event
from sqlalchemy.orm import Session

PENDING = "meeting.changed"
COMMITTED = "meeting.committed"


def mark_changed(session: Session, meeting_id: int) -> None:
    session.info.setdefault(PENDING, set()).add(meeting_id)


def is_marked(session: Session, meeting_id: int) -> bool:
    """Whether this transaction already changed the meeting."""
    return meeting_id in session.info.get(PENDING, set())


def take_committed(session: Session) -> set[int]:
    """The meetings committed since the last call, forgetting them."""
    return session.info.pop(COMMITTED, set())


@event.listens_for(Session, "after_commit")
def _committed(session: Session) -> None:
    pending = session.info.pop(PENDING, set())
    session.info.setdefault(COMMITTED, set()).update(pending)


@event.listens_for(Session, "after_rollback")
def _rolled_back(session: Session) -> None:
    session.info.pop(PENDING, None)
