"""Nothing goes silently: the preview lists what the purge will erase in the
next 30 days (and not later), with its date, kind or track, held ones
marked; each purge leaves a trace that counts by centre, month and kind or
track, and identifies nothing."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import inspect, select, text

from core.governance import retention_holds
from core.governance.retention import preview, purge, traces
from core.intake.intakes import SafeContact, Submission, submit
from core.model import (
    Case,
    CaseStatus,
    Feedback,
    Intake,
    IntakeKind,
    IntakeStatus,
    PurgeTrace,
    Staff,
    TriageOutcome,
)
from core.network.centres import default_centre
from tests.factories import case_from_request
from web.db import db

NOW = datetime(2035, 7, 15, 10, 0, tzinfo=UTC)
MARKER = "PREVIEW-7d3f-marker"


@pytest.fixture
def staff_id(make_staff) -> int:
    return make_staff("coordinator", name=f"Cora {MARKER}")[0]


def _request(app, *, closed_at: datetime, kind=IntakeKind.CONTACT) -> int:
    with app.app_context(), db.writing() as session:
        intake, _ = submit(
            session,
            Submission(
                kind=kind,
                language="nl",
                contact=SafeContact(name=f"Sam {MARKER}", may_call=False),
                story=f"story {MARKER}",
            ),
        )
        intake.status = IntakeStatus.CLOSED
        intake.closed_at = closed_at
        return intake.id


def _case(app, staff_id: int, *, closed_at: datetime, track=TriageOutcome.TRACK_3) -> int:
    with app.app_context(), db.writing() as session:
        case = case_from_request(session, session.get(Staff, staff_id), track)
        case.status = CaseStatus.CLOSED
        case.closed_at = closed_at
        return case.id


def _preview(app, now=NOW):
    with app.app_context():
        return preview(db.session, app.config, default_centre(db.session).id, now=now)


def test_the_preview_lists_what_is_due_within_30_days_and_not_later(app, staff_id):
    days = app.config["FJC_RETENTION_DAYS"]
    soon = _request(app, closed_at=NOW - timedelta(days=days - 10), kind=IntakeKind.YOUNG)
    overdue = _request(app, closed_at=NOW - timedelta(days=days + 2))
    later = _request(app, closed_at=NOW - timedelta(days=days - 31))
    # Five years after closing, less 20 days: due in 20 days.
    case_soon = _case(app, staff_id, closed_at=NOW.replace(year=NOW.year - 5) + timedelta(days=20))
    _case(app, staff_id, closed_at=NOW.replace(year=NOW.year - 5) + timedelta(days=40))

    found = _preview(app)

    listed = [(item.record, item.record_id) for item in found.items]
    assert listed == [
        ("request", overdue),
        ("request", soon),
        ("case_file", case_soon),
    ], "by due date, and nothing due later than 30 days"
    assert later not in {item.record_id for item in found.items}
    young = found.items[1]
    assert (young.category, young.setting) == ("young", "FJC_RETENTION_DAYS")
    assert young.due_at == NOW + timedelta(days=10)
    case_item = found.items[2]
    assert (case_item.category, case_item.due_at.date()) == (
        "track_3",
        (NOW + timedelta(days=20)).date(),
    )
    with app.app_context():
        assert case_item.number == db.session.get(Case, case_soon).number
    assert found.counts() == [
        ("case_file", "track_3", 1),
        ("request", "contact", 1),
        ("request", "young", 1),
    ]


def test_the_preview_marks_what_a_hold_keeps_and_follows_the_kinds_own_setting(
    app_factory, make_staff
):
    app = app_factory(FJC_RETENTION_DAYS_QUESTION=20)
    staff_id = make_staff("coordinator")[0]
    question = _request(app, closed_at=NOW - timedelta(days=5), kind=IntakeKind.QUESTION)
    contact = _request(app, closed_at=NOW - timedelta(days=5))
    held = _request(app, closed_at=NOW - timedelta(days=400))
    with app.app_context(), db.writing() as session:
        retention_holds.place(
            session,
            session.get(Intake, held),
            session.get(Staff, staff_id),
            reason="court",
            review_on=NOW.date() + timedelta(days=60),
            today=NOW.date(),
        )

    found = _preview(app)

    assert [item.record_id for item in found.to_erase] == [question]
    assert found.to_erase[0].setting == "FJC_RETENTION_DAYS_QUESTION"
    assert [item.record_id for item in found.held] == [held]
    assert contact not in {item.record_id for item in found.items}


def test_feedback_shows_as_a_count_per_month(app):
    with app.app_context(), db.writing() as session:
        centre_id = default_centre(session).id
        # 60 months kept: answers of 2030-07 go from 2035-08-01, within 30 days.
        for month in ("2030-07", "2030-07", "2030-08"):
            session.add(
                Feedback(centre_id=centre_id, month=month, moment="after_triage", door="contact")
            )

    found = _preview(app)

    assert [(item.record, item.count, item.due_at) for item in found.items] == [
        ("feedback", 2, datetime(2035, 8, 1, tzinfo=UTC))
    ]


def test_each_purge_leaves_a_trace_that_identifies_nothing(app, staff_id):
    for _ in range(2):
        _request(app, closed_at=NOW - timedelta(days=400), kind=IntakeKind.YOUNG)
    case_id = _case(app, staff_id, closed_at=NOW - timedelta(days=6 * 366))
    with app.app_context():
        number = db.session.get(Case, case_id).number
    with app.app_context():
        purge(db.writing, app.config, now=NOW)
        purge(db.writing, app.config, now=NOW + timedelta(days=1))  # nothing more: no new counts

        # What a trace can hold at all: no record id, no person, no day.
        columns = {column.key for column in inspect(PurgeTrace).columns}
        assert columns == {"id", "centre_id", "month", "record", "category", "erased"}
        rows = db.session.execute(
            select(
                PurgeTrace.month, PurgeTrace.record, PurgeTrace.category, PurgeTrace.erased
            ).order_by(PurgeTrace.record)
        ).all()
        assert sorted(rows) == [
            ("2035-07", "case_file", "track_3", 1),
            # The file's own request goes with it and is counted as the file.
            ("2035-07", "request", "young", 2),
        ]
        for row in db.session.execute(text("SELECT * FROM purge_traces")):
            values = [str(value) for value in row]
            assert not any(MARKER in value or number in value for value in values)
        centre_id = default_centre(db.session).id
        lines = traces(db.session, centre_id, months=600)
        assert [(line.month, line.record, line.category, line.erased) for line in lines] == [
            ("2035-07", "case_file", "track_3", 1),
            ("2035-07", "request", "young", 2),
        ]


def test_a_dry_run_leaves_no_trace(app):
    _request(app, closed_at=NOW - timedelta(days=400))
    with app.app_context():
        purge(db.writing, app.config, now=NOW, dry_run=True)
        assert db.session.scalar(select(PurgeTrace.id)) is None
