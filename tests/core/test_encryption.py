from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import make_url

from core.db import db
from core.intakes import ContactRequest, submit_contact_request
from core.models import Intake

MARKER = "MARKER-7f3a-plain-text-must-not-leak"


def test_personal_fields_are_stored_encrypted_and_read_back_plain(app):
    with app.app_context():
        with db.writing() as session:
            intake, code = submit_contact_request(
                session,
                ContactRequest(
                    language="nl",
                    phone=f"0470 {MARKER}",
                    email=f"{MARKER}@example.be",
                    may_call=True,
                    story=f"story {MARKER}",
                ),
            )
            intake_id = intake.id
        raw = db.session.execute(
            text("SELECT phone, email, story, return_code_key FROM intakes WHERE id = :id"),
            {"id": intake_id},
        ).one()
        for value in raw:
            assert MARKER not in value
            assert code not in value
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
