"""The panel list: one row per member, with a name and a role."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from ..domain.messages import msg
from ..domain.roles import Role
from .columns import Column, RowReader, Vocabulary
from .tables import Table

MEMBER_COLUMNS = (
    # marked, so the example left in a file can never be taken for a real person of that name
    Column("name", msg("Name"), required=True, example="张秀英（示例）", max_length=64),
    Column("role", msg("Role"), required=True, example="村民代表"),
)


@dataclass(frozen=True)
class MemberRow:
    row: int
    name: str
    role: Role


def parse_members(
    table: Table, vocabulary: Vocabulary, existing_names: Collection[str]
) -> list[MemberRow]:
    """Every row as a member, or ImportRejected listing every problem in the file."""
    reader = RowReader(table, MEMBER_COLUMNS, vocabulary)
    members: list[MemberRow] = []
    first_row_of: dict[str, int] = {}
    for row, cells in reader.rows:
        if reader.is_template_example(row, cells):
            continue
        name = reader.text(row, cells, "name")
        role = reader.code(row, cells, "role", Role, default=None)
        if name in existing_names:
            reader.problem(row, "name", msg("%(name)s is already on this panel.", name=name))
        elif name and name in first_row_of:
            reader.problem(
                row,
                "name",
                msg(
                    "%(name)s appears twice (also row %(other)d).",
                    name=name,
                    other=first_row_of[name],
                ),
            )
        if name:
            first_row_of.setdefault(name, row)
        if name and role is not None:
            members.append(MemberRow(row, name, role))
    reader.raise_if_any()
    return members
