"""Staff pages for the audit trail and the sign-off: check the chain, finalise, amend."""

from __future__ import annotations

import re

from flask import Response, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from ...domain.signoff import MAX_AMENDMENT_LENGTH, signatories
from ...services import audit, signoff
from ...store.models import Meeting
from .audit_labels import EntryWords
from .views import _actor, _attempt, _meeting, bp


class AmendmentForm(FlaskForm):
    """A correction to signed-off minutes, appended to the log."""

    text = TextAreaField(
        _l("Amendment"), validators=[DataRequired(), Length(max=MAX_AMENDMENT_LENGTH)]
    )


class SignOffForm(FlaskForm):
    """The people who sign the minutes, by name (typed, or as proposed from the panel)."""

    host = StringField(_l("Host (主持人)"), validators=[DataRequired(), Length(max=64)])
    secretary = StringField(_l("Secretary (记录人)"), validators=[DataRequired(), Length(max=64)])
    scrutineers = StringField(
        _l("Scrutineers (监票人), separated by 、 or commas"), validators=[Length(max=300)]
    )


@bp.get("/meetings/<int:meeting_id>/audit")
def audit_trail(meeting_id: int) -> str:
    meeting = _meeting(meeting_id)
    return render_template(
        "staff/audit.html",
        meeting=meeting,
        report=audit.verify_meeting(meeting.id),
        events=audit.events_of(meeting.id),
        amendments=signoff.amendments(meeting.id),
        form=AmendmentForm(),
        sign_off_form=_sign_off_form(meeting),
        words=EntryWords(meeting),
    )


def _sign_off_form(meeting: Meeting) -> SignOffForm:
    proposed = signoff.proposed_signatories(meeting, current_user.display_name)
    return SignOffForm(
        data={
            "host": proposed.host,
            "secretary": proposed.secretary,
            "scrutineers": "、".join(proposed.scrutineers),
        }
    )


@bp.post("/meetings/<int:meeting_id>/finalise")
def finalise(meeting_id: int) -> Response:
    _meeting(meeting_id)
    form = SignOffForm()
    if not form.validate_on_submit():
        flash(_("Name the host and the secretary who sign the minutes."), "error")
        return redirect(url_for("staff.audit_trail", meeting_id=meeting_id) + "#sign-off")

    def sign() -> str:
        people = signatories(
            form.host.data or "",
            form.secretary.data or "",
            re.split(r"[、，,;；\s]+", form.scrutineers.data or ""),
        )
        return signoff.finalise(meeting_id, _actor(), people)

    _attempt(sign, _("The minutes are signed off."))
    return redirect(url_for("staff.audit_trail", meeting_id=meeting_id))


@bp.post("/meetings/<int:meeting_id>/amendments")
def add_amendment(meeting_id: int) -> Response:
    _meeting(meeting_id)
    form = AmendmentForm()
    if form.validate_on_submit():
        _attempt(
            lambda: signoff.amend(meeting_id, form.text.data or "", _actor()),
            _("Amendment added."),
        )
    else:
        flash(_("Please write the amendment."), "error")
    return redirect(url_for("staff.audit_trail", meeting_id=meeting_id) + "#amendments")
