"""Adding an import's members or households in a few statements of many rows each.

An import used to add its rows one by one through the ORM (a flush and a few queries per
row), holding SQLite's one writer for minutes; a statement per table keeps the write to
milliseconds (docs/performance.md).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import bindparam, insert, update
from sqlalchemy.orm import Session

from ..domain.findings import FindingHeading
from ..domain.roles import Role
from .models import Hearing, Household, HouseholdFinding, PanelMember

_member = PanelMember.__table__
_household = Household.__table__
_ADD_MEMBERS = insert(_member).returning(_member.c.id, _member.c.position)
_SET_DIGEST = (
    update(_member)
    .where(_member.c.id == bindparam("member"))
    .values(join_token_hash=bindparam("digest"))
)
_ADD_HOUSEHOLDS = insert(_household).returning(_household.c.id, _household.c.position)
_ADD_HEARINGS = insert(Hearing.__table__)
_ADD_FINDINGS = insert(HouseholdFinding.__table__)


def insert_members(
    session: Session, meeting_id: int, first_position: int, members: Sequence[tuple[str, Role]]
) -> list[int]:
    """Add ``(name, role)`` members in order from ``first_position``; their ids, in order."""
    if not members:
        return []
    rows = [
        {"meeting_id": meeting_id, "name": name, "role": role, "position": first_position + i}
        for i, (name, role) in enumerate(members)
    ]
    result = session.connection().execute(_ADD_MEMBERS, rows)
    return _ids_in_order(result, first_position, len(rows))


def set_join_digests(session: Session, digests: Mapping[int, str]) -> None:
    """Store each member's card digest (``member id -> digest``)."""
    if digests:
        session.connection().execute(
            _SET_DIGEST, [{"member": member, "digest": d} for member, d in digests.items()]
        )


def insert_households(
    session: Session,
    meeting_id: int,
    first_position: int,
    households: Sequence[tuple[Mapping[str, Any], Mapping[FindingHeading, str]]],
) -> None:
    """Add households (their columns, their findings) in order from ``first_position``, each
    with its hearing not yet begun."""
    if not households:
        return
    connection = session.connection()
    rows = [
        {**columns, "meeting_id": meeting_id, "position": first_position + i}
        for i, (columns, _) in enumerate(households)
    ]
    ids = _ids_in_order(connection.execute(_ADD_HOUSEHOLDS, rows), first_position, len(rows))
    connection.execute(_ADD_HEARINGS, [{"household_id": i} for i in ids])
    findings = [
        {"household_id": household_id, "heading": heading, "text": text}
        for household_id, (_, texts) in zip(ids, households, strict=True)
        for heading, text in texts.items()
    ]
    if findings:
        connection.execute(_ADD_FINDINGS, findings)


def _ids_in_order(result: Any, first_position: int, count: int) -> list[int]:
    # a multi-row RETURNING may come back in any order: the positions put it in order
    id_at = {position: row_id for row_id, position in result}
    return [id_at[position] for position in range(first_position, first_position + count)]
