"""The household list: one row per applicant household, with the investigator's findings."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field

from ..domain.categories import ApplicationType, AssistanceKind, Recommendation
from ..domain.findings import FindingHeading
from ..domain.messages import Message, msg
from ..domain.roles import Role
from ..domain.rules import Tier
from .columns import Column, RowReader, Vocabulary, normalise
from .tables import Table

#: the same limits the form and the database hold
MAX_PERSONS = 99
MAX_FINDING_LENGTH = 2000

FINDING_HEADERS: dict[FindingHeading, Message] = {
    FindingHeading.HOUSING: msg("Look: housing"),
    FindingHeading.GOODS: msg("Look: household goods"),
    FindingHeading.SPENDING: msg("Look: spending"),
    FindingHeading.HEALTH: msg("Look: health"),
    FindingHeading.INCOME: msg("Check: family income"),
    FindingHeading.HIDDEN_INCOME: msg("Check: hidden income"),
    FindingHeading.EMPLOYMENT: msg("Check: employment"),
    FindingHeading.CHILDREN: msg("Check: children"),
    FindingHeading.TOWNSHIP_CADRES: msg("Ask: township cadres"),
    FindingHeading.VILLAGE_CADRES: msg("Ask: village cadres"),
    FindingHeading.NEIGHBOURS: msg("Ask: neighbours"),
    FindingHeading.RELATIVES: msg("Ask: relatives and friends"),
}

HOUSEHOLD_COLUMNS = (
    Column(
        "head_name",
        msg("Head of household"),
        required=True,
        example="李桂兰（示例）",
        max_length=64,
    ),
    Column("persons", msg("Persons"), required=True, example="3"),
    Column("address", msg("Address or group"), example="东街二组"),
    Column("category", msg("Assistance"), example="城镇低保"),
    Column("application_type", msg("Application type"), example="新申请"),
    Column("id_number", msg("ID number"), example="", max_length=32),
    Column("investigator", msg("Investigator"), example="王建国", max_length=64),
    Column("recommendation", msg("Recommendation"), example="符合"),
    Column("proposed_tier", msg("Proposed tier"), example="二档"),
    *(
        Column(heading.value, header, max_length=MAX_FINDING_LENGTH)
        for heading, header in FINDING_HEADERS.items()
    ),
)


@dataclass(frozen=True)
class HouseholdRow:
    row: int
    head_name: str
    persons: int
    address: str
    category: AssistanceKind
    application_type: ApplicationType
    id_number: str | None
    investigator_name: str | None
    recommendation: Recommendation | None
    proposed_tier: str | None
    findings: dict[FindingHeading, str] = field(default_factory=dict)


def parse_households(
    table: Table,
    vocabulary: Vocabulary,
    *,
    default_category: AssistanceKind,
    panel_roles: Mapping[str, Role],
    tiers: Collection[Tier],
    existing: Collection[tuple[str, str]] = (),
) -> list[HouseholdRow]:
    """Every row as a household, or ImportRejected listing every problem in the file.

    ``panel_roles`` maps the meeting's member names to roles, to check the investigator;
    ``existing`` holds (head, address) pairs already in the meeting.
    """
    reader = RowReader(table, HOUSEHOLD_COLUMNS, vocabulary)
    tier_codes = _tier_codes(tiers)
    households: list[HouseholdRow] = []
    seen: dict[tuple[str, str], int] = {}
    for row, cells in reader.rows:
        if reader.is_template_example(row, cells):
            continue
        head = reader.text(row, cells, "head_name")
        persons = reader.whole_number(row, cells, "persons", minimum=1, maximum=MAX_PERSONS)
        address = reader.text(row, cells, "address")
        category = reader.code(row, cells, "category", AssistanceKind, default_category)
        application_type = reader.code(
            row, cells, "application_type", ApplicationType, ApplicationType.NEW
        )
        recommendation = reader.code(row, cells, "recommendation", Recommendation, None)
        investigator = reader.text(row, cells, "investigator") or None
        if investigator and panel_roles.get(investigator) is not Role.INVESTIGATOR:
            reader.problem(
                row,
                "investigator",
                msg("%(name)s is not an investigator on this panel.", name=investigator),
            )
        tier = _tier_code(reader.text(row, cells, "proposed_tier"), tier_codes)
        if tier is False:
            reader.problem(
                row,
                "proposed_tier",
                msg(
                    "Unknown tier %(value)s; use one of: %(choices)s.",
                    value=reader.text(row, cells, "proposed_tier"),
                    choices="、".join(t.label for t in tiers),
                ),
            )
        key = (head, address)
        if head and key in existing:
            reader.problem(row, "head_name", msg("%(name)s is already in this meeting.", name=head))
        elif head and key in seen:
            reader.problem(
                row,
                "head_name",
                msg("%(name)s appears twice (also row %(other)d).", name=head, other=seen[key]),
            )
        seen.setdefault(key, row)
        if head and persons is not None and category and application_type:
            households.append(
                HouseholdRow(
                    row=row,
                    head_name=head,
                    persons=persons,
                    address=address,
                    category=category,
                    application_type=application_type,
                    id_number=reader.text(row, cells, "id_number") or None,
                    investigator_name=investigator,
                    recommendation=recommendation,
                    proposed_tier=tier or None,
                    findings={
                        h: text
                        for h in FindingHeading
                        if (text := reader.text(row, cells, h.value))
                    },
                )
            )
    reader.raise_if_any()
    return households


def _tier_codes(tiers: Collection[Tier]) -> dict[str, str]:
    """Each tier's code and label, compared loosely, to its code (the first tier wins)."""
    codes: dict[str, str] = {}
    for tier in tiers:
        codes.setdefault(normalise(tier.code), tier.code)
        codes.setdefault(normalise(tier.label), tier.code)
    return codes


def _tier_code(text: str, tier_codes: Mapping[str, str]) -> str | bool | None:
    """The tier's code for a cell naming it by code or label; None if blank, False if unknown."""
    if not text:
        return None
    return tier_codes.get(normalise(text), False)
