"""Preparing a meeting: its details, the panel, the households, and imports of both."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from flask import current_app
from sqlalchemy import func, select

from ..domain.categories import ApplicationType, AssistanceKind, Recommendation
from ..domain.errors import SetupRefused
from ..domain.findings import FindingHeading
from ..domain.messages import Message, msg
from ..domain.roles import Role
from ..domain.rules import HearingRules
from ..extensions import db
from ..imports.blank_files import blank_file
from ..imports.columns import Column, Vocabulary
from ..imports.households import HOUSEHOLD_COLUMNS, MAX_PERSONS, parse_households
from ..imports.members import MEMBER_COLUMNS, parse_members
from ..imports.tables import read_table
from ..labels import LABELS, SYNONYMS
from ..store.models import Hearing, Household, Meeting, MeetingStatus, PanelMember
from ..web.i18n import translate_in
from .cards import issue_card
from .events import check_not_finalised, record_event

MAX_NAME_LENGTH = 64


def hearing_rules() -> HearingRules:
    """The rules the running app was configured with."""
    return current_app.extensions["meeting.settings"].rules


@dataclass
class MeetingDetails:
    title: str
    place: str
    held_on: dt.date
    kind: AssistanceKind
    publish_trackers: bool = True


@dataclass
class HouseholdDetails:
    """Everything about a household that setup may write, from a form or an import row."""

    head_name: str
    persons: int
    address: str = ""
    category: AssistanceKind = AssistanceKind.RURAL_MINIMUM_LIVING
    application_type: ApplicationType = ApplicationType.NEW
    id_number: str | None = None
    investigator_id: int | None = None
    recommendation: Recommendation | None = None
    proposed_tier: str | None = None
    findings: dict[FindingHeading, str] = field(default_factory=dict)


def create_meeting(details: MeetingDetails, actor: str) -> Meeting:
    meeting = Meeting(
        title=details.title,
        place=details.place,
        held_on=details.held_on,
        kind=details.kind,
        publish_trackers=details.publish_trackers,
    )
    db.session.add(meeting)
    db.session.flush()
    record_event(meeting, "meeting.created", actor, title=details.title)
    db.session.commit()
    return meeting


def update_meeting(meeting: Meeting, details: MeetingDetails, actor: str) -> None:
    _ensure_editable(meeting)
    meeting.title, meeting.place = details.title, details.place
    meeting.held_on, meeting.kind = details.held_on, details.kind
    meeting.publish_trackers = details.publish_trackers
    record_event(
        meeting,
        "meeting.updated",
        actor,
        title=details.title,
        publish_trackers=details.publish_trackers,
    )
    db.session.commit()


def add_member(meeting: Meeting, name: str, role: Role, actor: str) -> PanelMember:
    _ensure_editable(meeting)
    member = _new_member(meeting, name.strip(), role)
    record_event(
        meeting, "member.added", actor, member_id=member.id, name=member.name, role=role.value
    )
    db.session.commit()
    return member


def update_member(member: PanelMember, name: str, role: Role, actor: str) -> None:
    meeting = member.meeting
    _ensure_editable(meeting)
    name = _checked_member_name(meeting, name, member)
    if role is not member.role:
        if meeting.status is not MeetingStatus.PREPARING:
            raise SetupRefused(msg("Roles can only be changed before the meeting starts."))
        named = sum(1 for h in meeting.households if h.investigator_id == member.id)
        if named:
            raise SetupRefused(
                msg(
                    "%(name)s is the investigator of %(count)d households; "
                    "name another investigator there first.",
                    name=member.name,
                    count=named,
                )
            )
    member.name, member.role = name, role
    record_event(meeting, "member.updated", actor, member_id=member.id, name=name, role=role.value)
    db.session.commit()


def remove_member(member: PanelMember, actor: str) -> None:
    """Take a member off the panel before the meeting starts; their card stops working."""
    meeting = member.meeting
    _ensure_preparing(meeting)
    record_event(meeting, "member.removed", actor, member_id=member.id, name=member.name)
    db.session.delete(member)
    db.session.commit()


def add_household(meeting: Meeting, details: HouseholdDetails, actor: str) -> Household:
    _ensure_editable(meeting)
    household = _new_household(meeting, details)
    record_event(
        meeting, "household.added", actor, household_id=household.id, head=household.head_name
    )
    db.session.commit()
    return household


def update_household(household: Household, details: HouseholdDetails, actor: str) -> None:
    _ensure_editable(household.meeting)
    _check_household_details(household.meeting, details, household)
    _apply_household(household, details)
    record_event(
        household.meeting,
        "household.updated",
        actor,
        household_id=household.id,
        head=details.head_name,
    )
    db.session.commit()


def remove_household(household: Household, actor: str) -> None:
    """Take a household off the agenda before the meeting starts; later ones move up."""
    meeting = household.meeting
    _ensure_preparing(meeting)
    record_event(
        meeting, "household.removed", actor, household_id=household.id, head=household.head_name
    )
    meeting.households.remove(household)
    db.session.flush()
    for position, remaining in enumerate(meeting.households, start=1):
        if remaining.position != position:
            remaining.position = position
            db.session.flush()  # one at a time: positions are unique within the meeting
    db.session.commit()


def import_members(meeting: Meeting, filename: str, data: bytes, actor: str) -> int:
    """Add every member in the file, or none: raises ImportRejected listing every problem."""
    _ensure_editable(meeting)
    rows = parse_members(
        read_table(filename, data), import_vocabulary(), {m.name for m in meeting.members}
    )
    for row in rows:
        _new_member(meeting, row.name, row.role)
    record_event(meeting, "members.imported", actor, file=filename, count=len(rows))
    db.session.commit()
    return len(rows)


def import_households(meeting: Meeting, filename: str, data: bytes, actor: str) -> int:
    """Add every household in the file, or none: raises ImportRejected listing every problem."""
    _ensure_editable(meeting)
    members = {m.name: m for m in meeting.members}
    rows = parse_households(
        read_table(filename, data),
        import_vocabulary(),
        default_category=meeting.kind,
        panel_roles={name: m.role for name, m in members.items()},
        tiers=hearing_rules().tiers,
        existing={(h.head_name, h.address) for h in meeting.households},
    )
    for row in rows:
        investigator = members.get(row.investigator_name or "")
        _new_household(
            meeting,
            HouseholdDetails(
                head_name=row.head_name,
                persons=row.persons,
                address=row.address,
                category=row.category,
                application_type=row.application_type,
                id_number=row.id_number,
                investigator_id=investigator.id if investigator else None,
                recommendation=row.recommendation,
                proposed_tier=row.proposed_tier,
                findings=row.findings,
            ),
        )
    record_event(meeting, "households.imported", actor, file=filename, count=len(rows))
    db.session.commit()
    return len(rows)


IMPORT_COLUMNS: dict[str, tuple[Column, ...]] = {
    "members": MEMBER_COLUMNS,
    "households": HOUSEHOLD_COLUMNS,
}


def blank_import_file(what: str, fmt: str) -> bytes:
    """The file to fill in for an import, with Chinese headers (the import also takes English)."""
    columns = IMPORT_COLUMNS[what]
    return blank_file(
        [translate_in("zh", c.header) for c in columns], [c.example for c in columns], fmt
    )


def import_vocabulary() -> Vocabulary:
    """Words an import may use: codes, labels in Chinese and English, common synonyms."""

    def spellings(message: Message) -> Iterable[str]:
        return [translate_in("zh", message), translate_in("en", message)]

    return Vocabulary(spellings, LABELS, SYNONYMS)


def _ensure_editable(meeting: Meeting) -> None:
    check_not_finalised(meeting)
    if meeting.status is MeetingStatus.CLOSED:
        raise SetupRefused(msg("This meeting is closed and can no longer be changed."))


def _ensure_preparing(meeting: Meeting) -> None:
    if meeting.status is not MeetingStatus.PREPARING:
        raise SetupRefused(
            msg("Members and households can only be removed before the meeting starts.")
        )


def _member_named(meeting: Meeting, name: str) -> PanelMember | None:
    return db.session.scalar(
        select(PanelMember).where(PanelMember.meeting_id == meeting.id, PanelMember.name == name)
    )


def _checked_member_name(meeting: Meeting, name: str, member: PanelMember | None = None) -> str:
    """The name, trimmed, if it may be used on this panel (by ``member``, when renaming)."""
    name = name.strip()
    if not name:
        raise SetupRefused(msg("A member needs a name."))
    if len(name) > MAX_NAME_LENGTH:
        raise SetupRefused(msg("Longer than %(length)d characters.", length=MAX_NAME_LENGTH))
    holder = _member_named(meeting, name)
    if holder is not None and holder is not member:
        raise SetupRefused(msg("%(name)s is already on this panel.", name=name))
    return name


def _next_position(model: type[PanelMember] | type[Household], meeting: Meeting) -> int:
    """The position after the last one in the meeting (the order of the sheet or agenda)."""
    last = db.session.scalar(
        select(func.coalesce(func.max(model.position), 0)).where(model.meeting_id == meeting.id)
    )
    return last + 1


def _new_member(meeting: Meeting, name: str, role: Role) -> PanelMember:
    name = _checked_member_name(meeting, name)
    member = PanelMember(
        meeting=meeting, name=name, role=role, position=_next_position(PanelMember, meeting)
    )
    db.session.add(member)
    db.session.flush()  # the card token is derived from the id
    issue_card(member)
    return member


def _check_household_details(
    meeting: Meeting, details: HouseholdDetails, household: Household | None = None
) -> None:
    """The rules a household's details keep, whether they come from a form or an import."""
    head = details.head_name.strip()
    if not head:
        raise SetupRefused(msg("A household needs the name of its head."))
    if not 1 <= details.persons <= MAX_PERSONS:
        raise SetupRefused(
            msg("A household has from 1 to %(maximum)d persons.", maximum=MAX_PERSONS)
        )
    if (
        len(head) > MAX_NAME_LENGTH
        or len(details.address) > 200
        or len(details.id_number or "") > 32
    ):
        raise SetupRefused(msg("A field of the household is too long."))
    same = next(
        (
            h
            for h in meeting.households
            if h.head_name == head and h.address == details.address.strip() and h is not household
        ),
        None,
    )
    if same is not None:
        raise SetupRefused(msg("%(name)s is already in this meeting.", name=head))
    if details.proposed_tier is not None:
        hearing_rules().tier(details.proposed_tier)
    if details.investigator_id is not None:
        investigator = db.session.get(PanelMember, details.investigator_id)
        if (
            investigator is None
            or investigator.meeting_id != meeting.id
            or investigator.role is not Role.INVESTIGATOR
        ):
            raise SetupRefused(msg("The investigator must be an investigator on this panel."))


def _new_household(meeting: Meeting, details: HouseholdDetails) -> Household:
    _check_household_details(meeting, details)
    household = Household(
        meeting=meeting, position=_next_position(Household, meeting), hearing=Hearing()
    )
    _apply_household(household, details)
    db.session.add(household)
    db.session.flush()
    return household


def _apply_household(household: Household, details: HouseholdDetails) -> None:
    household.head_name = details.head_name.strip()
    household.persons = details.persons
    household.address = details.address.strip()
    household.category = details.category
    household.application_type = details.application_type
    household.id_number = details.id_number or None
    household.investigator_id = details.investigator_id
    household.recommendation = details.recommendation
    household.proposed_tier = details.proposed_tier or None
    for heading in FindingHeading:
        household.set_finding(heading, details.findings.get(heading, "").strip())
