"""Reading what a screen sent into typed values, before any service runs.

Anything missing, of the wrong type or out of range is Malformed: the screen is told "the
request was malformed" and nothing is done; so is a NUL character in any text (no screen
sends one, and PostgreSQL stores none). A ballot's content is parsed by the domain's own
rules (an unknown choice or a stray tier is InvalidBallot, with its reason).
"""

from __future__ import annotations

from typing import Any

from ..domain.ballot import parse_ballot, parse_tracker
from ..domain.rules import HearingRules
from ..domain.tally import Ballot

#: the longest text a screen may send (the secretary's notes are 20,000 characters)
MAX_TEXT = 40_000
NUL = "\x00"


class Malformed(Exception):
    """The payload is not what the event takes."""


def single(args: tuple[Any, ...]) -> Any:
    """An event's one argument (None if it sent none). Several arguments stay a tuple, which
    ``fields`` refuses: a handler called with them would fail and never answer."""
    return args[0] if len(args) == 1 else (args or None)


def fields(payload: Any) -> dict[str, Any]:
    if payload is None:
        return {}
    if not isinstance(payload, dict):
        raise Malformed("not an object")
    if _holds_nul(payload):  # also the texts an event reads without text() below
        raise Malformed("NUL")
    return payload


def _holds_nul(payload: dict[str, Any]) -> bool:
    """Whether any key or text, at any depth, holds a NUL (walked without recursion: a
    payload may nest deeper than Python's stack)."""
    pending: list[Any] = [payload]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            if NUL in item:
                return True
        elif isinstance(item, dict):
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
    return False


def whole_number(payload: dict[str, Any], key: str) -> int:
    value = payload.get(key)
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise Malformed(key)
    try:
        number = int(value)
    except ValueError:
        raise Malformed(key) from None
    if not -(2**31) <= number < 2**31:
        raise Malformed(key)
    return number


def optional_number(payload: dict[str, Any], key: str) -> int | None:
    return None if payload.get(key) is None else whole_number(payload, key)


def flag(payload: dict[str, Any], key: str, default: bool | None = None) -> bool:
    """A true/false field: a JSON boolean, never "false" or 0."""
    if key not in payload and default is not None:
        return default
    value = payload.get(key)
    if not isinstance(value, bool):
        raise Malformed(key)
    return value


def text(payload: dict[str, Any], key: str) -> str:
    value = payload.get(key)
    if not isinstance(value, str) or len(value) > MAX_TEXT or NUL in value:
        raise Malformed(key)
    return value


def ballot(payload: dict[str, Any], rules: HearingRules) -> tuple[Ballot, str]:
    """The ballot's content and its tracker code, by the domain's rules."""
    if "choice" not in payload or "tracker" not in payload:
        raise Malformed("ballot")
    if not isinstance(payload.get("tier"), str | None):  # the rules look it up among the tiers
        raise Malformed("tier")
    return parse_ballot(payload["choice"], payload.get("tier"), rules), parse_tracker(
        payload["tracker"]
    )
