"""Signing off the minutes: only once every household is announced; afterwards every change
is refused and nothing is stored, and a correction is an amendment appended to the chain."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import func, select

from meeting.domain.errors import DomainError, MeetingFinalised, StepNotAllowed
from meeting.domain.roles import Role
from meeting.domain.signoff import Signatories
from meeting.extensions import db
from meeting.services import (
    audit,
    casting,
    counting,
    hearings,
    notes,
    presence,
    recusals,
    seats,
    setup,
    signoff,
)
from meeting.store.models import Event, Meeting, MeetingStatus

from .audit_helpers import hear, hear_all, meeting_with_households
from .ballot_helpers import ballot, cast, tracker

# slow: hears every household of a meeting before each sign-off; left to the whole suite
pytestmark = pytest.mark.slow

PEOPLE = Signatories("韩文静", "唐志远", ("王桂兰", "张秀英"))


@pytest.fixture
def meeting(app) -> Meeting:
    return meeting_with_households()


@pytest.fixture
def finalised(meeting) -> Meeting:
    hear_all(meeting)
    signoff.finalise(meeting.id, "secretary", PEOPLE)
    return meeting


def event_count(meeting: Meeting) -> int:
    return db.session.scalar(
        select(func.count()).select_from(Event).where(Event.meeting_id == meeting.id)
    )


def test_signing_off_before_every_household_is_announced_is_refused(meeting) -> None:
    hear(meeting, 1)
    before = event_count(meeting)
    with pytest.raises(StepNotAllowed, match="still open: 2"):
        signoff.finalise(meeting.id, "secretary", PEOPLE)
    db.session.expire_all()
    assert meeting.finalised_at is None and event_count(meeting) == before


def test_signing_off_records_the_head_hash_and_closes_the_meeting(meeting) -> None:
    hear_all(meeting)
    head = audit.head_hash(meeting.id)
    assert signoff.finalise(meeting.id, "secretary", PEOPLE) == head
    db.session.expire_all()
    assert meeting.status is MeetingStatus.CLOSED
    assert meeting.finalised_by == "secretary" and meeting.finalised_at is not None
    last = audit.events_of(meeting.id)[-1]
    expected = {"head": head, "signatories": PEOPLE.to_data()}
    assert (last.kind, last.data, last.prev_hash) == ("meeting.finalised", expected, head)
    assert meeting.signatories == PEOPLE.to_data()
    assert audit.verify_meeting(meeting.id).ok
    with pytest.raises(MeetingFinalised):
        signoff.finalise(meeting.id, "secretary", PEOPLE)


def voter(meeting: Meeting):
    return next(m for m in meeting.members if m.votes and m.present)


CHANGES: dict[str, Callable[[Meeting], object]] = {
    "setup edit": lambda m: setup.update_household(
        m.id, m.households[0].id, setup.HouseholdDetails(head_name="王五", persons=3), "clerk"
    ),
    "new member": lambda m: setup.add_member(m.id, "新代表", Role.REPRESENTATIVE, "clerk"),
    "import": lambda m: setup.import_members(
        m.id, "p.csv", "姓名,角色\n新代表,村民代表\n".encode(), "c"
    ),
    "presence": lambda m: presence.set_presence(m.id, voter(m).id, False, "host"),
    "new card": lambda m: seats.issue_new_card(m.id, voter(m).id, "host"),
    "step": lambda m: hearings.start_briefing(m.id, 1, "host"),
    "note": lambda m: notes.save_notes(m.id, 1, "statement_notes", "改写", "secretary"),
    "projector": lambda m: hearings.show_household(m.id, None, "host"),
    "recusal": lambda m: recusals.recuse(m.id, 1, voter(m).id, "亲属", "host"),
    "paper voter": lambda m: casting.mark_paper_voter(m.id, voter(m).id, True, "host"),
    "ballot": lambda m: cast(voter(m), 1),
    "paper ballot": lambda m: casting.enter_paper_ballot(
        m.id, 1, ballot("eligible", "B"), tracker(), "s"
    ),
    "trackers shown": lambda m: counting.show_trackers(m.id, 1, True, "host"),
}


@pytest.mark.parametrize("change", CHANGES)
def test_a_signed_off_meeting_refuses_every_change_and_stores_nothing(finalised, change) -> None:
    before = (event_count(finalised), finalised.version)
    household = finalised.households[0].head_name
    present = sorted(m.id for m in finalised.members if m.present)
    with pytest.raises(DomainError) as refused:
        CHANGES[change](finalised)
    assert isinstance(refused.value, MeetingFinalised), refused.value
    assert "signed off" in str(refused.value)
    db.session.expire_all()
    assert (event_count(finalised), finalised.version) == before
    assert finalised.households[0].head_name == household
    assert sorted(m.id for m in finalised.members if m.present) == present
    assert audit.verify_meeting(finalised.id).ok


def test_an_amendment_is_appended_to_the_chain(finalised) -> None:
    head = audit.head_hash(finalised.id)
    signoff.amend(finalised.id, "  第2户的地址应为东湖村三组。 ", "secretary")
    event = audit.events_of(finalised.id)[-1]
    assert (event.kind, event.data, event.prev_hash) == (
        "minutes.amended",
        {"text": "第2户的地址应为东湖村三组。"},
        head,
    )
    assert [a.seq for a in signoff.amendments(finalised.id)] == [event.seq]
    report = audit.verify_meeting(finalised.id)
    assert report.ok and report.head == event.hash


def test_an_amendment_needs_a_signed_off_meeting_and_a_text(meeting, finalised) -> None:
    with pytest.raises(StepNotAllowed, match="write the amendment"):
        signoff.amend(finalised.id, "   ", "secretary")
    other = meeting_with_households()
    with pytest.raises(StepNotAllowed, match="after the sign-off"):
        signoff.amend(other.id, "更正", "secretary")


def test_the_staff_pages_sign_off_and_amend(staff, app) -> None:
    meeting = meeting_with_households()
    page = f"/staff/meetings/{meeting.id}/audit"
    assert staff.get(page).status_code == 200
    people = {"host": "韩文静", "secretary": "唐志远", "scrutineers": "王桂兰、张秀英"}
    url = f"/staff/meetings/{meeting.id}/finalise"
    refused = staff.post(url, people, follow_redirects=True)
    db.session.expire_all()
    assert meeting.finalised_at is None and refused.status_code == 200
    hear_all(meeting)
    unnamed = staff.post(url, {"host": "", "secretary": ""}, follow_redirects=True)
    db.session.expire_all()
    assert (
        meeting.finalised_at is None
        and "请填写签署会议记录的主持人和记录人" in unnamed.get_data(as_text=True)
    )
    done = staff.post(url, people, follow_redirects=True)
    db.session.expire_all()
    assert meeting.finalised_at is not None and meeting.finalised_by == "clerk"
    assert meeting.signatories == {
        "host": "韩文静",
        "secretary": "唐志远",
        "scrutineers": ["王桂兰", "张秀英"],
    }
    assert 'id="amendments"' in done.get_data(as_text=True)
    staff.post(f"/staff/meetings/{meeting.id}/amendments", {"text": "更正第1户人口为3人。"})
    assert "更正第1户人口为3人。" in staff.get(page).get_data(as_text=True)
    assert audit.verify_meeting(meeting.id).ok
    # the setup pages refuse too, with the message
    edit = staff.post(
        f"/staff/meetings/{meeting.id}/members/new",
        {"name": "新代表", "role": "representative"},
        follow_redirects=True,
    )
    db.session.expire_all()
    assert "新代表" not in [m.name for m in meeting.members]
    assert edit.status_code == 200
