"""Socket.IO handlers: parse the payload, authorise, call one service, answer.

A connection says which meeting and which view it wants in its ``auth`` payload; the
server decides whether it may: staff views need a signed-in staff session, the member
view a phone holding a seat in that meeting. Nothing else lets a client into a room.
Every event is answered, whatever happens: ``{"ok": true, ...}`` or ``{"ok": false,
"error": "<a sentence>"}`` (docs/protocol.md). The new state reaches every screen through
the push (realtime/push.py), never through the answer.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import current_app, request, session
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user
from flask_socketio import ConnectionRefusedError, emit, join_room

from ..domain.errors import DomainError
from ..extensions import db, socketio
from ..services import (
    seats,
)
from ..services.unit_of_work import is_busy, is_storage_full
from ..store import live_reads
from ..store.models import Meeting
from ..texts import translate
from ..web.access import ANY_STAFF, EVENTS, display_granted, staff_may
from ..web.i18n import select_locale
from . import payloads
from .audience import (
    DISPLAY,
    MEMBER,
    STAFF,
    account_room,
    link_room,
    room,
    seat_room,
)
from .limits import EventBudget
from .payloads import Malformed
from .state import build_states

logger = logging.getLogger(__name__)
LIVE = "live"  # key of this connection's facts in its Socket.IO session


def current_pusher() -> Any:
    return current_app.extensions["meeting.pusher"]


# --- connecting -----------------------------------------------------------------------------


@socketio.on("connect")
def connect(auth: dict[str, Any] | None) -> dict[str, Any] | None:
    if LIVE in session:
        # an event a client named "connect" on its open connection: the library hands it
        # here, where a refusal would go unanswered and a success would change its rooms
        return unknown_event("connect")
    auth = auth if isinstance(auth, dict) else {}
    locale = select_locale()
    with force_locale(locale):
        meeting = _meeting_from(auth.get("meeting"))
        if meeting is None:
            raise ConnectionRefusedError({"message": _("No such meeting.")})
        view = auth.get("view")
        if view == STAFF:
            if not current_user.is_authenticated:
                raise ConnectionRefusedError({"message": _("Please sign in.")})
            facts = {"meeting": meeting.id, "view": STAFF, "locale": locale}
        elif view == DISPLAY:
            if not (staff_may(ANY_STAFF) or display_granted(meeting.id)):
                raise ConnectionRefusedError({"message": _("Please sign in.")})
            facts = {"meeting": meeting.id, "view": DISPLAY, "locale": locale}
        elif view == MEMBER:
            member = seats.member_on_device(meeting.id, request.cookies.get(seats.DEVICE_COOKIE))
            if member is None:
                raise ConnectionRefusedError(
                    {"message": _("This phone has no seat in this meeting.")}
                )
            facts = {
                "meeting": meeting.id,
                "view": MEMBER,
                "member": member.id,
                "device": member.device_hash,
                "locale": locale,
            }
            emit("you", {"id": member.id, "name": member.name, "votes": member.votes})
        else:
            raise ConnectionRefusedError({"message": _("Unknown view.")})
    session[LIVE] = facts
    join_room(room(meeting.id, facts["view"], locale))
    if facts["view"] == DISPLAY and not current_user.is_authenticated:
        join_room(link_room(meeting.id))  # renewing the link disconnects it
    elif facts["view"] == MEMBER:
        join_room(seat_room(facts["member"]))  # freeing the seat disconnects it
    else:
        join_room(account_room(current_user.id))  # signing out disconnects it
    if "meeting.feed" in current_app.extensions:  # other processes' changes reach it too
        current_app.extensions["meeting.feed"].start()
    current_app.extensions["meeting.pusher"].start_checks()  # and a lost push is healed
    try:
        _send_state_here(facts)
    except Exception as error:  # the screen is in its room: the push brings it the state
        if not is_busy(error):
            logger.exception("a screen's first state could not be built")
        current_pusher().mark(meeting.id)


def _meeting_from(value: Any) -> Meeting | None:
    try:
        return db.session.get(Meeting, int(value))
    except (TypeError, ValueError, OverflowError):
        return None


def _send_state_here(facts: dict[str, Any]) -> int | None:
    key = (facts["locale"], facts["view"])
    session = db.session()
    with live_reads.snapshot(session):
        states = build_states(session, facts["meeting"], {key})
    if key not in states:
        return None
    emit("state", states[key])
    current_pusher().first_state_sent(facts["meeting"], states[key]["version"])
    return states[key]["version"]


@socketio.on("sync")
def sync(*_args: Any) -> dict[str, Any]:
    """Send this screen the whole current state again (after a reconnect)."""
    return _answer(None, lambda facts: {"version": _send_state_here(facts)})


@socketio.on("*")
def unknown_event(event: str, *_args: Any) -> dict[str, Any]:
    """An event nobody handles is answered too, at once, rather than left to time out."""
    facts = session.get(LIVE)
    with force_locale(facts["locale"] if facts else select_locale()):
        if not _budget().allow(("connection", request.sid)):
            return _too_many()
        return {"ok": False, "error": _("Unknown request."), "code": "unknown_event"}


@socketio.on("disconnect")
def disconnect(*_args: Any) -> dict[str, Any]:
    """A closed connection needs nothing here (its rooms go with it); an event a client
    named "disconnect" is answered like any unknown one (the library would not answer)."""
    _budget().forget(("connection", request.sid))
    return unknown_event("disconnect")


@socketio.on("ping")
def ping(*_args: Any) -> dict[str, Any]:
    """A bare round trip: the clock, and the floor the benchmarks measure against."""
    return {"ok": True, "server_time": dt.datetime.now(dt.UTC).isoformat()}


# --- answering ------------------------------------------------------------------------------


def _answer(view: str | None, call: Callable[[dict[str, Any]], dict | None]) -> dict[str, Any]:
    """Run an event for a connection of ``view`` (None: any) and answer it, whatever happens."""
    facts = session.get(LIVE)
    with force_locale(facts["locale"] if facts else select_locale()):
        try:
            if not facts or (view is not None and facts["view"] != view):
                return {"ok": False, "error": _("Not allowed from this screen.")}
            if facts["view"] == STAFF and not current_user.is_authenticated:
                # signing out (or a removed account) ends open connections too
                return {"ok": False, "error": _("Please sign in.")}
            if facts["view"] == DISPLAY and not (
                staff_may(ANY_STAFF) or display_granted(facts["meeting"])
            ):
                return {"ok": False, "error": _("This projector link was renewed.")}
            if not _budget().allow(("connection", request.sid), _sender(facts)):
                return _too_many()
            return {"ok": True, **(call(facts) or {})}
        except DomainError as error:
            return {"ok": False, "error": translate(error.message), "code": _code(error)}
        except Malformed:
            return {"ok": False, "error": _("The request was malformed.")}
        except Forbidden:
            return {
                "ok": False,
                "error": _("Your account's role does not allow this."),
                "code": "forbidden",
            }
        except Exception as error:
            if is_busy(error):
                # nothing was done; the same request, sent again, is safe
                return {"ok": False, "error": _("The server is busy; trying again…"), "busy": True}
            if is_storage_full(error):
                logger.error("a live event was refused: the database's disk is full")
                return {
                    "ok": False,
                    "error": _(
                        "The server's disk is full: nothing was recorded. Tell the host; "
                        "send it again once they have made room."
                    ),
                    "code": "storage_full",
                }
            # never the payload in the log: it may carry notes or a ballot
            logger.exception("a live event failed")
            return {"ok": False, "error": _("The server could not do this. Try again.")}


#: how long a connection over its budget waits before its refusal is answered
OVER_BUDGET_PAUSE_S = 0.005


def _budget() -> EventBudget:
    return current_app.extensions["meeting.event_budget"]


def _sender(facts: dict[str, Any]) -> tuple[Any, ...]:
    """Whose budget an event is also charged to, across all their screens: the member, the
    staff account, or the meeting's display link."""
    if facts["view"] == MEMBER:
        return ("member", facts["meeting"], facts["member"])
    if current_user.is_authenticated:
        return ("account", current_user.id)
    return ("display", facts["meeting"])


def _too_many() -> dict[str, Any]:
    """Over budget: nothing was done; answered as busy, so the screen sends it again later.

    The connection's next event waits a moment first: its events are handled one after
    another, so a flood slows itself down and leaves the processor to the other phones
    (under gevent a greenlet that never waits would hold it until its flood is through)."""
    socketio.sleep(OVER_BUDGET_PAUSE_S)
    return {
        "ok": False,
        "error": _("Too many requests from this screen: wait a moment."),
        "code": "rate_limited",
        "busy": True,
    }


def _code(error: DomainError) -> str:
    """A stable name for the kind of refusal, for clients that act on it (TrackerTaken ->
    tracker_taken)."""
    name = type(error).__name__
    return "".join("_" + c.lower() if c.isupper() else c for c in name).lstrip("_")


class Forbidden(Exception):
    """The signed-in account holds none of the roles the event needs."""


@dataclass(frozen=True)
class Desk:
    """A staff screen's connection: its meeting and who is signed in."""

    meeting_id: int
    actor: str


def on_staff(event: str) -> Callable:
    """Register ``handler(desk, payload)`` for a staff screen's event, open to the roles
    the access table (web/access.py) gives it; an event missing there cannot register."""
    allowed = EVENTS[event]

    def register(handler: Callable[[Desk, dict[str, Any]], dict | None]) -> Callable:
        def authorised(facts: dict[str, Any], payload: Any) -> dict | None:
            if not staff_may(allowed):
                raise Forbidden(event)
            return handler(Desk(facts["meeting"], current_user.username), payloads.fields(payload))

        @functools.wraps(handler)
        def run(*args: Any) -> dict[str, Any]:
            return _answer(STAFF, lambda facts: authorised(facts, payloads.single(args)))

        socketio.on(event)(run)
        return handler

    return register


def on_member(event: str) -> Callable:
    """Register ``handler(seat, payload)`` for a phone's event."""

    def register(handler: Callable[[seats.Seat, dict[str, Any]], dict | None]) -> Callable:
        @functools.wraps(handler)
        def run(*args: Any) -> dict[str, Any]:
            return _answer(
                MEMBER,
                lambda facts: handler(
                    seats.Seat(facts["meeting"], facts["member"], facts["device"]),
                    payloads.fields(payloads.single(args)),
                ),
            )

        socketio.on(event)(run)
        return handler

    return register
