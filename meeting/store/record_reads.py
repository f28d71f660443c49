"""Reading a meeting's rows as the minutes print them, for the chain to seal and for
``meeting verify`` to check (domain/record_check.py)."""

from __future__ import annotations

from collections import Counter, defaultdict
from enum import Enum
from typing import Any

from sqlalchemy import Connection, bindparam, select

from ..domain.record_check import (
    RESULT_FIELDS,
    StoredRecord,
    ballots_digest,
    digest,
    receipts_digest,
)
from .models import (
    BallotReceipt,
    BallotResult,
    Hearing,
    Household,
    HouseholdFinding,
    Meeting,
    SecretBallot,
)

_household, _finding, _hearing = (
    Household.__table__,
    HouseholdFinding.__table__,
    Hearing.__table__,
)
_result, _ballot, _receipt = (
    BallotResult.__table__,
    SecretBallot.__table__,
    BallotReceipt.__table__,
)
#: every value of a household the minutes and the notice print, with its hearing's notes
_HOUSEHOLDS = (
    select(
        _household.c.id,
        _household.c.head_name,
        _household.c.persons,
        _household.c.address,
        _household.c.category,
        _household.c.application_type,
        _household.c.id_number,
        _household.c.investigator_id,
        _household.c.recommendation,
        _household.c.proposed_tier,
        _hearing.c.statement_notes,
        _hearing.c.questioning_notes,
        _hearing.c.phase,
    )
    .join(_hearing, _hearing.c.household_id == _household.c.id)
    .where(_household.c.meeting_id == bindparam("meeting"))
    .order_by(_household.c.position)
)
_FINDINGS = (
    select(_finding.c.household_id, _finding.c.heading, _finding.c.text)
    .join(_household, _household.c.id == _finding.c.household_id)
    .where(_household.c.meeting_id == bindparam("meeting"), _finding.c.text != "")
)


def _plain(value: Any) -> Any:
    return value.value if isinstance(value, Enum) else value


def _households(connection: Connection, meeting_id: int) -> tuple[list[Any], dict[int, str]]:
    rows = list(connection.execute(_HOUSEHOLDS, {"meeting": meeting_id}))
    findings: dict[int, dict[str, str]] = defaultdict(dict)
    for household, heading, text in connection.execute(_FINDINGS, {"meeting": meeting_id}):
        findings[household][_plain(heading)] = text
    digests = {}
    for row in rows:
        values = {key: _plain(value) for key, value in row._mapping.items() if key != "phase"}
        values["findings"] = findings.get(row.id, {})
        digests[row.id] = digest(values)
    return rows, digests


def household_seal(connection: Connection, meeting_id: int) -> dict[str, Any]:
    """The agenda as an event carries it: household ids in order, each with its digest."""
    rows, digests = _households(connection, meeting_id)
    return {"agenda": [row.id for row in rows], "households": digests}


def count_facts(connection: Connection, hearing_id: int) -> dict[str, str]:
    """The digests of a counted household's ballots and receipts, for its count's entry."""
    ballots = connection.execute(
        select(_ballot.c.tracker, _ballot.c.choice, _ballot.c.tier_code).where(
            _ballot.c.hearing_id == hearing_id
        )
    )
    receipts = connection.execute(
        select(_receipt.c.member_id, _receipt.c.on_paper).where(_receipt.c.hearing_id == hearing_id)
    )
    return {
        "ballots": ballots_digest((t, _plain(c), tier) for t, c, tier in ballots),
        "receipts": receipts_digest((m, bool(p)) for m, p in receipts),
    }


def stored_record(connection: Connection, meeting_id: int) -> StoredRecord:
    """Everything ``check_record`` compares with the chain, read in a few queries."""
    rows, digests = _households(connection, meeting_id)
    hearing_of = dict(
        connection.execute(
            select(_hearing.c.id, _hearing.c.household_id)
            .join(_household, _household.c.id == _hearing.c.household_id)
            .where(_household.c.meeting_id == meeting_id)
        ).all()
    )
    results = {}
    for row in connection.execute(
        select(_result).where(_result.c.hearing_id.in_(list(hearing_of)))
    ):
        values = {key: _plain(value) for key, value in row._mapping.items()}
        values["tier"] = values.get("tier_code")
        results[hearing_of[row.hearing_id]] = {key: values.get(key) for key in RESULT_FIELDS}
    tallied: dict[int, Counter[str]] = defaultdict(Counter)
    ballots: dict[int, list[tuple[str, str, str | None]]] = defaultdict(list)
    for hearing, tracker, choice, tier in connection.execute(
        select(
            _ballot.c.hearing_id, _ballot.c.tracker, _ballot.c.choice, _ballot.c.tier_code
        ).where(_ballot.c.hearing_id.in_(list(hearing_of)))
    ):
        tallied[hearing_of[hearing]][_plain(choice)] += 1
        ballots[hearing_of[hearing]].append((tracker, _plain(choice), tier))
    receipts: dict[int, list[tuple[int, bool]]] = defaultdict(list)
    for hearing, member, paper in connection.execute(
        select(_receipt.c.hearing_id, _receipt.c.member_id, _receipt.c.on_paper).where(
            _receipt.c.hearing_id.in_(list(hearing_of))
        )
    ):
        receipts[hearing_of[hearing]].append((member, bool(paper)))
    meeting = Meeting.__table__
    signed = connection.execute(
        select(meeting.c.finalised_at, meeting.c.signed_events, meeting.c.signed_head).where(
            meeting.c.id == meeting_id
        )
    ).first()
    finalised_at, signed_events, signed_head = signed or (None, None, None)
    return StoredRecord(
        agenda=[row.id for row in rows],
        households=digests,
        names={row.id: row.head_name for row in rows},
        phases={row.id: _plain(row.phase) for row in rows},
        results=results,
        ballots={h: ballots_digest(b) for h, b in ballots.items()}
        | {h: ballots_digest([]) for h in results if h not in ballots},
        receipts={h: receipts_digest(r) for h, r in receipts.items()}
        | {h: receipts_digest([]) for h in results if h not in receipts},
        tallied={h: dict(c) for h, c in tallied.items()},
        signed=None if finalised_at is None else (signed_events, signed_head),
    )


__all__ = ["count_facts", "household_seal", "stored_record"]
