"""The phases of one household's hearing."""

from __future__ import annotations

from enum import StrEnum


class Phase(StrEnum):
    """The steps of one household's hearing, in order."""

    PENDING = "pending"
    BRIEFING = "briefing"  # 通报入户核查情况
    STATEMENT = "statement"  # 陈述理由
    QUESTIONING = "questioning"  # 质询
    VOTING = "voting"  # 无记名投票
    COUNTED = "counted"  # 当场计票
    ANNOUNCED = "announced"  # 当场公布
    SUSPENDED = "suspended"  # 投票暂停: the quorum failed while the ballot was open
    # 暂缓评议: the applicant is absent; heard later in the meeting. Not "deferred": that
    # is an outcome (暂缓), and the labels of codes are looked up by value
    DEFERRED = "postponed"
    SKIPPED = "skipped"  # 未评议: not heard in this meeting


TIMED_PHASES = (Phase.BRIEFING, Phase.STATEMENT, Phase.QUESTIONING, Phase.VOTING)
