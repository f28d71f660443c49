"""Reading what a screen sent into typed values, before any service runs.

Anything missing, of the wrong type or out of range is Malformed: the screen is told "the
request was malformed" and nothing is done. A ballot's content is parsed by the domain's
own rules (an unknown choice or a stray tier is InvalidBallot, with its reason).
"""

from __future__ import annotations

from typing import Any

from ..domain.ballot import parse_ballot, parse_tracker
from ..domain.rules import HearingRules
from ..domain.tally import Ballot

#: the longest text a screen may send (the secretary's notes are 20,000 characters)
MAX_TEXT = 40_000


class Malformed(Exception):
    """The payload is not what the event takes."""


def fields(payload: Any) -> dict[str, Any]:
    if payload is None:
        return {}
    if not isinstance(payload, dict):
        raise Malformed("not an object")
    return payload


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
    if not isinstance(value, str) or len(value) > MAX_TEXT:
        raise Malformed(key)
    return value


def ballot(payload: dict[str, Any], rules: HearingRules) -> tuple[Ballot, str]:
    """The ballot's content and its tracker code, by the domain's rules."""
    if "choice" not in payload or "tracker" not in payload:
        raise Malformed("ballot")
    return parse_ballot(payload["choice"], payload.get("tier"), rules), parse_tracker(
        payload["tracker"]
    )
