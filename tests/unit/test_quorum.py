"""The quorum: at least N representatives and at most M cadres present."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from meeting.domain.quorum import check_quorum, check_quorum_of
from meeting.domain.roles import Role
from meeting.domain.rules import HearingRules

from .strategies import TIERS, rules

DEFAULT = HearingRules(tiers=TIERS)


def test_fifteen_representatives_and_five_cadres_make_a_quorum() -> None:
    assert check_quorum(15, 5, DEFAULT).holds


def test_fourteen_representatives_fail_with_a_readable_reason() -> None:
    check = check_quorum(14, 3, DEFAULT)
    assert not check.holds
    assert [str(r) for r in check.reasons] == [
        "Villager representatives present: 14, fewer than 15."
    ]


def test_six_cadres_fail_even_with_many_representatives() -> None:
    check = check_quorum(30, 6, DEFAULT)
    assert not check.holds and check.representatives_ok and not check.cadres_ok
    assert str(check.reasons[0]) == "Cadres present: 6, more than 5."


def test_both_failures_are_reported() -> None:
    assert len(check_quorum(12, 6, DEFAULT).reasons) == 2


@given(rules, st.integers(0, 60), st.integers(0, 20))
def test_quorum_holds_exactly_when_both_conditions_hold(r, representatives, cadres) -> None:
    check = check_quorum(representatives, cadres, r)
    expected = representatives >= r.min_representatives and cadres <= r.max_cadres
    assert check.holds is expected
    assert bool(check.reasons) is not expected
    assert len(check.reasons) == (not check.representatives_ok) + (not check.cadres_ok)


@given(rules, st.integers(0, 60), st.integers(0, 20))
def test_one_more_representative_never_breaks_the_quorum(r, representatives, cadres) -> None:
    if check_quorum(representatives, cadres, r).holds:
        assert check_quorum(representatives + 1, cadres, r).holds


@given(
    rules,
    st.lists(st.tuples(st.sampled_from(Role), st.booleans()), max_size=60),
)
def test_only_present_representatives_and_cadres_are_counted(r, attendees) -> None:
    check = check_quorum_of(attendees, r)
    assert check.representatives_present == sum(
        1 for role, present in attendees if present and role is Role.REPRESENTATIVE
    )
    assert check.cadres_present == sum(
        1 for role, present in attendees if present and role is Role.CADRE
    )
