"""The kinds of assistance a hearing decides on, and how an application came to it."""

from __future__ import annotations

from enum import StrEnum


class AssistanceKind(StrEnum):
    """The programme under review; a meeting has one, a household applies to one."""

    URBAN_MINIMUM_LIVING = "urban_dibao"  # 城镇低保
    RURAL_MINIMUM_LIVING = "rural_dibao"  # 农村低保
    FIVE_GUARANTEES = "wubao"  # 农村五保
    MEDICAL_AID = "medical_aid"  # 医疗救助


class ApplicationType(StrEnum):
    """Why the household is in front of the panel."""

    NEW = "new"  # 新申请
    RENEWAL = "renewal"  # 续保
    RECHECK = "recheck"  # 复核 (after a complaint or a periodic review)


class Recommendation(StrEnum):
    """The investigator's recommendation after the home visit."""

    ELIGIBLE = "eligible"  # 符合
    NOT_ELIGIBLE = "not_eligible"  # 不符合
