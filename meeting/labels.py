"""The names people read for each code: English msgids, translated through the catalogue."""

from __future__ import annotations

from enum import StrEnum

from .domain.categories import ApplicationType, AssistanceKind, Recommendation
from .domain.findings import FindingGroup, FindingHeading
from .domain.hearing import PHASE_NAMES
from .domain.messages import Message, msg
from .domain.roles import Role
from .domain.tally import Choice, Outcome
from .store.models import MeetingStatus

LABELS: dict[StrEnum, Message] = {
    Role.REPRESENTATIVE: msg("villager representative"),
    Role.CADRE: msg("cadre"),
    Role.HOST: msg("host"),
    Role.SECRETARY: msg("secretary"),
    Role.INVESTIGATOR: msg("investigator"),
    Role.SCRUTINEER: msg("scrutineer"),
    AssistanceKind.URBAN_MINIMUM_LIVING: msg("urban minimum living allowance"),
    AssistanceKind.RURAL_MINIMUM_LIVING: msg("rural minimum living allowance"),
    AssistanceKind.FIVE_GUARANTEES: msg("five guarantees support"),
    AssistanceKind.MEDICAL_AID: msg("medical aid"),
    ApplicationType.NEW: msg("new application"),
    ApplicationType.RENEWAL: msg("renewal"),
    ApplicationType.RECHECK: msg("re-check"),
    Recommendation.ELIGIBLE: msg("eligible"),
    Recommendation.NOT_ELIGIBLE: msg("not eligible"),
    Choice.ELIGIBLE: msg("eligible"),
    Choice.NOT_ELIGIBLE: msg("not eligible"),
    Choice.ABSTAIN: msg("abstain"),
    Outcome.ELIGIBLE: msg("eligible"),
    Outcome.NOT_ELIGIBLE: msg("not eligible"),
    Outcome.DEFERRED: msg("deferred"),
    FindingGroup.LOOK: msg("Look (四看)"),
    FindingGroup.CHECK: msg("Check (四查)"),
    FindingGroup.VISIT: msg("Ask (四访)"),
    FindingHeading.HOUSING: msg("housing"),
    FindingHeading.GOODS: msg("household goods"),
    FindingHeading.SPENDING: msg("spending"),
    FindingHeading.HEALTH: msg("health"),
    FindingHeading.INCOME: msg("family income"),
    FindingHeading.HIDDEN_INCOME: msg("hidden income"),
    FindingHeading.EMPLOYMENT: msg("employment"),
    FindingHeading.CHILDREN: msg("children"),
    FindingHeading.TOWNSHIP_CADRES: msg("township cadres"),
    FindingHeading.VILLAGE_CADRES: msg("village cadres"),
    FindingHeading.NEIGHBOURS: msg("neighbours"),
    FindingHeading.RELATIVES: msg("relatives and friends"),
    MeetingStatus.PREPARING: msg("preparing"),
    MeetingStatus.IN_SESSION: msg("in session"),
    MeetingStatus.CLOSED: msg("closed"),
    **PHASE_NAMES,
}

#: other words an import file may use for a code, beside its label in either language
SYNONYMS: dict[StrEnum, tuple[str, ...]] = {
    Role.REPRESENTATIVE: ("居民代表", "代表", "群众代表", "党员代表"),
    # what a clerk writes for a cadre: the office rather than the role
    Role.CADRE: (
        "社区干部",
        "村支书",
        "支书",
        "村书记",
        "村主任",
        "村委会主任",
        "村委委员",
        "村两委",
        "社区书记",
        "社区主任",
        "居委会主任",
        "居委委员",
        "干部",
    ),
    Role.INVESTIGATOR: ("调查员", "核查人员"),
    Role.SCRUTINEER: ("监票人", "计票人"),
    AssistanceKind.URBAN_MINIMUM_LIVING: ("城市低保",),
    AssistanceKind.FIVE_GUARANTEES: ("五保", "农村五保"),
    ApplicationType.RENEWAL: ("续保",),
    ApplicationType.RECHECK: ("复查",),
}


def label(code: StrEnum) -> Message:
    """The label of a code, as a message to translate."""
    return LABELS[code]
