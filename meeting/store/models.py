"""The tables of a hearing: meetings, panel, households, hearings, recusals, staff, events.

The ballot tables (BallotReceipt: who voted; SecretBallot: what was voted) never share a
key, a timestamp or an order; see docs/ballot-secrecy.md.
"""

from __future__ import annotations

import datetime as dt
import secrets
from enum import StrEnum
from typing import Any

from flask_login import UserMixin
from sqlalchemy import (
    JSON,
    Date,
    DateTime,
    ForeignKey,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy import false as sa_false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..domain.categories import ApplicationType, AssistanceKind, Recommendation
from ..domain.findings import FindingHeading
from ..domain.phases import Phase
from ..domain.roles import Role
from ..domain.staff_roles import StaffRole, held
from ..extensions import db
from .columns import enum_column, utcnow


class MeetingStatus(StrEnum):
    PREPARING = "preparing"  # 准备中: panel and households are being entered
    IN_SESSION = "in_session"  # 进行中
    CLOSED = "closed"  # 已结束


class StaffUser(UserMixin, db.Model):
    """A person who runs meetings: signs in to set up, host or take the minutes."""

    __tablename__ = "staff_user"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(100))
    #: werkzeug's salted hash; the password itself is never stored
    password_hash: Mapped[str] = mapped_column(String(255))
    #: part of the signed-in identity; signing out replaces it, which ends that account's
    #: sessions everywhere, open Socket.IO connections included
    session_token: Mapped[str] = mapped_column(String(32), default=lambda: secrets.token_hex(16))
    #: the account's roles as comma-separated codes (meeting.domain.staff_roles)
    roles: Mapped[str] = mapped_column(
        String(64), default="", server_default="admin,host,secretary"
    )
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    def get_id(self) -> str:
        return f"{self.id}:{self.session_token}"

    @property
    def role_set(self) -> frozenset[StaffRole]:
        return held(self.roles)


class Meeting(db.Model):
    """One review hearing session (评议会) of a village or community panel."""

    __tablename__ = "meeting"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    #: the village or community and the hall, as it should appear in the minutes
    place: Mapped[str] = mapped_column(String(200))
    held_on: Mapped[dt.date] = mapped_column(Date)
    kind: Mapped[AssistanceKind] = mapped_column(enum_column(AssistanceKind))
    status: Mapped[MeetingStatus] = mapped_column(
        enum_column(MeetingStatus), default=MeetingStatus.PREPARING
    )
    #: made by `meeting demo`: bots may vote for absent members, never in a real meeting
    is_demo: Mapped[bool] = mapped_column(default=False)
    #: the household (by position) on the projector now; None before the first
    current_position: Mapped[int | None] = mapped_column()
    #: which "pick your name" meeting QR is valid; bumping it voids the old one
    entry_generation: Mapped[int] = mapped_column(default=1)
    #: which display-only projector link is valid; bumping it revokes the old one
    display_generation: Mapped[int] = mapped_column(default=1, server_default="1")
    #: bumped by every committed change, so a screen keeps only the newest state it gets
    version: Mapped[int] = mapped_column(default=1)
    #: bumped when what screens show of the agenda changes (a step, a setup change, a
    #: recusal, a count), not by presence, hands or ballots: states cache that part by it
    layout_version: Mapped[int] = mapped_column(default=1, server_default="1")
    #: publish each item's tracker codes with their choices after the count; a meeting
    #: where members may be pressured to show their tracker turns this off
    publish_trackers: Mapped[bool] = mapped_column(default=True)
    #: when the secretary signed off the minutes: from then on the meeting is read-only and
    #: a correction is an appended amendment (docs/audit.md)
    finalised_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    #: the staff username who signed off
    finalised_by: Mapped[str | None] = mapped_column(String(64))
    #: the people who signed the minutes, as typed or picked at the sign-off:
    #: {"host": "...", "secretary": "...", "scrutineers": ["...", ...]}
    signatories: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    #: who posts the public notice, printed above its seal line: the village or residents'
    #: committee (e.g. 城关镇晋屏社区居民委员会); empty: a blank line to write it on
    notice_issuer: Mapped[str] = mapped_column(String(100), default="", server_default="")
    #: where to phone about the notice (the township's hotline); empty: no contact line
    notice_contact: Mapped[str] = mapped_column(String(200), default="", server_default="")
    #: the chain as it was signed: its length and head, printed in the minutes, so a cut
    #: tail is found (``meeting verify``)
    signed_events: Mapped[int | None] = mapped_column()
    signed_head: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )

    members: Mapped[list[PanelMember]] = relationship(
        back_populates="meeting", order_by="PanelMember.position", cascade="all, delete-orphan"
    )
    households: Mapped[list[Household]] = relationship(
        back_populates="meeting",
        order_by="Household.position",
        cascade="all, delete-orphan",
    )


class PanelMember(db.Model):
    """A person on the panel for one meeting, voting or not."""

    __tablename__ = "panel_member"
    # one phone, one seat: a phone cannot hold two members' seats in a meeting
    __table_args__ = (
        UniqueConstraint("meeting_id", "name"),
        UniqueConstraint("meeting_id", "device_hash"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("meeting.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(64))
    role: Mapped[Role] = mapped_column(enum_column(Role))
    #: the order on the attendance sheet and the card sheet
    position: Mapped[int] = mapped_column(default=0)
    present: Mapped[bool] = mapped_column(default=False)
    #: which card is valid: issuing a new card bumps it and the old QR stops working
    card_generation: Mapped[int] = mapped_column(default=1)
    #: SHA-256 of the current join token; the token itself is never stored
    join_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    #: SHA-256 of the secret cookie of the phone that holds this seat; one phone per seat
    device_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    seat_claimed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    #: votes on a paper slip (no phone): the phone ballot is closed to them
    votes_on_paper: Mapped[bool] = mapped_column(default=False)
    #: named by the host as a scrutineer (监票人/计票人): confirms each count on their phone
    scrutineer: Mapped[bool] = mapped_column(default=False, server_default=sa_false())

    meeting: Mapped[Meeting] = relationship(back_populates="members")

    @property
    def votes(self) -> bool:
        return self.role.votes


class Household(db.Model):
    """An applicant household (申请户) and the investigator's report on it."""

    __tablename__ = "household"
    __table_args__ = (UniqueConstraint("meeting_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("meeting.id", ondelete="CASCADE"), index=True
    )
    #: the order of hearing, from 1
    position: Mapped[int]
    head_name: Mapped[str] = mapped_column(String(64))
    persons: Mapped[int]
    #: address or villager group (村民小组)
    address: Mapped[str] = mapped_column(String(200), default="")
    category: Mapped[AssistanceKind] = mapped_column(enum_column(AssistanceKind))
    application_type: Mapped[ApplicationType] = mapped_column(enum_column(ApplicationType))
    #: kept for the case file only: never shown on the projector or a public notice
    id_number: Mapped[str | None] = mapped_column(String(32))
    #: the investigator who made the home visit and answers for the findings
    investigator_id: Mapped[int | None] = mapped_column(
        ForeignKey("panel_member.id", ondelete="SET NULL")
    )
    recommendation: Mapped[Recommendation | None] = mapped_column(enum_column(Recommendation))
    #: a tier code from the configured tiers
    proposed_tier: Mapped[str | None] = mapped_column(String(16))

    meeting: Mapped[Meeting] = relationship(back_populates="households")
    investigator: Mapped[PanelMember | None] = relationship()
    findings: Mapped[list[HouseholdFinding]] = relationship(
        back_populates="household", cascade="all, delete-orphan"
    )
    # every screen's state walks all households with their hearing, result and recusals:
    # load them in one query each rather than one per household
    hearing: Mapped[Hearing] = relationship(
        back_populates="household", cascade="all, delete-orphan", uselist=False, lazy="selectin"
    )
    recusals: Mapped[list[Recusal]] = relationship(
        back_populates="household", cascade="all, delete-orphan", lazy="selectin"
    )

    def finding(self, heading: FindingHeading) -> str:
        """The text under one heading, empty if none was written."""
        return next((f.text for f in self.findings if f.heading is heading), "")

    def set_finding(self, heading: FindingHeading, text: str) -> None:
        existing = next((f for f in self.findings if f.heading is heading), None)
        if existing is not None:
            existing.text = text
        elif text:
            self.findings.append(HouseholdFinding(heading=heading, text=text))


class HouseholdFinding(db.Model):
    """What the investigator found under one of the 四看四查四访 headings."""

    __tablename__ = "household_finding"
    __table_args__ = (UniqueConstraint("household_id", "heading"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("household.id", ondelete="CASCADE"))
    heading: Mapped[FindingHeading] = mapped_column(enum_column(FindingHeading))
    text: Mapped[str] = mapped_column(Text, default="")

    household: Mapped[Household] = relationship(back_populates="findings")


class Hearing(db.Model):
    """Where one household's hearing stands; its steps are in ``phase_changes``."""

    __tablename__ = "hearing"

    id: Mapped[int] = mapped_column(primary_key=True)
    household_id: Mapped[int] = mapped_column(
        ForeignKey("household.id", ondelete="CASCADE"), unique=True
    )
    phase: Mapped[Phase] = mapped_column(enum_column(Phase), default=Phase.PENDING)
    phase_started_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    #: when the current timed phase runs out (the host may push it back)
    phase_deadline: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    #: when the quorum first failed while this household's ballot was open
    quorum_broken_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    #: the applicant's statement as the secretary typed it
    statement_notes: Mapped[str] = mapped_column(Text, default="")
    #: the questions and answers as the secretary typed them
    questioning_notes: Mapped[str] = mapped_column(Text, default="")
    #: the quorum when the ballot opened: {"representatives", "cadres", "holds"}
    quorum_at_open: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    #: the host put this household's tracker list on the projector
    trackers_on_projector: Mapped[bool] = mapped_column(default=False)
    #: 1 for the first ballot; a void destroys the round's ballots and opens the next, so a
    #: phone's ballot kept from a voided round is never cast into the new one
    ballot_round: Mapped[int] = mapped_column(default=1, server_default="1")
    #: the members who voted on paper when the ballot opened: the channel is fixed until
    #: it closes, and only their handed-in slips may be entered (no ballot without its member)
    paper_voters_at_open: Mapped[list[int] | None] = mapped_column(JSON)

    household: Mapped[Household] = relationship(back_populates="hearing")
    speak_requests: Mapped[list[SpeakRequest]] = relationship(
        back_populates="hearing", order_by="SpeakRequest.id", cascade="all, delete-orphan"
    )
    phase_changes: Mapped[list[HearingPhaseChange]] = relationship(
        back_populates="hearing", order_by="HearingPhaseChange.id", cascade="all, delete-orphan"
    )
    result: Mapped[BallotResult | None] = relationship(
        back_populates="hearing", cascade="all, delete-orphan", lazy="selectin"
    )


class HearingPhaseChange(db.Model):
    """One step of a hearing, as it happened."""

    __tablename__ = "hearing_phase_change"

    id: Mapped[int] = mapped_column(primary_key=True)
    hearing_id: Mapped[int] = mapped_column(
        ForeignKey("hearing.id", ondelete="CASCADE"), index=True
    )
    from_phase: Mapped[Phase] = mapped_column(enum_column(Phase))
    to_phase: Mapped[Phase] = mapped_column(enum_column(Phase))
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    #: the staff username who took the step
    actor: Mapped[str] = mapped_column(String(64))

    hearing: Mapped[Hearing] = relationship(back_populates="phase_changes")


class Recusal(db.Model):
    """A panel member stands aside (回避) from one household and does not vote on it."""

    __tablename__ = "recusal"
    __table_args__ = (UniqueConstraint("household_id", "member_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("household.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(ForeignKey("panel_member.id", ondelete="CASCADE"))
    reason: Mapped[str] = mapped_column(String(200))
    declared_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    household: Mapped[Household] = relationship(back_populates="recusals")
    member: Mapped[PanelMember] = relationship()


class SeatRequestStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REFUSED = "refused"


class SeatRequest(db.Model):
    """A phone without a card asks for a member's seat ("pick your name"); the host decides."""

    __tablename__ = "seat_request"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("meeting.id", ondelete="CASCADE"), index=True
    )
    member_id: Mapped[int] = mapped_column(ForeignKey("panel_member.id", ondelete="CASCADE"))
    device_hash: Mapped[str] = mapped_column(String(64))
    status: Mapped[SeatRequestStatus] = mapped_column(
        enum_column(SeatRequestStatus), default=SeatRequestStatus.PENDING
    )
    requested_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    member: Mapped[PanelMember] = relationship()


class SpeakStatus(StrEnum):
    WAITING = "waiting"  # hand raised
    SPEAKING = "speaking"  # the host gave them the floor
    DONE = "done"
    WITHDRAWN = "withdrawn"


class SpeakRequest(db.Model):
    """A member asks to speak (举手提问) during one household's questioning."""

    __tablename__ = "speak_request"

    id: Mapped[int] = mapped_column(primary_key=True)
    hearing_id: Mapped[int] = mapped_column(
        ForeignKey("hearing.id", ondelete="CASCADE"), index=True
    )
    member_id: Mapped[int] = mapped_column(ForeignKey("panel_member.id", ondelete="CASCADE"))
    status: Mapped[SpeakStatus] = mapped_column(
        enum_column(SpeakStatus), default=SpeakStatus.WAITING
    )
    requested_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    hearing: Mapped[Hearing] = relationship(back_populates="speak_requests")
    member: Mapped[PanelMember] = relationship()


class Event(db.Model):
    """An append-only log of what happened in a meeting, numbered per meeting.

    Each entry carries the hash of the one before it (a hash chain, docs/audit.md), so a
    changed, removed or reordered entry is found by `meeting verify`. Never holds a
    ballot's content next to a member: see docs/ballot-secrecy.md.
    """

    __tablename__ = "event"
    __table_args__ = (UniqueConstraint("meeting_id", "seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("meeting.id", ondelete="CASCADE"), index=True
    )
    #: 1, 2, 3 ... within the meeting
    seq: Mapped[int]
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    kind: Mapped[str] = mapped_column(String(64))
    actor: Mapped[str] = mapped_column(String(64))
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    #: the previous entry's hash (meeting.domain.audit.GENESIS for the first)
    prev_hash: Mapped[str] = mapped_column(String(64), server_default="")
    #: SHA-256 of this entry's content and prev_hash (meeting.domain.audit.event_hash)
    hash: Mapped[str] = mapped_column(String(64), server_default="")


# the ballot's tables live apart (store/ballot_tables.py); the rest of the app imports them
# from here, with every other table
from .ballot_tables import (  # noqa: E402
    BallotReceipt,
    BallotResult,
    CountConfirmation,
    SecretBallot,
    new_ballot_key,
)

__all__ = [
    "BallotReceipt",
    "BallotResult",
    "CountConfirmation",
    "Event",
    "Hearing",
    "HearingPhaseChange",
    "Household",
    "HouseholdFinding",
    "Meeting",
    "MeetingStatus",
    "PanelMember",
    "Recusal",
    "SeatRequest",
    "SeatRequestStatus",
    "SecretBallot",
    "SpeakRequest",
    "SpeakStatus",
    "StaffUser",
    "enum_column",
    "new_ballot_key",
    "utcnow",
]
