"""The corrections a hearing went through, as lines of the minutes: read from the meeting's
event log (the hash-chained trail), so the minutes say what the trail says."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from ..domain.messages import Message, msg
from ..extensions import db
from ..store.models import Event
from ..texts import translate

#: each correction's line; ``reason`` is the host's, the rest from the event
_LINES: dict[str, Message] = {
    "step_back": msg("Stepped back one phase. Reason: %(reason)s"),
    "void_ballot": msg(
        "Ballot round %(round)d voided, its %(ballots_destroyed)d ballots destroyed; the vote "
        "was taken again. Reason: %(reason)s"
    ),
    "defer": msg("Deferred to later in the meeting. Reason: %(reason)s"),
    "skip": msg("Not heard in this meeting. Reason: %(reason)s"),
    "suspend_ballot": msg("Ballot suspended: the quorum failed (%(reasons)s)."),
    "resume_ballot": msg("Ballot resumed with the quorum restored."),
    "moved": msg("Moved in the agenda from place %(from)d to place %(to)d. Reason: %(reason)s"),
}


@dataclass(frozen=True)
class CorrectionLine:
    #: "2026-11-23 14:05", China Standard Time
    moment: str
    text: str


def corrections_by_household(meeting_id: int, china_time: Any) -> dict[int, list[CorrectionLine]]:
    """Every household's corrections in the order they were made, in the current language."""
    rows = db.session.scalars(
        select(Event)
        .where(Event.meeting_id == meeting_id, Event.kind.in_(("hearing.step", "agenda.moved")))
        .order_by(Event.seq)
    )
    lines: dict[int, list[CorrectionLine]] = defaultdict(list)
    for event in rows:
        data = event.data or {}
        name = "moved" if event.kind == "agenda.moved" else data.get("step")
        if name not in _LINES or "household_id" not in data:
            continue
        params = dict(data)
        if name == "suspend_ballot":
            params["reasons"] = " ".join(
                translate(Message.from_data(r)) for r in data.get("reasons", [])
            )
        template = _LINES[name]
        text = translate(Message(template.template, params))
        lines[data["household_id"]].append(CorrectionLine(china_time(event.at), text))
    return lines
