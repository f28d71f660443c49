"""The live events of the panel and its ballot: the phone's (raise a hand, vote, confirm
a count) and the console's (presence, seats, the queue, recusals, paper slips), the
secretary's notes, and the benchmarks' bare broadcast. The connection, the checks and the
answers are in handlers.py; the hearing's steps and corrections in hearing_events.py."""

from __future__ import annotations

from typing import Any

from ..services import casting, counting, demo, notes, presence, recusals, scrutiny, seats, speaking
from ..settings import current_rules, current_settings
from . import payloads
from .audience import close_seat_screens
from .handlers import Desk, current_pusher, on_member, on_staff
from .payloads import Malformed

# --- the member's phone -------------------------------------------------------------------


@on_member("raise_hand")
def raise_hand(seat: seats.Seat, _payload: dict) -> None:
    speaking.raise_hand(seat)


@on_member("withdraw_hand")
def withdraw_hand(seat: seats.Seat, _payload: dict) -> None:
    speaking.withdraw_hand(seat)


@on_member("cast_ballot")
def cast_ballot(seat: seats.Seat, payload: dict) -> dict[str, Any]:
    # the payload holds a choice: it never goes into a log line, an event or an error
    position = payloads.whole_number(payload, "position")
    ballot, tracker = payloads.ballot(payload, current_rules())
    round_ = payloads.optional_number(payload, "round")
    return {"status": casting.cast_ballot(seat, position, ballot, tracker, round_)}


# --- presence, seats and the speaking queue -------------------------------------------------


@on_member("confirm_count")
def confirm_count(seat: seats.Seat, payload: dict) -> dict[str, Any]:
    """A scrutineer confirms a household's count on their phone."""
    return {"status": scrutiny.confirm_count(seat, payloads.whole_number(payload, "position"))}


@on_staff("name_scrutineer")
def name_scrutineer(desk: Desk, payload: dict) -> None:
    scrutiny.name_scrutineer(
        desk.meeting_id,
        payloads.whole_number(payload, "member_id"),
        payloads.flag(payload, "named"),
        desk.actor,
    )


@on_staff("presence")
def set_presence(desk: Desk, payload: dict) -> None:
    presence.set_presence(
        desk.meeting_id,
        payloads.whole_number(payload, "member_id"),
        payloads.flag(payload, "present"),
        desk.actor,
    )


@on_staff("everyone_present")
def set_everyone_present(desk: Desk, payload: dict) -> dict[str, Any]:
    changed = presence.set_everyone_present(
        desk.meeting_id, payloads.flag(payload, "present"), desk.actor
    )
    return {"changed": changed}


@on_staff("release_seat")
def release_seat(desk: Desk, payload: dict) -> None:
    member_id = payloads.whole_number(payload, "member_id")
    seats.release_seat(desk.meeting_id, member_id, desk.actor)
    close_seat_screens(member_id)  # the freed phone gets no further state


@on_staff("new_card")
def new_card(desk: Desk, payload: dict) -> None:
    member_id = payloads.whole_number(payload, "member_id")
    seats.issue_new_card(desk.meeting_id, member_id, desk.actor)
    close_seat_screens(member_id)


@on_staff("seat_request")
def decide_seat_request(desk: Desk, payload: dict) -> None:
    seats.decide_seat_request(
        desk.meeting_id,
        payloads.whole_number(payload, "request_id"),
        payloads.flag(payload, "approve"),
        desk.actor,
    )


@on_staff("give_floor")
def give_floor(desk: Desk, payload: dict) -> None:
    speaking.give_floor(desk.meeting_id, payloads.whole_number(payload, "request_id"), desk.actor)


@on_staff("finish_speaking")
def finish_speaking(desk: Desk, payload: dict) -> None:
    speaking.finish_speaking(
        desk.meeting_id, payloads.whole_number(payload, "request_id"), desk.actor
    )


# --- the ballot, from the console -----------------------------------------------------------


@on_staff("recuse")
def recuse(desk: Desk, payload: dict) -> None:
    recusals.recuse(
        desk.meeting_id,
        payloads.whole_number(payload, "position"),
        payloads.whole_number(payload, "member_id"),
        payloads.text(payload, "reason"),
        desk.actor,
    )


@on_staff("withdraw_recusal")
def withdraw_recusal(desk: Desk, payload: dict) -> None:
    recusals.withdraw_recusal(
        desk.meeting_id,
        payloads.whole_number(payload, "position"),
        payloads.whole_number(payload, "member_id"),
        desk.actor,
    )


@on_staff("paper_voter")
def paper_voter(desk: Desk, payload: dict) -> None:
    casting.mark_paper_voter(
        desk.meeting_id,
        payloads.whole_number(payload, "member_id"),
        payloads.flag(payload, "on_paper"),
        desk.actor,
    )


@on_staff("paper_slip")
def paper_slip(desk: Desk, payload: dict) -> dict[str, Any]:
    status = casting.receive_paper_slip(
        desk.meeting_id,
        payloads.whole_number(payload, "position"),
        payloads.whole_number(payload, "member_id"),
        desk.actor,
    )
    return {"status": status}


@on_staff("paper_ballot")
def paper_ballot(desk: Desk, payload: dict) -> dict[str, Any]:
    position = payloads.whole_number(payload, "position")
    ballot, tracker = payloads.ballot(payload, current_rules())
    witness = payloads.optional_number(payload, "witness")
    return {
        "status": casting.enter_paper_ballot(
            desk.meeting_id, position, ballot, tracker, desk.actor, witness
        )
    }


@on_staff("bot_votes")
def bot_votes(desk: Desk, payload: dict) -> dict[str, Any]:
    count = demo.bot_votes(desk.meeting_id, payloads.whole_number(payload, "position"), desk.actor)
    return {"count": count}


@on_staff("show_trackers")
def show_trackers(desk: Desk, payload: dict) -> None:
    counting.show_trackers(
        desk.meeting_id,
        payloads.whole_number(payload, "position"),
        payloads.flag(payload, "shown"),
        desk.actor,
    )


# --- the secretary ------------------------------------------------------------------------


@on_staff("save_notes")
def save_notes(desk: Desk, payload: dict) -> None:
    notes.save_notes(
        desk.meeting_id,
        payloads.whole_number(payload, "position"),
        payloads.text(payload, "field"),
        payloads.text(payload, "text"),
        desk.actor,
    )


@on_staff("notes_of")
def notes_of(desk: Desk, payload: dict) -> dict[str, Any]:
    """A household's notes, for the secretary correcting an earlier one."""
    position = payloads.whole_number(payload, "position")
    return {"position": position, "notes": notes.notes_of(desk.meeting_id, position)}


# --- the benchmarks -------------------------------------------------------------------------


@on_staff("bench_broadcast")
def bench_broadcast(desk: Desk, _payload: dict) -> None:
    """Send the meeting's last states again as they were (benchmarks/live_core.py): the
    floor of a push, without building anything. Only with ``benchmark_events`` on."""
    if not current_settings().server.benchmark_events:
        raise Malformed("bench_broadcast")
    if not current_pusher().resend_last(desk.meeting_id):
        raise Malformed("bench_broadcast")
