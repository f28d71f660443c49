"""The member's phone: joining by card or by the meeting QR, and the live meeting page.

A phone is recognised by a long-lived random cookie (HttpOnly); the seat it holds is the
only thing that lets it into a meeting's room.
"""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_limiter.util import get_remote_address
from werkzeug.wrappers.response import Response as BaseResponse

from ...domain.errors import DomainError, NotInMeeting
from ...extensions import db, limiter
from ...services import seats
from ...services.cards import member_for_token, token_digest
from ...services.unit_of_work import Busy
from ...store.models import Meeting, SeatRequest, SeatRequestStatus
from ...store.ownership import owned
from ...texts import translate
from ..safety import record_id

bp = Blueprint("member", __name__)


def _join_limit() -> str:
    return current_app.config["JOIN_RATE_LIMIT"]


def _join_failures_limit() -> str:
    return current_app.config["JOIN_FAILURES_LIMIT"]


def _scanned_card() -> str:
    """The card's own budget: a hall behind one address (one Wi-Fi router) joins freely,
    while one card scanned over and over is slowed down."""
    return "card:" + token_digest(str((request.view_args or {}).get("token", "")))


def _this_phone() -> str:
    return "phone:" + (request.cookies.get(seats.DEVICE_COOKIE) or get_remote_address())


def _failed(response: BaseResponse) -> bool:
    """Only a wrong card or entry code counts against the address: guessing is slowed,
    a hall of honest phones sharing one address is not."""
    return response.status_code == 404


def _device_secret() -> tuple[str, bool]:
    """This phone's secret and whether it is new (to be set as a cookie)."""
    secret = request.cookies.get(seats.DEVICE_COOKIE)
    if secret and 20 <= len(secret) <= 100:
        return secret, False
    return seats.new_device_secret(), True


def _with_device_cookie(response: BaseResponse, secret: str, is_new: bool) -> BaseResponse:
    if is_new:
        response.set_cookie(
            seats.DEVICE_COOKIE,
            secret,
            max_age=seats.DEVICE_COOKIE_MAX_AGE,
            httponly=True,
            samesite="Lax",
            secure=request.is_secure,
        )
    return response


@bp.get("/j/<token>")
@limiter.limit(_join_limit, key_func=_scanned_card)
@limiter.limit(_join_failures_limit, deduct_when=_failed)
def join(token: str) -> BaseResponse | tuple[str, int]:
    """A card was scanned: this phone takes the member's seat, then leaves the token behind."""
    member = member_for_token(token)
    if member is None:
        return render_template("member/unknown_card.html"), 404
    secret, is_new = _device_secret()
    meeting_id, member_id = member.meeting_id, member.id
    try:
        seats.claim_seat(meeting_id, member_id, secret)
    except DomainError as refused:
        page = render_template(
            "member/refused.html",
            meeting=db.session.get(Meeting, meeting_id),
            reason=translate(refused.message),
        )
        return _with_device_cookie(Response(page, status=409), secret, is_new)
    except Busy:
        abort(503)
    target = redirect(url_for("member.live", meeting_id=meeting_id))
    return _with_device_cookie(target, secret, is_new)


@bp.get("/m/<int:meeting_id>")
def live(meeting_id: int) -> str | tuple[str, int]:
    """The live meeting on the phone; only for the phone that holds a seat."""
    meeting = db.get_or_404(Meeting, meeting_id)
    member = seats.member_on_device(meeting.id, request.cookies.get(seats.DEVICE_COOKIE))
    if member is None:
        return render_template("member/no_seat.html", meeting=meeting), 403
    return render_template("member/live.html", meeting=meeting, member=member)


@bp.route("/e/<int:meeting_id>/<token>", methods=["GET", "POST"])
@limiter.limit(_join_limit, methods=["POST"], key_func=_this_phone)
@limiter.limit(_join_failures_limit, deduct_when=_failed)
def pick_name(meeting_id: int, token: str) -> BaseResponse | str | tuple[str, int]:
    """For a member who forgot their card: pick your name, then the host approves."""
    meeting = seats.meeting_for_entry(meeting_id, token)
    if meeting is None:
        return render_template("member/unknown_card.html"), 404
    secret, is_new = _device_secret()
    if seats.member_on_device(meeting.id, secret) is not None:
        return redirect(url_for("member.live", meeting_id=meeting.id))
    error = None
    if request.method == "POST":
        member_id = request.form.get("member_id", type=record_id) or 0
        try:
            request_id = seats.request_seat(meeting_id, member_id, secret)
        except NotInMeeting:
            abort(404)  # a member of another meeting, or none
        except DomainError as refused:
            error = translate(refused.message)
        except Busy:
            abort(503)
        else:
            target = redirect(
                url_for("member.wait", meeting_id=meeting_id, token=token, request_id=request_id)
            )
            return _with_device_cookie(target, secret, is_new)
    free = [m for m in meeting.members if m.votes and m.device_hash is None]
    page = render_template("member/pick_name.html", meeting=meeting, members=free, error=error)
    return _with_device_cookie(Response(page), secret, is_new)


@bp.get("/e/<int:meeting_id>/<token>/wait/<int:request_id>")
def wait(meeting_id: int, token: str, request_id: int) -> BaseResponse | str | tuple[str, int]:
    """Waiting for the host: the page reloads itself until the seat is given or refused."""
    meeting = seats.meeting_for_entry(meeting_id, token)
    secret = request.cookies.get(seats.DEVICE_COOKIE) or ""
    try:
        seat_request = owned(db.session, SeatRequest, request_id, meeting_id) if meeting else None
    except NotInMeeting:
        seat_request = None
    if seat_request is None or seat_request.device_hash != seats.device_digest(secret):
        return render_template("member/unknown_card.html"), 404
    if seat_request.status is SeatRequestStatus.APPROVED:
        return redirect(url_for("member.live", meeting_id=meeting.id))
    return render_template(
        "member/wait.html",
        meeting=meeting,
        member=seat_request.member,
        refused=seat_request.status is SeatRequestStatus.REFUSED,
        back=url_for("member.pick_name", meeting_id=meeting.id, token=token),
    )
