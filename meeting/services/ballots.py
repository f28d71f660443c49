"""The secret ballot: casting on a phone or on paper, recusals, and sealing and counting
at the close.

Who voted (BallotReceipt) and what was voted (SecretBallot) are written in one
transaction, so neither exists without the other, and the receipt's primary key makes a
second ballot impossible at the database. At the close the item is resealed: its ballots
are rewritten in a random order and its receipts sorted by member, and the database file
is scrubbed of the order they were cast in (docs/ballot-secrecy.md).

Nothing here logs, records or raises a member next to a choice.
"""

from __future__ import annotations

import logging
import secrets
from typing import Any

from sqlalchemy import delete, func, insert, select
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from ..domain.ballot import (
    BallotClosed,
    TrackerTaken,
    Turnout,
    entitled_count,
    may_publish_trackers,
    parse_ballot,
    parse_tracker,
)
from ..domain.eligibility import Voter, check_entitled, entitled_voters
from ..domain.errors import DomainError, NotEntitledToVote
from ..domain.messages import Message, msg
from ..domain.phases import Phase
from ..domain.quorum import QuorumCheck
from ..domain.tally import Ballot, Choice, tally
from ..extensions import db
from ..store.models import (
    BallotReceipt,
    BallotResult,
    Hearing,
    Household,
    Meeting,
    PanelMember,
    Recusal,
    SecretBallot,
    new_ballot_key,
)
from .events import lock_meeting, record_event
from .presence import quorum_of
from .setup import hearing_rules

logger = logging.getLogger(__name__)

RECORDED, ALREADY_RECORDED = "recorded", "already_recorded"
TRACKER_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
MAX_REASON_LENGTH = 200


# --- who may vote, and how far the ballot has come -----------------------------------------


def recused_ids(hearing: Hearing) -> set[int]:
    return {r.member_id for r in hearing.household.recusals}


def entitled_ids(meeting: Meeting, hearing: Hearing) -> frozenset[int]:
    """Present voting members not recused from this household."""
    return entitled_voters(
        (Voter(m.id, m.role, m.present) for m in meeting.members), recused_ids(hearing)
    )


def voted_ids(hearing: Hearing) -> set[int]:
    return set(
        db.session.scalars(
            select(BallotReceipt.member_id).where(BallotReceipt.hearing_id == hearing.id)
        )
    )


def ballots_entered(hearing: Hearing) -> int:
    return db.session.scalar(
        select(func.count()).select_from(SecretBallot).where(SecretBallot.hearing_id == hearing.id)
    )


def slips_waiting(hearing: Hearing, voted: int | None = None) -> int:
    """Paper slips handed in (receipts without a ballot yet) that are not entered yet.
    ``voted``: how many receipts there are, if the caller has already counted them."""
    voted = len(voted_ids(hearing)) if voted is None else voted
    return voted - ballots_entered(hearing)


def turnout(meeting: Meeting, hearing: Hearing, voted: set[int] | None = None) -> Turnout:
    """How many have voted, against how many are entitled: all that is known while open.
    ``voted``: who has voted, if the caller has already read it."""
    voted = voted_ids(hearing) if voted is None else voted
    return Turnout(cast=len(voted), entitled=entitled_count(entitled_ids(meeting, hearing), voted))


def quorum_snapshot(quorum: QuorumCheck) -> dict[str, Any]:
    return {
        "representatives": quorum.representatives_present,
        "cadres": quorum.cadres_present,
        "holds": quorum.holds,
        "reasons": [_message_data(r) for r in quorum.reasons],
    }


def _message_data(message: Message) -> dict[str, Any]:
    return {"template": message.template, "params": message.params}


def message_from(data: dict[str, Any]) -> Message:
    return Message(data["template"], dict(data.get("params") or {}))


# --- casting ------------------------------------------------------------------------------


def cast_ballot(
    meeting: Meeting,
    member: PanelMember,
    position: int,
    choice: object,
    tier_code: object,
    tracker: object,
) -> str:
    """Record a member's ballot from their phone; RECORDED or ALREADY_RECORDED.

    A retry of a recorded ballot (the phone lost the answer, a second device, a race)
    records nothing and answers ALREADY_RECORDED, even after the close: the first ballot
    stands and cannot be changed.
    """
    lock_meeting(meeting)  # one writer per meeting: the checks below cannot be overtaken
    hearing = hearing_at(meeting, position)
    if _has_receipt(hearing, member):
        db.session.rollback()
        return ALREADY_RECORDED
    _require_open(hearing)
    if member.votes_on_paper:
        raise NotEntitledToVote(msg("You are registered to vote on paper for this meeting."))
    check_entitled(Voter(member.id, member.role, member.present), recused_ids(hearing))
    ballot = parse_ballot(choice, tier_code, hearing_rules())
    code = parse_tracker(tracker)
    _check_tracker_free(hearing, code)
    db.session.add(BallotReceipt(hearing_id=hearing.id, member_id=member.id, on_paper=False))
    db.session.add(
        SecretBallot(
            hearing_id=hearing.id, choice=ballot.choice, tier_code=ballot.tier_code, tracker=code
        )
    )
    try:
        db.session.commit()
    except IntegrityError:
        # the receipt's key says this member's ballot is already in: nothing was written
        db.session.rollback()
        return ALREADY_RECORDED
    return RECORDED


def mark_paper_voter(member: PanelMember, on_paper: bool, actor: str) -> None:
    """The host registers a member without a phone to vote on a paper slip (or undoes it)."""
    if member.votes_on_paper == on_paper:
        return
    if not member.votes:
        raise DomainError(msg("This member's role does not vote."))
    member.votes_on_paper = on_paper
    record_event(member.meeting, "ballot.paper_voter", actor, member_id=member.id, paper=on_paper)
    db.session.commit()


def receive_paper_slip(meeting: Meeting, position: int, member: PanelMember, actor: str) -> str:
    """A paper voter hands in their folded slip: the receipt, nothing of its content.

    The slip goes into the box and is entered later, with the others, by
    ``enter_paper_ballot``; the close waits until every slip received is entered.
    """
    lock_meeting(meeting)
    hearing = hearing_at(meeting, position)
    if _has_receipt(hearing, member):
        db.session.rollback()
        return ALREADY_RECORDED
    _require_open(hearing)
    if not member.votes_on_paper:
        raise DomainError(msg("%(name)s is not registered to vote on paper.", name=member.name))
    check_entitled(Voter(member.id, member.role, member.present), recused_ids(hearing))
    db.session.add(BallotReceipt(hearing_id=hearing.id, member_id=member.id, on_paper=True))
    record_event(meeting, "ballot.paper_slip_received", actor, household_id=hearing.household_id)
    db.session.commit()
    return RECORDED


def enter_paper_ballot(
    meeting: Meeting, position: int, choice: object, tier_code: object, tracker: object, actor: str
) -> str:
    """The scrutineer or secretary enters one paper slip as a ballot (never as a total).

    The console makes the slip's tracker code (to be written on the slip) and retries with
    the same code, so a retry answers ALREADY_RECORDED.
    """
    lock_meeting(meeting)
    hearing = hearing_at(meeting, position)
    code = parse_tracker(tracker)
    if _tracker_taken(hearing, code):
        db.session.rollback()
        return ALREADY_RECORDED
    _require_open(hearing)
    ballot = parse_ballot(choice, tier_code, hearing_rules())
    if slips_waiting(hearing) <= 0:
        raise DomainError(msg("Every paper slip handed in has been entered already."))
    db.session.add(
        SecretBallot(
            hearing_id=hearing.id, choice=ballot.choice, tier_code=ballot.tier_code, tracker=code
        )
    )
    record_event(meeting, "ballot.paper_slip_entered", actor, household_id=hearing.household_id)
    db.session.commit()
    return RECORDED


def bot_votes(meeting: Meeting, position: int, actor: str) -> int:
    """Demo meetings only: every entitled member without a phone votes at random.

    Lets one person with one laptop see a whole ballot. Returns how many bots voted.
    """
    if not meeting.is_demo:
        raise DomainError(msg("Automatic votes are only for the demo meeting."))
    lock_meeting(meeting)
    hearing = hearing_at(meeting, position)
    _require_open(hearing)
    voted = voted_ids(hearing)
    entitled = entitled_ids(meeting, hearing)
    bots = [
        m
        for m in meeting.members
        if m.id in entitled and m.id not in voted and m.device_hash is None and not m.votes_on_paper
    ]
    chance = secrets.SystemRandom()
    tiers = [t.code for t in hearing_rules().tiers]
    proposed = hearing.household.proposed_tier
    for member in bots:
        choice = chance.choices(
            [Choice.ELIGIBLE, Choice.NOT_ELIGIBLE, Choice.ABSTAIN], weights=[7, 2, 1]
        )[0]
        tier = None
        if choice is Choice.ELIGIBLE:
            tier = proposed if proposed in tiers and chance.random() < 0.7 else chance.choice(tiers)
        db.session.add(BallotReceipt(hearing_id=hearing.id, member_id=member.id, on_paper=False))
        db.session.add(
            SecretBallot(
                hearing_id=hearing.id, choice=choice, tier_code=tier, tracker=_new_tracker(hearing)
            )
        )
        db.session.flush()
    if not bots:
        db.session.rollback()
        return 0
    record_event(meeting, "ballot.demo_bots", actor, household_id=hearing.household_id)
    db.session.commit()
    return len(bots)


def _random_tracker() -> str:
    return "".join(secrets.choice(TRACKER_ALPHABET) for _ in range(8))


def _new_tracker(hearing: Hearing) -> str:
    while True:
        code = _random_tracker()
        if not _tracker_taken(hearing, code):
            return code


# --- recusal ------------------------------------------------------------------------------


def recuse(household: Household, member: PanelMember, reason: str, actor: str) -> None:
    """Declare that a member stands aside (回避) from a household, with the reason."""
    reason = reason.strip()
    if not reason:
        raise DomainError(msg("Give the reason for the recusal."))
    if len(reason) > MAX_REASON_LENGTH:
        raise DomainError(msg("The reason is too long."))
    if member.meeting_id != household.meeting_id or not member.votes:
        raise DomainError(msg("Only a voting member of this panel can be recused."))
    meeting = household.meeting
    lock_meeting(meeting)
    hearing = household.hearing
    if hearing.phase in (Phase.COUNTED, Phase.ANNOUNCED):
        raise DomainError(msg("This household's ballot is already closed."))
    if _has_receipt(hearing, member):
        raise DomainError(msg("%(name)s has already voted on this household.", name=member.name))
    existing = next((r for r in household.recusals if r.member_id == member.id), None)
    if existing is not None:
        if existing.reason == reason:
            db.session.rollback()
            return
        existing.reason = reason
    else:
        db.session.add(Recusal(household=household, member=member, reason=reason))
    record_event(
        meeting,
        "recusal.declared",
        actor,
        household_id=household.id,
        member_id=member.id,
        reason=reason,
    )
    db.session.commit()


def withdraw_recusal(household: Household, member: PanelMember, actor: str) -> None:
    """Undo a recusal declared by mistake, before the household's ballot opens."""
    recusal = next((r for r in household.recusals if r.member_id == member.id), None)
    if recusal is None:
        return
    if household.hearing.phase not in (
        Phase.PENDING,
        Phase.BRIEFING,
        Phase.STATEMENT,
        Phase.QUESTIONING,
    ):
        raise DomainError(msg("A recusal cannot be withdrawn once the ballot has opened."))
    db.session.delete(recusal)
    record_event(
        household.meeting,
        "recusal.withdrawn",
        actor,
        household_id=household.id,
        member_id=member.id,
    )
    db.session.commit()


# --- the close ----------------------------------------------------------------------------


def check_slips_entered(hearing: Hearing) -> None:
    waiting = slips_waiting(hearing)
    if waiting > 0:
        raise DomainError(
            msg(
                "%(count)d paper slips handed in are not entered yet.",
                count=waiting,
            )
        )


def seal_and_count(meeting: Meeting, hearing: Hearing) -> BallotResult:
    """Reseal the item and count it, inside the caller's transaction (which has the lock).

    The ballots are rewritten with new random keys in an order drawn from the system's
    cryptographic source, the receipts sorted by member, so neither the rows' physical
    order nor (on PostgreSQL) their transaction ids say who cast what; then the count is
    checked (ballots = receipts) and written.
    """
    check_slips_entered(hearing)
    ballots = list(
        db.session.execute(
            select(SecretBallot.choice, SecretBallot.tier_code, SecretBallot.tracker).where(
                SecretBallot.hearing_id == hearing.id
            )
        )
    )
    receipts = list(
        db.session.execute(
            select(BallotReceipt.member_id, BallotReceipt.on_paper).where(
                BallotReceipt.hearing_id == hearing.id
            )
        )
    )
    if len(ballots) != len(receipts):
        # cannot happen through this module; refuse to count rather than count wrongly
        raise DomainError(msg("The ballots do not match the receipts; the count was stopped."))
    secrets.SystemRandom().shuffle(ballots)
    rules = hearing_rules()
    publish = may_publish_trackers(
        meeting.publish_trackers, len(ballots), rules.min_ballots_for_trackers
    )
    db.session.execute(delete(SecretBallot).where(SecretBallot.hearing_id == hearing.id))
    db.session.execute(delete(BallotReceipt).where(BallotReceipt.hearing_id == hearing.id))
    if ballots:
        db.session.execute(
            insert(SecretBallot),
            [
                {
                    "key": new_ballot_key(),
                    "hearing_id": hearing.id,
                    "choice": b.choice,
                    "tier_code": b.tier_code,
                    # an unpublished list is never shown, so its codes serve no one; replaced,
                    # a voter's phone no longer points to their row in the database
                    "tracker": b.tracker if publish else _random_tracker(),
                }
                for b in ballots
            ],
        )
        db.session.execute(
            insert(BallotReceipt),
            [
                {"hearing_id": hearing.id, "member_id": r.member_id, "on_paper": r.on_paper}
                for r in sorted(receipts, key=lambda r: r.member_id)
            ],
        )
    quorum = quorum_of(meeting)
    entitled = entitled_count(entitled_ids(meeting, hearing), (r.member_id for r in receipts))
    counted = tally(
        (Ballot(b.choice, b.tier_code) for b in ballots),
        entitled=entitled,  # counts those who voted and left: never fewer than the ballots
        rules=rules,
        quorum_held=quorum.holds,
    )
    result = BallotResult(
        hearing_id=hearing.id,
        eligible=counted.eligible,
        not_eligible=counted.not_eligible,
        abstain=counted.abstain,
        on_paper=sum(1 for r in receipts if r.on_paper),
        entitled=entitled,
        basis_count=counted.basis_count,
        outcome=counted.outcome,
        tier_code=counted.tier.code if counted.tier else None,
        reason=_message_data(counted.reason),
        quorum_at_open=hearing.quorum_at_open or quorum_snapshot(quorum),
        quorum_at_close=quorum_snapshot(quorum),
        trackers_published=publish,
    )
    db.session.add(result)
    record_event(
        meeting,
        "ballot.counted",
        "server",
        household_id=hearing.household_id,
        eligible=counted.eligible,
        not_eligible=counted.not_eligible,
        abstain=counted.abstain,
        on_paper=result.on_paper,
        entitled=entitled,
        outcome=counted.outcome.value,
        tier=result.tier_code,
    )
    return result


def published_trackers(hearing: Hearing) -> list[tuple[str, Choice, str | None]]:
    """The tracker list of a closed item, sorted by tracker; empty when not published."""
    if hearing.result is None or not hearing.result.trackers_published:
        return []
    rows = db.session.execute(
        select(SecretBallot.tracker, SecretBallot.choice, SecretBallot.tier_code)
        .where(SecretBallot.hearing_id == hearing.id)
        .order_by(SecretBallot.tracker)
    )
    return [(tracker, choice, tier) for tracker, choice, tier in rows]


def show_trackers(meeting: Meeting, position: int, shown: bool, actor: str) -> None:
    """Put a closed item's tracker list on the projector, or take it off."""
    hearing = hearing_at(meeting, position)
    if shown and (hearing.result is None or not hearing.result.trackers_published):
        raise DomainError(msg("This household's tracker list is not published."))
    if hearing.trackers_on_projector == shown:
        return
    hearing.trackers_on_projector = shown
    record_event(
        meeting, "ballot.trackers_shown", actor, household_id=hearing.household_id, shown=shown
    )
    db.session.commit()


def scrub_storage() -> None:
    """After a close: leave no trace of the casting order in the database's files.

    SQLite: checkpoint the WAL into the main file and truncate it, VACUUM (a fresh copy of
    every table, in the resealed order; with secure_delete on, freed pages were zeroed
    anyway), and truncate the WAL again. PostgreSQL: VACUUM the ballot tables so the
    dead pre-seal row versions are pruned; its WAL and any backup taken while the ballot
    was open still hold them (docs/ballot-secrecy.md).
    """
    engine = db.engine
    try:
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            if engine.dialect.name == "sqlite":
                connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
                connection.exec_driver_sql("VACUUM")
                busy = connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)").first()
                if busy and busy[0]:
                    logger.warning("after a count the WAL could not be emptied: readers were busy")
            elif engine.dialect.name == "postgresql":
                connection.exec_driver_sql("VACUUM secret_ballot, ballot_receipt")
    except SQLAlchemyError as error:
        # the count is committed and stands; the next close scrubs again
        logger.warning("after a count the database could not be scrubbed: %s", type(error).__name__)


# --- helpers ------------------------------------------------------------------------------


def hearing_at(meeting: Meeting, position: int) -> Hearing:
    """The hearing of one household, read afresh (its phase as of the lock just taken);
    one query rather than loading every household of the meeting."""
    hearing = db.session.scalar(
        select(Hearing)
        .join(Household)
        .where(Household.meeting_id == meeting.id, Household.position == position)
        .execution_options(populate_existing=True)
    )
    if hearing is None:
        raise BallotClosed(msg("There is no household %(position)d.", position=position))
    return hearing


def _require_open(hearing: Hearing) -> None:
    if hearing.phase is not Phase.VOTING:
        raise BallotClosed(msg("The ballot for this household is not open."))


def _has_receipt(hearing: Hearing, member: PanelMember) -> bool:
    return (
        db.session.get(BallotReceipt, (hearing.id, member.id), populate_existing=True) is not None
    )


def _tracker_taken(hearing: Hearing, code: str) -> bool:
    return (
        db.session.scalar(
            select(SecretBallot.key).where(
                SecretBallot.hearing_id == hearing.id, SecretBallot.tracker == code
            )
        )
        is not None
    )


def _check_tracker_free(hearing: Hearing, code: str) -> None:
    if _tracker_taken(hearing, code):
        # 40 random bits: two phones practically never draw the same; the phone draws again
        raise TrackerTaken(msg("This tracker code is taken; the phone will make a new one."))


__all__ = [
    "ALREADY_RECORDED",
    "RECORDED",
    "bot_votes",
    "cast_ballot",
    "enter_paper_ballot",
    "mark_paper_voter",
    "published_trackers",
    "receive_paper_slip",
    "recuse",
    "scrub_storage",
    "seal_and_count",
    "show_trackers",
    "turnout",
    "withdraw_recusal",
]
