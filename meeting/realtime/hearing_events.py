"""Socket.IO events of the host's console for the hearing itself: one event per step of
a household's hearing, one per correction, the clock and the projector. Each parses its
payload, calls one service and is answered by ``handlers.on_staff``."""

from __future__ import annotations

from collections.abc import Callable

from ..services import corrections, hearings
from . import payloads
from .handlers import Desk, on_staff
from .payloads import Malformed

# --- the host's steps, one event per verb -------------------------------------------------


@on_staff("start_briefing")
def start_briefing(desk: Desk, payload: dict) -> None:
    hearings.start_briefing(desk.meeting_id, payloads.whole_number(payload, "position"), desk.actor)


@on_staff("start_statement")
def start_statement(desk: Desk, payload: dict) -> None:
    hearings.start_statement(
        desk.meeting_id, payloads.whole_number(payload, "position"), desk.actor
    )


@on_staff("start_questioning")
def start_questioning(desk: Desk, payload: dict) -> None:
    hearings.start_questioning(
        desk.meeting_id, payloads.whole_number(payload, "position"), desk.actor
    )


@on_staff("open_ballot")
def open_ballot(desk: Desk, payload: dict) -> None:
    hearings.open_ballot(
        desk.meeting_id,
        payloads.whole_number(payload, "position"),
        desk.actor,
        confirmed=payloads.flag(payload, "confirm", default=False),
    )


@on_staff("resume_ballot")
def resume_ballot(desk: Desk, payload: dict) -> None:
    corrections.resume_ballot(
        desk.meeting_id, payloads.whole_number(payload, "position"), desk.actor
    )


@on_staff("close_ballot")
def close_ballot(desk: Desk, payload: dict) -> None:
    hearings.close_ballot(
        desk.meeting_id,
        payloads.whole_number(payload, "position"),
        desk.actor,
        confirmed=payloads.flag(payload, "confirm", default=False),
    )


@on_staff("announce")
def announce(desk: Desk, payload: dict) -> None:
    hearings.announce(desk.meeting_id, payloads.whole_number(payload, "position"), desk.actor)


#: the v2 ``step`` event, kept for older clients: each name is one of the verbs above
_V2_STEPS: dict[str, Callable[[Desk, dict], None]] = {
    "start_briefing": start_briefing,
    "start_statement": start_statement,
    "start_questioning": start_questioning,
    "open_ballot": open_ballot,
    "close_ballot": close_ballot,
    "announce": announce,
}


@on_staff("step")
def step(desk: Desk, payload: dict) -> None:
    """Deprecated (protocol v2): ``{"position", "step"}``; use the verb's own event."""
    verb = _V2_STEPS.get(payloads.text(payload, "step"))
    if verb is None:
        raise Malformed("step")
    verb(desk, payload)


@on_staff("extend")
def extend(desk: Desk, payload: dict) -> None:
    hearings.extend_phase(
        desk.meeting_id,
        payloads.whole_number(payload, "position"),
        payloads.whole_number(payload, "seconds"),
        desk.actor,
    )


@on_staff("show")
def show(desk: Desk, payload: dict) -> None:
    hearings.show_household(
        desk.meeting_id, payloads.optional_number(payload, "position"), desk.actor
    )


# --- corrections, each with the host's reason -----------------------------------------------


def _correction(event: str, service: Callable[[int, int, str, str], None]) -> None:
    """Register a correction's event: the position and the host's reason, to its service."""

    def correct(desk: Desk, payload: dict) -> None:
        service(desk.meeting_id, *_position_and_reason(payload), desk.actor)

    correct.__name__ = event
    on_staff(event)(correct)


_correction("step_back", corrections.step_back)
_correction("void_ballot", corrections.void_ballot)
_correction("defer", corrections.defer_household)
_correction("skip", corrections.skip_household)


@on_staff("move_household")
def move_household(desk: Desk, payload: dict) -> None:
    position, reason = _position_and_reason(payload)
    corrections.move_household(
        desk.meeting_id, position, payloads.whole_number(payload, "to"), reason, desk.actor
    )


def _position_and_reason(payload: dict) -> tuple[int, str]:
    """A missing reason is the service's refusal to explain, not a malformed request."""
    reason = payload.get("reason") or ""
    if not isinstance(reason, str) or len(reason) > payloads.MAX_TEXT:
        raise Malformed("reason")
    return payloads.whole_number(payload, "position"), reason
