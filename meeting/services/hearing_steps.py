"""What every step of a hearing shares, inside one change: finding the household's hearing,
the panel as it sits now, the quorum, and moving the hearing to its next phase."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.orm.attributes import set_committed_value

from ..domain.agenda import deadline
from ..domain.channels import BALLOT_OPEN
from ..domain.eligibility import Voter
from ..domain.errors import DomainError, StepNotAllowed
from ..domain.hearing import HearingSteps
from ..domain.messages import msg
from ..domain.phases import Phase
from ..domain.quorum import QuorumCheck, check_quorum_of
from ..domain.roles import Role
from ..store.models import (
    Hearing,
    HearingPhaseChange,
    Household,
    MeetingStatus,
    PanelMember,
    Recusal,
    SpeakRequest,
    SpeakStatus,
    utcnow,
)
from .unit_of_work import Change


@dataclass(frozen=True)
class Sitting:
    """One panel member as the hearing needs them: role, presence, paper, phone."""

    id: int
    name: str
    role: Role
    present: bool
    on_paper: bool
    device_hash: str | None
    scrutineer: bool = False

    @property
    def voter(self) -> Voter:
        return Voter(self.id, self.role, self.present)


_member, _hearing, _household = PanelMember.__table__, Hearing.__table__, Household.__table__
# built once: every ballot reads the panel and its household's hearing
_PANEL = (
    select(
        _member.c.id,
        _member.c.name,
        _member.c.role,
        _member.c.present,
        _member.c.votes_on_paper,
        _member.c.device_hash,
        _member.c.scrutineer,
    )
    .where(_member.c.meeting_id == bindparam("meeting"))
    .order_by(_member.c.position)
)
_HEARING_AT = (
    select(_hearing.c.id, _hearing.c.household_id, _hearing.c.phase, _hearing.c.ballot_round)
    .join(_household, _hearing.c.household_id == _household.c.id)
    .where(_household.c.meeting_id == bindparam("meeting"))
    .where(_household.c.position == bindparam("position"))
)
_PHASE_CHANGE = insert(HearingPhaseChange.__table__)
_MOVE = (
    update(_hearing)
    .where(_hearing.c.id == bindparam("hearing"))
    .values(
        phase=bindparam("phase"),
        phase_started_at=bindparam("started"),
        phase_deadline=bindparam("deadline"),
    )
)
_END_QUEUE = (
    update(SpeakRequest.__table__)
    .where(
        SpeakRequest.__table__.c.hearing_id == bindparam("hearing"),
        SpeakRequest.__table__.c.status.in_([SpeakStatus.WAITING, SpeakStatus.SPEAKING]),
    )
    .values(status=SpeakStatus.DONE)
)
_POSITION = select(_household.c.position).where(_household.c.id == bindparam("household"))
_RECUSED = select(Recusal.__table__.c.member_id).where(
    Recusal.__table__.c.household_id == bindparam("household")
)


@dataclass(frozen=True)
class HearingRef:
    """Where one household's hearing stands, read without loading it (a ballot's check)."""

    id: int
    household_id: int
    phase: Phase
    ballot_round: int


#: roles present by their office once the meeting runs: the hearing cannot sit without them
PRESENT_BY_ROLE = (Role.HOST, Role.SECRETARY)
_SEAT_OFFICERS = (
    update(_member)
    .where(
        _member.c.meeting_id == bindparam("meeting"),
        _member.c.role.in_([r.value for r in PRESENT_BY_ROLE]),
        _member.c.present.is_(False),
    )
    .values(present=True)
)


def panel(change: Change) -> list[Sitting]:
    """The whole panel of the meeting as it stands in this change, read in one query."""
    change.session.flush()  # presence set earlier in this change counts
    rows = change.session.connection().execute(_PANEL, {"meeting": change.meeting_id})
    return [Sitting(*row) for row in rows]


def hearing_ref(
    change: Change, position: int, refusal: type[DomainError] = StepNotAllowed
) -> HearingRef:
    """The household's hearing at ``position`` (id and phase only), else ``refusal``."""
    change.session.flush()
    row = (
        change.session.connection()
        .execute(_HEARING_AT, {"meeting": change.meeting_id, "position": position})
        .first()
    )
    if row is None:
        raise refusal(msg("There is no household %(position)d.", position=position))
    return HearingRef(*row)


def quorum_of(change: Change, sitting: list[Sitting] | None = None) -> QuorumCheck:
    """The quorum as it stands among the members marked present."""
    sitting = panel(change) if sitting is None else sitting
    return check_quorum_of(((m.role, m.present) for m in sitting), change.rules)


def quorum_snapshot(quorum: QuorumCheck) -> dict[str, Any]:
    """The quorum as the result keeps it (the reasons as untranslated messages)."""
    return {
        "representatives": quorum.representatives_present,
        "cadres": quorum.cadres_present,
        "holds": quorum.holds,
        "reasons": [r.to_data() for r in quorum.reasons],
    }


def hearing_at(
    change: Change, position: int, refusal: type[DomainError] = StepNotAllowed
) -> Hearing:
    """The hearing of the household at ``position``, as committed now, else ``refusal``."""
    hearing = change.session.scalar(
        select(Hearing)
        .join(Household, Hearing.household_id == Household.id)
        .where(Household.meeting_id == change.meeting_id, Household.position == position)
        .execution_options(populate_existing=True)
    )
    if hearing is None:
        raise refusal(msg("There is no household %(position)d.", position=position))
    return hearing


_FLOOR = (
    select(_member.c.name, SpeakRequest.__table__.c.status)
    .join(_member, _member.c.id == SpeakRequest.__table__.c.member_id)
    .where(
        SpeakRequest.__table__.c.hearing_id == bindparam("hearing"),
        SpeakRequest.__table__.c.status.in_([SpeakStatus.WAITING, SpeakStatus.SPEAKING]),
    )
)


def floor_of(change: Change, hearing: Hearing | HearingRef) -> tuple[str | None, int]:
    """Who has the floor in this hearing's questioning (a name, or None), and how many wait."""
    rows = change.session.connection().execute(_FLOOR, {"hearing": hearing.id}).all()
    speaking = next((name for name, status in rows if status == SpeakStatus.SPEAKING), None)
    return speaking, sum(1 for _, status in rows if status == SpeakStatus.WAITING)


def phases_of(change: Change) -> dict[int, Phase]:
    """Every household's phase by its position."""
    rows = change.session.execute(
        select(Household.position, Hearing.phase)
        .join(Hearing, Hearing.household_id == Household.id)
        .where(Household.meeting_id == change.meeting_id)
    )
    return {position: phase for position, phase in rows}


def open_ballot_phase(change: Change) -> Phase | None:
    """The phase of the household whose ballot is open (voting or suspended), if any."""
    phases = set(phases_of(change).values())
    return next((phase for phase in BALLOT_OPEN if phase in phases), None)


def recused_ids(change: Change, hearing: Hearing | HearingRef) -> set[int]:
    change.session.flush()
    rows = change.session.connection().execute(_RECUSED, {"household": hearing.household_id})
    return set(rows.scalars())


def voting_hearing(change: Change) -> Hearing | None:
    """The hearing whose ballot is open now, if any (there is at most one)."""
    return change.session.scalar(
        select(Hearing)
        .join(Household, Hearing.household_id == Household.id)
        .where(Household.meeting_id == change.meeting_id, Hearing.phase == Phase.VOTING)
    )


def check_running(change: Change) -> None:
    if change.meeting.status is MeetingStatus.CLOSED:
        raise StepNotAllowed(msg("This meeting is closed and can no longer be changed."))


def move(
    change: Change,
    hearing: Hearing | HearingRef,
    steps: HearingSteps,
    step: str,
    actor: str,
    show: bool = True,
    **logged: Any,
) -> None:
    """Write the phase the domain moved ``hearing`` to: its clock, the projector (unless not
    ``show``), the log (with ``logged``, e.g. a correction's reason).

    Leaving questioning ends every open request to speak. Written as plain statements (a
    closing ballot runs this in the phone's own change); the layout moves with it. The
    meeting's first step opens it, and its host and secretary are present from then on.
    """
    connection = change.session.connection()
    position = connection.execute(_POSITION, {"household": hearing.household_id}).scalar_one()
    was, now = hearing.phase, utcnow()
    change.session.flush()  # what the service set on the hearing before goes first
    connection.execute(
        _PHASE_CHANGE,
        {
            "hearing_id": hearing.id,
            "from_phase": was,
            "to_phase": steps.phase,
            "at": now,
            "actor": actor,
        },
    )
    clock = {
        "phase": steps.phase,
        "started": now,
        "deadline": deadline(steps.phase, now, change.rules),
    }
    connection.execute(_MOVE, {"hearing": hearing.id, **clock})
    if isinstance(hearing, Hearing):  # the loaded row says what was written
        for key, value in (
            ("phase", clock["phase"]),
            ("phase_started_at", clock["started"]),
            ("phase_deadline", clock["deadline"]),
        ):
            set_committed_value(hearing, key, value)
    if was is Phase.QUESTIONING:  # leaving it: the queue ends
        connection.execute(_END_QUEUE, {"hearing": hearing.id})
    shown = show and change.current_position != position
    if shown or change.status is MeetingStatus.PREPARING:
        meeting = change.meeting  # loaded only when the projector or the status moves
        if shown:
            meeting.current_position = position
        if meeting.status is MeetingStatus.PREPARING:
            meeting.status = MeetingStatus.IN_SESSION
            connection.execute(_SEAT_OFFICERS, {"meeting": change.meeting_id})
    change.reshape()
    change.log(
        "hearing.step",
        actor,
        household_id=hearing.household_id,
        step=step,
        phase=steps.phase.value,
        **logged,
    )
