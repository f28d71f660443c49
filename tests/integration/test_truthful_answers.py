"""A ballot whose commit succeeded is answered as recorded, whatever fails after the
commit (the push, a listener, the scrub of the files)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from meeting.extensions import db
from meeting.services.casting import ALREADY_RECORDED, RECORDED
from meeting.services.unit_of_work import COMMITTED_LISTENERS
from meeting.store.models import BallotReceipt, SecretBallot

from .ballot_helpers import cast, open_ballot, present_voters, seat_of, seated_meeting


@pytest.fixture
def voting(app):
    meeting = seated_meeting(("张三",), representatives=15)
    open_ballot(meeting)
    return meeting


def test_a_failure_after_the_commit_does_not_turn_a_stored_ballot_into_an_error(
    app, voting, caplog
) -> None:
    member = present_voters(voting)[0]
    seat_of(member)
    calls = []

    def failing_listener(meeting_id: int) -> None:
        calls.append(meeting_id)
        raise OSError("No space left on device")  # e.g. the push, after the commit

    app.extensions[COMMITTED_LISTENERS].insert(0, failing_listener)
    try:
        assert cast(member, 1, "eligible", "B", code="ABCDEFGH") == RECORDED
    finally:
        app.extensions[COMMITTED_LISTENERS].remove(failing_listener)
    assert calls == [voting.id]  # the failure did happen, after the commit
    assert "the change stands" in caplog.text
    stored = (
        db.session.scalar(select(func.count()).select_from(BallotReceipt)),
        db.session.scalar(select(func.count()).select_from(SecretBallot)),
    )
    assert stored == (1, 1)
    # the phone's retry is told the truth too, and nothing is cast twice
    assert cast(member, 1, "eligible", "B", code="ABCDEFGH") == ALREADY_RECORDED
