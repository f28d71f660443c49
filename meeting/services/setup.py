"""Preparing a meeting: its details, the panel, the households, and imports of both."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import func, select

from ..domain.categories import ApplicationType, AssistanceKind, Recommendation
from ..domain.errors import NotInMeeting, SetupRefused
from ..domain.findings import FindingHeading
from ..domain.messages import Message, msg
from ..domain.roles import Role
from ..imports.blank_files import blank_file
from ..imports.columns import Column, Vocabulary
from ..imports.households import HOUSEHOLD_COLUMNS, MAX_PERSONS, parse_households
from ..imports.members import MEMBER_COLUMNS, parse_members
from ..imports.tables import read_table
from ..labels import LABELS, SYNONYMS
from ..settings import current_rules, current_settings
from ..store.bulk_rows import insert_households, insert_members, set_join_digests
from ..store.models import Hearing, Household, Meeting, MeetingStatus, PanelMember
from ..store.ownership import owned
from ..texts import translate_in
from .cards import first_card_digest, issue_card
from .unit_of_work import Change, meeting_change, meeting_created

MAX_NAME_LENGTH = 64


@dataclass
class MeetingDetails:
    title: str
    place: str
    held_on: dt.date
    kind: AssistanceKind
    publish_trackers: bool = True
    #: printed on the public notice: who posts it, and whom to call
    notice_issuer: str = ""
    notice_contact: str = ""


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


def create_meeting(details: MeetingDetails, actor: str) -> int:
    """A new meeting, still being prepared; its id."""
    meeting = Meeting(
        title=details.title,
        place=details.place,
        held_on=details.held_on,
        kind=details.kind,
        publish_trackers=details.publish_trackers,
        notice_issuer=details.notice_issuer.strip(),
        notice_contact=details.notice_contact.strip(),
    )
    with meeting_created(meeting, actor) as change:
        change.log("meeting.created", title=details.title)
    return meeting.id


def update_meeting(meeting_id: int, details: MeetingDetails, actor: str) -> None:
    with meeting_change(meeting_id, actor) as change:
        meeting = change.meeting
        _ensure_editable(meeting)
        meeting.title, meeting.place = details.title, details.place
        meeting.held_on, meeting.kind = details.held_on, details.kind
        meeting.publish_trackers = details.publish_trackers
        meeting.notice_issuer = details.notice_issuer.strip()
        meeting.notice_contact = details.notice_contact.strip()
        change.log(
            "meeting.updated", title=details.title, publish_trackers=details.publish_trackers
        )


def add_member(meeting_id: int, name: str, role: Role, actor: str) -> int:
    """A new member of the panel, with their card; their id."""
    with meeting_change(meeting_id, actor) as change:
        _ensure_editable(change.meeting)
        member = new_member(change, name.strip(), role)
        change.log("member.added", member_id=member.id, name=member.name, role=role.value)
    return member.id


def update_member(meeting_id: int, member_id: int, name: str, role: Role, actor: str) -> None:
    with meeting_change(meeting_id, actor) as change:
        meeting = change.meeting
        _ensure_editable(meeting)
        member = owned(change.session, PanelMember, member_id, meeting_id)
        name = _checked_member_name(change, name, member)
        if role is not member.role:
            if meeting.status is not MeetingStatus.PREPARING:
                raise SetupRefused(msg("Roles can only be changed before the meeting starts."))
            named = change.session.scalar(
                select(func.count()).where(
                    Household.meeting_id == meeting_id, Household.investigator_id == member.id
                )
            )
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
        change.log("member.updated", member_id=member.id, name=name, role=role.value)


def remove_member(meeting_id: int, member_id: int, actor: str) -> None:
    """Take a member off the panel before the meeting starts; their card stops working."""
    with meeting_change(meeting_id, actor) as change:
        _ensure_preparing(change.meeting)
        member = owned(change.session, PanelMember, member_id, meeting_id)
        change.log("member.removed", member_id=member.id, name=member.name)
        change.session.delete(member)


def add_household(meeting_id: int, details: HouseholdDetails, actor: str) -> int:
    """A new household at the end of the agenda; its id."""
    with meeting_change(meeting_id, actor) as change:
        _ensure_editable(change.meeting)
        household = new_household(change, details)
        change.log("household.added", household_id=household.id, head=household.head_name)
    return household.id


def update_household(
    meeting_id: int, household_id: int, details: HouseholdDetails, actor: str
) -> None:
    with meeting_change(meeting_id, actor) as change:
        _ensure_editable(change.meeting)
        household = owned(change.session, Household, household_id, meeting_id)
        _check_household_details(change, details, household)
        _apply_household(household, details)
        change.log("household.updated", household_id=household.id, head=details.head_name)


def remove_household(meeting_id: int, household_id: int, actor: str) -> None:
    """Take a household off the agenda before the meeting starts; later ones move up."""
    with meeting_change(meeting_id, actor) as change:
        _ensure_preparing(change.meeting)
        household = owned(change.session, Household, household_id, meeting_id)
        change.log("household.removed", household_id=household.id, head=household.head_name)
        later = list(
            change.session.scalars(
                select(Household)
                .where(Household.meeting_id == meeting_id, Household.position > household.position)
                .order_by(Household.position)
            )
        )
        change.session.delete(household)
        change.session.flush()
        for remaining in later:
            remaining.position -= 1
            change.session.flush()  # one at a time: positions are unique within the meeting


def import_members(meeting_id: int, filename: str, data: bytes, actor: str) -> int:
    """Add every member in the file, or none: raises ImportRejected listing every problem."""
    table = read_table(filename, data, current_settings().server.import_row_limit)
    with meeting_change(meeting_id, actor) as change:
        _ensure_editable(change.meeting)
        rows = parse_members(table, import_vocabulary(), set(_member_names(change)))
        # every row checked above; a few statements of many rows hold SQLite's writer briefly
        ids = insert_members(
            change.session,
            meeting_id,
            _next_position(change, PanelMember),
            [(row.name, row.role) for row in rows],
        )
        set_join_digests(change.session, {i: first_card_digest(meeting_id, i) for i in ids})
        change.reshape()  # written past the ORM: its flush does not see the new rows
        change.log("members.imported", file=filename, count=len(rows))
    return len(rows)


def import_households(meeting_id: int, filename: str, data: bytes, actor: str) -> int:
    """Add every household in the file, or none: raises ImportRejected listing every problem."""
    table = read_table(filename, data, current_settings().server.import_row_limit)
    with meeting_change(meeting_id, actor) as change:
        meeting = change.meeting
        _ensure_editable(meeting)
        panel = change.session.execute(
            select(PanelMember.name, PanelMember.role, PanelMember.id).where(
                PanelMember.meeting_id == meeting_id
            )
        ).all()
        existing = change.session.execute(
            select(Household.head_name, Household.address).where(Household.meeting_id == meeting_id)
        )
        rows = parse_households(
            table,
            import_vocabulary(),
            default_category=meeting.kind,
            panel_roles={name: role for name, role, _ in panel},
            tiers=current_rules().tiers,
            existing={(head, address) for head, address in existing},
        )
        member_ids = {name: member_id for name, _, member_id in panel}
        # every row checked above (the rules a form keeps); then a few statements of many rows
        insert_households(
            change.session,
            meeting_id,
            _next_position(change, Household),
            [
                (
                    {
                        "head_name": row.head_name,
                        "persons": row.persons,
                        "address": row.address,
                        "category": row.category,
                        "application_type": row.application_type,
                        "id_number": row.id_number,
                        "investigator_id": member_ids.get(row.investigator_name or ""),
                        "recommendation": row.recommendation,
                        "proposed_tier": row.proposed_tier,
                    },
                    row.findings,
                )
                for row in rows
            ],
        )
        change.reshape()  # written past the ORM: its flush does not see the new rows
        change.log("households.imported", file=filename, count=len(rows))
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
    if meeting.status is MeetingStatus.CLOSED:
        raise SetupRefused(msg("This meeting is closed and can no longer be changed."))


def _ensure_preparing(meeting: Meeting) -> None:
    if meeting.status is not MeetingStatus.PREPARING:
        raise SetupRefused(
            msg("Members and households can only be removed before the meeting starts.")
        )


def _member_names(change: Change) -> list[str]:
    return list(
        change.session.scalars(
            select(PanelMember.name).where(PanelMember.meeting_id == change.meeting_id)
        )
    )


def _checked_member_name(change: Change, name: str, member: PanelMember | None = None) -> str:
    """The name, trimmed, if it may be used on this panel (by ``member``, when renaming)."""
    name = name.strip()
    if not name:
        raise SetupRefused(msg("A member needs a name."))
    if len(name) > MAX_NAME_LENGTH:
        raise SetupRefused(msg("Longer than %(length)d characters.", length=MAX_NAME_LENGTH))
    holder = change.session.scalar(
        select(PanelMember.id).where(
            PanelMember.meeting_id == change.meeting_id, PanelMember.name == name
        )
    )
    if holder is not None and (member is None or holder != member.id):
        raise SetupRefused(msg("%(name)s is already on this panel.", name=name))
    return name


def _next_position(change: Change, model: type[PanelMember] | type[Household]) -> int:
    """The position after the last one in the meeting (the order of the sheet or agenda)."""
    last = change.session.scalar(
        select(func.coalesce(func.max(model.position), 0)).where(
            model.meeting_id == change.meeting_id
        )
    )
    return last + 1


def new_member(change: Change, name: str, role: Role) -> PanelMember:
    """A member added within a change (a form, an import, the demo), with their card."""
    name = _checked_member_name(change, name)
    member = PanelMember(
        meeting_id=change.meeting_id,
        name=name,
        role=role,
        position=_next_position(change, PanelMember),
    )
    change.session.add(member)
    change.session.flush()  # the card token is derived from the id
    issue_card(member)
    return member


def _check_household_details(
    change: Change, details: HouseholdDetails, household: Household | None = None
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
    same = change.session.scalar(
        select(Household.id).where(
            Household.meeting_id == change.meeting_id,
            Household.head_name == head,
            Household.address == details.address.strip(),
        )
    )
    if same is not None and (household is None or same != household.id):
        raise SetupRefused(msg("%(name)s is already in this meeting.", name=head))
    if details.proposed_tier is not None:
        current_rules().tier(details.proposed_tier)
    if details.investigator_id is not None:
        refused = SetupRefused(msg("The investigator must be an investigator on this panel."))
        try:
            investigator = owned(
                change.session, PanelMember, details.investigator_id, change.meeting_id
            )
        except NotInMeeting:
            raise refused from None
        if investigator.role is not Role.INVESTIGATOR:
            raise refused


def new_household(change: Change, details: HouseholdDetails) -> Household:
    """A household added within a change at the end of the agenda, with its hearing."""
    _check_household_details(change, details)
    household = Household(
        meeting_id=change.meeting_id,
        position=_next_position(change, Household),
        hearing=Hearing(),
    )
    _apply_household(household, details)
    change.session.add(household)
    change.session.flush()
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
