"""Sign-in for staff; the rest of the staff pages require it."""

from __future__ import annotations

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required, login_user, logout_user
from flask_wtf import FlaskForm
from werkzeug.wrappers.response import Response
from wtforms import BooleanField, PasswordField, StringField
from wtforms.validators import DataRequired

from ...extensions import limiter
from ...realtime.audience import close_account_screens
from ...services.staff import authenticate, end_sessions
from ..safety import local_path

bp = Blueprint("auth", __name__)


class LoginForm(FlaskForm):
    username = StringField(_l("Username"), validators=[DataRequired()])
    password = PasswordField(_l("Password"), validators=[DataRequired()])
    remember = BooleanField(_l("Stay signed in on this computer"))


def _sign_in_limit() -> str:
    return current_app.extensions["meeting.settings"].server.sign_in_rate_limit


def _account_tried() -> str:
    """The account a sign-in names: tries are counted per account as well as per address."""
    return "account:" + (request.form.get("username") or "").strip().lower()


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_sign_in_limit, methods=["POST"])
@limiter.limit(_sign_in_limit, methods=["POST"], key_func=_account_tried)
def login() -> str | Response:
    form = LoginForm()
    if form.validate_on_submit():
        user = authenticate(form.username.data or "", form.password.data or "")
        if user is not None:
            session.permanent = True  # ends after the idle time (staff_idle_minutes)
            login_user(user, remember=form.remember.data)
            return redirect(local_path(request.args.get("next"), url_for("staff.meetings")))
        flash(_("Wrong username or password."), "error")
    return render_template("auth/login.html", form=form)


@bp.post("/logout")
@login_required
def logout() -> Response:
    user_id = current_user.id
    end_sessions(current_user)
    logout_user()
    close_account_screens(user_id)  # its open consoles stop at once, not at their next event
    return redirect(url_for("auth.login"))
