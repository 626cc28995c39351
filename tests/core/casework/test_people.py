"""People in a case file: what is asked of each, relations, and removal."""

import pytest
from sqlalchemy import select

from core.casework import people, safety_plans
from core.model import Case, CaseEvent, CasePerson, CaseRelation, Staff, TriageOutcome
from core.rules import RuleError
from tests.factories import case_from_request
from web.db import db

YEAR = 2026


def _case(session, staff):
    return case_from_request(session, staff, TriageOutcome.TRACK_2)


@pytest.fixture
def case_and_staff(app, make_staff):
    staff_id, _ = make_staff("case_director")
    with app.app_context(), db.writing() as session:
        case_id = _case(session, session.get(Staff, staff_id)).id
    return case_id, staff_id


def _add(session, case_id, staff_id, **fields):
    case = session.get(Case, case_id)
    relation = {k: fields.pop(k) for k in ("relation_kind", "related_to") if k in fields}
    details = people.PersonDetails(**{"role": "child", **fields})
    return people.add_person(
        session, case, session.get(Staff, staff_id), details, YEAR, **relation
    )[0]


@pytest.mark.parametrize(
    ("fields", "problems"),
    [
        ({"role": ""}, {"role": "missing"}),
        ({"role": "neighbour"}, {"role": "missing"}),
        ({"birth_year": "20l8"}, {"birth_year": "not_a_year"}),
        ({"birth_year": "18"}, {"birth_year": "not_a_year"}),
        ({"birth_year": str(YEAR + 1)}, {"birth_year": "future"}),
        ({"birth_year": "1950"}, {"birth_year": "too_old"}),
        ({"role": "other_adult", "birth_year": "1980"}, {"birth_year": "child_only"}),
        ({"role": "victim", "school_contacts": "De Klimop"}, {"school_contacts": "child_only"}),
        ({"email": "sam.example.be"}, {"email": "not_an_email"}),
        ({"name": "x" * 201, "notes": "y" * 4001}, {"name": "too_long", "notes": "too_long"}),
    ],
)
def test_a_person_needs_a_role_and_a_plausible_year_of_birth_for_a_child_only(
    app, case_and_staff, fields, problems
):
    case_id, staff_id = case_and_staff
    with app.app_context(), db.writing() as session:
        with pytest.raises(RuleError) as refused:
            _add(session, case_id, staff_id, **fields)
        assert refused.value.problems == problems
        assert len(session.get(Case, case_id).people) == 1


def test_a_child_is_added_with_age_and_school_contacts_and_the_timeline_names_no_one(
    app, case_and_staff
):
    case_id, staff_id = case_and_staff
    with app.app_context(), db.writing() as session:
        victim = session.get(Case, case_id).people[0]
        child = _add(
            session,
            case_id,
            staff_id,
            name="  Noor\x00 ",
            birth_year="2018",
            school_contacts="Basisschool De Klimop, 015 12 34 56",
            relation_kind="child",
            related_to=str(victim.id),
        )
        assert (child.name, child.birth_year) == ("Noor", 2018)
        assert people.age(child.birth_year, YEAR) == 8
        relation = session.scalars(select(CaseRelation)).one()
        assert (relation.person_id, relation.kind, relation.other_person_id) == (
            child.id,
            "child",
            victim.id,
        )
        events = session.scalars(select(CaseEvent).order_by(CaseEvent.id)).all()
        assert [(e.action, e.detail) for e in events[-2:]] == [
            ("case.person_added", "child"),
            ("case.relation_added", "child"),
        ]
        assert not any("Noor" in (e.detail or "") for e in events)


def test_a_relation_to_themselves_or_twice_the_same_is_refused(app, case_and_staff):
    case_id, staff_id = case_and_staff
    with app.app_context(), db.writing() as session:
        case = session.get(Case, case_id)
        staff = session.get(Staff, staff_id)
        victim = case.people[0]
        child = _add(session, case_id, staff_id, name="Noor")
        with pytest.raises(RuleError) as refused:
            people.add_relation(session, case, staff, child.id, "sibling", child.id)
        assert refused.value.problems == {"other": "self"}
        people.add_relation(session, case, staff, victim.id, "parent", child.id)
        with pytest.raises(RuleError) as refused:
            people.add_relation(session, case, staff, str(victim.id), "parent", str(child.id))
        assert refused.value.problems == {"kind": "duplicate"}
        # The other way round is another statement, not a duplicate.
        people.add_relation(session, case, staff, child.id, "child", victim.id)
        assert len(people.relations_of(session, case)) == 2


def test_a_relation_needs_people_of_this_file_and_a_known_kind(app, case_and_staff, make_staff):
    case_id, staff_id = case_and_staff
    with app.app_context(), db.writing() as session:
        case = session.get(Case, case_id)
        staff = session.get(Staff, staff_id)
        stranger = _case(session, staff).people[0]
        with pytest.raises(RuleError) as refused:
            people.add_relation(session, case, staff, case.people[0].id, "cousin", stranger.id)
        assert refused.value.problems == {"kind": "missing", "other": "missing"}
        with pytest.raises(RuleError) as refused:
            _add(session, case_id, staff_id, relation_kind="parent")
        assert refused.value.problems == {"relation_to": "missing"}


def test_the_victim_from_the_request_and_a_person_with_a_plan_stay(app, case_and_staff):
    case_id, staff_id = case_and_staff
    with app.app_context(), db.writing() as session:
        case = session.get(Case, case_id)
        staff = session.get(Staff, staff_id)
        victim = case.people[0]
        with pytest.raises(RuleError) as refused:
            people.remove_person(session, case, victim, staff)
        assert refused.value.problems == {"person": "from_request"}
        child = _add(session, case_id, staff_id, name="Noor")
        safety_plans.save(session, case, child, staff, {"where_i_go": "Oma"})
        with pytest.raises(RuleError) as refused:
            people.remove_person(session, case, child, staff)
        assert refused.value.problems == {"person": "has_safety_plan"}
        assert len(case.people) == 2


def test_a_child_whose_own_words_are_in_the_file_stays(app, case_and_staff):
    from datetime import date

    from core.casework import child_voice

    case_id, staff_id = case_and_staff
    with app.app_context(), db.writing() as session:
        case = session.get(Case, case_id)
        staff = session.get(Staff, staff_id)
        child = _add(session, case_id, staff_id, name="Noor")
        child_voice.record_voice(
            session,
            case,
            child,
            staff,
            heard_on=date(YEAR, 1, 5),
            heard_by="Ann",
            said="I want to stay with mum.",
            today=date(YEAR, 1, 5),
        )
        with pytest.raises(RuleError) as refused:
            people.remove_person(session, case, child, staff)
        assert refused.value.problems == {"person": "has_voice"}
        assert len(case.people) == 2


def test_removing_a_person_removes_their_relations(app, case_and_staff):
    case_id, staff_id = case_and_staff
    with app.app_context(), db.writing() as session:
        case = session.get(Case, case_id)
        staff = session.get(Staff, staff_id)
        victim = case.people[0]
        mistake = _add(
            session,
            case_id,
            staff_id,
            role="other_adult",
            relation_kind="sibling",
            related_to=victim.id,
        )
        other = _add(session, case_id, staff_id, name="Noor")
        people.add_relation(session, case, staff, other.id, "child", mistake.id)
        kept = people.add_relation(session, case, staff, other.id, "child", victim.id)
        people.remove_person(session, case, mistake, staff)
    with app.app_context():
        assert db.session.get(CasePerson, mistake.id) is None
        assert db.session.scalars(select(CaseRelation.id)).all() == [kept.id]
        removed = db.session.scalars(
            select(CaseEvent.detail).where(CaseEvent.action == "case.person_removed")
        ).all()
        assert removed == ["other_adult"]


def test_the_last_victim_keeps_the_role(app, case_and_staff):
    case_id, staff_id = case_and_staff
    with app.app_context(), db.writing() as session:
        case = session.get(Case, case_id)
        staff = session.get(Staff, staff_id)
        victim = case.people[0]
        with pytest.raises(RuleError) as refused:
            people.update_person(
                session, case, victim, staff, people.PersonDetails(role="other_adult"), YEAR
            )
        assert refused.value.problems == {"role": "last_victim"}
        assert victim.role == "victim"
        unchanged = people.PersonDetails(role="victim", name="Sam", phone="0470 12 34 56")
        assert people.update_person(session, case, victim, staff, unchanged, YEAR) is False
        safer = people.PersonDetails(
            role="victim", name="Sam", phone="0470 12 34 56", no_direct_contact=True
        )
        assert people.update_person(session, case, victim, staff, safer, YEAR) is True
        assert victim.no_direct_contact is True
        updated = session.scalars(
            select(CaseEvent.detail).where(CaseEvent.action == "case.person_updated")
        ).all()
        assert updated == ["victim"]
