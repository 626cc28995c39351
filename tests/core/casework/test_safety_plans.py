"""Safety plans: every save is a version; the same plan again adds nothing."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from core.casework import people, safety_plans
from core.model import Case, CaseEvent, SafetyPlan, Staff
from core.rules import RuleError
from tests.factories import case_from_request
from web.db import db


@pytest.fixture
def case_and_staff(app, make_staff):
    staff_id, _ = make_staff("case_director")
    with app.app_context(), db.writing() as session:
        staff = session.get(Staff, staff_id)
        case = case_from_request(session, staff)
        return case.id, staff_id


def _save(session, case_id, staff_id, content, person_index=0):
    case = session.get(Case, case_id)
    person = case.people[person_index]
    return safety_plans.save(session, case, person, session.get(Staff, staff_id), content)


@pytest.mark.parametrize(
    ("content", "problems"),
    [
        ({}, {"warning_signs": "empty"}),
        ({"warning_signs": "  \n ", "unknown_part": "text"}, {"warning_signs": "empty"}),
        ({"safe_places": "x" * 4001}, {"safe_places": "too_long"}),
        (
            {"safe_places": "x" * 4001, "emergency": "112", "children": "y" * 4001},
            {"safe_places": "too_long", "children": "too_long"},
        ),
    ],
)
def test_a_plan_needs_at_least_one_filled_part(app, case_and_staff, content, problems):
    case_id, staff_id = case_and_staff
    with app.app_context(), db.writing() as session:
        with pytest.raises(RuleError) as refused:
            _save(session, case_id, staff_id, content)
        assert refused.value.problems == problems
        assert session.scalars(select(SafetyPlan)).all() == []


def test_a_plan_is_only_for_a_person_of_the_file(app, case_and_staff):
    case_id, staff_id = case_and_staff
    with app.app_context(), db.writing() as session:
        staff = session.get(Staff, staff_id)
        stranger = case_from_request(session, staff).people[0]
        with pytest.raises(RuleError) as refused:
            safety_plans.save(
                session, session.get(Case, case_id), stranger, staff, {"safe_places": "Oma"}
            )
        assert refused.value.problems == {"person": "missing"}
        assert session.scalars(select(SafetyPlan)).all() == []


def test_each_save_adds_a_version_and_the_same_plan_adds_nothing(app, case_and_staff, clock):
    case_id, staff_id = case_and_staff
    with app.app_context(), db.writing() as session:
        first = _save(session, case_id, staff_id, {"safe_places": "Bij oma", "emergency": ""})
        assert first.content == {"safe_places": "Bij oma"}
        clock.advance(days=2)
        second = _save(
            session, case_id, staff_id, {"safe_places": "Bij oma", "safe_people": "Buurvrouw"}
        )
        clock.advance(days=1)
        # Only spaces differ: the plan is the same, so no version is added.
        same = _save(
            session, case_id, staff_id, {"safe_places": " Bij oma ", "safe_people": "Buurvrouw"}
        )
        assert same is None
        person = session.get(Case, case_id).people[0]
        versions = safety_plans.history(session, person)
        assert [v.id for v in versions] == [second.id, first.id]
        assert safety_plans.current(session, person).id == second.id
        assert versions[0].created_at - versions[1].created_at == timedelta(days=2)
        saved = session.scalars(
            select(CaseEvent.detail).where(CaseEvent.action == "case.safety_plan_saved")
        ).all()
        assert saved == ["victim", "victim"]


def test_the_last_update_of_every_plan_in_a_file_comes_in_one_go(app, case_and_staff, clock):
    case_id, staff_id = case_and_staff
    with app.app_context(), db.writing() as session:
        case = session.get(Case, case_id)
        staff = session.get(Staff, staff_id)
        child, _ = people.add_person(
            session, case, staff, people.PersonDetails(role="child", name="Noor"), 2026
        )
        started = clock()
        _save(session, case_id, staff_id, {"warning_signs": "Hij drinkt"})
        clock.advance(hours=3)
        _save(session, case_id, staff_id, {"warning_signs": "Hij drinkt veel"})
        assert safety_plans.last_updates(session, case) == {
            case.people[0].id: started + timedelta(hours=3)
        }
        assert child.id not in safety_plans.last_updates(session, case)


def _add_child(session, case_id, staff_id):
    case = session.get(Case, case_id)
    child, _ = people.add_person(
        session,
        case,
        session.get(Staff, staff_id),
        people.PersonDetails(role="child", name="Noor"),
        2026,
    )
    return child


def test_a_childs_plan_has_the_childs_own_parts(app, case_and_staff):
    case_id, staff_id = case_and_staff
    with app.app_context(), db.writing() as session:
        child = _add_child(session, case_id, staff_id)
        assert safety_plans.sections_for(child) == safety_plans.CHILD_SECTIONS
        assert safety_plans.sections_for(session.get(Case, case_id).people[0]) == (
            safety_plans.SECTIONS
        )
        with pytest.raises(RuleError) as refused:
            _save(session, case_id, staff_id, {"warning_signs": "He shouts"}, person_index=1)
        # An adult's part is not a child's: the child's first part is where to start.
        assert refused.value.problems == {"who_i_call": "empty"}
        with pytest.raises(RuleError) as refused:
            _save(session, case_id, staff_id, {"code_word": "x" * 4001}, person_index=1)
        assert refused.value.problems == {"code_word": "too_long"}
        plan = _save(
            session,
            case_id,
            staff_id,
            {
                "who_i_call": "Oma: 0470 11 22 33",
                "code_word": "Pannenkoek",
                "trusted_adult": "Juf Els",
                "safe_places": "dropped: not a part of a child's plan",
            },
            person_index=1,
        )
        assert plan.content == {
            "who_i_call": "Oma: 0470 11 22 33",
            "code_word": "Pannenkoek",
            "trusted_adult": "Juf Els",
        }
        saved = session.scalars(
            select(CaseEvent.detail).where(CaseEvent.action == "case.safety_plan_saved")
        ).all()
        assert saved == ["child"]


def test_parts_a_plan_already_holds_stay_when_the_role_changes(app, case_and_staff):
    case_id, staff_id = case_and_staff
    with app.app_context(), db.writing() as session:
        child = _add_child(session, case_id, staff_id)
        # A plan made while the person was entered as an adult by mistake.
        child.role = "other_adult"
        _save(session, case_id, staff_id, {"safe_places": "Bij oma"}, person_index=1)
        child.role = "child"
        assert safety_plans.sections_for(child, {"safe_places": "Bij oma"}) == (
            *safety_plans.CHILD_SECTIONS,
            "safe_places",
        )
        plan = _save(
            session,
            case_id,
            staff_id,
            {"safe_places": "Bij oma", "where_i_go": "Naar de buren"},
            person_index=1,
        )
        assert plan.content == {"safe_places": "Bij oma", "where_i_go": "Naar de buren"}
