"""Staff pages for preparing a meeting. Each handler: parse the form, call a service, answer."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import TypeVar
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from ...domain.categories import ApplicationType, AssistanceKind, Recommendation
from ...domain.errors import DomainError, NotInMeeting
from ...domain.findings import FindingGroup, FindingHeading, headings_in
from ...domain.quorum import check_quorum_of
from ...domain.roles import Role
from ...exports import file_name
from ...extensions import db
from ...imports.tables import ImportRejected
from ...services import recusals, setup
from ...services.cards import join_cards
from ...services.unit_of_work import Busy
from ...settings import current_rules
from ...store.models import Household, Meeting, PanelMember
from ...store.ownership import owned
from ...texts import translate
from ..addresses import is_loopback, join_base_url
from .forms import HouseholdForm, ImportForm, MeetingForm, MemberForm, RecusalForm

bp = Blueprint("staff", __name__, url_prefix="/staff")
Owned = TypeVar("Owned", PanelMember, Household)

IMPORT_MIMETYPES = {
    "csv": "text/csv",  # the charset is added by the response itself
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _actor() -> str:
    return current_user.username


def _meeting(meeting_id: int) -> Meeting:
    return db.get_or_404(Meeting, meeting_id)


def _owned(model: type[Owned], meeting: Meeting, item_id: int) -> Owned:
    """The member or household, only if it belongs to this meeting (ids are not secrets)."""
    try:
        return owned(db.session, model, item_id, meeting.id)
    except NotInMeeting:
        abort(404)


def _attempt(action: Callable[[], object], done: str) -> bool:
    """Run a setup service (it rolls back whatever it refused); flash ``done`` or the rule
    that refused it. True if it was done."""
    try:
        action()
    except DomainError as error:
        flash(translate(error.message), "error")
        return False
    except Busy:
        flash(_("The server is busy; please try again."), "error")
        return False
    flash(done, "success")
    return True


@bp.get("/meetings")
def meetings() -> str:
    rows = db.session.scalars(
        db.select(Meeting).order_by(Meeting.held_on.desc(), Meeting.id.desc())
    )
    return render_template("staff/meetings.html", meetings=list(rows))


@bp.route("/meetings/new", methods=["GET", "POST"])
def new_meeting() -> str | Response:
    form = MeetingForm()
    if form.validate_on_submit():
        meeting_id = setup.create_meeting(_meeting_details(form), _actor())
        flash(_("Meeting created."), "success")
        return redirect(url_for("staff.meeting", meeting_id=meeting_id))
    return render_template("staff/meeting_form.html", form=form, meeting=None)


@bp.route("/meetings/<int:meeting_id>/edit", methods=["GET", "POST"])
def edit_meeting(meeting_id: int) -> str | Response:
    meeting = _meeting(meeting_id)
    form = MeetingForm(obj=meeting)
    if form.validate_on_submit() and _attempt(
        lambda: setup.update_meeting(meeting.id, _meeting_details(form), _actor()), _("Saved.")
    ):
        return redirect(url_for("staff.meeting", meeting_id=meeting.id))
    return render_template("staff/meeting_form.html", form=form, meeting=meeting)


@bp.get("/meetings/<int:meeting_id>")
def meeting(meeting_id: int) -> str:
    meeting = _meeting(meeting_id)
    registered = check_quorum_of(((m.role, True) for m in meeting.members), current_rules())
    return render_template(
        "staff/meeting.html",
        meeting=meeting,
        registered=registered,
        voting_count=sum(1 for m in meeting.members if m.votes),
        persons=sum(h.persons for h in meeting.households),
        import_form=ImportForm(),
        join_base_url=join_base_url(),
    )


@bp.route("/meetings/<int:meeting_id>/members/new", methods=["GET", "POST"])
def new_member(meeting_id: int) -> str | Response:
    meeting = _meeting(meeting_id)
    form = MemberForm()
    if form.validate_on_submit() and _attempt(
        lambda: setup.add_member(meeting.id, form.name.data or "", Role(form.role.data), _actor()),
        _("Member added."),
    ):
        return redirect(url_for("staff.meeting", meeting_id=meeting.id) + "#members")
    return render_template("staff/member_form.html", form=form, meeting=meeting, member=None)


@bp.route("/meetings/<int:meeting_id>/members/<int:member_id>", methods=["GET", "POST"])
def edit_member(meeting_id: int, member_id: int) -> str | Response:
    meeting = _meeting(meeting_id)
    member = _owned(PanelMember, meeting, member_id)
    form = MemberForm(obj=member)
    if form.validate_on_submit() and _attempt(
        lambda: setup.update_member(
            meeting.id, member.id, form.name.data or "", Role(form.role.data), _actor()
        ),
        _("Saved."),
    ):
        return redirect(url_for("staff.meeting", meeting_id=meeting.id) + "#members")
    return render_template("staff/member_form.html", form=form, meeting=meeting, member=member)


@bp.post("/meetings/<int:meeting_id>/members/<int:member_id>/delete")
def delete_member(meeting_id: int, member_id: int) -> Response:
    meeting = _meeting(meeting_id)
    member = _owned(PanelMember, meeting, member_id)
    _attempt(lambda: setup.remove_member(meeting.id, member.id, _actor()), _("Member removed."))
    return redirect(url_for("staff.meeting", meeting_id=meeting.id) + "#members")


@bp.route("/meetings/<int:meeting_id>/households/new", methods=["GET", "POST"])
def new_household(meeting_id: int) -> str | Response:
    meeting = _meeting(meeting_id)
    form = _household_form(meeting, obj=None, category=meeting.kind.value)
    if form.validate_on_submit() and _attempt(
        lambda: setup.add_household(meeting.id, _household_details(form), _actor()),
        _("Household added."),
    ):
        return redirect(url_for("staff.meeting", meeting_id=meeting.id) + "#households")
    return _household_page(form, meeting, None)


@bp.route("/meetings/<int:meeting_id>/households/<int:household_id>", methods=["GET", "POST"])
def edit_household(meeting_id: int, household_id: int) -> str | Response:
    meeting = _meeting(meeting_id)
    household = _owned(Household, meeting, household_id)
    form = _household_form(meeting, obj=household)
    if not form.is_submitted():
        form.investigator.data = household.investigator_id or 0
        form.recommendation.data = (
            household.recommendation.value if household.recommendation else ""
        )
        form.proposed_tier.data = household.proposed_tier or ""
        for heading in FindingHeading:
            getattr(form, f"finding_{heading.value}").data = household.finding(heading)
    if form.validate_on_submit() and _attempt(
        lambda: setup.update_household(
            meeting.id, household.id, _household_details(form), _actor()
        ),
        _("Saved."),
    ):
        return redirect(url_for("staff.meeting", meeting_id=meeting.id) + "#households")
    return _household_page(form, meeting, household)


@bp.post("/meetings/<int:meeting_id>/households/<int:household_id>/recusals")
def add_recusal(meeting_id: int, household_id: int) -> Response:
    meeting = _meeting(meeting_id)
    household = _owned(Household, meeting, household_id)
    form = _recusal_form(meeting)
    if form.validate_on_submit():
        _attempt(
            lambda: recusals.recuse(
                meeting.id, household.position, form.member.data, form.reason.data or "", _actor()
            ),
            _("Recusal recorded."),
        )
    else:
        flash(_("Choose the member and give the reason for the recusal."), "error")
    return redirect(
        url_for("staff.edit_household", meeting_id=meeting.id, household_id=household.id)
    )


@bp.post("/meetings/<int:meeting_id>/households/<int:household_id>/recusals/<int:member_id>/delete")
def delete_recusal(meeting_id: int, household_id: int, member_id: int) -> Response:
    meeting = _meeting(meeting_id)
    household = _owned(Household, meeting, household_id)
    _attempt(
        lambda: recusals.withdraw_recusal(meeting.id, household.position, member_id, _actor()),
        _("Recusal withdrawn."),
    )
    return redirect(
        url_for("staff.edit_household", meeting_id=meeting.id, household_id=household.id)
    )


@bp.post("/meetings/<int:meeting_id>/households/<int:household_id>/delete")
def delete_household(meeting_id: int, household_id: int) -> Response:
    meeting = _meeting(meeting_id)
    household = _owned(Household, meeting, household_id)
    _attempt(
        lambda: setup.remove_household(meeting.id, household.id, _actor()),
        _("Household removed."),
    )
    return redirect(url_for("staff.meeting", meeting_id=meeting.id) + "#households")


@bp.post("/meetings/<int:meeting_id>/import")
def import_file(meeting_id: int) -> str | Response:
    meeting = _meeting(meeting_id)
    form = ImportForm()
    if not form.validate_on_submit():
        for errors in form.errors.values():
            for error in errors:
                flash(str(error), "error")
        return redirect(url_for("staff.meeting", meeting_id=meeting.id))
    upload = form.file.data
    importer = setup.import_members if form.what.data == "members" else setup.import_households
    try:
        count = importer(meeting.id, upload.filename or "", upload.read(), _actor())
    except ImportRejected as rejected:
        return render_template(
            "staff/import_rejected.html",
            meeting=meeting,
            rejected=rejected,
            filename=upload.filename,
        ), 422
    except DomainError as error:
        flash(translate(error.message), "error")
        return redirect(url_for("staff.meeting", meeting_id=meeting.id))
    flash(_("Imported %(count)d rows.", count=count), "success")
    return redirect(url_for("staff.meeting", meeting_id=meeting.id))


@bp.get("/import-templates/<any(members, households):what>.<any(csv, xlsx):fmt>")
def import_template(what: str, fmt: str) -> Response:
    data = setup.blank_import_file(what, fmt)
    title = _("panel members") if what == "members" else _("households")
    return send_file(
        io.BytesIO(data),
        mimetype=IMPORT_MIMETYPES[fmt],
        as_attachment=True,
        download_name=file_name(title, extension=fmt),  # its Chinese name, safely encoded
        max_age=0,
    )


@bp.get("/meetings/<int:meeting_id>/cards")
def cards(meeting_id: int) -> str:
    meeting = _meeting(meeting_id)
    base_url = join_base_url()
    only = request.args.get("member", type=int)  # one card, e.g. a new one during the meeting
    cards = [c for c in join_cards(meeting, base_url) if only is None or c.member.id == only]
    return render_template(
        "staff/cards.html",
        meeting=meeting,
        cards=cards,
        base_url=base_url,
        unreachable=is_loopback(urlsplit(base_url).hostname or ""),
    )


def _meeting_details(form: MeetingForm) -> setup.MeetingDetails:
    return setup.MeetingDetails(
        title=form.title.data or "",
        place=form.place.data or "",
        held_on=form.held_on.data,
        kind=AssistanceKind(form.kind.data),
        publish_trackers=bool(form.publish_trackers.data),
        notice_issuer=form.notice_issuer.data or "",
        notice_contact=form.notice_contact.data or "",
    )


def _household_form(meeting: Meeting, obj: Household | None, **defaults: str) -> HouseholdForm:
    investigators = [m for m in meeting.members if m.role is Role.INVESTIGATOR]
    tiers = current_rules().tiers
    return HouseholdForm(obj=obj, investigators=investigators, tiers=tiers, **defaults)


def _household_page(form: HouseholdForm, meeting: Meeting, household: Household | None) -> str:
    groups = [(group, headings_in(group)) for group in FindingGroup]
    return render_template(
        "staff/household_form.html",
        form=form,
        meeting=meeting,
        household=household,
        groups=groups,
        recusal_form=_recusal_form(meeting) if household else None,
    )


def _recusal_form(meeting: Meeting) -> RecusalForm:
    return RecusalForm(voters=[m for m in meeting.members if m.votes])


def _household_details(form: HouseholdForm) -> setup.HouseholdDetails:
    return setup.HouseholdDetails(
        head_name=form.head_name.data or "",
        persons=form.persons.data or 0,
        address=form.address.data or "",
        category=AssistanceKind(form.category.data),
        application_type=ApplicationType(form.application_type.data),
        id_number=form.id_number.data or None,
        investigator_id=form.investigator.data or None,
        recommendation=Recommendation(form.recommendation.data)
        if form.recommendation.data
        else None,
        proposed_tier=form.proposed_tier.data or None,
        findings={h: getattr(form, f"finding_{h.value}").data or "" for h in FindingHeading},
    )
