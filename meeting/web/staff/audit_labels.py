"""The audit trail as a clerk reads it: what happened, in words, and to whom; the codes,
data and hashes stay one hover away for whoever checks the chain."""

from __future__ import annotations

import json
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ...domain.phases import Phase
from ...store.models import Meeting
from ...texts import translate

_PHASES = {p.value for p in Phase}

#: what each kind of entry records, in the page's language
EVENT_LABELS = {
    "meeting.created": _l("Meeting created"),
    "meeting.updated": _l("Meeting details changed"),
    "meeting.finalised": _l("Minutes signed off"),
    "minutes.amended": _l("Amendment to the minutes"),
    "member.added": _l("Panel member added"),
    "member.updated": _l("Panel member changed"),
    "member.removed": _l("Panel member removed"),
    "members.imported": _l("Panel imported"),
    "household.added": _l("Household added"),
    "household.updated": _l("Household changed"),
    "household.removed": _l("Household removed"),
    "households.imported": _l("Households imported"),
    "agenda.moved": _l("Household moved in the agenda"),
    "presence.changed": _l("Presence changed"),
    "presence.everyone": _l("Everyone marked present or absent"),
    "seat.claimed": _l("Phone joined by card"),
    "seat.released": _l("Phone's seat freed"),
    "seat.requested": _l("Phone asked for a seat"),
    "seat.request_approved": _l("Seat request approved"),
    "seat.request_refused": _l("Seat request refused"),
    "card.reissued": _l("New card issued"),
    "cards.digests_renewed": _l("Cards renewed"),
    "display.renewed": _l("Projector link renewed"),
    "projector.shows": _l("Projector changed"),
    "hearing.step": _l("Hearing step"),
    "hearing.extended": _l("Time extended"),
    "speaker.raised_hand": _l("Asked to speak"),
    "speaker.withdrew": _l("Withdrew the request to speak"),
    "speaker.given_floor": _l("Given the floor"),
    "speaker.done": _l("Finished speaking"),
    "recusal.declared": _l("Recusal"),
    "recusal.withdrawn": _l("Recusal withdrawn"),
    "notes.saved": _l("Notes saved"),
    "scrutineer.named": _l("Scrutineer named"),
    "count.confirmed": _l("Count confirmed by a scrutineer"),
    "ballot.paper_voter": _l("Voting on paper"),
    "ballot.paper_slip_received": _l("Paper slip handed in"),
    "ballot.paper_slip_entered": _l("Paper slip entered"),
    "ballot.counted": _l("Ballot counted"),
    "ballot.trackers_shown": _l("Tracker list on the projector"),
    "ballot.demo_bots": _l("Demo members voted"),
}


class EntryWords:
    """Reads one meeting's entries in words: names for the ids they carry."""

    def __init__(self, meeting: Meeting) -> None:
        self._members = {m.id: m.name for m in meeting.members}
        self._households = {h.id: (h.position, h.head_name) for h in meeting.households}

    def label(self, kind: str) -> str:
        return str(EVENT_LABELS.get(kind, kind))

    def details(self, data: dict[str, Any]) -> str:
        """The entry's who and what in a short line: the household, the member, the step,
        the counts, the reason."""
        parts: list[str] = []
        household = self._households.get(data.get("household_id"))
        if household:
            position, name = household
            parts.append(_("Household %(position)d %(name)s", position=position, name=name))
        member = self._members.get(data.get("member_id"))
        if member:
            parts.append(member)
        if data.get("phase") in _PHASES:
            parts.append(translate(Phase(data["phase"])))
        if "eligible" in data:
            parts.append(
                _(
                    "eligible %(yes)d, not eligible %(no)d, abstain %(abstain)d",
                    yes=data.get("eligible", 0),
                    no=data.get("not_eligible", 0),
                    abstain=data.get("abstain", 0),
                )
            )
        for key in ("reason", "text", "file", "title"):
            if data.get(key):
                parts.append(str(data[key]))
        return " · ".join(parts)

    @staticmethod
    def raw(data: dict[str, Any]) -> str:
        """The data as stored, for the checker's hover."""
        return json.dumps(data, ensure_ascii=False, sort_keys=True)


__all__ = ["EVENT_LABELS", "EntryWords"]
