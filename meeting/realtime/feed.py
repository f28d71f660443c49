"""Telling every server process which meetings changed, through Redis.

With several processes, a phone may be connected to one and the host to another. Rather
than sending whole states through the message queue (each one pickled, published and
unpickled by every process), a committed change publishes only its meeting's id; every
process then builds and sends the newest state to its own screens (realtime/push.py), from
the shared database. The messages are tiny and a burst of them is coalesced like local
changes.

The same channel carries "close this room" (a sign-out, a freed seat, a renewed display
link), so a screen connected to another process is disconnected too.

If Redis goes away, the listener reconnects with growing pauses, and once back it marks
every meeting with screens here as changed: a change published during the outage is never
missed for good.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from typing import Any

from ..extensions import socketio

logger = logging.getLogger(__name__)

CHANNEL = "meeting:changed"


class ChangeFeed:
    """Publishes this process's committed changes, and marks the others' changes here."""

    def __init__(
        self,
        url: str,
        mark: Callable[[int], None],
        watched: Callable[[], set[int]],
        close: Callable[[str], None] = lambda _room: None,
    ) -> None:
        import redis

        self._redis = redis.Redis.from_url(url, socket_timeout=5, socket_connect_timeout=5)
        self._mark, self._watched, self._close = mark, watched, close
        self.host = uuid.uuid4().hex
        self._started = False

    def publish(self, meeting_id: int) -> None:
        """After a commit here: this process's screens are marked directly; the others hear."""
        self.start()
        try:
            self._redis.publish(CHANNEL, f"{self.host}:{meeting_id}")
        except Exception as error:  # the listeners resync everything when Redis is back
            logger.warning("a change could not be published: %s", type(error).__name__)

    def publish_close(self, room: str) -> None:
        """The screens in ``room`` must go on every process (a sign-out, a freed seat, a
        renewed display link): the others disconnect theirs too."""
        self.start()
        try:
            self._redis.publish(CHANNEL, f"{self.host}:close:{room}")
        except Exception as error:  # those screens are refused at their next event anyway
            logger.warning("a disconnect could not be published: %s", type(error).__name__)

    def start(self) -> None:
        """Listen for the other processes' changes (from the first screen or change on)."""
        if not self._started:
            self._started = True
            socketio.start_background_task(self._listen)

    def _listen(self) -> None:
        pause, first = 0.5, True
        while True:
            try:
                pubsub = self._redis.pubsub(ignore_subscribe_messages=True)
                pubsub.subscribe(CHANNEL)
                if not first:  # back after an outage: whatever changed meanwhile is resent
                    for meeting_id in self._watched():
                        self._mark(meeting_id)
                first, pause = False, 0.5
                for message in pubsub.listen():
                    self._received(message)
            except Exception as error:
                logger.warning("the change feed was cut (%s); reconnecting", type(error).__name__)
                socketio.sleep(pause)
                pause = min(pause * 2, 10.0)

    def _received(self, message: dict[str, Any]) -> None:
        host, _, what = message.get("data", b"").decode().partition(":")
        if host == self.host:
            return
        if what.isdigit():
            self._mark(int(what))
        elif what.startswith("close:"):
            self._close(what.removeprefix("close:"))


__all__ = ["CHANNEL", "ChangeFeed"]
