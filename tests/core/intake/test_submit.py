"""Storing a request: one per form, and never "already sent" for a request
that was not stored."""

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from core.intake import intakes, return_codes
from core.intake.intakes import AlreadySubmitted, SafeContact, Submission, submit
from core.model import Intake, IntakeKind
from web.db import db


def _question(submission_id: str | None) -> Submission:
    return Submission(
        kind=IntakeKind.QUESTION,
        language="en",
        story="Is this violence?",
        submission_id=submission_id,
    )


def _count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(Intake.id)))


def test_the_same_form_stored_twice_is_refused_as_already_submitted(app):
    with app.app_context(), db.writing() as session:
        submit(session, _question("form-1"))
    with app.app_context(), db.writing() as session, pytest.raises(AlreadySubmitted):
        submit(session, _question("form-1"))
    assert _count(app) == 1


def test_a_request_that_could_not_be_stored_is_never_said_to_be_sent(app, monkeypatch):
    # Two forms that draw the same return code (10^16 codes: never, but any
    # refusal of the database other than a second copy of a form stands in):
    # the second is not stored, and telling her "already sent" would be a lie.
    monkeypatch.setattr(intakes.return_codes, "generate", lambda: "1234567812345678")
    with app.app_context(), db.writing() as session:
        submit(session, _question("form-1"))
    with app.app_context(), db.writing() as session, pytest.raises(IntegrityError):
        submit(session, _question("form-2"))
    assert _count(app) == 1


def test_what_a_request_holds_is_readable_after_the_commit_without_the_database(app):
    # The answer after storing reads the request (its centre, its urgency);
    # nothing of it may need a second transaction once the first committed.
    with app.app_context():
        intake, code = submit(
            db.session,
            Submission(kind=IntakeKind.CONTACT, language="en", contact=SafeContact(email="a@b.be")),
        )
        db.session.commit()
        db.session.close()
        assert intake.referral is None
        assert intake.centre_id is not None
        assert intake.return_code_key == return_codes.lookup_key(code)
