"""Who held the meeting, as the minutes' header says it: when it ran, who hosted it, who
took the minutes, who scrutinised the counts, and how many were expected and present."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable

from sqlalchemy import func, select

from ..domain.messages import msg
from ..domain.roles import Role
from ..extensions import db
from ..store.models import Event, Meeting
from ..texts import translate


def header_lines(
    meeting: Meeting, china_time: Callable[[dt.datetime], str]
) -> list[tuple[str, str]]:
    """(label, text) lines for the header, in the current language."""
    people = meeting.signatories or {}

    def named(role: Role) -> str:
        return "、".join(m.name for m in meeting.members if m.role is role)

    scrutineers = people.get("scrutineers") or [
        m.name for m in meeting.members if m.scrutineer or m.role is Role.SCRUTINEER
    ]
    return [
        (translate(msg("Time")), _time_span(meeting, china_time)),
        (translate(msg("Host")), people.get("host") or named(Role.HOST) or "—"),
        (
            translate(msg("Minutes taken by")),
            people.get("secretary") or named(Role.SECRETARY) or "—",
        ),
        (translate(msg("Scrutineers")), "、".join(scrutineers) or "—"),
        (translate(msg("Expected")), _by_role(meeting, present_only=False)),
        (translate(msg("Actually present")), _by_role(meeting, present_only=True)),
    ]


def signed_by(meeting: Meeting) -> str:
    """The people who signed, by name ("host、secretary、scrutineers"), else the account."""
    people = meeting.signatories or {}
    names = [people.get("host"), people.get("secretary"), *(people.get("scrutineers") or [])]
    return "、".join(n for n in names if n) or (meeting.finalised_by or "")


def _time_span(meeting: Meeting, china_time: Callable[[dt.datetime], str]) -> str:
    """From the first step of a hearing to the last step or the sign-off."""
    first, last = db.session.execute(
        select(func.min(Event.at), func.max(Event.at)).where(
            Event.meeting_id == meeting.id, Event.kind == "hearing.step"
        )
    ).one()
    if first is None:
        return "—"
    end = last
    return translate(msg("%(start)s to %(end)s", start=china_time(first), end=china_time(end)))


def _by_role(meeting: Meeting, present_only: bool) -> str:
    members = [m for m in meeting.members if m.present or not present_only]
    counts = Counter(m.role for m in members)
    parts = "、".join(f"{translate(role)} {counts[role]}" for role in Role if counts[role])
    return translate(msg("%(count)d persons (%(parts)s)", count=len(members), parts=parts or "—"))
