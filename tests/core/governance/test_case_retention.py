"""Retention of case files: a file closed longer than FJC_CASE_RETENTION_YEARS
loses its personal content with the requests it came from; the figures keep
track, dates, closure reason and the people's roles. Open files stay."""

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, inspect, select, text

from core.casework import cases
from core.governance.retention import CASE_PERSON_PERSONAL_FIELDS, purge
from core.intake import triage
from core.intake.intakes import SafeContact, Submission, submit
from core.model import (
    Case,
    CaseAction,
    CaseConsultation,
    CaseEvent,
    CasePartner,
    CasePerson,
    CaseRelation,
    ChildVoice,
    Intake,
    IntakeKind,
    IntakeStatus,
    RiskAssessment,
    SafetyPlan,
    Staff,
    TriageOutcome,
)
from core.rules import RuleError
from web.db import db

NOW = datetime(2032, 3, 1, 12, 0, tzinfo=UTC)
MARKER = "CASE-RETENTION-4b7d"
# Columns of a case file's people that are not personal: kept for the figures.
# contact_intake_id points at her request, which the purge erases with the file.
PERSON_KEPT = {"id", "case_id", "role", "no_direct_contact", "contact_intake_id"}


@pytest.fixture
def director(app, make_staff):
    staff_id, _ = make_staff("case_director", name="Ann")
    return staff_id


def _full_case(app, director_id: int, *, closed_at: datetime | None) -> int:
    """A case file with something in every part, all marked."""
    with app.app_context(), db.writing() as session:
        staff = session.get(Staff, director_id)
        intake, _ = submit(
            session,
            Submission(
                kind=IntakeKind.CONTACT,
                language="nl",
                contact=SafeContact(name=f"Sam {MARKER}", phone="0470 12 34 56", may_call=True),
                story=f"story {MARKER}",
                children_involved="yes",
            ),
        )
        triage.decide(session, intake, staff, outcome=TriageOutcome.TRACK_3)
        case = cases.open_case(session, [intake], staff, track=TriageOutcome.TRACK_3)
        victim = case.people[0]
        child = CasePerson(
            case_id=case.id,
            role="child",
            name=f"child {MARKER}",
            birth_year=2020,
            school_contacts=f"school {MARKER}",
            contact_safety=f"safety {MARKER}",
            notes=f"notes {MARKER}",
        )
        session.add(child)
        session.flush()
        session.add(
            CaseRelation(
                case_id=case.id, person_id=victim.id, other_person_id=child.id, kind="parent"
            )
        )
        session.add(
            SafetyPlan(
                case_id=case.id,
                person_id=victim.id,
                content={"safe_places": MARKER},
                staff_id=staff.id,
            )
        )
        session.add(
            SafetyPlan(
                case_id=case.id,
                person_id=child.id,
                content={"code_word": MARKER},
                staff_id=staff.id,
            )
        )
        # The child's own words: erased with the file like every other part.
        session.add(
            ChildVoice(
                case_id=case.id,
                person_id=child.id,
                heard_on=date(2026, 1, 5),
                heard_by=f"teacher {MARKER}",
                said=f"said {MARKER}",
                staff_id=staff.id,
            )
        )
        partner = CasePartner(
            case_id=case.id,
            kind="police",
            organisation=f"zone {MARKER}",
            contact_name=f"officer {MARKER}",
            basis="case_consultation",
            added_by_id=staff.id,
            added_at=NOW,
        )
        session.add(partner)
        session.flush()
        consultation = CaseConsultation(
            case_id=case.id,
            held_on=date(2026, 1, 5),
            legal_basis="art_458ter",
            participants=[{"name": f"p {MARKER}", "organisation": "Police"}],
            decisions=[f"decision {MARKER}"],
            notes=f"notes {MARKER}",
        )
        session.add(consultation)
        session.flush()
        session.add(
            CaseAction(
                case_id=case.id,
                title=f"action {MARKER}",
                owner_partner_id=partner.id,
                consultation_id=consultation.id,
                status="done",
            )
        )
        session.add(
            RiskAssessment(
                case_id=case.id,
                instrument_id="fjc-risk",
                instrument_version=1,
                answers={"weapons": {"answer": "yes", "source": MARKER}},
                score=12,
                computed_level="high",
                judged_level="high",
                final_level="high",
                judgement_reason=f"reason {MARKER}",
            )
        )
        cases.record(session, case, staff, "case.partner_added", f"detail {MARKER}")
        if closed_at is not None:
            cases.close(session, case, staff, "goals_reached", f"note {MARKER}")
            case.closed_at = closed_at
        return case.id


def _purge(app, now=NOW, **kwargs):
    with app.app_context():
        return purge(db.writing, app.config, now=now, **kwargs)


def test_every_case_person_column_is_classified_as_erased_or_kept():
    columns = {column.key for column in inspect(CasePerson).columns}
    assert set(CASE_PERSON_PERSONAL_FIELDS) | PERSON_KEPT == columns


def test_a_file_closed_longer_than_the_setting_keeps_only_the_figures(app, director):
    old = _full_case(app, director, closed_at=NOW - timedelta(days=5 * 366))
    recent = _full_case(app, director, closed_at=NOW - timedelta(days=4 * 365))
    still_open = _full_case(app, director, closed_at=None)

    assert _purge(app, dry_run=True).erased == {
        "intakes": 0,
        "cases": 1,
        "feedback": 0,
        "access_requests": 0,
    }
    assert _purge(app).erased == {"intakes": 0, "cases": 1, "feedback": 0, "access_requests": 0}
    assert _purge(app).erased == {"intakes": 0, "cases": 0, "feedback": 0, "access_requests": 0}

    with app.app_context():
        session = db.session
        erased = session.get(Case, old)
        assert erased.erased_at == NOW
        assert (erased.track, erased.closure_reason) == ("track_3", "goals_reached")
        assert erased.closure_note is None
        assert sorted(p.role for p in erased.people) == ["child", "victim"]
        assert all(p.name is None and p.phone is None for p in erased.people)
        for model in (
            CaseRelation,
            SafetyPlan,
            ChildVoice,
            CasePartner,
            CaseConsultation,
            CaseAction,
        ):
            assert session.scalar(select(func.count()).where(model.case_id == old)) == 0
            assert session.scalar(select(func.count()).where(model.case_id == recent)) >= 1
        assessment = session.scalars(
            select(RiskAssessment).where(RiskAssessment.case_id == old)
        ).one()
        assert (assessment.final_level, assessment.answers) == ("high", {})
        assert all(
            e.detail is None
            for e in session.scalars(select(CaseEvent).where(CaseEvent.case_id == old))
        )
        intake = session.get(Intake, erased.intakes[0].id)
        assert intake.status == IntakeStatus.ERASED and intake.story is None
        assert intake.children_involved == "yes"  # a figure, kept
        assert session.get(Case, recent).erased_at is None
        assert session.get(Case, still_open).erased_at is None

        # No trace of the marked content is left in the erased file's rows.
        for table in (
            "cases",
            "case_people",
            "case_events",
            "risk_assessments",
            "intakes",
            "messages",
            "child_voices",
        ):
            rows = session.execute(text(f"SELECT * FROM {table}"))  # noqa: S608 - fixed names
            for row in rows:
                values = dict(row._mapping)
                belongs = values.get("case_id", values.get("id")) == old
                if table == "intakes":
                    belongs = values["id"] == erased.intakes[0].id
                if belongs:
                    assert all(MARKER not in str(value) for value in values.values()), table


def test_an_erased_file_cannot_be_opened_again(app, director):
    case_id = _full_case(app, director, closed_at=NOW - timedelta(days=6 * 365))
    _purge(app)
    with app.app_context(), db.writing() as session, pytest.raises(RuleError):
        cases.reopen(session, session.get(Case, case_id), session.get(Staff, director))


def test_the_case_retention_follows_its_setting(app, director):
    _full_case(app, director, closed_at=NOW - timedelta(days=400))
    assert _purge(app).erased["cases"] == 0
    app.config["FJC_CASE_RETENTION_YEARS"] = 1
    assert _purge(app).erased["cases"] == 1


def test_the_page_of_an_erased_file_says_so_and_offers_no_reopening(app, make_staff):
    from tests.backoffice.helpers import staff_client

    ann = make_staff("case_director", name="Bea")
    case_id = _full_case(app, ann[0], closed_at=NOW - timedelta(days=6 * 365))
    _purge(app)
    body = staff_client(app, ann).get(f"/staff/cases/{case_id}").get_data(as_text=True)
    assert "the retention period ended" in body.lower() and MARKER not in body
    assert "Open the case file again" not in body
