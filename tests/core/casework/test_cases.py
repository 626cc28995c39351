"""Opening case files from requests: numbers, carried-over data, access, closure."""

import threading
from datetime import timedelta

import pytest
from sqlalchemy import select

from core.casework import cases
from core.governance import retention
from core.infra import clock as core_clock
from core.model import (
    Case,
    CasePerson,
    CaseStatus,
    Intake,
    IntakeStatus,
    Staff,
    TriageOutcome,
)
from core.rules import RuleError
from tests.factories import decided_request
from web.db import db


def _decided(session, staff, **contact) -> Intake:
    return decided_request(session, staff, TriageOutcome.TRACK_2, **contact)


@pytest.fixture
def director(app, make_staff):
    staff_id, _ = make_staff("case_director", name="Ann")
    return staff_id


def test_a_case_carries_over_what_the_requests_said(app, director):
    with app.app_context(), db.writing() as session:
        staff = session.get(Staff, director)
        first = _decided(session, staff)
        second = _decided(session, staff, email="sam@example.be")
        case = cases.open_case(session, [first, second], staff, track=TriageOutcome.TRACK_2)
        assert case.number == f"{case.opened_at.year}-0001"
        victim = case.people[0]
        assert (victim.role, victim.name, victim.phone) == ("victim", "Sam", "0470 12 34 56")
        assert [i.id for i in case.intakes] == [first.id, second.id]
        assert all(i.status == IntakeStatus.CLOSED for i in (first, second))
        assert case.director_id == staff.id
        assert [e.action for e in case.events] == ["case.opened"]
        with pytest.raises(RuleError):
            cases.open_case(session, [first], staff, track=TriageOutcome.TRACK_2)
        other = cases.open_case(
            session, [_decided(session, staff)], staff, track=TriageOutcome.TRACK_3
        )
        assert other.number == f"{other.opened_at.year}-0002"


def test_two_cases_opened_at_once_get_different_numbers(app, director):
    with app.app_context(), db.writing() as session:
        staff = session.get(Staff, director)
        ids = [_decided(session, staff).id for _ in range(4)]
    numbers: list[str] = []
    errors: list[BaseException] = []
    start = threading.Barrier(4)

    def open_one(intake_id: int):
        with app.app_context():
            try:
                start.wait()
                with db.writing() as session:
                    case = cases.open_case(
                        session,
                        [session.get(Intake, intake_id)],
                        session.get(Staff, director),
                        track=TriageOutcome.TRACK_2,
                    )
                    numbers.append(case.number)
            except BaseException as exc:  # noqa: BLE001 - asserted below
                errors.append(exc)

    threads = [threading.Thread(target=open_one, args=(i,)) for i in ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(n.split("-")[1] for n in numbers) == ["0001", "0002", "0003", "0004"]


def test_who_may_open_a_case_file(app, make_staff, director):
    other_id, _ = make_staff("case_director", name="Bram")
    coordinator_id, _ = make_staff("coordinator")
    admin_id, _ = make_staff("admin")
    with app.app_context(), db.writing() as session:
        ann, bram = session.get(Staff, director), session.get(Staff, other_id)
        case = cases.open_case(session, [_decided(session, ann)], ann, track=TriageOutcome.TRACK_3)
        assert cases.can_view(ann, case, session)
        assert not cases.can_view(bram, case, session)
        assert cases.can_view(session.get(Staff, coordinator_id), case, session)
        assert not cases.can_view(session.get(Staff, admin_id), case, session)
        assert cases.visible_cases(session, bram) == []
        cases.add_member(session, case, bram, ann)
        assert cases.can_view(bram, case, session)
        assert [c.id for c in cases.visible_cases(session, bram)] == [case.id]


def test_closing_needs_a_reason_and_a_case_can_open_again(app, director):
    with app.app_context(), db.writing() as session:
        staff = session.get(Staff, director)
        case = cases.open_case(
            session, [_decided(session, staff)], staff, track=TriageOutcome.TRACK_2
        )
        with pytest.raises(RuleError):
            cases.close(session, case, staff, "because", None)
        cases.close(session, case, staff, "goals_reached", "Safe now.")
        assert (case.status, case.closure_reason) == (CaseStatus.CLOSED, "goals_reached")
        cases.reopen(session, case, staff)
        assert case.status == CaseStatus.OPEN and case.closure_reason is None
        assert [e.action for e in case.events][:2] == ["case.reopened", "case.closed"]


def test_the_purge_leaves_requests_that_became_a_case(app, director):
    with app.app_context():
        with db.writing() as session:
            staff = session.get(Staff, director)
            in_case = _decided(session, staff)
            cases.open_case(session, [in_case], staff, track=TriageOutcome.TRACK_2)
            alone = _decided(session, staff)
            triage_closed = session.get(Intake, alone.id)
            triage_closed.status = IntakeStatus.CLOSED
            triage_closed.closed_at = core_clock.now() - timedelta(days=400)
            session.get(Intake, in_case.id).closed_at = core_clock.now() - timedelta(days=400)
            in_case_id, alone_id = in_case.id, alone.id
        retention.purge(db.writing, app.config, now=core_clock.now())
        assert db.session.get(Intake, in_case_id).name == "Sam"
        assert db.session.get(Intake, alone_id).status == IntakeStatus.ERASED
        assert db.session.scalars(select(Case)).one()


def test_deleting_the_request_also_deletes_what_the_case_copied(app, director):
    from core.intake.mailbox import erase

    with app.app_context(), db.writing() as session:
        staff = session.get(Staff, director)
        intake = _decided(session, staff)
        case = cases.open_case(session, [intake], staff, track=TriageOutcome.TRACK_2)
        added = CasePerson(case_id=case.id, role="victim", name="Mia", phone="0470 99 99 99")
        session.add(added)
        session.flush()
        erase(session, intake)
        victim = case.people[0]
        assert (victim.name, victim.phone, victim.email) == (None, None, None)
        # A victim the staff added later was not copied from this request.
        assert (added.name, added.phone) == ("Mia", "0470 99 99 99")
