"""The state each screen is sent: one complete snapshot, versioned, in the reader's language.

Screens never patch state themselves: every state is whole, so a screen takes any newer
version it gets and is right again. A state has two parts:

- the **layout**, which changes only with a step or a setup change (the meeting, the
  household list, the current household's card with its findings, recusals, count and
  tracker list, the host's possible steps): built once per language and cached by the
  meeting's ``layout_version``;
- the **live** part, read afresh for every state in a few small queries: the version,
  presence and the quorum, the turnout while voting, the speaking queue, seat requests
  and the secretary's notes.

So a ballot costs the turnout queries, not a rebuild of 31 households.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from flask_babel import force_locale, get_locale
from sqlalchemy.orm import Session

from ..domain.agenda import MOVABLE, possible_corrections, possible_steps
from ..domain.ballot import entitled_count
from ..domain.eligibility import Voter, entitled_voters
from ..domain.findings import FindingGroup, headings_in
from ..domain.messages import Message
from ..domain.phases import TIMED_PHASES, Phase
from ..domain.quorum import check_quorum_of
from ..domain.rules import HearingRules, Tier
from ..settings import current_rules
from ..store import ballot_box, live_reads
from ..store.live_reads import Head, Sitter
from ..store.models import BallotResult, Household, MeetingStatus
from ..texts import translate
from .audience import DISPLAY, MEMBER, STAFF

#: layouts kept in memory, newest used last; a county's busy morning fits many times over
MAX_LAYOUTS = 4000


@dataclass(frozen=True)
class Layout:
    """The part of a meeting's state that changes only with a step or a setup change."""

    layout_version: int
    meeting: dict[str, Any]
    households: list[dict[str, Any]]
    #: the current household's card for staff screens (with the findings) and for phones
    staff_card: dict[str, Any] | None
    phone_card: dict[str, Any] | None
    hearing_id: int | None
    phase: Phase | None
    recused_ids: frozenset[int]
    steps: list[dict[str, Any]]
    corrections: list[dict[str, Any]]


_layouts: OrderedDict[tuple[int, str], Layout] = OrderedDict()
_layouts_guard = threading.Lock()


def build_states(
    session: Session, meeting_id: int, wanted: set[tuple[str, str]]
) -> dict[tuple[str, str], dict[str, Any]]:
    """The state for each wanted (language, view) of the meeting; empty if it is gone."""
    head = live_reads.head(session, meeting_id)
    if head is None or not wanted:
        return {}
    layouts = {locale: _layout(session, head, locale) for locale, _ in wanted}
    layout = next(iter(layouts.values()))
    sitting = live_reads.sitters(session, meeting_id)
    live: dict[str, Any] = {
        "turnout": None,
        "voted_ids": [],
        "queue": [],
        "scrutineer_ids": [m.id for m in sitting if m.scrutineer],
    }
    if layout.phase in (Phase.VOTING, Phase.SUSPENDED):
        voted = live_reads.voted_ids(session, layout.hearing_id)
        entitled = entitled_voters(
            (Voter(m.id, m.role, m.present) for m in sitting), layout.recused_ids
        )
        live["voted_ids"] = voted
        live["turnout"] = {
            "cast": len(voted),
            "entitled": entitled_count(entitled, voted),
            "slips_waiting": len(voted) - live_reads.ballots_entered(session, layout.hearing_id),
        }
    names = {m.id: m.name for m in sitting}
    if layout.phase is Phase.QUESTIONING:
        live["queue"] = [
            {"id": rid, "member_id": mid, "name": names.get(mid, ""), "status": status.value}
            for rid, mid, status in live_reads.queue(session, layout.hearing_id)
        ]
    staff: dict[str, Any] = {}
    if any(view == STAFF for _, view in wanted):
        staff["members"] = sitting
        staff["seat_requests"] = [
            {"id": rid, "member_id": mid, "name": names.get(mid, "")}
            for rid, mid in live_reads.pending_seat_requests(session, meeting_id)
        ]
        staff["notes"] = (
            {"position": head.current_position, **live_reads.notes(session, layout.hearing_id)}
            if layout.hearing_id is not None
            else None
        )
    quorum = check_quorum_of(((m.role, m.present) for m in sitting), current_rules())
    present_ids = [m.id for m in sitting if m.present]
    server_time = _iso(dt.datetime.now(dt.UTC))
    states = {}
    for locale, view in wanted:
        with force_locale(locale):
            states[(locale, view)] = _compose(
                head, layouts[locale], view, live, staff, quorum, present_ids, server_time
            )
    return states


def _compose(
    head: Head,
    layout: Layout,
    view: str,
    live: dict[str, Any],
    staff: dict[str, Any],
    quorum: Any,
    present_ids: list[int],
    server_time: str | None,
) -> dict[str, Any]:
    # the projector (DISPLAY) shows the findings to the hall, and nothing staff-only
    card = layout.staff_card if view in (STAFF, DISPLAY) else layout.phone_card
    if card is not None:
        card = {**card, "turnout": live["turnout"], "voted_ids": live["voted_ids"]}
    state: dict[str, Any] = {
        "version": head.version,
        "server_time": server_time,
        "meeting": layout.meeting,
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
        "current": card,
        "present_ids": present_ids,
        "scrutineer_ids": live["scrutineer_ids"],
        "queue": live["queue"],
        "households": layout.households,
    }
    if view == STAFF:
        state["members"] = _members_view(head.id, staff["members"])
        state["seat_requests"] = staff["seat_requests"]
        state["notes"] = staff["notes"]
        state["steps"] = layout.steps
        state["corrections"] = layout.corrections
    return state


_rosters: dict[tuple[int, str], tuple[tuple[Sitter, ...], list[dict[str, Any]]]] = {}


def _members_view(meeting_id: int, sitting: list[Sitter]) -> list[dict[str, Any]]:
    """The panel as staff screens show it; a ballot does not change it, so the list made
    for the same panel (in this language) is sent again rather than made again."""
    key, rows = (meeting_id, get_locale_name()), tuple(sitting)
    cached = _rosters.get(key)
    if cached is not None and cached[0] == rows:
        return cached[1]
    labels = {role: translate(role) for role in {m.role for m in sitting}}
    view = [
        {
            "id": m.id,
            "name": m.name,
            "role": m.role.value,
            "role_label": labels[m.role],
            "votes": m.role.votes,
            "present": m.present,
            "has_phone": m.has_phone,
            "on_paper": m.on_paper,
            "scrutineer": m.scrutineer,
        }
        for m in sitting
    ]
    if len(_rosters) > MAX_LAYOUTS:
        _rosters.clear()
    _rosters[key] = (rows, view)
    return view


def get_locale_name() -> str:
    locale = get_locale()
    return str(locale) if locale is not None else ""


# --- the layout ----------------------------------------------------------------------------


def _layout(session: Session, head: Head, locale: str) -> Layout:
    key = (head.id, locale)
    with _layouts_guard:
        cached = _layouts.get(key)
        if cached is not None and cached.layout_version == head.layout_version:
            _layouts.move_to_end(key)
            return cached
    with force_locale(locale):
        layout = _build_layout(session, head, current_rules())
    with _layouts_guard:
        _layouts[key] = layout
        _layouts.move_to_end(key)
        while len(_layouts) > MAX_LAYOUTS:
            _layouts.popitem(last=False)
    return layout


def forget_layouts() -> None:
    """Drop every cached layout (tests compare cached and fresh states)."""
    with _layouts_guard:
        _layouts.clear()


def _build_layout(session: Session, head: Head, rules: HearingRules) -> Layout:
    agenda = live_reads.agenda(session, head.id)
    households = [
        {
            "position": row.position,
            "head_name": row.head_name,
            "persons": row.persons,
            "phase": row.phase.value,
            "phase_label": translate(row.phase),
            "outcome": row.outcome.value if row.outcome else None,
            "outcome_label": translate(row.outcome) if row.outcome else None,
            "tier": _tier_view(rules.find_tier(row.tier_code)) if row.outcome else None,
            "movable": row.phase in MOVABLE,
        }
        for row in agenda
    ]
    phases = {r.position: r.phase for r in agenda}
    running = head.status is not MeetingStatus.CLOSED
    steps = [
        {"position": position, "step": step}
        for position, step in (possible_steps(phases) if running else [])
    ]
    corrections = [
        {"position": position, "correction": name}
        for position, name in (possible_corrections(phases) if running else [])
    ]
    household = (
        live_reads.household_card(session, head.id, head.current_position)
        if head.current_position is not None
        else None
    )
    staff_card = _card(session, household, rules) if household is not None else None
    phone_card = {k: v for k, v in staff_card.items() if k != "findings"} if staff_card else None
    return Layout(
        layout_version=head.layout_version,
        meeting={
            "id": head.id,
            "title": head.title,
            "place": head.place,
            "held_on": head.held_on.isoformat(),
            "status": head.status.value,
        },
        households=households,
        staff_card=staff_card,
        phone_card=phone_card,
        hearing_id=household.hearing.id if household is not None else None,
        phase=household.hearing.phase if household is not None else None,
        recused_ids=frozenset(r.member_id for r in household.recusals)
        if household
        else frozenset(),
        steps=steps,
        corrections=corrections,
    )


def _card(session: Session, household: Household, rules: HearingRules) -> dict[str, Any]:
    """Never an ID number or a phone number: the projector shows this to the hall."""
    hearing = household.hearing
    result = hearing.result
    proposed = rules.find_tier(household.proposed_tier)
    findings = {f.heading: f.text for f in household.findings if f.text}
    trackers = []
    if result is not None and result.trackers_published:
        trackers = [
            {
                "tracker": tracker,
                "choice": choice.value,
                "choice_label": translate(choice),
                "tier": tier.label if (tier := rules.find_tier(tier_code)) else None,
            }
            for tracker, choice, tier_code in ballot_box.published_trackers(session, hearing.id)
        ]
    return {
        "position": household.position,
        "head_name": household.head_name,
        "persons": household.persons,
        "address": household.address,
        "category": translate(household.category),
        "application_type": translate(household.application_type),
        "investigator": household.investigator.name if household.investigator else None,
        "recommendation": translate(household.recommendation) if household.recommendation else None,
        "proposed_tier": proposed.label if proposed else None,
        "findings": [
            {
                "group": translate(group),
                "items": [
                    {"heading": translate(h), "text": findings[h]}
                    for h in headings_in(group)
                    if h in findings
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
        "ballot_round": hearing.ballot_round,
        "recused": [
            {"member_id": r.member_id, "name": r.member.name, "reason": r.reason}
            for r in sorted(household.recusals, key=lambda r: r.id)
        ],
        "tiers": [_tier_view(t) for t in rules.tiers],
        "turnout": None,
        "voted_ids": [],
        "result": _result_view(result, rules, live_reads.confirmations(session, hearing.id))
        if result is not None
        else None,
        "trackers": trackers,
        "trackers_on_projector": hearing.trackers_on_projector,
    }


def _result_view(
    result: BallotResult, rules: HearingRules, confirmed: list[tuple[int, str]]
) -> dict[str, Any]:
    def quorum(snapshot: dict[str, Any]) -> dict[str, Any]:
        return {
            "representatives": snapshot["representatives"],
            "cadres": snapshot["cadres"],
            "holds": snapshot["holds"],
            "reasons": [translate(Message.from_data(r)) for r in snapshot["reasons"]],
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
        "tier": _tier_view(rules.find_tier(result.tier_code)),
        "reason": translate(Message.from_data(result.reason)),
        "quorum_at_open": quorum(result.quorum_at_open),
        "quorum_at_close": quorum(result.quorum_at_close),
        "trackers_published": result.trackers_published,
        # the scrutineers who confirmed this count on their phones
        "confirmed_by": [{"member_id": mid, "name": name} for mid, name in confirmed],
    }


def _tier_view(tier: Tier | None) -> dict[str, Any] | None:
    if tier is None:
        return None
    return {"code": tier.code, "label": tier.label, "monthly_amount": str(tier.monthly_amount)}


def _iso(moment: dt.datetime | None) -> str | None:
    if moment is None:
        return None
    if moment.tzinfo is None:  # SQLite gives naive datetimes back; they were stored in UTC
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.isoformat()


__all__ = ["MEMBER", "STAFF", "Layout", "build_states", "forget_layouts"]
