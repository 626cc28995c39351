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


def test_without_a_centre_to_take_it_nothing_is_stored(app):
    # The INSERT finds the request's centre itself: with none that takes
    # requests and none by default it writes nothing, and says why.
    from sqlalchemy import update

    from core.model import Centre
    from core.network.centres import CentreMissing

    with app.app_context(), db.writing() as session:
        session.execute(update(Centre).values(active=False, is_default=False))
        with pytest.raises(CentreMissing):
            intakes.store(session, _question("form-1"))
        assert session.scalar(select(func.count(Intake.id))) == 0
        session.rollback()
    assert _count(app) == 0


def test_a_stored_request_holds_what_the_form_gave(app):
    # store() writes prepared rows (no ORM object): the request read back has
    # every value, the defaults and its centre.
    from core.intake.intakes import ReferralDetails

    with app.app_context(), db.writing() as session:
        stored, code = intakes.store(
            session,
            Submission(
                kind=IntakeKind.REFERRAL,
                language="fr",
                contact=SafeContact(
                    name=" Sam ", phone="0470 12 34 56", may_call=True, safe_days=("tue", "mon")
                ),
                children_involved="yes",
                story="  what happened ",
                submission_id="form-9",
                referral=ReferralDetails(
                    organisation=" CAW ",
                    name="Ref",
                    client_consent="agrees",
                    urgency="today",
                    risk_concerns=("weapons", "unknown"),
                ),
            ),
        )
    with app.app_context():
        intake = db.session.get(Intake, stored.id)
        assert (intake.name, intake.phone, intake.story) == (
            "Sam",
            "0470 12 34 56",
            "what happened",
        )
        assert (intake.may_call, intake.may_text, intake.safe_days) == (True, None, "mon,tue")
        assert intake.status == "new" and intake.kind == "referral" and intake.language == "fr"
        assert intake.created_at is not None and intake.created_at.tzinfo is not None
        assert not intake.feedback_after_triage and not intake.danger_now
        assert intake.return_code_key == return_codes.lookup_key(code)
        assert intake.centre_id == stored.centre_id and stored.referral_urgency == "today"
        # Today (80), a high-risk factor (40), children (20).
        assert intake.priority == 140
        assert intake.referral.organisation == "CAW" and intake.referral.risk_concerns == [
            "weapons"
        ]
