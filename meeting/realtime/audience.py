"""Which screens a meeting has in this process: its rooms, by language and view.

A state is built only for the (language, view) pairs that have a screen here: most halls
have no English screen, and a meeting nobody watches needs no state at all. With several
processes each one builds and sends the states of its own screens (realtime/feed.py tells
every process of every change), so no process needs to know another's rooms.
"""

from __future__ import annotations

from flask import current_app

from ..extensions import socketio

STAFF, MEMBER, DISPLAY = "staff", "member", "display"
VIEWS = (STAFF, MEMBER, DISPLAY)
_PREFIX = {STAFF: "staff", MEMBER: "members", DISPLAY: "display"}


def room(meeting_id: int, view: str, locale: str) -> str:
    """The room of one meeting's screens of one view in one language."""
    return f"{_PREFIX[view]}:{meeting_id}:{locale}"


def watching(meeting_id: int, locales: tuple[str, ...]) -> set[tuple[str, str]]:
    """The (language, view) pairs of this meeting with at least one screen here."""
    rooms = socketio.server.manager.rooms.get("/", {})
    return {
        (locale, view)
        for locale in locales
        for view in VIEWS
        if rooms.get(room(meeting_id, view, locale))
    }


def watched_meetings() -> set[int]:
    """Every meeting with at least one screen connected to this process."""
    meetings = set()
    for name, members in socketio.server.manager.rooms.get("/", {}).items():
        prefix, _, rest = (name or "").partition(":")
        if prefix in _PREFIX.values() and members:
            meeting, _, _locale = rest.partition(":")
            if meeting.isdigit():
                meetings.add(int(meeting))
    return meetings


def link_room(meeting_id: int) -> str:
    """Screens that came in by the meeting's display link (not a staff sign-in)."""
    return f"display-link:{meeting_id}"


def close_displays(meeting_id: int) -> None:
    """Disconnect every screen of this process that came in by the meeting's display link:
    once the link is renewed, they get no further state (and cannot connect again)."""
    _disconnect(link_room(meeting_id))


def account_room(user_id: int) -> str:
    """Every staff screen of one account (its console, projector, secretary page)."""
    return f"account:{user_id}"


def seat_room(member_id: int) -> str:
    """The phone holding one member's seat."""
    return f"seat:{member_id}"


def close_account_screens(user_id: int) -> None:
    """Disconnect every screen of this account in this process (it signed out, or its roles
    or password changed): no further state reaches them."""
    _disconnect(account_room(user_id))


def close_seat_screens(member_id: int) -> None:
    """Disconnect the phone of a seat that was freed or whose card was reissued."""
    _disconnect(seat_room(member_id))


def _disconnect(name: str) -> None:
    """Disconnect the room's screens here, and ask the other processes to do the same."""
    disconnect_here(name)
    feed = current_app.extensions.get("meeting.feed")
    if feed is not None:
        feed.publish_close(name)


def disconnect_here(name: str) -> None:
    """Disconnect the screens of this process in the room ``name``."""
    for sid, _eio_sid in list(socketio.server.manager.get_participants("/", name)):
        socketio.server.disconnect(sid, namespace="/")
