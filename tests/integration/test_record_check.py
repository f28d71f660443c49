"""The chain covers what the minutes say: a result, a receipt, a household or the chain's
tail changed behind the app's back makes ``meeting verify`` fail, naming what differs."""

from __future__ import annotations

import io

import pytest
from click.testing import CliRunner
from docx import Document
from flask.cli import ScriptInfo
from sqlalchemy import text

from meeting.cli import main
from meeting.domain.signoff import Signatories
from meeting.exports import export
from meeting.extensions import db
from meeting.services import hearings, notes, signoff
from meeting.services.audit import event_count, head_hash, verify_meeting
from meeting.store.models import Meeting

from .ballot_helpers import cast, open_ballot, present_voters, seated_meeting

PEOPLE = Signatories("韩文静", "唐志远", ("王桂兰",))


@pytest.fixture
def counted(app) -> Meeting:
    """Two households heard: 张三 found ineligible by all 20, 李四 eligible, tier B."""
    meeting = seated_meeting(representatives=15)
    for position, choice in ((1, "not_eligible"), (2, "eligible")):
        open_ballot(meeting, position)
        notes.save_notes(meeting.id, position, "questioning_notes", "问：收入？答：无。", "sec")
        for member in present_voters(meeting):
            cast(member, position, choice, "B")  # the last one closes and counts it
        hearings.announce(meeting.id, position, "host")
    return meeting


def problem(meeting: Meeting) -> str:
    meeting_id = meeting.id
    db.session.remove()  # read as a fresh process would
    report = verify_meeting(meeting_id)
    assert report.broken_seq is None, report.problem  # the chain itself is untouched
    return "" if report.record_problem is None else str(report.record_problem)


def tamper(statement: str, **params: object) -> None:
    db.session.execute(text(statement), params)
    db.session.commit()


def test_an_untouched_meeting_verifies(counted) -> None:
    signoff.finalise(counted.id, "secretary", PEOPLE)
    assert problem(counted) == ""


def test_a_rewritten_result_is_found_though_the_chain_is_intact(counted) -> None:
    head = head_hash(counted.id)
    tamper(
        "UPDATE ballot_result SET eligible = 20, not_eligible = 0, outcome = 'eligible', "
        "tier_code = 'A' WHERE hearing_id = (SELECT id FROM hearing WHERE household_id = :h)",
        h=counted.households[0].id,
    )
    found = problem(counted)
    assert "张三" in found and "eligible is 20, the chain says 0" in found
    assert head_hash(counted.id) == head  # nothing in the chain moved: only the row


def test_a_deleted_receipt_is_found(counted) -> None:
    tamper(
        "DELETE FROM ballot_receipt WHERE rowid = (SELECT min(rowid) FROM ballot_receipt "
        "WHERE hearing_id = (SELECT id FROM hearing WHERE household_id = :h))",
        h=counted.households[1].id,
    )
    assert "who voted on household 李四" in problem(counted)


def test_a_changed_ballot_is_found(counted) -> None:
    tamper(
        "UPDATE secret_ballot SET choice = 'eligible', tier_code = 'A' WHERE key = (SELECT "
        "min(key) FROM secret_ballot WHERE hearing_id = (SELECT id FROM hearing WHERE "
        "household_id = :h))",
        h=counted.households[0].id,
    )
    assert "ballots of household 张三 do not add up" in problem(counted)


@pytest.mark.parametrize(
    ("statement", "expected"),
    [
        (
            "UPDATE household SET persons = 9 WHERE head_name = '李四'",
            "details or notes of household 李四",
        ),
        (
            "UPDATE household_finding SET text = '家有轿车' WHERE household_id = "
            "(SELECT id FROM household WHERE head_name = '张三')",
            "",
        ),
        (
            "UPDATE hearing SET questioning_notes = '（删去）' WHERE household_id = "
            "(SELECT id FROM household WHERE head_name = '张三')",
            "details or notes of household 张三",
        ),
        (
            "UPDATE household SET position = -position; "
            "UPDATE household SET position = 3 + position",
            "order of the households differs",
        ),
        (
            "UPDATE hearing SET phase = 'skipped' WHERE household_id = "
            "(SELECT id FROM household WHERE head_name = '李四')",
            "李四 is at the step 'skipped'",
        ),
    ],
)
def test_a_changed_household_is_found(counted, statement: str, expected: str) -> None:
    if not expected:  # a finding the household has none of is added instead
        household = counted.households[0].id
        tamper(
            "INSERT INTO household_finding (household_id, heading, text) "
            "VALUES (:h, 'look_housing', '家有轿车')",
            h=household,
        )
        expected = "details or notes of household 张三"
    else:
        for one in statement.split("; "):
            tamper(one)
    assert expected in problem(counted)


def test_a_cut_tail_is_found_against_the_sign_off(counted) -> None:
    signoff.finalise(counted.id, "secretary", PEOPLE)
    signoff.amend(counted.id, "第2户住址应为三组。", "secretary")
    signed = db.session.get(Meeting, counted.id)
    assert signed.signed_events == event_count(counted.id) - 2  # the sign-off, the amendment
    tamper(
        "DELETE FROM event WHERE meeting_id = :m AND seq > :n", m=counted.id, n=signed.signed_events
    )
    assert "chain was cut" in problem(counted)


def test_the_minutes_print_the_chains_length_and_head(counted) -> None:
    signoff.finalise(counted.id, "secretary", PEOPLE)
    minutes = Document(io.BytesIO(export(db.session.get(Meeting, counted.id), "docx").data))
    lines = [p.text for p in minutes.paragraphs]
    assert any(line.endswith(f"：{event_count(counted.id)}") for line in lines), lines[-6:]
    assert any(head_hash(counted.id) in line for line in lines)


def test_the_command_names_the_difference_and_fails(counted, app) -> None:
    meeting_id = counted.id
    tamper("UPDATE ballot_result SET tier_code = 'A' WHERE tier_code = 'B'")
    db.session.remove()
    result = CliRunner().invoke(
        main, ["verify", str(meeting_id)], obj=ScriptInfo(create_app=lambda: app)
    )
    assert result.exit_code == 1, result.output
    assert "DIFFERS" in result.output and "李四" in result.output
