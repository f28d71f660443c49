"""The domain's own exceptions: each carries a message a person can read."""

from __future__ import annotations

from .messages import Message


class DomainError(Exception):
    """A rule of the hearing refused an action; ``message`` says why."""

    def __init__(self, message: Message) -> None:
        super().__init__(str(message))
        self.message = message


class StepNotAllowed(DomainError):
    """The hearing is not in a phase where this step may happen."""


class QuorumNotMet(DomainError):
    """The panel present does not satisfy the quorum rule."""


class NotEntitledToVote(DomainError):
    """This member may not vote on this household (absent, recused or non-voting role)."""


class InvalidRules(DomainError):
    """The configured hearing rules contradict themselves or are out of range."""


class SetupRefused(DomainError):
    """A change to the meeting's setup conflicts with what is already there."""


class MeetingFinalised(DomainError):
    """The minutes are signed off: the meeting is read-only; corrections are amendments."""


class NotInMeeting(DomainError):
    """A member, household or request named by id is not part of this meeting."""


class SeatLost(DomainError):
    """The phone no longer holds the member's seat (freed, or the card was reissued)."""


class NeedsConfirmation(DomainError):
    """The step may go ahead only once the host confirms it (the message says what happens);
    the same request with ``confirm`` does it."""
