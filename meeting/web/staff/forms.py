"""The setup forms; choice labels are translated per request."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from ...domain.categories import ApplicationType, AssistanceKind, Recommendation
from ...domain.findings import FindingHeading
from ...domain.roles import Role
from ...domain.rules import Tier
from ...imports.households import MAX_PERSONS
from ...store.models import PanelMember
from ...texts import translate


def enum_choices(enum: type[StrEnum], blank: str | None = None) -> list[SelectChoice]:
    choices = [SelectChoice(member.value, translate(member)) for member in enum]
    return [SelectChoice("", blank), *choices] if blank is not None else choices


class MeetingForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    place = StringField(_l("Place"), validators=[DataRequired(), Length(max=200)])
    held_on = DateField(_l("Date"), validators=[InputRequired()])
    kind = SelectField(_l("Assistance under review"), validators=[DataRequired()])
    publish_trackers = BooleanField(
        _l(
            "After each count, publish the tracker codes with their choices so that members "
            "can check their ballot (turn off if members may be pressured to show their code)"
        ),
        default=True,
    )
    notice_issuer = StringField(
        _l("Notice posted by (the village or residents' committee, as on its seal)"),
        validators=[Length(max=100)],
    )
    notice_contact = StringField(
        _l("Contact printed on the notice (e.g. the township's hotline)"),
        validators=[Length(max=200)],
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.kind.choices = enum_choices(AssistanceKind)


class MemberForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=64)])
    role = SelectField(_l("Role"), validators=[DataRequired()])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.role.choices = enum_choices(Role)


class RecusalForm(FlaskForm):
    """A member who stands aside (回避) from a household, e.g. a relative of the applicant."""

    member = SelectField(_l("Member"), coerce=int, validators=[DataRequired()])
    reason = StringField(_l("Reason"), validators=[DataRequired(), Length(max=200)])

    def __init__(self, *args: Any, voters: list[PanelMember], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.member.choices = [SelectChoice(m.id, m.name) for m in voters]


class HouseholdForm(FlaskForm):
    head_name = StringField(_l("Head of household"), validators=[DataRequired(), Length(max=64)])
    persons = IntegerField(
        _l("Persons"), validators=[InputRequired(), NumberRange(min=1, max=MAX_PERSONS)]
    )
    address = StringField(_l("Address or group"), validators=[Optional(), Length(max=200)])
    category = SelectField(_l("Assistance"), validators=[DataRequired()])
    application_type = SelectField(_l("Application type"), validators=[DataRequired()])
    id_number = StringField(
        _l("ID number (case file only)"), validators=[Optional(), Length(max=32)]
    )
    investigator = SelectField(_l("Investigator"), coerce=int, validators=[Optional()])
    recommendation = SelectField(_l("Recommendation"), validators=[Optional()])
    proposed_tier = SelectField(_l("Proposed tier"), validators=[Optional()])

    def __init__(
        self, *args: Any, investigators: list[PanelMember], tiers: tuple[Tier, ...], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.category.choices = enum_choices(AssistanceKind)
        self.application_type.choices = enum_choices(ApplicationType)
        self.investigator.choices = [
            SelectChoice(0, "—"),
            *(SelectChoice(m.id, m.name) for m in investigators),
        ]
        self.recommendation.choices = enum_choices(Recommendation, blank="—")
        self.proposed_tier.choices = [
            SelectChoice("", "—"),
            *(SelectChoice(t.code, t.label) for t in tiers),
        ]


# One text area per finding heading, added to the class so WTForms binds them.
for _heading in FindingHeading:
    setattr(
        HouseholdForm,
        f"finding_{_heading.value}",
        TextAreaField(validators=[Optional(), Length(max=2000)]),
    )


class ImportForm(FlaskForm):
    what = RadioField(
        _l("What the file lists"),
        choices=[
            SelectChoice("members", _l("Panel members")),
            SelectChoice("households", _l("Households")),
        ],
        default="members",
        validators=[DataRequired()],
    )
    file = FileField(
        _l("File (.csv, .xlsx or .xls)"),
        validators=[
            FileRequired(),
            FileAllowed(["csv", "xlsx", "xls"], _l("Only .csv, .xlsx and .xls files.")),
        ],
    )
