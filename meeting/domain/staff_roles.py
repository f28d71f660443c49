"""What a staff account may do: its roles. A village office of one person holds all three."""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

from .errors import SetupRefused
from .messages import msg


class StaffRole(StrEnum):
    ADMIN = "admin"  # 管理员/经办人: setup, import, cards, accounts
    HOST = "host"  # 主持人: runs the meeting, the projector, presence, seats, paper slips
    SECRETARY = "secretary"  # 记录人: notes, minutes, exports, sign-off


ALL_STAFF_ROLES = frozenset(StaffRole)


def parse_roles(values: Iterable[str]) -> frozenset[StaffRole]:
    """Roles from their codes (a form, the command line, the stored column); at least one."""
    roles = set()
    for value in values:
        value = value.strip()
        if not value:
            continue
        try:
            roles.add(StaffRole(value))
        except ValueError:
            raise SetupRefused(msg("Unknown staff role: %(role)s.", role=value)) from None
    if not roles:
        raise SetupRefused(msg("A staff account needs at least one role."))
    return frozenset(roles)


def stored(roles: Iterable[StaffRole]) -> str:
    """As the account's column keeps them: codes in a fixed order, comma-separated."""
    return ",".join(role.value for role in StaffRole if role in set(roles))


def held(column: str | None) -> frozenset[StaffRole]:
    """The roles a stored column names; unknown codes are ignored (no role, no access)."""
    return frozenset(r for r in StaffRole if r.value in (column or "").split(","))
