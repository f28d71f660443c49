"""How many live events one screen, and one member or account, may send.

A phone firing thousands of events must not stall the hall: each event costs a handler's
time and, for most, a database connection. Every event is first charged to a token bucket
of its connection and one of its member (or staff account, across all their screens); an
event over either budget is answered at once as busy, touching nothing, and the screens'
own retry (static/js/live.js) sends it again a moment later. An honest phone sends a
handful of events per household; the budgets are tens of times that (config: server).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable


class EventBudget:
    """A token bucket per key: ``rate`` events a second, up to ``burst`` at once."""

    def __init__(
        self, rate: float, burst: int, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.rate, self.burst, self._clock = rate, float(burst), clock
        self._buckets: dict[Hashable, tuple[float, float]] = {}
        self._guard = threading.Lock()

    def allow(self, *keys: Hashable) -> bool:
        """Charge one event to every key's bucket, or to none if any is empty."""
        if self.rate <= 0:
            return True  # no limit configured
        now = self._clock()
        with self._guard:
            levels = [self._level(key, now) for key in keys]
            if any(level < 1 for level in levels):
                for key, level in zip(keys, levels, strict=True):
                    self._buckets[key] = (level, now)
                return False
            for key, level in zip(keys, levels, strict=True):
                self._buckets[key] = (level - 1, now)
            return True

    def forget(self, key: Hashable) -> None:
        """A connection closed: its bucket goes (a member's stays, refilling)."""
        with self._guard:
            self._buckets.pop(key, None)
            if len(self._buckets) > 10_000:  # drop the full ones: they hold no debt
                now = self._clock()
                for other in [k for k in self._buckets if self._level(k, now) >= self.burst]:
                    del self._buckets[other]

    def _level(self, key: Hashable, now: float) -> float:
        level, then = self._buckets.get(key, (self.burst, now))
        return min(self.burst, level + (now - then) * self.rate)


__all__ = ["EventBudget"]
