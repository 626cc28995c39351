"""The kernel of rectification, restriction and erasure on request: the same
rules as the people's own, and erasure forgets what these records hold of the
person (the values a correction replaced, the reasons of a restriction)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from core.casework import cases
from core.casework import people as people_rules
from core.governance import retention, retention_holds
from core.governance.rights import erasure_requests, rectification, restriction
from core.intake import mailbox
from core.model import (
    Case,
    CasePerson,
    ErasureRequest,
    Intake,
    IntakeCorrection,
    IntakeRestriction,
    PersonCorrection,
    PersonRestriction,
    Staff,
    TriageOutcome,
)
from core.rules import RuleError
from tests.factories import decided_request
from web.db import db


def test_the_limits_are_the_people_s_own():
    # core.governance may not import core.casework: the same numbers, twice.
    assert rectification.SHORT_MAX == people_rules.SHORT_MAX
    assert rectification.OLDEST_CHILD_AGE == people_rules.OLDEST_CHILD_AGE


@pytest.fixture
def world(app, make_staff):
    staff_id, _ = make_staff("coordinator")
    with app.app_context(), db.writing() as session:
        staff = session.get(Staff, staff_id)
        intake = decided_request(session, staff, TriageOutcome.TRACK_2, name="Old Name")
        case = cases.open_case(session, [intake], staff, track=TriageOutcome.TRACK_2)
        child, _ = people_rules.add_person(
            session,
            case,
            staff,
            people_rules.PersonDetails(role="child", name="Kid", birth_year="2019"),
            2026,
        )
        return {
            "staff": staff_id,
            "case": case.id,
            "victim": case.people[0].id,
            "child": child.id,
            "intake": intake.id,
        }


def _refused(call) -> dict[str, str]:
    with pytest.raises(RuleError) as refused:
        call()
    return refused.value.problems


def test_a_correction_is_checked_like_the_people_s_details(app, world):
    with app.app_context(), db.writing() as session:
        staff = session.get(Staff, world["staff"])
        victim = session.get(CasePerson, world["victim"])
        child = session.get(CasePerson, world["child"])

        def correct(person, field, value, reason="Asked."):
            return lambda: rectification.correct_person(
                session, person, staff, field, value, reason, 2026
            )

        assert _refused(correct(child, "birth_year", "2030")) == {"value": "future"}
        assert _refused(correct(child, "birth_year", "19")) == {"value": "not_a_year"}
        assert _refused(correct(child, "birth_year", "1980")) == {"value": "too_old"}
        assert _refused(correct(child, "name", "Kid")) == {"value": "unchanged"}
        assert _refused(correct(child, "email", "kid.example")) == {"value": "not_an_email"}
        assert _refused(correct(child, "phone", "12")) == {"value": "not_a_phone"}
        assert _refused(correct(victim, "birth_year", "2019")) == {"field": "child_only"}
        assert _refused(correct(victim, "phone", "0470 99 88 77")) == {"field": "on_her_request"}
        assert _refused(correct(victim, "name", "New", reason=" ")) == {"reason": "missing"}
        corrected = rectification.correct_person(
            session, child, staff, "birth_year", "2018", "Wrong year.", 2026
        )
        assert (corrected.old_value, child.birth_year) == ("2019", 2018)


def test_a_request_s_phone_emptied_loses_its_index_and_its_permissions(app, world):
    with app.app_context(), db.writing() as session:
        intake = session.get(Intake, world["intake"])
        assert intake.phone_index is not None and intake.may_call
        rectification.correct_intake(
            session, intake, session.get(Staff, world["staff"]), "phone", "", "Not hers."
        )
        assert (intake.phone, intake.phone_index, intake.may_call) == (None, None, None)
        assert session.get(CasePerson, world["victim"]).phone is None


def test_her_deleting_her_request_forgets_its_history_and_restriction(app, world):
    with app.app_context(), db.writing() as session:
        staff = session.get(Staff, world["staff"])
        intake = session.get(Intake, world["intake"])
        rectification.correct_intake(session, intake, staff, "name", "Newer", "Asked.")
        victim = session.get(CasePerson, world["victim"])
        rectification.correct_person(session, victim, staff, "name", "Newest", "Asked.", 2026)
        restriction.restrict_intake(session, intake, staff, "She contests it.")
        mailbox.erase(session, intake)
    with app.app_context():
        session = db.session
        for model in (IntakeCorrection, IntakeRestriction, PersonCorrection):
            assert session.scalar(select(func.count()).select_from(model)) == 0, model


def test_erasing_a_case_file_forgets_its_people_s_history_and_the_words_asked(app, world):
    with app.app_context(), db.writing() as session:
        staff = session.get(Staff, world["staff"])
        child = session.get(CasePerson, world["child"])
        rectification.correct_person(session, child, staff, "name", "Kiddo", "Asked.", 2026)
        restriction.restrict_person(session, child, staff, "Contested.")
        case = session.get(Case, world["case"])
        today = case.opened_at.date()
        request = erasure_requests.register(
            session,
            case.centre_id,
            staff,
            case_number=case.number,
            received_on=today.isoformat(),
            note="She wrote to us.",
            today=today,
        )
        erasure_requests.refuse(session, request, staff, ground="legal_claims", note="Court.")
        cases.close(session, case, staff, "client_stopped", None)
        retention.erase_case(session, case)
    with app.app_context():
        session = db.session
        assert session.scalar(select(func.count()).select_from(PersonCorrection)) == 0
        assert session.scalar(select(func.count()).select_from(PersonRestriction)) == 0
        kept = session.scalar(select(ErasureRequest))
        assert (kept.status, kept.refusal_ground) == ("refused", "legal_claims")
        assert (kept.request_note, kept.decision_note) == (None, None)


def test_restriction_of_a_person_and_of_her_request_is_one(app, world):
    with app.app_context(), db.writing() as session:
        staff = session.get(Staff, world["staff"])
        victim = session.get(CasePerson, world["victim"])
        intake = session.get(Intake, world["intake"])
        restriction.restrict_intake(session, intake, staff, "Contested.")
        assert restriction.person_is_restricted(session, victim)
        assert restriction.in_force_on_person(session, victim) is None
        assert _refused(lambda: restriction.lift_person(session, victim, staff, "x")) == {
            "__whole__": "not_restricted"
        }
        assert _refused(lambda: restriction.restrict_intake(session, intake, staff, "y")) == {
            "__whole__": "already_restricted"
        }
        restriction.lift_intake(session, intake, staff, "Checked.")
        assert not restriction.person_is_restricted(session, victim)


def test_a_file_under_a_legal_hold_is_not_erased_on_request(app, world):
    with app.app_context(), db.writing() as session:
        staff = session.get(Staff, world["staff"])
        case = session.get(Case, world["case"])
        today = case.opened_at.date()
        request = erasure_requests.register(
            session,
            case.centre_id,
            staff,
            case_number=case.number,
            received_on=today,
            note=None,
            today=today,
        )
        cases.close(session, case, staff, "client_stopped", None)
        retention_holds.place(
            session,
            case,
            staff,
            reason="A court case runs.",
            review_on=today + timedelta(days=30),
            today=today,
        )
        assert _refused(lambda: erasure_requests.erase(session, request, staff)) == {
            "__whole__": "held"
        }
        assert case.erased_at is None


def test_a_restriction_is_honoured_by_the_next_question_and_its_lifting_too(app, world):
    # The restriction's SQL is built once per process (core.model.rectification):
    # what it answers must still follow every restriction made or lifted.
    def asked() -> tuple[bool, bool]:
        with app.app_context(), db.reading() as session:
            victim = session.get(CasePerson, world["victim"])
            intake = session.get(Intake, world["intake"])
            return (
                restriction.intake_is_restricted(session, intake),
                restriction.person_is_restricted(session, victim),
            )

    assert asked() == (False, False)
    with app.app_context(), db.writing() as session:
        staff = session.get(Staff, world["staff"])
        victim = session.get(CasePerson, world["victim"])
        restriction.restrict_person(session, victim, staff, "Contested.")
    assert asked() == (True, True)
    with app.app_context(), db.writing() as session:
        staff = session.get(Staff, world["staff"])
        victim = session.get(CasePerson, world["victim"])
        restriction.lift_person(session, victim, staff, "Checked.")
    assert asked() == (False, False)
