"""Who may vote: present representatives and cadres, minus those recused."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from meeting.domain.eligibility import Voter, check_entitled, entitled_voters
from meeting.domain.errors import NotEntitledToVote
from meeting.domain.roles import Role

panels = st.lists(
    st.builds(Voter, st.integers(0, 50), st.sampled_from(Role), st.booleans()),
    max_size=40,
    unique_by=lambda v: v.member_id,
)


def test_a_recused_representative_does_not_vote() -> None:
    panel = [Voter(1, Role.REPRESENTATIVE, True), Voter(2, Role.REPRESENTATIVE, True)]
    assert entitled_voters(panel, recused={2}) == {1}
    with pytest.raises(NotEntitledToVote, match="recused"):
        check_entitled(panel[1], recused={2})


def test_host_secretary_investigator_and_scrutineer_never_vote() -> None:
    panel = [Voter(i, role, True) for i, role in enumerate(Role)]
    assert entitled_voters(panel, ()) == {0, 1}  # representative, cadre


def test_an_absent_cadre_does_not_vote() -> None:
    with pytest.raises(NotEntitledToVote, match="not checked in"):
        check_entitled(Voter(7, Role.CADRE, False), ())


@given(panels, st.sets(st.integers(0, 50)))
def test_entitled_means_voting_role_present_and_not_recused(panel, recused) -> None:
    entitled = entitled_voters(panel, recused)
    for voter in panel:
        expected = voter.role.votes and voter.present and voter.member_id not in recused
        assert (voter.member_id in entitled) is expected
        if expected:
            check_entitled(voter, recused)
        else:
            with pytest.raises(NotEntitledToVote):
                check_entitled(voter, recused)
