"""When the secretary may sign off a meeting's minutes, and what an amendment may say."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from .errors import MeetingFinalised, StepNotAllowed
from .messages import msg
from .phases import Phase

MAX_AMENDMENT_LENGTH = 5_000
FINISHED = frozenset({Phase.ANNOUNCED, Phase.SKIPPED})


def check_can_sign_off(phases: Mapping[int, Phase], already_signed: bool) -> None:
    """The minutes are signed off once, after every household's result was announced (or
    the host recorded, with a reason, that it is not heard in this meeting).

    ``phases`` maps each household's position to its hearing's phase. A household still to
    be heard would otherwise be left out of a record that can no longer change.
    """
    if already_signed:
        raise MeetingFinalised(msg("The minutes of this meeting are already signed off."))
    if not phases:
        raise StepNotAllowed(msg("There are no households: there is nothing to sign off."))
    # a household not heard in this meeting (skipped, with its reason) does not hold it up
    waiting = sorted(p for p, phase in phases.items() if phase not in FINISHED)
    if waiting:
        raise StepNotAllowed(
            msg(
                "The minutes can be signed off only once every household's result is "
                "announced; still open: %(positions)s.",
                positions=", ".join(str(p) for p in waiting),
            )
        )


@dataclass(frozen=True)
class Signatories:
    """The people who sign the minutes: the host, the secretary (记录人) and the
    scrutineers, by name as they sign (not an account name)."""

    host: str
    secretary: str
    scrutineers: tuple[str, ...] = ()

    def to_data(self) -> dict[str, Any]:
        return {
            "host": self.host,
            "secretary": self.secretary,
            "scrutineers": list(self.scrutineers),
        }


MAX_NAME = 64


def signatories(host: str, secretary: str, scrutineers: Iterable[str]) -> Signatories:
    """The signing people, names trimmed; the host and the secretary are required."""
    host, secretary = " ".join(host.split()), " ".join(secretary.split())
    names = tuple(n for n in (" ".join(x.split()) for x in scrutineers) if n)
    if not host or not secretary:
        raise StepNotAllowed(msg("Name the host and the secretary who sign the minutes."))
    if any(len(n) > MAX_NAME for n in (host, secretary, *names)):
        raise StepNotAllowed(msg("A name holds at most %(count)d characters.", count=MAX_NAME))
    return Signatories(host, secretary, names)


def amendment_text(text: str, signed_off: bool) -> str:
    """The amendment as it will be logged: a correction to signed-off minutes, not empty."""
    if not signed_off:
        raise StepNotAllowed(
            msg("Amendments are added after the sign-off; until then, correct the record itself.")
        )
    text = text.strip()
    if not text:
        raise StepNotAllowed(msg("Please write the amendment."))
    if len(text) > MAX_AMENDMENT_LENGTH:
        raise StepNotAllowed(
            msg("An amendment holds at most %(count)d characters.", count=MAX_AMENDMENT_LENGTH)
        )
    return text
