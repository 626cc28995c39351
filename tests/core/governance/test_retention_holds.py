"""Legal holds: a held case file or request survives the purge, which says
how many it kept back, and goes at the first purge after the hold is lifted.
The hold's rules refuse a missing reason, a review date in the past, a
second hold and a record of another centre; each change is audited."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from core.governance import retention_holds
from core.governance.retention import purge
from core.intake.intakes import SafeContact, Submission, submit
from core.model import (
    AuditEvent,
    Case,
    CaseHold,
    CaseStatus,
    Intake,
    IntakeHold,
    IntakeKind,
    IntakeStatus,
    Staff,
    TriageOutcome,
)
from core.network.centres import default_centre
from core.rules import RuleError
from tests.factories import case_from_request
from web.db import db

NOW = datetime(2033, 5, 10, 9, 0, tzinfo=UTC)
TODAY = NOW.date()
MARKER = "HOLD-5e2a-marker"
REASON = f"Court case pending {MARKER}"


@pytest.fixture
def coordinator(app, make_staff) -> int:
    staff_id, _ = make_staff("coordinator", name="Cora")
    return staff_id


def _closed_case(app, staff_id: int, *, closed_at: datetime, track=TriageOutcome.TRACK_2) -> int:
    with app.app_context(), db.writing() as session:
        case = case_from_request(session, session.get(Staff, staff_id), track)
        case.status = CaseStatus.CLOSED
        case.closure_reason = "goals_reached"
        case.closed_at = closed_at
        return case.id


def _closed_request(app, *, closed_at: datetime, kind=IntakeKind.CONTACT) -> int:
    with app.app_context(), db.writing() as session:
        intake, _ = submit(
            session,
            Submission(
                kind=kind,
                language="nl",
                contact=SafeContact(name=f"Sam {MARKER}", phone="0470 12 34 56", may_call=True),
                story=f"story {MARKER}",
            ),
        )
        intake.status = IntakeStatus.CLOSED
        intake.closed_at = closed_at
        return intake.id


def _place(app, staff_id: int, record_type, record_id: int, **fields):
    with app.app_context(), db.writing() as session:
        record = session.get(record_type, record_id)
        hold = retention_holds.place(
            session,
            record,
            session.get(Staff, staff_id),
            reason=fields.get("reason", REASON),
            review_on=fields.get("review_on", TODAY + timedelta(days=90)),
            today=TODAY,
        )
        return hold.id


def _lift(app, staff_id: int, model, hold_id: int) -> None:
    with app.app_context(), db.writing() as session:
        retention_holds.lift(session, session.get(model, hold_id), session.get(Staff, staff_id))


def _purge(app, now=NOW):
    with app.app_context():
        return purge(db.writing, app.config, now=now)


def test_a_held_case_file_survives_the_purge_and_goes_once_the_hold_is_lifted(app, coordinator):
    held = _closed_case(app, coordinator, closed_at=NOW - timedelta(days=6 * 366))
    hold_id = _place(app, coordinator, Case, held)

    report = _purge(app)
    assert report.erased["cases"] == 0
    assert report.held == {"intakes": 0, "cases": 1}
    with app.app_context():
        case = db.session.get(Case, held)
        assert case.erased_at is None
        assert case.people[0].name == "Sam"

    _lift(app, coordinator, CaseHold, hold_id)
    report = _purge(app)
    assert report.erased["cases"] == 1
    assert report.held == {"intakes": 0, "cases": 0}
    with app.app_context():
        case = db.session.get(Case, held)
        assert case.erased_at == NOW
        hold = db.session.get(CaseHold, hold_id)
        # Who held it and when stays; why (which may name people) goes with the file.
        assert hold.reason is None
        assert (hold.placed_by_id, hold.lifted_by_id) == (coordinator, coordinator)


def test_a_held_request_survives_the_purge_and_goes_once_the_hold_is_lifted(app, coordinator):
    held = _closed_request(app, closed_at=NOW - timedelta(days=400))
    other = _closed_request(app, closed_at=NOW - timedelta(days=400))
    hold_id = _place(app, coordinator, Intake, held)

    report = _purge(app)
    assert (report.erased["intakes"], report.held["intakes"]) == (1, 1)
    with app.app_context():
        assert db.session.get(Intake, held).story == f"story {MARKER}"
        assert db.session.get(Intake, other).status == IntakeStatus.ERASED

    _lift(app, coordinator, IntakeHold, hold_id)
    assert _purge(app).erased["intakes"] == 1
    with app.app_context():
        assert db.session.get(Intake, held).status == IntakeStatus.ERASED


def test_a_hold_on_the_request_keeps_the_case_file_opened_from_it(app, coordinator):
    with app.app_context(), db.writing() as session:
        from tests.factories import decided_request

        intake = decided_request(session, session.get(Staff, coordinator))
        intake_id = intake.id
    hold_id = _place(app, coordinator, Intake, intake_id)
    with app.app_context(), db.writing() as session:
        from core.casework import cases

        case = cases.open_case(
            session,
            [session.get(Intake, intake_id)],
            session.get(Staff, coordinator),
            track=TriageOutcome.TRACK_2,
        )
        case.status = CaseStatus.CLOSED
        case.closed_at = NOW - timedelta(days=6 * 366)
        case_id = case.id

    assert _purge(app).held["cases"] == 1
    with app.app_context():
        assert db.session.get(Case, case_id).erased_at is None
    _lift(app, coordinator, IntakeHold, hold_id)
    assert _purge(app).erased["cases"] == 1


def test_the_purge_command_says_what_a_hold_kept(app, coordinator, clock):
    held = _closed_case(app, coordinator, closed_at=clock.current - timedelta(days=6 * 366))
    _place(app, coordinator, Case, held)
    result = app.test_cli_runner().invoke(args=["purge"])
    assert result.exit_code == 0, result.output
    assert "cases: 0 erased" in result.output
    assert "cases: 1 kept by a legal hold, not erased" in result.output
    assert MARKER not in result.output
    with app.app_context():
        detail = db.session.scalar(
            select(AuditEvent.detail).where(AuditEvent.action == "retention.purged")
        )
    assert detail == "intakes=0 cases=0 feedback=0 access_requests=0 held_intakes=0 held_cases=1"


def test_placing_and_lifting_are_audited_with_ids_and_dates_only(app, coordinator):
    case_id = _closed_case(app, coordinator, closed_at=NOW - timedelta(days=30))
    hold_id = _place(app, coordinator, Case, case_id, review_on="2033-08-01")
    _lift(app, coordinator, CaseHold, hold_id)
    with app.app_context():
        events = db.session.execute(
            select(
                AuditEvent.action, AuditEvent.target_type, AuditEvent.target_id, AuditEvent.detail
            )
            .where(AuditEvent.action.like("retention.%"))
            .order_by(AuditEvent.id)
        ).all()
    assert events == [
        ("retention.hold_placed", "case", case_id, f"hold {hold_id} review 2033-08-01"),
        ("retention.hold_lifted", "case", case_id, f"hold {hold_id}"),
    ]


@pytest.mark.parametrize(
    ("fields", "problems"),
    [
        ({"reason": "  "}, {"reason": "missing"}),
        ({"reason": "x" * (retention_holds.REASON_MAX + 1)}, {"reason": "too_long"}),
        ({"review_on": ""}, {"review_on": "missing"}),
        ({"review_on": "next week"}, {"review_on": "not_a_date"}),
        ({"review_on": TODAY}, {"review_on": "not_in_the_future"}),
        ({"review_on": TODAY.replace(year=TODAY.year + 11)}, {"review_on": "too_far"}),
        ({"reason": "", "review_on": ""}, {"reason": "missing", "review_on": "missing"}),
    ],
)
def test_a_hold_needs_a_reason_and_a_review_date_to_come(app, coordinator, fields, problems):
    case_id = _closed_case(app, coordinator, closed_at=NOW - timedelta(days=30))
    with pytest.raises(RuleError) as refused:
        _place(app, coordinator, Case, case_id, **fields)
    assert refused.value.problems == problems
    with app.app_context():
        assert db.session.scalar(select(CaseHold.id)) is None


def test_a_record_is_held_once_and_a_request_of_a_case_file_through_the_file(app, coordinator):
    case_id = _closed_case(app, coordinator, closed_at=NOW - timedelta(days=30))
    _place(app, coordinator, Case, case_id)
    with pytest.raises(RuleError) as twice:
        _place(app, coordinator, Case, case_id)
    assert twice.value.problems == {"record": "already_held"}
    with app.app_context():
        intake_id = db.session.get(Case, case_id).intakes[0].id
    with pytest.raises(RuleError) as in_file:
        _place(app, coordinator, Intake, intake_id)
    assert in_file.value.problems == {"record": "in_case_file"}


def test_a_record_is_found_by_its_number_in_the_members_centre_only(app, coordinator):
    case_id = _closed_case(app, coordinator, closed_at=NOW - timedelta(days=30))
    intake_id = _closed_request(app, closed_at=NOW - timedelta(days=30))
    with app.app_context():
        session = db.session
        centre_id = default_centre(session).id
        number = session.get(Case, case_id).number
        assert retention_holds.find_record(session, centre_id, f" {number} ").id == case_id
        assert retention_holds.find_record(session, centre_id, f"#{intake_id}").id == intake_id
        assert retention_holds.find_record(session, centre_id, str(intake_id)).id == intake_id
        for reference, code in (("", "missing"), ("9999-9999", "not_found"), ("Sam", "not_found")):
            with pytest.raises(RuleError) as refused:
                retention_holds.find_record(session, centre_id, reference)
            assert refused.value.problems == {"record": code}
        # Another centre's record does not exist here.
        with pytest.raises(RuleError):
            retention_holds.find_record(session, centre_id + 10_000, number)
