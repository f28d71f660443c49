"""A meeting's display-only projector link: renewing it revokes the old one."""

from __future__ import annotations

from .unit_of_work import meeting_change


def renew_display_link(meeting_id: int, actor: str) -> None:
    """A new link for the hall's projector PC; the old link stops working at once. Allowed
    after the sign-off too: it changes nothing in the record."""
    with meeting_change(meeting_id, actor, after_sign_off=True) as change:
        change.meeting.display_generation += 1
        change.log("display.renewed", generation=change.meeting.display_generation)
