"""Staff accounts, for an administrator: who may set up, host or minute meetings; and a
meeting's display-only projector link, renewed (the old one revoked) by a host or an
administrator."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.wrappers.response import Response
from wtforms import PasswordField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from ...domain.errors import DomainError
from ...domain.staff_roles import StaffRole
from ...extensions import db
from ...realtime.audience import close_account_screens, close_displays
from ...services import display_link, staff
from ...store.models import Meeting, StaffUser
from ...texts import translate
from .views import bp

ROLE_LABELS = {
    StaffRole.ADMIN: _l("Administrator (setup, import, cards, accounts)"),
    StaffRole.HOST: _l("Host (runs the meeting)"),
    StaffRole.SECRETARY: _l("Secretary (notes, minutes, sign-off)"),
}


class RolesField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class AccountForm(FlaskForm):
    username = StringField(_l("Username"), validators=[DataRequired(), Length(max=64)])
    display_name = StringField(_l("Full name (as in the minutes)"), validators=[Length(max=100)])
    password = PasswordField(
        _l("Password (at least 8 characters; leave empty to keep it)"), validators=[Optional()]
    )
    roles = RolesField(_l("Roles"), validators=[DataRequired()])

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.roles.choices = [(role.value, str(ROLE_LABELS[role])) for role in StaffRole]


@bp.get("/accounts")
def accounts() -> str:
    return render_template("staff/accounts.html", accounts=staff.all_staff(), labels=ROLE_LABELS)


@bp.route("/accounts/new", methods=["GET", "POST"])
def new_account() -> str | Response:
    form = AccountForm()
    if form.validate_on_submit():
        try:
            staff.create_staff(
                form.username.data or "",
                form.password.data or "",
                form.display_name.data,
                form.roles.data or [],
            )
        except DomainError as refused:
            flash(translate(refused.message), "error")
        else:
            flash(_("Account created."), "success")
            return redirect(url_for("staff.accounts"))
    return render_template("staff/account_form.html", form=form, account=None)


@bp.route("/accounts/<int:user_id>", methods=["GET", "POST"])
def edit_account(user_id: int) -> str | Response:
    account = db.session.get(StaffUser, user_id) or abort(404)
    shown = {"display_name": account.display_name, "roles": [r.value for r in account.role_set]}
    form = AccountForm(data=None if request.method == "POST" else shown)
    form.username.data = account.username  # the name one signs in with does not change
    if form.validate_on_submit():
        try:
            staff.update_staff(
                account.id,
                form.display_name.data or "",
                form.roles.data or [],
                form.password.data or None,
                current_user,
            )
        except DomainError as refused:
            flash(translate(refused.message), "error")
        else:
            close_account_screens(account.id)  # its rights changed: its screens reconnect
            flash(_("Account saved."), "success")
            return redirect(url_for("staff.accounts"))
    return render_template("staff/account_form.html", form=form, account=account)


@bp.post("/meetings/<int:meeting_id>/display-link")
def renew_display_link(meeting_id: int) -> Response:
    """A new display link; the old one stops working on every screen that used it."""
    db.get_or_404(Meeting, meeting_id)
    display_link.renew_display_link(meeting_id, current_user.username)
    close_displays(meeting_id)
    flash(_("A new projector link was made; the old one no longer works."), "success")
    return redirect(url_for("staff.meeting", meeting_id=meeting_id) + "#display")
