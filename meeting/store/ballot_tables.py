"""The secret ballot's tables: who voted (receipts) and what was voted (ballots) kept
apart, the scrutineers' confirmations, and each household's count
(docs/ballot-secrecy.md)."""

from __future__ import annotations

import datetime as dt
import secrets
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, DateTime, ForeignKey, PrimaryKeyConstraint, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..domain.tally import Choice, Outcome
from ..extensions import db
from .columns import enum_column, utcnow

if TYPE_CHECKING:
    from .models import Hearing


class BallotReceipt(db.Model):
    """That a member has voted on a household: nothing about what.

    The primary key is what makes one ballot each a rule of the database. No timestamp, no
    sequence: rewritten sorted by member when the ballot closes.
    """

    __tablename__ = "ballot_receipt"
    __table_args__ = (PrimaryKeyConstraint("hearing_id", "member_id"),)

    hearing_id: Mapped[int] = mapped_column(ForeignKey("hearing.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(ForeignKey("panel_member.id", ondelete="CASCADE"))
    #: handed in on paper (the slip is entered as a SecretBallot on its own)
    on_paper: Mapped[bool] = mapped_column(default=False)


def new_ballot_key() -> str:
    return secrets.token_hex(16)


class SecretBallot(db.Model):
    """What one ballot on one household says: nothing about who.

    A random key, no member, no time, no order; rewritten in a random order when the ballot
    closes. Never a member's whole sheet: one row per household.
    """

    __tablename__ = "secret_ballot"
    __table_args__ = (UniqueConstraint("hearing_id", "tracker"),)

    key: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_ballot_key)
    hearing_id: Mapped[int] = mapped_column(
        ForeignKey("hearing.id", ondelete="CASCADE"), index=True
    )
    choice: Mapped[Choice] = mapped_column(enum_column(Choice))
    tier_code: Mapped[str | None] = mapped_column(String(16))
    #: made on the voter's phone (or on the paper slip) and kept there; not tied to anyone
    tracker: Mapped[str] = mapped_column(String(8))


class CountConfirmation(db.Model):
    """A scrutineer confirmed a household's count (or, on paper, signed the count sheet)."""

    __tablename__ = "count_confirmation"
    __table_args__ = (PrimaryKeyConstraint("hearing_id", "member_id"),)

    hearing_id: Mapped[int] = mapped_column(ForeignKey("hearing.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(ForeignKey("panel_member.id", ondelete="CASCADE"))
    confirmed_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class BallotResult(db.Model):
    """The count of one household's ballot, made when it closed, and what it decided."""

    __tablename__ = "ballot_result"

    hearing_id: Mapped[int] = mapped_column(
        ForeignKey("hearing.id", ondelete="CASCADE"), primary_key=True
    )
    eligible: Mapped[int]
    not_eligible: Mapped[int]
    abstain: Mapped[int]
    #: how many of the ballots were paper slips (from the receipts, never from ballots)
    on_paper: Mapped[int]
    #: members entitled to vote at the close (including any who voted and then left)
    entitled: Mapped[int]
    #: what "more than half" was measured against
    basis_count: Mapped[int]
    outcome: Mapped[Outcome] = mapped_column(enum_column(Outcome))
    tier_code: Mapped[str | None] = mapped_column(String(16))
    #: the reason as a message: {"template": ..., "params": {...}}, translated when shown
    reason: Mapped[dict[str, Any]] = mapped_column(JSON)
    quorum_at_open: Mapped[dict[str, Any]] = mapped_column(JSON)
    quorum_at_close: Mapped[dict[str, Any]] = mapped_column(JSON)
    #: whether the tracker list may be shown (meeting setting and minimum ballots)
    trackers_published: Mapped[bool]
    closed_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    hearing: Mapped[Hearing] = relationship(back_populates="result")

    @property
    def cast(self) -> int:
        return self.eligible + self.not_eligible + self.abstain


__all__ = ["BallotReceipt", "BallotResult", "CountConfirmation", "SecretBallot", "new_ballot_key"]
