"""Which screens a meeting has: its rooms, and which languages and views are watching.

A state is built only for the (language, view) pairs that have a screen: most halls have
no English screen, and a meeting nobody watches needs no state at all. One process knows
its own rooms. Under a message queue the screens are spread over processes, so each
connection is also counted in the shared store (Redis) beside the queue; a process that
dies with screens connected leaves its counts behind, which only makes the others build a
language nobody reads; and a process always serves its own screens, whatever the counts.
"""

from __future__ import annotations

import logging
from typing import Any

from socketio import PubSubManager

from ..extensions import socketio

logger = logging.getLogger(__name__)

STAFF, MEMBER = "staff", "member"
VIEWS = (STAFF, MEMBER)


def room(meeting_id: int, view: str, locale: str) -> str:
    """The room of one meeting's screens of one view in one language."""
    prefix = "members" if view == MEMBER else "staff"
    return f"{prefix}:{meeting_id}:{locale}"


class Audience:
    """Counts of the screens of each meeting by (language, view)."""

    def __init__(self, shared_url: str = "") -> None:
        self._redis: Any = None
        if shared_url:
            try:
                import redis

                self._redis = redis.Redis.from_url(shared_url, socket_timeout=1)
            except ImportError:  # the queue works without the redis extra's client: build all
                logger.warning("no redis client: every language's state is built")

    def joined(self, meeting_id: int, locale: str, view: str) -> None:
        self._count(meeting_id, locale, view, 1)

    def left(self, meeting_id: int, locale: str, view: str) -> None:
        self._count(meeting_id, locale, view, -1)

    def watching(self, meeting_id: int, locales: tuple[str, ...]) -> set[tuple[str, str]]:
        """The (language, view) pairs of this meeting that have at least one screen."""
        manager = socketio.server.manager
        rooms = manager.rooms.get("/", {})
        here = {  # this process's own screens are always served
            (locale, view)
            for locale in locales
            for view in VIEWS
            if rooms.get(room(meeting_id, view, locale))
        }
        if not isinstance(manager, PubSubManager):
            return here
        if self._redis is None:
            return {(locale, view) for locale in locales for view in VIEWS}
        try:
            counts = self._redis.hgetall(_key(meeting_id))
        except Exception:  # the shared store is away: build everything rather than nothing
            logger.warning("the screen counts could not be read: every state is built")
            return {(locale, view) for locale in locales for view in VIEWS}
        watching = here
        for field, count in counts.items():
            locale, _, view = field.decode().partition(":")
            if int(count) > 0 and locale in locales and view in VIEWS:
                watching.add((locale, view))
        return watching

    def _count(self, meeting_id: int, locale: str, view: str, step: int) -> None:
        if self._redis is None:
            return
        try:
            self._redis.hincrby(_key(meeting_id), f"{locale}:{view}", step)
        except Exception:
            logger.warning("a screen could not be counted in the shared store")


def _key(meeting_id: int) -> str:
    return f"meeting:screens:{meeting_id}"
