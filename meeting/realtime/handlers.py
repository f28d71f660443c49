"""Socket.IO handlers: parse, authorise, call a service, announce, reply.

A connection says which meeting and which view it wants in its ``auth`` payload; the
server decides whether it may: staff views need a signed-in staff session, the member
view a phone holding a seat in that meeting. Nothing else lets a client into a room.
See docs/protocol.md for every event.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Any

from flask import request, session
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user
from flask_socketio import ConnectionRefusedError, emit, join_room

from ..domain.errors import DomainError
from ..extensions import db, socketio
from ..services import ballots, hearings, presence, seats
from ..store.models import Household, Meeting, PanelMember, SeatRequest
from ..web.i18n import select_locale, translate
from .broadcast import announce_committed, members_room, phone_view, staff_room
from .state import public_state, staff_state

STAFF, MEMBER = "staff", "member"
logger = logging.getLogger(__name__)
LIVE = "live"  # key of this connection's facts in its Socket.IO session


@socketio.on("connect")
def connect(auth: dict[str, Any] | None) -> None:
    auth = auth if isinstance(auth, dict) else {}
    meeting = _meeting_from(auth.get("meeting"))
    view = auth.get("view")
    locale = select_locale()
    with force_locale(locale):
        if meeting is None:
            raise ConnectionRefusedError({"message": _("No such meeting.")})
        if view == STAFF:
            if not current_user.is_authenticated:
                raise ConnectionRefusedError({"message": _("Please sign in.")})
            session[LIVE] = {"meeting": meeting.id, "view": STAFF, "locale": locale}
            join_room(staff_room(meeting.id, locale))
            emit("state", staff_state(meeting))
            return
        if view == MEMBER:
            member = seats.member_on_device(meeting, request.cookies.get(seats.DEVICE_COOKIE))
            if member is None:
                raise ConnectionRefusedError(
                    {"message": _("This phone has no seat in this meeting.")}
                )
            session[LIVE] = {
                "meeting": meeting.id,
                "view": MEMBER,
                "member": member.id,
                "device": member.device_hash,
                "locale": locale,
            }
            join_room(members_room(meeting.id, locale))
            emit("you", {"id": member.id, "name": member.name, "votes": member.votes})
            emit("state", phone_view(public_state(meeting)))
            return
        raise ConnectionRefusedError({"message": _("Unknown view.")})


def _meeting_from(value: Any) -> Meeting | None:
    try:
        return db.session.get(Meeting, int(value))
    except (TypeError, ValueError):
        return None


def live_event(view: str) -> Callable:
    """Authorise an event for a view of the connection's own meeting, run it, announce.

    The handler gets the meeting (and the member, for the member view) and the payload;
    it answers ``{"ok": true}`` or ``{"ok": false, "error": "<a sentence>"}``.
    """

    def decorate(handler: Callable) -> Callable:
        @functools.wraps(handler)
        def run(payload: Any = None) -> dict[str, Any]:
            live = session.get(LIVE)
            if not live or live["view"] != view:
                return {"ok": False, "error": _("Not allowed from this screen.")}
            with force_locale(live["locale"]):
                meeting = db.session.get(Meeting, live["meeting"])
                if meeting is None:
                    return {"ok": False, "error": _("No such meeting.")}
                payload = payload if isinstance(payload, dict) else {}
                try:
                    if view == MEMBER:
                        # the seat may have been freed or re-carded since this phone connected
                        member = db.session.get(PanelMember, live["member"])
                        if member is None or member.device_hash != live["device"]:
                            return {"ok": False, "error": _("This phone no longer holds a seat.")}
                        answer = handler(meeting, member, payload)
                    else:
                        # signing out (or a removed account) ends open connections too
                        if not current_user.is_authenticated:
                            return {"ok": False, "error": _("Please sign in.")}
                        answer = handler(meeting, payload)
                except DomainError as error:
                    db.session.rollback()
                    return {
                        "ok": False,
                        "error": translate(error.message),
                        "code": _code(error),
                    }
                except (KeyError, TypeError, ValueError):
                    db.session.rollback()
                    return {"ok": False, "error": _("The request was malformed.")}
                except Exception:
                    # never the payload in the log: it may carry notes or, later, a ballot
                    db.session.rollback()
                    logger.exception("live event %s failed", handler.__name__)
                    return {"ok": False, "error": _("The server could not do this. Try again.")}
            announce_committed()
            return {"ok": True, **(answer or {})}

        return run

    return decorate


def _code(error: DomainError) -> str:
    """A stable name for the kind of refusal, for clients that act on it (TrackerTaken ->
    tracker_taken)."""
    name = type(error).__name__
    return "".join("_" + c.lower() if c.isupper() else c for c in name).lstrip("_")


@socketio.on("sync")
def sync(_payload: Any = None) -> dict[str, Any]:
    """Send this screen the whole current state again (after a missed version)."""
    live = session.get(LIVE)
    meeting = db.session.get(Meeting, live["meeting"]) if live else None
    if meeting is None:
        return {"ok": False}
    with force_locale(live["locale"]):
        state = staff_state(meeting) if live["view"] == STAFF else phone_view(public_state(meeting))
    emit("state", state)
    return {"ok": True, "version": state["version"]}


# --- the member's phone -------------------------------------------------------------------


@socketio.on("raise_hand")
@live_event(MEMBER)
def raise_hand(meeting: Meeting, member: PanelMember, _payload: dict) -> None:
    hearings.raise_hand(meeting, member)


@socketio.on("withdraw_hand")
@live_event(MEMBER)
def withdraw_hand(meeting: Meeting, member: PanelMember, _payload: dict) -> None:
    hearings.withdraw_hand(meeting, member)


@socketio.on("cast_ballot")
@live_event(MEMBER)
def cast_ballot(meeting: Meeting, member: PanelMember, payload: dict) -> dict[str, Any]:
    # the payload holds a choice: it never goes into a log line, an event or an error
    position = int(payload["position"])
    status = ballots.cast_ballot(
        meeting, member, position, payload["choice"], payload.get("tier"), payload["tracker"]
    )
    hearings.close_if_complete(meeting, position)
    return {"status": status}


# --- the host's console -------------------------------------------------------------------


def _member(meeting: Meeting, payload: dict) -> PanelMember:
    member = db.session.get(PanelMember, int(payload["member_id"]))
    if member is None or member.meeting_id != meeting.id:
        raise KeyError("member_id")
    return member


def _flag(payload: dict, key: str) -> bool:
    """A true/false field; "false" or 0 are not taken for an answer."""
    value = payload[key]
    if not isinstance(value, bool):
        raise TypeError(key)
    return value


def _actor() -> str:
    return current_user.username if current_user.is_authenticated else "staff"


@socketio.on("step")
@live_event(STAFF)
def step(meeting: Meeting, payload: dict) -> None:
    confirmed = _flag(payload, "confirm") if "confirm" in payload else False
    hearings.take_step(meeting, int(payload["position"]), str(payload["step"]), _actor(), confirmed)


@socketio.on("extend")
@live_event(STAFF)
def extend(meeting: Meeting, payload: dict) -> None:
    hearings.extend_phase(meeting, int(payload["position"]), int(payload["seconds"]), _actor())


@socketio.on("show")
@live_event(STAFF)
def show(meeting: Meeting, payload: dict) -> None:
    position = payload.get("position")
    hearings.show_household(meeting, None if position is None else int(position), _actor())


@socketio.on("presence")
@live_event(STAFF)
def set_presence(meeting: Meeting, payload: dict) -> None:
    presence.set_presence(_member(meeting, payload), _flag(payload, "present"), _actor())
    if meeting.current_position is not None:  # the last one who had not voted left
        hearings.close_if_complete(meeting, meeting.current_position)


@socketio.on("release_seat")
@live_event(STAFF)
def release_seat(meeting: Meeting, payload: dict) -> None:
    seats.release_seat(_member(meeting, payload), _actor())


@socketio.on("new_card")
@live_event(STAFF)
def new_card(meeting: Meeting, payload: dict) -> None:
    seats.issue_new_card(_member(meeting, payload), _actor())


@socketio.on("seat_request")
@live_event(STAFF)
def decide_seat_request(meeting: Meeting, payload: dict) -> None:
    seat_request = db.session.get(SeatRequest, int(payload["request_id"]))
    if seat_request is None or seat_request.meeting_id != meeting.id:
        raise KeyError("request_id")
    seats.decide_seat_request(seat_request, _flag(payload, "approve"), _actor())


@socketio.on("give_floor")
@live_event(STAFF)
def give_floor(meeting: Meeting, payload: dict) -> None:
    hearings.give_floor(meeting, int(payload["request_id"]), _actor())


@socketio.on("finish_speaking")
@live_event(STAFF)
def finish_speaking(meeting: Meeting, payload: dict) -> None:
    hearings.finish_speaking(meeting, int(payload["request_id"]), _actor())


# --- the ballot, from the console -----------------------------------------------------------


def _household(meeting: Meeting, payload: dict) -> Household:
    position = int(payload["position"])
    return hearings.household_at(meeting, position)


@socketio.on("recuse")
@live_event(STAFF)
def recuse(meeting: Meeting, payload: dict) -> None:
    ballots.recuse(
        _household(meeting, payload), _member(meeting, payload), str(payload["reason"]), _actor()
    )


@socketio.on("withdraw_recusal")
@live_event(STAFF)
def withdraw_recusal(meeting: Meeting, payload: dict) -> None:
    ballots.withdraw_recusal(_household(meeting, payload), _member(meeting, payload), _actor())


@socketio.on("paper_voter")
@live_event(STAFF)
def paper_voter(meeting: Meeting, payload: dict) -> None:
    ballots.mark_paper_voter(_member(meeting, payload), _flag(payload, "on_paper"), _actor())


@socketio.on("paper_slip")
@live_event(STAFF)
def paper_slip(meeting: Meeting, payload: dict) -> dict[str, Any]:
    position = int(payload["position"])
    status = ballots.receive_paper_slip(meeting, position, _member(meeting, payload), _actor())
    return {"status": status}


@socketio.on("paper_ballot")
@live_event(STAFF)
def paper_ballot(meeting: Meeting, payload: dict) -> dict[str, Any]:
    position = int(payload["position"])
    status = ballots.enter_paper_ballot(
        meeting, position, payload["choice"], payload.get("tier"), payload["tracker"], _actor()
    )
    hearings.close_if_complete(meeting, position)
    return {"status": status}


@socketio.on("bot_votes")
@live_event(STAFF)
def bot_votes(meeting: Meeting, payload: dict) -> dict[str, Any]:
    position = int(payload["position"])
    count = ballots.bot_votes(meeting, position, _actor())
    hearings.close_if_complete(meeting, position)
    return {"count": count}


@socketio.on("show_trackers")
@live_event(STAFF)
def show_trackers(meeting: Meeting, payload: dict) -> None:
    ballots.show_trackers(meeting, int(payload["position"]), _flag(payload, "shown"), _actor())


# --- the secretary ------------------------------------------------------------------------


@socketio.on("save_notes")
@live_event(STAFF)
def save_notes(meeting: Meeting, payload: dict) -> None:
    hearings.save_notes(
        meeting, int(payload["position"]), str(payload["field"]), str(payload["text"]), _actor()
    )
