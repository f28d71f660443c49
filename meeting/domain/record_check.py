"""What the minutes say, checked against the hash chain.

The chain alone proves only that its own entries are intact. The minutes are printed from
other rows: each household's details and notes, each count, the ballots and receipts. So
the entries that change those rows carry what they wrote: every change to the households
carries a seal of the agenda (the households in order, each with the digest of the values
the minutes print), every count carries its figures, outcome and tier and the digests of
its ballots and receipts, every step the phase it reached, and the sign-off the length and
head of the chain it signed. ``check_record`` replays the chain and compares the stored
rows with what it says, naming the first difference (docs/audit.md).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .audit import LoggedEvent
from .messages import Message, msg

#: the events after which the households are sealed again (their details, notes or order)
SEALING_KINDS = frozenset(
    {
        "meeting.created",
        "household.added",
        "household.updated",
        "household.removed",
        "households.imported",
        "agenda.moved",
        "notes.saved",
    }
)
COUNTED, STEP, FINALISED = "ballot.counted", "hearing.step", "meeting.finalised"
#: the steps that destroy a household's count
DESTROYS_COUNT = frozenset({"void_ballot"})
#: a count's fields that the chain carries and the result row must equal
RESULT_FIELDS = (
    "eligible",
    "not_eligible",
    "abstain",
    "on_paper",
    "entitled",
    "basis_count",
    "outcome",
    "tier",
    "trackers_published",
)


def digest(value: Any) -> str:
    """The hex SHA-256 of a value's canonical JSON (sorted keys, no spaces)."""
    encoded = json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(encoded.encode("utf-8")).hexdigest()


def ballots_digest(ballots: Iterable[tuple[str, str, str | None]]) -> str:
    """The digest of a household's ballots as a set: (tracker, choice, tier), sorted by
    tracker, so it says nothing of the order they were cast in."""
    return digest(sorted([tracker, choice, tier] for tracker, choice, tier in ballots))


def receipts_digest(receipts: Iterable[tuple[int, bool]]) -> str:
    """The digest of who voted on a household (member, on paper), sorted by member."""
    return digest(sorted([member, paper] for member, paper in receipts))


@dataclass
class StoredRecord:
    """A meeting's rows as the minutes read them."""

    #: household ids in the order of the agenda
    agenda: list[int]
    #: household id -> the digest of the values the minutes print
    households: dict[int, str]
    #: household id -> its head's name (to say which one differs)
    names: dict[int, str]
    #: household id -> phase value
    phases: dict[int, str]
    #: household id -> the result row's fields (RESULT_FIELDS)
    results: dict[int, dict[str, Any]]
    #: household id -> digest of its ballots / of its receipts
    ballots: dict[int, str] = field(default_factory=dict)
    receipts: dict[int, str] = field(default_factory=dict)
    #: household id -> the choices counted from the stored ballots
    tallied: dict[int, dict[str, int]] = field(default_factory=dict)
    #: the sign-off as the meeting row keeps it: (events, head), None if not signed
    signed: tuple[int | None, str | None] | None = None


@dataclass
class _Replayed:
    agenda: list[int] | None = None
    households: dict[int, str] = field(default_factory=dict)
    phases: dict[int, str] = field(default_factory=dict)
    counts: dict[int, dict[str, Any]] = field(default_factory=dict)
    finalised: LoggedEvent | None = None


def replay(events: Sequence[LoggedEvent]) -> _Replayed:
    """What the chain says the rows hold."""
    seen = _Replayed()
    for event in events:
        data = event.data
        record = data.get("record")
        if isinstance(record, Mapping):
            seen.agenda = [int(h) for h in record.get("agenda", [])]
            seen.households = {int(h): d for h, d in record.get("households", {}).items()}
        household = data.get("household_id")
        if event.kind == COUNTED and household is not None:
            seen.counts[household] = data
        elif event.kind == STEP and household is not None:
            seen.phases[household] = data.get("phase")
            if data.get("step") in DESTROYS_COUNT:
                seen.counts.pop(household, None)
        elif event.kind == FINALISED:
            seen.finalised = event
    return seen


def check_record(events: Sequence[LoggedEvent], stored: StoredRecord) -> Message | None:
    """The first way the stored rows differ from what the chain says, None if none."""
    seen = replay(events)
    for check in (_check_sign_off, _check_agenda, _check_phases, _check_counts):
        problem = check(events, seen, stored)
        if problem is not None:
            return problem
    return None


def _name(stored: StoredRecord, household: int) -> str:
    return stored.names.get(household) or f"#{household}"


def _check_sign_off(
    events: Sequence[LoggedEvent], seen: _Replayed, stored: StoredRecord
) -> Message | None:
    if stored.signed is None:
        if seen.finalised is not None:
            return msg("The chain records a sign-off that the meeting no longer shows.")
        return None
    count, head = stored.signed
    if seen.finalised is None:
        return msg(
            "The minutes were signed off, but the chain's sign-off entry is gone: the chain "
            "was cut after entry %(count)d.",
            count=len(events),
        )
    if count is not None and (seen.finalised.seq != count + 1 or events[count - 1].hash != head):
        return msg(
            "The sign-off kept %(count)d entries ending in %(head)s; the chain no longer "
            "matches them.",
            count=count,
            head=(head or "")[:16],
        )
    return None


def _check_agenda(
    _events: Sequence[LoggedEvent], seen: _Replayed, stored: StoredRecord
) -> Message | None:
    if seen.agenda is None:
        return None  # kept before households were sealed: the chain says nothing of them
    if sorted(seen.agenda) != sorted(stored.agenda):
        added = [h for h in stored.agenda if h not in seen.agenda]
        gone = [h for h in seen.agenda if h not in stored.agenda]
        if added:
            return msg(
                "Household %(name)s is not in the chain: it was added outside the app.",
                name=_name(stored, added[0]),
            )
        return msg(
            "A household the chain records (#%(id)d) is missing from the database.", id=gone[0]
        )
    if seen.agenda != stored.agenda:
        moved = next(h for h, s in zip(seen.agenda, stored.agenda, strict=True) if h != s)
        return msg(
            "The order of the households differs from the chain, from household %(name)s on.",
            name=_name(stored, moved),
        )
    for household in stored.agenda:
        if seen.households.get(household) != stored.households.get(household):
            return msg(
                "The details or notes of household %(name)s differ from what the chain recorded.",
                name=_name(stored, household),
            )
    return None


def _check_phases(
    _events: Sequence[LoggedEvent], seen: _Replayed, stored: StoredRecord
) -> Message | None:
    for household, phase in stored.phases.items():
        if phase != seen.phases.get(household, "pending"):
            return msg(
                "Household %(name)s is at the step '%(stored)s', but the chain says '%(chain)s'.",
                name=_name(stored, household),
                stored=phase,
                chain=seen.phases.get(household, "pending"),
            )
    return None


def _check_counts(
    _events: Sequence[LoggedEvent], seen: _Replayed, stored: StoredRecord
) -> Message | None:
    for household in sorted(set(seen.counts) | set(stored.results)):
        name = _name(stored, household)
        logged, row = seen.counts.get(household), stored.results.get(household)
        if logged is None:
            return msg("The count of household %(name)s is not in the chain.", name=name)
        if row is None:
            return msg("The count of household %(name)s recorded in the chain is gone.", name=name)
        for key in RESULT_FIELDS:
            if key in logged and logged[key] != row.get(key):
                return msg(
                    "The count of household %(name)s differs from the chain: %(field)s is "
                    "%(stored)s, the chain says %(chain)s.",
                    name=name,
                    field=key,
                    stored=str(row.get(key)),
                    chain=str(logged[key]),
                )
        tallied = stored.tallied.get(household, {})
        for key in ("eligible", "not_eligible", "abstain"):
            if tallied.get(key, 0) != row.get(key):
                return msg(
                    "The ballots of household %(name)s do not add up to its count: "
                    "%(field)s counts %(tallied)d, the result says %(stored)s.",
                    name=name,
                    field=key,
                    tallied=tallied.get(key, 0),
                    stored=str(row.get(key)),
                )
        if "ballots" in logged and logged["ballots"] != stored.ballots.get(household):
            return msg("The ballots of household %(name)s changed after the count.", name=name)
        if "receipts" in logged and logged["receipts"] != stored.receipts.get(household):
            return msg(
                "The list of who voted on household %(name)s changed after the count.", name=name
            )
    return None


__all__ = [
    "COUNTED",
    "RESULT_FIELDS",
    "SEALING_KINDS",
    "StoredRecord",
    "ballots_digest",
    "check_record",
    "digest",
    "receipts_digest",
    "replay",
]
