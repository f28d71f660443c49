"""Staff pages for the audit trail and the sign-off: check the chain, finalise, amend."""

from __future__ import annotations

import json
from typing import Any

from flask import Response, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import TextAreaField
from wtforms.validators import DataRequired, Length

from ...domain.signoff import MAX_AMENDMENT_LENGTH
from ...services import audit, signoff
from .views import _actor, _attempt, _meeting, bp

#: how much of an event's data the log page shows
SHORT_DATA = 120


class AmendmentForm(FlaskForm):
    """A correction to signed-off minutes, appended to the log."""

    text = TextAreaField(
        _l("Amendment"), validators=[DataRequired(), Length(max=MAX_AMENDMENT_LENGTH)]
    )


def short_data(data: Any) -> str:
    """An event's data on one line, cut to fit the table."""
    text = json.dumps(data, ensure_ascii=False, sort_keys=True)
    return text if len(text) <= SHORT_DATA else text[: SHORT_DATA - 1] + "…"


@bp.get("/meetings/<int:meeting_id>/audit")
def audit_trail(meeting_id: int) -> str:
    meeting = _meeting(meeting_id)
    return render_template(
        "staff/audit.html",
        meeting=meeting,
        report=audit.verify_chain(meeting.id),
        events=audit.events_of(meeting.id),
        amendments=signoff.amendments(meeting.id),
        form=AmendmentForm(),
        short_data=short_data,
    )


@bp.post("/meetings/<int:meeting_id>/finalise")
def finalise(meeting_id: int) -> Response:
    _meeting(meeting_id)
    _attempt(lambda: signoff.finalise(meeting_id, _actor()), _("The minutes are signed off."))
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
