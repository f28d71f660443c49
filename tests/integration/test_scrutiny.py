"""Scrutineers confirm each count on their phones; the minutes say who confirmed it, or that
nobody did; the sign-off names the people who sign, and the minutes' header carries them
with the time, the place and 应到/实到 by role."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from meeting.domain.errors import DomainError, MeetingFinalised, StepNotAllowed
from meeting.domain.roles import Role
from meeting.domain.signoff import Signatories, signatories
from meeting.exports import export
from meeting.extensions import db
from meeting.services import corrections, hearings, scrutiny, signoff
from meeting.services.scrutiny import ALREADY_CONFIRMED, CONFIRMED
from meeting.store.models import Event, Meeting

from .ballot_helpers import cast, close_if_open, open_ballot, present_voters, seat_of, seat_panel
from .test_exports import docx_text

# slow: hears a whole meeting and renders its minutes; left to the whole suite
pytestmark = pytest.mark.slow


def count_household(meeting: Meeting, position: int) -> None:
    open_ballot(meeting, position)
    for member in present_voters(meeting):
        cast(member, position, "eligible", "B")
    close_if_open(meeting, position)


@pytest.fixture
def hall(demo: Meeting) -> Meeting:
    seat_panel(demo)
    return demo


def test_a_named_scrutineer_confirms_the_count_once_and_a_void_takes_it_away(hall) -> None:
    first, second = present_voters(hall)[:2]
    scrutiny.name_scrutineer(hall.id, first.id, True, "host")
    with pytest.raises(DomainError):  # nothing counted yet
        scrutiny.confirm_count(seat_of(first), 1)
    count_household(hall, 1)
    with pytest.raises(DomainError) as refused:  # not named
        scrutiny.confirm_count(seat_of(second), 1)
    assert "监票人" in refused.value.message.template or "scrutineer" in str(refused.value)
    assert scrutiny.confirm_count(seat_of(first), 1) == CONFIRMED
    assert scrutiny.confirm_count(seat_of(first), 1) == ALREADY_CONFIRMED
    text = docx_text(export(hall, "docx").data)
    assert f"监票人确认计票结果：{first.name}" in text

    corrections.void_ballot(hall.id, 1, "重新投票", "host")
    hearings.open_ballot(hall.id, 1, "host")
    for member in present_voters(hall):
        cast(member, 1, "not_eligible")
    text = docx_text(export(hall, "docx").data)
    assert "本次计票结果无监票人确认" in text and f"确认计票结果：{first.name}" not in text
    kinds = db.session.scalars(select(Event.kind).where(Event.meeting_id == hall.id))
    assert {"scrutineer.named", "count.confirmed"} <= set(kinds)


def test_the_sign_off_names_the_people_and_the_header_carries_them(hall) -> None:
    scrutineer = present_voters(hall)[0]
    scrutiny.name_scrutineer(hall.id, scrutineer.id, True, "host")
    for position in range(1, len(hall.households) + 1):
        count_household(hall, position)
        hearings.announce(hall.id, position, "host")
    proposed = signoff.proposed_signatories(hall, "演示记录人")
    host = next(m.name for m in hall.members if m.role is Role.HOST)
    assert proposed.host == host and scrutineer.name in proposed.scrutineers
    with pytest.raises(StepNotAllowed):
        signatories("", "唐志远", [])
    people = signatories(host, " 唐 志远 ", ["王桂兰", "", "张秀英"])
    assert people == Signatories(host, "唐 志远", ("王桂兰", "张秀英"))
    signoff.finalise(hall.id, "secretary", people)
    with pytest.raises(MeetingFinalised):
        signoff.finalise(hall.id, "secretary", people)
    db.session.expire_all()
    assert hall.signatories == people.to_data()

    text = docx_text(export(hall, "docx").data)
    assert f"主持人：{host}" in text and "记录人：唐 志远" in text
    assert "监票人：王桂兰、张秀英" in text
    present = sum(1 for m in hall.members if m.present)
    assert f"应到：{len(hall.members)} 人（村民代表 18" in text
    assert f"实到：{present} 人（村民代表" in text
    assert " 至 " in text  # the time from the first step to the last
    assert f" 由 {host}、唐 志远、王桂兰、张秀英 签署" in text
