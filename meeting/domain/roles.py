"""Who sits on the review panel, and which of them vote."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    """A panel member's role; only representatives and cadres vote."""

    REPRESENTATIVE = "representative"  # 村民代表 / 居民代表
    CADRE = "cadre"  # 村干部
    HOST = "host"  # 主持人
    SECRETARY = "secretary"  # 记录员
    INVESTIGATOR = "investigator"  # 调查人员
    SCRUTINEER = "scrutineer"  # 监票人 / 计票人

    @property
    def votes(self) -> bool:
        """Whether a member in this role casts a ballot."""
        return self in VOTING_ROLES


VOTING_ROLES = frozenset({Role.REPRESENTATIVE, Role.CADRE})
