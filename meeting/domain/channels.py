"""No ballot without its member: how each member votes (phone or paper) is fixed when a
ballot opens, and a paper ballot is entered only for a slip its member handed in.

Without these rules a staff account could, during an open ballot, mark a member present,
make them a paper voter, hand in a slip for them and enter it, even for a member whose
phone had not voted yet; the phone's own ballot would then be refused as a second one.
"""

from __future__ import annotations

from collections.abc import Collection

from .errors import DomainError
from .messages import msg
from .phases import Phase

#: the phases in which a household's ballot is open (taking ballots, or held by the quorum)
BALLOT_OPEN = (Phase.VOTING, Phase.SUSPENDED)


class ChannelFixed(DomainError):
    """A change to who votes how, refused while a ballot is open."""


def check_channel_change(open_ballot: Phase | None) -> None:
    """A member becomes (or stops being) a paper voter only between ballots."""
    if open_ballot in BALLOT_OPEN:
        raise ChannelFixed(
            msg(
                "A ballot is open: how each member votes (phone or paper) is fixed until it "
                "closes. Change it before the next household's ballot."
            )
        )


def check_arrival(open_ballot: Phase | None) -> None:
    """While a ballot takes ballots, no one is marked present by hand: a member arriving now
    votes from the next household on (their phone checks them in itself). While it is
    suspended for the quorum, marking members present is how the quorum comes back."""
    if open_ballot is Phase.VOTING:
        raise ChannelFixed(
            msg(
                "A ballot is open: a member arriving now takes part from the next household "
                "on. A member with a phone is checked in when the phone joins."
            )
        )


def check_paper_slip(member_id: int, paper_voters_at_open: Collection[int] | None) -> None:
    """A slip is received only from a member who voted on paper when this ballot opened."""
    if member_id not in (paper_voters_at_open or ()):
        raise ChannelFixed(
            msg(
                "This member did not vote on paper when this ballot opened: no paper slip "
                "can be received for them in this ballot."
            )
        )


def check_witness(witness_id: int | None, scrutineers_present: Collection[int]) -> None:
    """Where scrutineers are named, one of them who is present witnesses each paper slip
    entered, and is named with it in the audit trail."""
    if not scrutineers_present:
        return
    if witness_id is None:
        raise ChannelFixed(msg("Choose the scrutineer who witnesses this paper slip."))
    if witness_id not in scrutineers_present:
        raise ChannelFixed(msg("The witness must be a scrutineer of this meeting who is present."))


__all__ = [
    "BALLOT_OPEN",
    "ChannelFixed",
    "check_arrival",
    "check_channel_change",
    "check_paper_slip",
    "check_witness",
]
