"""Running a meeting's ballot through the services, for the ballot tests."""

from __future__ import annotations

import secrets

from meeting.domain.roles import Role
from meeting.services import hearings, presence
from meeting.store.models import Meeting, PanelMember

BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"


def tracker() -> str:
    return "".join(secrets.choice(BASE32) for _ in range(8))


def voting_members(meeting: Meeting, role: Role | None = None) -> list[PanelMember]:
    return [m for m in meeting.members if m.votes and (role is None or m.role is role)]


def seat_panel(meeting: Meeting, representatives: int = 15, cadres: int = 5) -> None:
    for member in voting_members(meeting, Role.REPRESENTATIVE)[:representatives]:
        presence.set_presence(member, True, "test")
    for member in voting_members(meeting, Role.CADRE)[:cadres]:
        presence.set_presence(member, True, "test")


def open_ballot(meeting: Meeting, position: int = 1) -> None:
    for step in ("start_briefing", "start_statement", "start_questioning", "open_ballot"):
        hearings.take_step(meeting, position, step, "test")


def present_voters(meeting: Meeting) -> list[PanelMember]:
    return [m for m in meeting.members if m.votes and m.present]
