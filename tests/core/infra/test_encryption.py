from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import make_url

from core.intake.intakes import ReferralDetails, SafeContact, Submission, submit
from core.model import Intake, IntakeKind, Message, MessageDirection
from web.db import db

MARKER = "MARKER-7f3a-plain-text-must-not-leak"


def test_personal_fields_are_stored_encrypted_and_read_back_plain(app):
    with app.app_context():
        with db.writing() as session:
            intake, code = submit(
                session,
                Submission(
                    kind=IntakeKind.REFERRAL,
                    language="nl",
                    contact=SafeContact(
                        name=f"name {MARKER}",
                        phone=f"0470 {MARKER}",
                        email=f"{MARKER}@example.be",
                        may_call=True,
                        safe_word=f"word {MARKER}",
                    ),
                    story=f"story {MARKER}",
                    referral=ReferralDetails(
                        organisation=f"org {MARKER}",
                        name=f"referrer {MARKER}",
                        phone=f"03 {MARKER}",
                        email=f"ref{MARKER}@example.be",
                        client_consent="agrees",
                        urgency="normal",
                        basis_note=f"note {MARKER}",
                        risk_concerns=("stalking",),
                        risk_text=f"risk {MARKER}",
                    ),
                ),
            )
            session.add(
                Message(intake=intake, direction=MessageDirection.FROM_REQUESTER, body=MARKER)
            )
            intake_id = intake.id
        for table in ("intakes", "referrals", "messages"):
            for row in db.session.execute(text(f"SELECT * FROM {table}")):  # noqa: S608
                for value in row:
                    assert MARKER not in str(value), table
                    assert code not in str(value), table
        stored = db.session.get(Intake, intake_id)
        assert stored.phone == f"0470 {MARKER}"
        assert stored.story == f"story {MARKER}"
        url = make_url(app.config["FJC_DATABASE_URL"])
        if url.get_backend_name() == "sqlite":
            db.get_engine().dispose()  # checkpoint the WAL into the file
            files = [Path(url.database), Path(url.database + "-wal")]
            for path in files:
                if path.exists():
                    data = path.read_bytes()
                    assert MARKER.encode() not in data
                    assert code.encode() not in data
