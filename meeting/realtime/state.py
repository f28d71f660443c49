"""The state each screen is sent: one full snapshot, versioned, in the reader's language.

Screens never patch state themselves: every change sends the whole snapshot again with
the meeting's new version, so a screen that missed one is right again at the next.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from ..domain.findings import FindingGroup, headings_in
from ..domain.phases import TIMED_PHASES, Phase
from ..domain.rules import Tier
from ..extensions import db
from ..services import ballots
from ..services.hearings import current_hearing
from ..services.presence import quorum_of
from ..services.setup import hearing_rules
from ..store.models import (
    BallotResult,
    Hearing,
    Household,
    Meeting,
    SeatRequest,
    SeatRequestStatus,
    SpeakStatus,
)
from ..web.i18n import translate


def _iso(moment: dt.datetime | None) -> str | None:
    if moment is None:
        return None
    if moment.tzinfo is None:  # SQLite gives naive datetimes back; they were stored in UTC
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.isoformat()


def public_state(meeting: Meeting) -> dict[str, Any]:
    """What every screen of the meeting may know: phones, projector and staff alike.

    Never an ID number or a phone number: the projector shows this to the hall.
    """
    quorum = quorum_of(meeting)
    hearing = current_hearing(meeting)
    return {
        "version": meeting.version,
        "server_time": _iso(dt.datetime.now(dt.UTC)),
        "meeting": {
            "id": meeting.id,
            "title": meeting.title,
            "place": meeting.place,
            "held_on": meeting.held_on.isoformat(),
            "status": meeting.status.value,
        },
        "quorum": {
            "holds": quorum.holds,
            "representatives": quorum.representatives_present,
            "min_representatives": quorum.min_representatives,
            "representatives_ok": quorum.representatives_ok,
            "cadres": quorum.cadres_present,
            "max_cadres": quorum.max_cadres,
            "cadres_ok": quorum.cadres_ok,
            "reasons": [translate(r) for r in quorum.reasons],
        },
        "current": _household_card(meeting, hearing.household) if hearing else None,
        "present_ids": [m.id for m in meeting.members if m.present],
        "queue": [
            {"id": r.id, "member_id": r.member_id, "name": r.member.name, "status": r.status.value}
            for r in (hearing.speak_requests if hearing else [])
            if r.status in (SpeakStatus.WAITING, SpeakStatus.SPEAKING)
        ],
        "households": [
            {
                "position": h.position,
                "head_name": h.head_name,
                "persons": h.persons,
                "phase": h.hearing.phase.value,
                "phase_label": translate(h.hearing.phase),
                "outcome": h.hearing.result.outcome.value if h.hearing.result else None,
                "outcome_label": translate(h.hearing.result.outcome) if h.hearing.result else None,
                "tier": _tier_view(_tier(h.hearing.result.tier_code)) if h.hearing.result else None,
            }
            for h in meeting.households
        ],
    }


def _tier(code: str | None) -> Tier | None:
    return hearing_rules().find_tier(code)


def _tier_view(tier: Tier | None) -> dict[str, Any] | None:
    if tier is None:
        return None
    return {"code": tier.code, "label": tier.label, "monthly_amount": str(tier.monthly_amount)}


def _ballot_card(meeting: Meeting, hearing: Hearing) -> dict[str, Any]:
    """While the ballot is open: how many have voted of how many, and who (so a phone
    knows it has voted); never anything a ballot says. After the close: the count."""
    card: dict[str, Any] = {
        "recused": [
            {"member_id": r.member_id, "name": r.member.name, "reason": r.reason}
            for r in hearing.household.recusals
        ],
        "tiers": [_tier_view(t) for t in hearing_rules().tiers],
        "turnout": None,
        "voted_ids": [],
        "result": None,
        "trackers": [],
        "trackers_on_projector": hearing.trackers_on_projector,
    }
    if hearing.phase is Phase.VOTING:
        voted = ballots.voted_ids(hearing)
        progress = ballots.turnout(meeting, hearing, voted)
        card["turnout"] = {
            "cast": progress.cast,
            "entitled": progress.entitled,
            "slips_waiting": ballots.slips_waiting(hearing, progress.cast),
        }
        card["voted_ids"] = sorted(voted)
    elif hearing.result is not None:
        card["result"] = _result_view(hearing.result)
        card["trackers"] = [
            {
                "tracker": tracker,
                "choice": choice.value,
                "choice_label": translate(choice),
                "tier": tier.label if (tier := _tier(tier_code)) else None,
            }
            for tracker, choice, tier_code in ballots.published_trackers(hearing)
        ]
    return card


def _result_view(result: BallotResult) -> dict[str, Any]:
    def quorum(snapshot: dict[str, Any]) -> dict[str, Any]:
        return {
            "representatives": snapshot["representatives"],
            "cadres": snapshot["cadres"],
            "holds": snapshot["holds"],
            "reasons": [translate(ballots.message_from(r)) for r in snapshot["reasons"]],
        }

    return {
        "eligible": result.eligible,
        "not_eligible": result.not_eligible,
        "abstain": result.abstain,
        "cast": result.cast,
        "on_paper": result.on_paper,
        "entitled": result.entitled,
        "basis_count": result.basis_count,
        "outcome": result.outcome.value,
        "outcome_label": translate(result.outcome),
        "tier": _tier_view(_tier(result.tier_code)),
        "reason": translate(ballots.message_from(result.reason)),
        "quorum_at_open": quorum(result.quorum_at_open),
        "quorum_at_close": quorum(result.quorum_at_close),
        "trackers_published": result.trackers_published,
    }


def _household_card(meeting: Meeting, household: Household) -> dict[str, Any]:
    hearing = household.hearing
    tier = _tier(household.proposed_tier)
    return {
        "position": household.position,
        "head_name": household.head_name,
        "persons": household.persons,
        "address": household.address,
        "category": translate(household.category),
        "application_type": translate(household.application_type),
        "investigator": household.investigator.name if household.investigator else None,
        "recommendation": translate(household.recommendation) if household.recommendation else None,
        "proposed_tier": tier.label if tier else None,
        "findings": [
            {
                "group": translate(group),
                "items": [
                    {"heading": translate(h), "text": household.finding(h)}
                    for h in headings_in(group)
                    if household.finding(h)
                ],
            }
            for group in FindingGroup
        ],
        "phase": hearing.phase.value,
        "phase_label": translate(hearing.phase),
        "timed": hearing.phase in TIMED_PHASES,
        "phase_started_at": _iso(hearing.phase_started_at),
        "deadline": _iso(hearing.phase_deadline),
        "quorum_broken": hearing.quorum_broken_at is not None,
        **_ballot_card(meeting, hearing),
    }


def staff_state(meeting: Meeting, public: dict[str, Any] | None = None) -> dict[str, Any]:
    """The public state (``public``, if already built in this language) plus what the host
    and the secretary work with."""
    state = dict(public) if public is not None else public_state(meeting)
    hearing = current_hearing(meeting)
    state["members"] = [
        {
            "id": m.id,
            "name": m.name,
            "role": m.role.value,
            "role_label": translate(m.role),
            "votes": m.votes,
            "present": m.present,
            "has_phone": m.device_hash is not None,
            "on_paper": m.votes_on_paper,
        }
        for m in meeting.members
    ]
    state["seat_requests"] = [
        {"id": r.id, "member_id": r.member_id, "name": r.member.name}
        for r in _pending_seat_requests(meeting)
    ]
    state["notes"] = (
        {
            "position": hearing.household.position,
            "statement_notes": hearing.statement_notes,
            "questioning_notes": hearing.questioning_notes,
        }
        if hearing
        else None
    )
    return state


def _pending_seat_requests(meeting: Meeting) -> list[SeatRequest]:
    return list(
        db.session.scalars(
            db.select(SeatRequest)
            .where(
                SeatRequest.meeting_id == meeting.id,
                SeatRequest.status == SeatRequestStatus.PENDING,
            )
            .order_by(SeatRequest.id)
        )
    )
