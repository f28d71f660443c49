"""The secret ballot's rules: what a valid ballot says, tracker codes, when a ballot may
close and whether its tracker list may be published.

The ballot's storage keeps who voted apart from what was voted (docs/ballot-secrecy.md);
these rules only ever see one of the two at a time.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from .errors import DomainError, NeedsConfirmation
from .messages import msg
from .rules import HearingRules
from .tally import Ballot, Choice

#: 8 characters of RFC 4648 base32 (40 bits): short enough to read aloud and compare on a
#: phone, long enough that two ballots of one household practically never share one
TRACKER_PATTERN = re.compile(r"[A-Z2-7]{8}")


class InvalidBallot(DomainError):
    """A ballot that says nothing valid: unknown choice, missing or stray tier, bad tracker."""


class TrackerTaken(InvalidBallot):
    """Another ballot of this household has the tracker code: the phone should draw again."""


class BallotClosed(DomainError):
    """The ballot for this household is not open."""


class BallotSuspended(BallotClosed):
    """The quorum failed while the ballot was open: it takes no ballot until it resumes."""


class BallotVoided(BallotClosed):
    """The ballot this phone's choice was made in has been voided; the member votes again."""


def parse_ballot(choice: object, tier_code: object, rules: HearingRules) -> Ballot:
    """A ballot from what a phone or the paper-ballot form sent, or InvalidBallot.

    An "eligible" ballot names one of the configured tiers; the other choices name none.
    """
    try:
        parsed = Choice(str(choice))
    except ValueError:
        raise InvalidBallot(msg("Choose eligible, not eligible or abstain.")) from None
    if parsed is Choice.ELIGIBLE:
        if tier_code not in {t.code for t in rules.tiers}:
            raise InvalidBallot(msg("Choose a subsidy tier for an eligible ballot."))
        return Ballot(parsed, str(tier_code))
    if tier_code not in (None, ""):
        raise InvalidBallot(msg("Only an eligible ballot chooses a subsidy tier."))
    return Ballot(parsed, None)


def parse_tracker(tracker: object) -> str:
    """A tracker code as stored (upper case), or InvalidBallot."""
    text = str(tracker or "").strip().upper()
    if not TRACKER_PATTERN.fullmatch(text):
        raise InvalidBallot(msg("The ballot's tracker code is not valid."))
    return text


@dataclass(frozen=True)
class Turnout:
    """How far a ballot has come: the only thing anyone learns while it is open."""

    cast: int
    entitled: int

    @property
    def complete(self) -> bool:
        return self.entitled > 0 and self.cast >= self.entitled

    @property
    def missing(self) -> int:
        return max(self.entitled - self.cast, 0)


def entitled_count(entitled_now: Iterable[object], voted: Iterable[object]) -> int:
    """How many were entitled when the ballot closed.

    Those entitled now, plus those who voted and have since left or been marked absent:
    their ballots count, so they count in the basis too.
    """
    return len(set(entitled_now) | set(voted))


def check_can_close(turnout: Turnout, confirmed: bool) -> None:
    """A ballot closes by itself when all have voted; the host may close it earlier only
    after confirming that some have not voted."""
    if turnout.complete or confirmed:
        return
    raise NeedsConfirmation(
        msg(
            "%(missing)d of %(entitled)d entitled members have not voted yet. "
            "Close the ballot anyway?",
            missing=turnout.missing,
            entitled=turnout.entitled,
        )
    )


def may_publish_trackers(publish: bool, ballots_cast: int, minimum: int) -> bool:
    """Whether an item's tracker list may be shown: the meeting allows it and enough ballots
    were cast that one tracker does not stand out (the counts are always announced)."""
    return publish and ballots_cast >= max(minimum, 1)
