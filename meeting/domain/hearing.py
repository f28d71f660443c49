"""One household's hearing as a state machine: briefing, statement, questioning, ballot, result,
and the corrections a real hall needs (a step back, a void, a suspension, a deferral).

Each step is a method that checks the phase it needs and raises StepNotAllowed with a
reason otherwise, so a forbidden step is refused here and not only hidden in a page.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .errors import DomainError, NeedsConfirmation, QuorumNotMet, StepNotAllowed
from .messages import Message, msg
from .phases import Phase
from .quorum import QuorumCheck

#: the host's forward steps: the phases each may start from, and the phase it leads to
_STEPS: dict[str, tuple[frozenset[Phase], Phase]] = {
    "start_briefing": (frozenset({Phase.PENDING, Phase.DEFERRED}), Phase.BRIEFING),
    "start_statement": (frozenset({Phase.BRIEFING}), Phase.STATEMENT),
    "start_questioning": (frozenset({Phase.STATEMENT}), Phase.QUESTIONING),
    "open_ballot": (frozenset({Phase.QUESTIONING}), Phase.VOTING),
    "resume_ballot": (frozenset({Phase.SUSPENDED}), Phase.VOTING),
    "close_ballot": (frozenset({Phase.VOTING}), Phase.COUNTED),
    "announce": (frozenset({Phase.COUNTED}), Phase.ANNOUNCED),
}

#: the host's corrections, each with a reason: from which phases, to which phase
_CORRECTIONS: dict[str, tuple[frozenset[Phase], Phase | None]] = {
    # one phase back, before the ballot opens (None: the phase before the current one)
    "step_back": (frozenset({Phase.BRIEFING, Phase.STATEMENT, Phase.QUESTIONING}), None),
    # the ballot's ballots and receipts are destroyed; the household is questioned again
    "void_ballot": (
        frozenset({Phase.VOTING, Phase.SUSPENDED, Phase.COUNTED}),
        Phase.QUESTIONING,
    ),
    # the applicant is absent: heard later in the meeting
    "defer": (frozenset({Phase.PENDING, Phase.BRIEFING, Phase.STATEMENT}), Phase.DEFERRED),
    # not heard in this meeting at all
    "skip": (
        frozenset({Phase.PENDING, Phase.DEFERRED, Phase.BRIEFING, Phase.STATEMENT}),
        Phase.SKIPPED,
    ),
}

#: the quorum failing while the ballot is open: the server's step, not the host's
_SUSPEND = (frozenset({Phase.VOTING}), Phase.SUSPENDED)

_BACK: dict[Phase, Phase] = {
    Phase.BRIEFING: Phase.PENDING,
    Phase.STATEMENT: Phase.BRIEFING,
    Phase.QUESTIONING: Phase.STATEMENT,
}

#: the names of the forward steps, in the order a hearing takes them
STEPS: tuple[str, ...] = tuple(_STEPS)
#: the names of the corrections
CORRECTIONS: tuple[str, ...] = tuple(_CORRECTIONS)
#: the longest reason a correction keeps
MAX_REASON = 200

PHASE_NAMES: dict[Phase, Message] = {
    Phase.PENDING: msg("waiting"),
    Phase.BRIEFING: msg("briefing"),
    Phase.STATEMENT: msg("applicant's statement"),
    Phase.QUESTIONING: msg("questioning"),
    Phase.VOTING: msg("secret ballot"),
    Phase.COUNTED: msg("counted"),
    Phase.ANNOUNCED: msg("announced"),
    Phase.SUSPENDED: msg("ballot suspended"),
    Phase.DEFERRED: msg("deferred, to be heard later"),
    Phase.SKIPPED: msg("not heard"),
}


@dataclass
class PhaseChange:
    """One step taken: from which phase to which."""

    from_phase: Phase
    to_phase: Phase


def reason_for(text: object) -> str:
    """The reason a correction is made, as kept in the trail; every correction needs one."""
    reason = " ".join(str(text or "").split())
    if not reason:
        raise DomainError(msg("Please give the reason for this correction."))
    if len(reason) > MAX_REASON:
        raise DomainError(msg("The reason is at most %(most)d characters.", most=MAX_REASON))
    return reason


def check_floor_before_ballot(speaking: str | None, waiting: int, confirmed: bool) -> None:
    """Opening the ballot ends the questioning: while a member has the floor (``speaking``,
    their name) or hands are raised, the host confirms first."""
    if confirmed or (speaking is None and not waiting):
        return
    if speaking is not None:
        raise NeedsConfirmation(
            msg(
                "%(name)s has the floor and %(waiting)d more are waiting to speak. Opening the "
                "ballot ends the questioning. Open it anyway?",
                name=speaking,
                waiting=waiting,
            )
        )
    raise NeedsConfirmation(
        msg(
            "%(waiting)d members are waiting to speak. Opening the ballot ends the "
            "questioning. Open it anyway?",
            waiting=waiting,
        )
    )


@dataclass
class HearingSteps:
    """The hearing of one household; ``history`` lists the steps taken in this object's life."""

    phase: Phase = Phase.PENDING
    history: list[PhaseChange] = field(default_factory=list)

    def start_briefing(self) -> None:
        """The investigator reports the home-visit findings (通报); a deferred household is
        heard from its briefing again."""
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

    def suspend_ballot(self) -> None:
        """The quorum failed while the ballot was open: no ballot is taken until it returns."""
        self._move(*_SUSPEND)

    def resume_ballot(self, quorum: QuorumCheck) -> None:
        """The quorum is back: the suspended ballot takes ballots again."""
        self._require("resume_ballot")
        if not quorum.holds:
            raise QuorumNotMet(quorum.reasons[0])
        self._step("resume_ballot")

    def close_ballot(self) -> None:
        """Close the ballot so it can be counted on the spot."""
        self._step("close_ballot")

    def announce(self) -> None:
        """Announce the result and the tier on the spot."""
        self._step("announce")

    def step_back(self) -> None:
        """Back one phase, before the ballot opens (a step taken too early)."""
        self._correct("step_back", _BACK.get(self.phase, self.phase))

    def void_ballot(self) -> None:
        """Void an open, suspended or counted (not yet announced) ballot; the household
        returns to questioning and its ballot may be opened again."""
        self._correct("void_ballot")

    def defer(self) -> None:
        """The applicant is absent: hear the household later in this meeting (暂缓)."""
        self._correct("defer")

    def skip(self) -> None:
        """Do not hear the household in this meeting."""
        self._correct("skip")

    @property
    def is_finished(self) -> bool:
        return self.phase in (Phase.ANNOUNCED, Phase.SKIPPED)

    @property
    def possible_steps(self) -> tuple[str, ...]:
        """The forward steps that may be taken from the current phase (the host is offered
        these)."""
        return tuple(name for name, (sources, _) in _STEPS.items() if self.phase in sources)

    @property
    def possible_corrections(self) -> tuple[str, ...]:
        return tuple(name for name, (sources, _) in _CORRECTIONS.items() if self.phase in sources)

    def _require(self, step: str) -> None:
        sources, target = _STEPS[step]
        if self.phase not in sources:
            raise StepNotAllowed(
                msg(
                    "Cannot go to %(target)s during %(current)s; it follows %(source)s.",
                    target=PHASE_NAMES[target],
                    current=PHASE_NAMES[self.phase],
                    source=PHASE_NAMES[min(sources, key=_ORDER.index)],
                )
            )

    def _step(self, step: str) -> None:
        self._require(step)
        self._move(*_STEPS[step])

    def _correct(self, name: str, target: Phase | None = None) -> None:
        sources, fixed = _CORRECTIONS[name]
        if self.phase not in sources:
            raise StepNotAllowed(
                msg(
                    "This correction is not possible during %(current)s.",
                    current=PHASE_NAMES[self.phase],
                )
            )
        self._move(sources, fixed or target or self.phase)

    def _move(self, sources: frozenset[Phase], target: Phase) -> None:
        if self.phase not in sources:
            raise StepNotAllowed(
                msg(
                    "This step is not possible during %(current)s.", current=PHASE_NAMES[self.phase]
                )
            )
        self.history.append(PhaseChange(self.phase, target))
        self.phase = target


#: the phases in the order a hearing passes them, for messages naming the earliest source
_ORDER = list(Phase)
