"""A child's own voice: only for a child of this open file, dated (never in
the future), with who heard it and what the child said; each time adds a
row; the timeline and the audit trail say a child was heard, never what."""

from datetime import date

import pytest
from sqlalchemy import select, text

from core.casework import cases, child_voice, people
from core.model import AuditEvent, Case, CaseEvent, CasePerson, ChildVoice, Staff
from core.rules import RuleError
from tests.factories import case_from_request
from web.db import db

TODAY = date(2026, 3, 15)
SAID = "Ik wil bij mama blijven. Papa mag niet meer roepen."


@pytest.fixture
def file_with_child(app, make_staff):
    staff_id, _ = make_staff("case_director")
    with app.app_context(), db.writing() as session:
        staff = session.get(Staff, staff_id)
        case = case_from_request(session, staff)
        child, _ = people.add_person(
            session,
            case,
            staff,
            people.PersonDetails(role="child", name="Noor", birth_year="2016"),
            TODAY.year,
        )
        return case.id, child.id, case.people[0].id, staff_id


def _record(session, case_id, person_id, staff_id, **typed):
    values = {"heard_on": "2026-03-10", "heard_by": "Ann (case director)", "said": SAID}
    values.update(typed)
    return child_voice.record_voice(
        session,
        session.get(Case, case_id),
        session.get(CasePerson, person_id),
        session.get(Staff, staff_id),
        today=TODAY,
        **values,
    )


def test_a_childs_voice_is_kept_with_its_date_and_who_heard_it(app, file_with_child):
    case_id, child_id, _victim_id, staff_id = file_with_child
    with app.app_context(), db.writing() as session:
        voice = _record(session, case_id, child_id, staff_id, said=f"  {SAID}\x00 ")
        assert (voice.heard_on, voice.heard_by, voice.said) == (
            date(2026, 3, 10),
            "Ann (case director)",
            SAID,
        )
        event = session.scalars(
            select(CaseEvent).where(CaseEvent.action == "case.child_heard")
        ).one()
        assert event.detail == "child"
        audited = session.scalars(
            select(AuditEvent.detail).where(AuditEvent.action == "case.child_heard")
        ).one()
        assert audited == f"person {child_id} voice {voice.id}"
        # The words are stored encrypted, never as they were typed.
        raw = session.execute(text("SELECT said, heard_by FROM child_voices")).one()
        assert "mama" not in str(raw) and "Ann" not in str(raw)


@pytest.mark.parametrize(
    ("typed", "problems"),
    [
        (
            {"heard_on": "", "heard_by": " ", "said": "\n"},
            {"heard_on": "missing", "heard_by": "missing", "said": "missing"},
        ),
        ({"heard_on": "15/03/2026"}, {"heard_on": "invalid"}),
        ({"heard_on": "2026-02-30"}, {"heard_on": "invalid"}),
        ({"heard_on": "2026-03-16"}, {"heard_on": "future"}),
        ({"heard_on": "2015-12-31"}, {"heard_on": "before_birth"}),
        (
            {"heard_by": "x" * 201, "said": "y" * 4001},
            {"heard_by": "too_long", "said": "too_long"},
        ),
    ],
)
def test_a_voice_names_every_field_at_fault(app, file_with_child, typed, problems):
    case_id, child_id, _victim_id, staff_id = file_with_child
    with app.app_context(), db.writing() as session:
        with pytest.raises(RuleError) as refused:
            _record(session, case_id, child_id, staff_id, **typed)
        assert refused.value.problems == problems
        assert session.scalars(select(ChildVoice)).all() == []


def test_today_and_the_limits_themselves_are_allowed(app, file_with_child):
    case_id, child_id, _victim_id, staff_id = file_with_child
    with app.app_context(), db.writing() as session:
        voice = _record(
            session,
            case_id,
            child_id,
            staff_id,
            heard_on=TODAY,
            heard_by="x" * 200,
            said="y" * 4000,
        )
        assert voice.heard_on == TODAY


def test_only_a_child_of_this_open_file_has_a_voice(app, file_with_child):
    case_id, child_id, victim_id, staff_id = file_with_child
    with app.app_context(), db.writing() as session:
        with pytest.raises(RuleError) as refused:
            _record(session, case_id, victim_id, staff_id)
        assert refused.value.problems == {"person": "not_a_child"}
        staff = session.get(Staff, staff_id)
        other = case_from_request(session, staff)
        with pytest.raises(RuleError) as refused:
            child_voice.record_voice(
                session,
                other,
                session.get(CasePerson, child_id),
                staff,
                heard_on=TODAY,
                heard_by="Ann",
                said=SAID,
                today=TODAY,
            )
        assert refused.value.problems == {"person": "missing"}
        case = session.get(Case, case_id)
        cases.close(session, case, staff, "goals_reached", None)
        with pytest.raises(RuleError) as refused:
            _record(session, case_id, child_id, staff_id)
        assert refused.value.problems == {"case": "closed"}
        assert session.scalars(select(ChildVoice)).all() == []


def test_voices_of_a_file_come_newest_first_and_mark_who_is_not_heard(app, file_with_child):
    case_id, child_id, _victim_id, staff_id = file_with_child
    with app.app_context(), db.writing() as session:
        case = session.get(Case, case_id)
        staff = session.get(Staff, staff_id)
        sibling, _ = people.add_person(
            session, case, staff, people.PersonDetails(role="child", name="Mo"), TODAY.year
        )
        assert [p.id for p in child_voice.not_heard(session, case)] == [child_id, sibling.id]
        first = _record(session, case_id, child_id, staff_id, heard_on="2026-02-01")
        later = _record(session, case_id, child_id, staff_id, heard_on="2026-03-01")
        voices = child_voice.voices_of(session, case)
        assert [v.id for v in voices[child_id]] == [later.id, first.id]
        assert set(voices) == {child_id}
        assert [p.id for p in child_voice.not_heard(session, case)] == [sibling.id]
        assert child_voice.children_not_heard(case.people, voices) == [sibling]
