"""No N+1 queries: the number of SQL statements a staff page runs does not
grow with what it shows. Each page is counted with little data and with much
more of the same; bench/scale.py prints the counts at 100,000 requests."""

from datetime import timedelta

import pytest
from sqlalchemy import event, select

from core.infra import clock
from core.intake.intakes import SafeContact, Submission, submit
from core.model import (
    CaseAction,
    CaseConsultation,
    CaseMember,
    CasePartner,
    CasePerson,
    CaseRelation,
    ChildVoice,
    IntakeKind,
    RiskAssessment,
    SafetyPlan,
    Staff,
)
from tests.backoffice.helpers import open_test_case, staff_client
from web.db import db

PARTICIPANTS = [{"name": "An", "organisation": "Police"}, {"name": "Bo", "organisation": "CAW"}]


def _statements(app, client, path: str) -> int:
    engine = app.extensions["fjc_db"].engine
    seen = []

    def count(*_args):
        seen.append(1)

    client.get(path)  # warm: first-request work is not what this measures
    event.listen(engine, "before_cursor_execute", count)
    try:
        response = client.get(path)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert response.status_code == 200, path
    return len(seen)


def _grow_case(app, case_id: int, director_id: int, colleague_id: int, n: int) -> None:
    """Add n of everything a case file shows."""
    now = clock.now()
    with app.app_context(), db.writing() as session:
        victim = session.scalar(
            select(CasePerson.id).where(CasePerson.case_id == case_id, CasePerson.role == "victim")
        )
        if colleague_id and n:
            session.add(CaseMember(case_id=case_id, staff_id=colleague_id, added_at=now))
        if n:
            session.add(CasePerson(case_id=case_id, role="child", name="Not heard"))
        for i in range(n):
            child = CasePerson(case_id=case_id, role="child", name=f"Child {i}", birth_year=2018)
            session.add(child)
            session.flush()
            session.add(
                CaseRelation(
                    case_id=case_id, person_id=victim, other_person_id=child.id, kind="parent"
                )
            )
            session.add(
                SafetyPlan(
                    case_id=case_id,
                    person_id=child.id,
                    content={"who_i_call": f"Grandma {i}"},
                    staff_id=director_id,
                )
            )
            # Every child heard twice, but one child not at all: the marker too.
            for day in (1, 2):
                session.add(
                    ChildVoice(
                        case_id=case_id,
                        person_id=child.id,
                        heard_on=now.date() - timedelta(days=day),
                        heard_by=f"Teacher {i}",
                        said=f"Words {i}",
                        staff_id=director_id,
                    )
                )
            partner = CasePartner(
                case_id=case_id,
                kind="school",
                organisation=f"School {i}",
                basis="consent",
                consent_scope=["safety_plan"],
                consent_given_at=now,
                added_by_id=director_id,
                added_at=now,
            )
            session.add(partner)
            session.flush()
            consultation = CaseConsultation(
                case_id=case_id,
                held_on=now.date(),
                legal_basis="art_458ter",
                participants=[
                    {"name": "A", "organisation": "B"},
                    {"name": "C", "organisation": "D"},
                ],
                decisions=[f"Decision {i}"],
                created_by_id=director_id,
            )
            session.add(consultation)
            session.flush()
            session.add_all(
                [
                    CaseAction(
                        case_id=case_id,
                        title=f"Call {i}",
                        owner_staff_id=director_id,
                        due_on=now.date() - timedelta(days=1),
                        status="open",
                        consultation_id=consultation.id,
                    ),
                    CaseAction(
                        case_id=case_id,
                        title=f"Visit {i}",
                        owner_partner_id=partner.id,
                        due_on=now.date() + timedelta(days=3),
                        status="in_progress",
                    ),
                ]
            )
            session.add(
                RiskAssessment(
                    case_id=case_id,
                    instrument_id="fjc-risk",
                    instrument_version=1,
                    answers={},
                    score=i,
                    computed_level="standard",
                    judged_level="standard",
                    final_level="standard",
                    staff_id=director_id,
                )
            )


@pytest.mark.parametrize("path", ["/staff/cases/{id}", "/staff/cases/{id}/print"])
def test_a_case_file_runs_as_many_statements_with_much_more_in_it(app, make_staff, path):
    ann = make_staff("case_director", name="Ann")
    colleague = make_staff("case_director", name="Bram")
    small = open_test_case(app, ann[0])
    large = open_test_case(app, ann[0])
    _grow_case(app, small, ann[0], colleague[0], 1)
    _grow_case(app, large, ann[0], colleague[0], 12)
    client = staff_client(app, ann)
    assert _statements(app, client, path.format(id=large)) == _statements(
        app, client, path.format(id=small)
    )


def _requests(app, count: int) -> None:
    with app.app_context(), db.writing() as session:
        for n in range(count):
            submit(
                session,
                Submission(
                    kind=IntakeKind.CONTACT,
                    language="nl",
                    contact=SafeContact(name=f"P{n}", phone=f"0470 00 00 {n:02d}", may_call=True),
                    story="Help.",
                ),
            )


@pytest.mark.parametrize("path", ["/staff/", "/staff/cases", "/staff/stats"])
def test_lists_and_figures_run_as_many_statements_with_more_rows(app, make_staff, path):
    coordinator = make_staff("coordinator", name="Chris")
    client = staff_client(app, coordinator)
    with app.app_context():
        director_id = db.session.scalar(select(Staff.id).where(Staff.name == "Chris"))
    _requests(app, 2)
    for _ in range(2):
        case_id = open_test_case(app, director_id)
        _grow_case(app, case_id, director_id, 0, 1)
    few = _statements(app, client, path)
    _requests(app, 20)
    for _ in range(10):
        case_id = open_test_case(app, director_id)
        _grow_case(app, case_id, director_id, 0, 2)
    assert _statements(app, client, path) == few
