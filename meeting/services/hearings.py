"""Running the hearing: the host's steps for each household, the clock, the speaking queue
and the secretary's notes."""

from __future__ import annotations

from sqlalchemy import select

from ..domain.agenda import check_can_begin, deadline, extended
from ..domain.ballot import check_can_close
from ..domain.errors import DomainError, StepNotAllowed
from ..domain.hearing import STEPS
from ..domain.hearing import Hearing as HearingRules
from ..domain.messages import msg
from ..domain.phases import Phase
from ..extensions import db
from ..store.models import (
    Hearing,
    HearingPhaseChange,
    Household,
    Meeting,
    MeetingStatus,
    PanelMember,
    SpeakRequest,
    SpeakStatus,
    utcnow,
)
from . import ballots
from .events import check_not_finalised, lock_meeting, record_event
from .presence import quorum_of
from .setup import hearing_rules

NOTE_FIELDS = ("statement_notes", "questioning_notes")
MAX_NOTE_LENGTH = 20_000


def household_at(meeting: Meeting, position: int) -> Household:
    household = next((h for h in meeting.households if h.position == position), None)
    if household is None:
        raise StepNotAllowed(msg("There is no household %(position)d.", position=position))
    return household


def take_step(
    meeting: Meeting, position: int, step: str, actor: str, confirmed: bool = False
) -> None:
    """Move one household's hearing on by one step; the domain refuses a step out of order.

    Opening the ballot notes the quorum; closing it (``confirmed`` when not everyone has
    voted) seals and counts the ballots in the same transaction, then scrubs the files.
    """
    if step not in STEPS:
        raise StepNotAllowed(msg("Unknown step."))
    check_not_finalised(meeting)
    if meeting.status is MeetingStatus.CLOSED:
        raise StepNotAllowed(msg("This meeting is closed and can no longer be changed."))
    household = household_at(meeting, position)
    lock_meeting(meeting)  # two consoles pressing at once: the second sees the first's step
    row = household.hearing
    db.session.refresh(row)
    hearing = HearingRules(phase=row.phase)
    if step == "start_briefing":
        check_can_begin(position, {h.position: h.hearing.phase for h in meeting.households})
    if step == "open_ballot":
        quorum = quorum_of(meeting)
        hearing.open_ballot(quorum)
        row.quorum_at_open = ballots.quorum_snapshot(quorum)
    elif step == "close_ballot":
        hearing.close_ballot()
        check_can_close(ballots.turnout(meeting, row), confirmed)
        ballots.seal_and_count(meeting, row)
    else:
        getattr(hearing, step)()
    now = utcnow()
    db.session.add(
        HearingPhaseChange(hearing=row, from_phase=row.phase, to_phase=hearing.phase, actor=actor)
    )
    row.phase = hearing.phase
    row.phase_started_at = now
    row.phase_deadline = deadline(hearing.phase, now, hearing_rules())
    meeting.current_position = position
    if meeting.status is MeetingStatus.PREPARING:
        meeting.status = MeetingStatus.IN_SESSION
    if hearing.phase is not Phase.QUESTIONING:
        _close_queue(row)
    record_event(
        meeting,
        "hearing.step",
        actor,
        household_id=household.id,
        step=step,
        phase=hearing.phase.value,
    )
    db.session.commit()
    if step == "close_ballot":
        ballots.scrub_storage()


def close_if_complete(meeting: Meeting, position: int) -> bool:
    """Close a ballot by itself once every entitled member has voted and every paper slip
    is entered; True if it closed now."""
    hearing = ballots.hearing_at(meeting, position)
    if hearing.phase is not Phase.VOTING:
        return False
    progress = ballots.turnout(meeting, hearing)
    if not progress.complete or ballots.slips_waiting(hearing, progress.cast) > 0:
        return False
    try:
        take_step(meeting, position, "close_ballot", "server")
    except StepNotAllowed:  # another request closed it a moment ago
        db.session.rollback()
        return False
    return True


def extend_phase(meeting: Meeting, position: int, seconds: int, actor: str) -> None:
    """Give the current phase more time."""
    row = household_at(meeting, position).hearing
    row.phase_deadline = extended(row.phase_deadline, row.phase, seconds)
    record_event(meeting, "hearing.extended", actor, household_id=row.household_id, seconds=seconds)
    db.session.commit()


def show_household(meeting: Meeting, position: int | None, actor: str) -> None:
    """Put a household on the projector (None: the meeting's overview) without a step."""
    if position is not None:
        household_at(meeting, position)
    if meeting.current_position == position:
        return
    # while a household is being heard, its card stays on every screen (and its ballot
    # on the phones)
    check_can_begin(
        position if position is not None else 0,
        {h.position: h.hearing.phase for h in meeting.households},
    )
    meeting.current_position = position
    record_event(meeting, "projector.shows", actor, position=position)
    db.session.commit()


def current_hearing(meeting: Meeting) -> Hearing | None:
    if meeting.current_position is None:
        return None
    household = next(
        (h for h in meeting.households if h.position == meeting.current_position), None
    )
    return household.hearing if household else None


def raise_hand(meeting: Meeting, member: PanelMember) -> SpeakRequest:
    """A present member asks to speak during questioning; asking twice keeps one place."""
    hearing = current_hearing(meeting)
    if hearing is None or hearing.phase is not Phase.QUESTIONING:
        raise StepNotAllowed(msg("You can ask to speak only during questioning."))
    if not member.present:
        raise DomainError(msg("You are not checked in as present."))
    lock_meeting(meeting)  # two taps at once must not queue the member twice
    open_request = _open_request(hearing, member)
    if open_request is not None:
        db.session.rollback()
        return open_request
    request = SpeakRequest(hearing=hearing, member_id=member.id)
    db.session.add(request)
    record_event(meeting, "speaker.raised_hand", "member", member_id=member.id)
    db.session.commit()
    return request


def withdraw_hand(meeting: Meeting, member: PanelMember) -> None:
    hearing = current_hearing(meeting)
    request = _open_request(hearing, member) if hearing else None
    if request is None or request.status is not SpeakStatus.WAITING:
        return
    request.status = SpeakStatus.WITHDRAWN
    record_event(meeting, "speaker.withdrew", "member", member_id=member.id)
    db.session.commit()


def give_floor(meeting: Meeting, request_id: int, actor: str) -> None:
    """The host lets a waiting member speak; whoever was speaking is done."""
    request = _request_in(meeting, request_id)
    if request.status is not SpeakStatus.WAITING:
        return
    for other in request.hearing.speak_requests:
        if other.status is SpeakStatus.SPEAKING:
            other.status = SpeakStatus.DONE
    request.status = SpeakStatus.SPEAKING
    record_event(meeting, "speaker.given_floor", actor, member_id=request.member_id)
    db.session.commit()


def finish_speaking(meeting: Meeting, request_id: int, actor: str) -> None:
    request = _request_in(meeting, request_id)
    if request.status not in (SpeakStatus.WAITING, SpeakStatus.SPEAKING):
        return
    request.status = SpeakStatus.DONE
    record_event(meeting, "speaker.done", actor, member_id=request.member_id)
    db.session.commit()


def save_notes(meeting: Meeting, position: int, field: str, text: str, actor: str) -> None:
    """Store the secretary's notes for one household as typed; saving the same text is a no-op."""
    if field not in NOTE_FIELDS:
        raise DomainError(msg("Unknown notes field."))
    if len(text) > MAX_NOTE_LENGTH:
        raise DomainError(msg("The notes are too long."))
    hearing = household_at(meeting, position).hearing
    if getattr(hearing, field) == text:
        return
    setattr(hearing, field, text)
    record_event(meeting, "notes.saved", actor, household_id=hearing.household_id, field=field)
    db.session.commit()


def _open_request(hearing: Hearing, member: PanelMember) -> SpeakRequest | None:
    return db.session.scalar(
        select(SpeakRequest).where(
            SpeakRequest.hearing_id == hearing.id,
            SpeakRequest.member_id == member.id,
            SpeakRequest.status.in_([SpeakStatus.WAITING, SpeakStatus.SPEAKING]),
        )
    )


def _request_in(meeting: Meeting, request_id: int) -> SpeakRequest:
    request = db.session.get(SpeakRequest, request_id)
    if request is None or request.hearing.household.meeting_id != meeting.id:
        raise DomainError(msg("That request to speak does not exist."))
    return request


def _close_queue(hearing: Hearing) -> None:
    """Leaving questioning ends every open request to speak."""
    for request in hearing.speak_requests:
        if request.status in (SpeakStatus.WAITING, SpeakStatus.SPEAKING):
            request.status = SpeakStatus.DONE
