"""One household's hearing as a state machine: briefing, statement, questioning, ballot, result.

Each step is a method that checks the phase it needs and raises StepNotAllowed with a
reason otherwise, so a forbidden step is refused here and not only hidden in a page.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .errors import QuorumNotMet, StepNotAllowed
from .messages import Message, msg
from .phases import Phase
from .quorum import QuorumCheck

#: the one phase each step may start from, and the phase it leads to
_STEPS: dict[str, tuple[Phase, Phase]] = {
    "start_briefing": (Phase.PENDING, Phase.BRIEFING),
    "start_statement": (Phase.BRIEFING, Phase.STATEMENT),
    "start_questioning": (Phase.STATEMENT, Phase.QUESTIONING),
    "open_ballot": (Phase.QUESTIONING, Phase.VOTING),
    "close_ballot": (Phase.VOTING, Phase.COUNTED),
    "announce": (Phase.COUNTED, Phase.ANNOUNCED),
}

#: the names of the steps, in the order a hearing takes them
STEPS: tuple[str, ...] = tuple(_STEPS)

PHASE_NAMES: dict[Phase, Message] = {
    Phase.PENDING: msg("waiting"),
    Phase.BRIEFING: msg("briefing"),
    Phase.STATEMENT: msg("applicant's statement"),
    Phase.QUESTIONING: msg("questioning"),
    Phase.VOTING: msg("secret ballot"),
    Phase.COUNTED: msg("counted"),
    Phase.ANNOUNCED: msg("announced"),
}


@dataclass
class PhaseChange:
    """One step taken: from which phase to which."""

    from_phase: Phase
    to_phase: Phase


@dataclass
class HearingSteps:
    """The hearing of one household; ``history`` lists the steps taken in this object's life."""

    phase: Phase = Phase.PENDING
    history: list[PhaseChange] = field(default_factory=list)

    def start_briefing(self) -> None:
        """The investigator reports the home-visit findings (通报)."""
        self._step("start_briefing")

    def start_statement(self) -> None:
        """The applicant states their reasons (陈述)."""
        self._step("start_statement")

    def start_questioning(self) -> None:
        """Panel members question the applicant and the investigator (质询)."""
        self._step("start_questioning")

    def open_ballot(self, quorum: QuorumCheck) -> None:
        """Open the secret ballot; only after questioning and only while the quorum holds."""
        self._require("open_ballot")
        if not quorum.holds:
            raise QuorumNotMet(quorum.reasons[0])
        self._step("open_ballot")

    def close_ballot(self) -> None:
        """Close the ballot so it can be counted on the spot."""
        self._step("close_ballot")

    def announce(self) -> None:
        """Announce the result and the tier on the spot."""
        self._step("announce")

    @property
    def is_finished(self) -> bool:
        return self.phase is Phase.ANNOUNCED

    @property
    def possible_steps(self) -> tuple[str, ...]:
        """The steps that may be taken from the current phase (the host is offered these)."""
        return tuple(name for name, (source, _) in _STEPS.items() if source is self.phase)

    def _require(self, step: str) -> None:
        source, target = _STEPS[step]
        if self.phase is not source:
            raise StepNotAllowed(
                msg(
                    "Cannot go to %(target)s during %(current)s; it follows %(source)s.",
                    target=PHASE_NAMES[target],
                    current=PHASE_NAMES[self.phase],
                    source=PHASE_NAMES[source],
                )
            )

    def _step(self, step: str) -> None:
        self._require(step)
        source, target = _STEPS[step]
        self.phase = target
        self.history.append(PhaseChange(source, target))
