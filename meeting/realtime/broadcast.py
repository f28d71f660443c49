"""Sending every screen of a meeting its new state after a change has been committed
(which meetings changed is tracked by store/changes.py)."""

from __future__ import annotations

from typing import Any

from flask_babel import force_locale
from socketio import PubSubManager

from ..extensions import db, socketio
from ..store.changes import take_committed
from ..store.models import Meeting
from ..web.i18n import LOCALES
from .state import public_state, staff_state


def members_room(meeting_id: int, locale: str) -> str:
    return f"members:{meeting_id}:{locale}"


def staff_room(meeting_id: int, locale: str) -> str:
    return f"staff:{meeting_id}:{locale}"


def phone_view(state: dict[str, Any]) -> dict[str, Any]:
    """Phones get the public state without the findings: they are on the projector, and a
    cheap phone on a busy Wi-Fi should not download them on every change."""
    if state["current"]:
        state = {**state, "current": {k: v for k, v in state["current"].items() if k != "findings"}}
    return state


def announce_committed() -> None:
    """Send the new state of every meeting whose change was committed since the last call."""
    changed = take_committed(db.session())
    for meeting_id in sorted(changed):
        announce(meeting_id)


def _nobody_in(*rooms: str) -> bool:
    """True when this process alone serves the meeting and no screen is in these rooms.

    With a message queue, other processes' screens are not known here: always send.
    """
    manager = socketio.server.manager
    if isinstance(manager, PubSubManager):
        return False
    return not any(
        next(iter(manager.get_participants("/", room)), None) is not None
        for room in rooms
        if room in manager.rooms.get("/", {})
    )


def announce(meeting_id: int) -> None:
    meeting = db.session.get(Meeting, meeting_id)
    if meeting is None:
        return
    for locale in LOCALES:
        if _nobody_in(staff_room(meeting_id, locale), members_room(meeting_id, locale)):
            continue  # e.g. no screen in English: building its state would be wasted
        with force_locale(locale):
            public = public_state(meeting)  # built once for both rooms
            socketio.emit("state", staff_state(meeting, public), to=staff_room(meeting_id, locale))
            socketio.emit("state", phone_view(public), to=members_room(meeting_id, locale))
