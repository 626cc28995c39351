"""Retention: closed requests that never became a case are erased after
FJC_RETENTION_DAYS; only non-identifying facts stay, and purging twice is
the same as purging once."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, inspect, select, text

from core.governance.retention import INTAKE_KEPT_FIELDS, INTAKE_PERSONAL_FIELDS, purge
from core.infra import clock as core_clock
from core.infra.config import ConfigError, load_config
from core.intake.intakes import ReferralDetails, SafeContact, Submission, submit
from core.intake.mailbox import add_requester_message, erase
from core.model import AuditEvent, Intake, IntakeKind, IntakeStatus, Message, Referral
from web.db import db

NOW = datetime(2027, 6, 1, 12, 0, tzinfo=UTC)
MARKER = "RETENTION-9c1e-marker"


def _request(
    app, *, status=IntakeStatus.CLOSED, closed_at=None, referral=False, created_at=None
) -> int:
    with app.app_context(), db.writing() as session:
        intake, _ = submit(
            session,
            Submission(
                kind=IntakeKind.REFERRAL if referral else IntakeKind.CONTACT,
                language="fr",
                contact=SafeContact(
                    name=f"name {MARKER}",
                    phone="+32 470 12 34 56",
                    email=f"{MARKER}@example.be",
                    may_call=True,
                    safe_days=("mon",),
                    safe_word=f"word {MARKER}",
                ),
                children_involved="yes",
                story=f"story {MARKER}",
                referral=ReferralDetails(
                    organisation=f"org {MARKER}",
                    name=f"referrer {MARKER}",
                    client_consent="agrees",
                    urgency="normal",
                )
                if referral
                else None,
                submission_id=f"form-{MARKER}-{status}-{closed_at}",
            ),
        )
        add_requester_message(session, intake, f"message {MARKER}")
        intake.status = status
        intake.closed_at = closed_at
        intake.created_at = created_at or (closed_at or NOW) - timedelta(days=10)
        return intake.id


def _purge(app, now=NOW, **kwargs):
    with app.app_context():
        return purge(db.writing, app.config, now=now, **kwargs)


def _intake(app, intake_id) -> Intake:
    with app.app_context():
        intake = db.session.get(Intake, intake_id)
        db.session.expunge(intake)
        return intake


def test_every_intake_column_is_classified_as_erased_or_kept():
    """A new column must be put on one side on purpose, or this fails."""
    columns = {column.key for column in inspect(Intake).columns}
    assert set(INTAKE_PERSONAL_FIELDS) | set(INTAKE_KEPT_FIELDS) == columns
    assert not set(INTAKE_PERSONAL_FIELDS) & set(INTAKE_KEPT_FIELDS)


def test_closed_requests_past_retention_are_erased_and_others_kept(app):
    days = app.config["FJC_RETENTION_DAYS"]
    assert days == 365
    old = _request(app, closed_at=NOW - timedelta(days=days, seconds=1), referral=True)
    exactly = _request(app, closed_at=NOW - timedelta(days=days))
    recent = _request(app, closed_at=NOW - timedelta(days=30))
    # Open for years: still being worked on, so never purged.
    open_old = _request(
        app, status=IntakeStatus.IN_PROGRESS, created_at=NOW - timedelta(days=5 * days)
    )

    report = _purge(app)

    assert report.erased == {"intakes": 1, "cases": 0, "feedback": 0, "access_requests": 0}
    erased = _intake(app, old)
    assert erased.status == IntakeStatus.ERASED
    assert erased.erased_at == NOW
    assert erased.closed_at == NOW - timedelta(days=days, seconds=1), "the closing date stays"
    for field in INTAKE_PERSONAL_FIELDS:
        assert getattr(erased, field) is None, field
    # What stays is what the figures need.
    assert (erased.kind, erased.language, erased.children_involved) == ("referral", "fr", "yes")
    for kept in (exactly, recent, open_old):
        intake = _intake(app, kept)
        assert intake.status != IntakeStatus.ERASED
        assert intake.story == f"story {MARKER}"
    with app.app_context():
        assert db.session.scalar(select(func.count(Referral.id))) == 0
        messages = db.session.scalars(select(Message.intake_id)).all()
        assert sorted(messages) == sorted([exactly, recent, open_old])


def test_purge_is_idempotent(app):
    for days_ago in (400, 500, 800):
        _request(app, closed_at=NOW - timedelta(days=days_ago))
    assert _purge(app).erased == {"intakes": 3, "cases": 0, "feedback": 0, "access_requests": 0}
    with app.app_context():
        snapshot = db.session.execute(select(Intake.__table__).order_by(Intake.id)).all()
    assert _purge(app).erased == {"intakes": 0, "cases": 0, "feedback": 0, "access_requests": 0}
    assert _purge(app, now=NOW + timedelta(days=1000)).erased == {
        "intakes": 0,
        "cases": 0,
        "feedback": 0,
        "access_requests": 0,
    }
    with app.app_context():
        assert db.session.execute(select(Intake.__table__).order_by(Intake.id)).all() == snapshot


def test_purge_works_in_batches_and_a_dry_run_changes_nothing(app):
    ids = [_request(app, closed_at=NOW - timedelta(days=400 + n)) for n in range(5)]
    assert _purge(app, dry_run=True).erased == {
        "intakes": 5,
        "cases": 0,
        "feedback": 0,
        "access_requests": 0,
    }
    assert all(_intake(app, i).status == IntakeStatus.CLOSED for i in ids)
    assert _purge(app, batch_size=2).erased == {
        "intakes": 5,
        "cases": 0,
        "feedback": 0,
        "access_requests": 0,
    }
    assert all(_intake(app, i).status == IntakeStatus.ERASED for i in ids)


def test_the_retention_period_follows_the_setting(app):
    intake_id = _request(app, closed_at=NOW - timedelta(days=40))
    assert _purge(app).erased == {"intakes": 0, "cases": 0, "feedback": 0, "access_requests": 0}
    app.config["FJC_RETENTION_DAYS"] = 30
    assert _purge(app).erased == {"intakes": 1, "cases": 0, "feedback": 0, "access_requests": 0}
    assert _intake(app, intake_id).status == IntakeStatus.ERASED


def test_no_personal_data_is_left_in_the_database_after_a_purge(app):
    _request(app, closed_at=NOW - timedelta(days=400), referral=True)
    _purge(app)
    with app.app_context():
        for table in ("intakes", "referrals", "messages", "audit_events"):
            for row in db.session.execute(text(f"SELECT * FROM {table}")):  # noqa: S608
                assert all(MARKER not in str(value) for value in row), table
        # Even the keyed hashes are gone: the phone number matches nothing now.
        assert db.session.scalar(select(func.count()).where(Intake.phone_index.is_not(None))) == 0


def test_purge_command_reports_counts_and_records_them_in_the_audit_trail(app):
    now = core_clock.now()
    _request(app, closed_at=now - timedelta(days=400))
    _request(app, closed_at=now - timedelta(days=2))
    runner = app.test_cli_runner()

    dry = runner.invoke(args=["purge", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "intakes: 1 would be erased (FJC_RETENTION_DAYS=365)" in dry.output

    first = runner.invoke(args=["purge"])
    assert first.exit_code == 0, first.output
    assert "intakes: 1 erased (FJC_RETENTION_DAYS=365)" in first.output
    assert "cases: 0 erased (FJC_CASE_RETENTION_YEARS=5)" in first.output
    assert MARKER not in first.output
    second = runner.invoke(args=["purge"])
    assert "intakes: 0 erased" in second.output
    with app.app_context():
        details = db.session.scalars(
            select(AuditEvent.detail)
            .where(AuditEvent.action == "retention.purged")
            .order_by(AuditEvent.id)
        ).all()
    assert details == [
        "intakes=1 cases=0 feedback=0 access_requests=0",
        "intakes=0 cases=0 feedback=0 access_requests=0",
    ]


def test_the_requesters_own_deletion_erases_the_same_fields(app):
    intake_id = _request(app, status=IntakeStatus.NEW, referral=True)
    with app.app_context(), db.writing() as session:
        erase(session, session.get(Intake, intake_id))
    intake = _intake(app, intake_id)
    assert intake.status == IntakeStatus.ERASED
    assert all(getattr(intake, field) is None for field in INTAKE_PERSONAL_FIELDS)
    assert intake.return_code_key.startswith("erased-")


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({}, (365, 5)),
        ({"FJC_RETENTION_DAYS": "30", "FJC_CASE_RETENTION_YEARS": "10"}, (30, 10)),
    ],
)
def test_retention_settings_have_defaults(tmp_path, env, expected):
    config = load_config({"FJC_SECRET_KEY": "x" * 40, **env}, {"INSTANCE_DIR": tmp_path})
    assert (config["FJC_RETENTION_DAYS"], config["FJC_CASE_RETENTION_YEARS"]) == expected


@pytest.mark.parametrize(
    "env",
    [
        {"FJC_RETENTION_DAYS": "0"},
        {"FJC_RETENTION_DAYS": "-5"},
        {"FJC_CASE_RETENTION_YEARS": "five"},
        {"FJC_CASE_RETENTION_YEARS": "0"},
    ],
)
def test_a_retention_period_below_one_is_refused(tmp_path, env):
    name = next(iter(env))
    with pytest.raises(ConfigError, match=name):
        load_config({"FJC_SECRET_KEY": "x" * 40, **env}, {"INSTANCE_DIR": tmp_path})
