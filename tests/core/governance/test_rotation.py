"""rotate-keys: everything ends up under the newest key, resumably."""

from contextlib import contextmanager

import pytest
from cryptography.fernet import Fernet, InvalidToken
from sqlalchemy import Column, Integer, MetaData, Table, select, text

from core.governance.rotation import RotationError, encrypted_columns, rotate
from core.infra.crypto import EncryptedJSON, EncryptedText
from core.intake.intakes import ReferralDetails, SafeContact, Submission, submit
from core.intake.mailbox import add_requester_message
from core.model import Base, Intake, IntakeKind
from tests.conftest import TEST_DATA_KEY, make_test_app
from web.db import db

KEY_A = TEST_DATA_KEY  # the key the `app` fixture writes with
KEY_B = Fernet.generate_key().decode("ascii")
ENCRYPTED = {
    "intakes": ("name", "phone", "email", "safe_word", "story"),
    "referrals": ("organisation", "role", "name", "phone", "email", "basis_note", "risk_text"),
    "messages": ("body",),
}


@contextmanager
def app_with_keys(database_url, tmp_path, keys):
    """Another process's view of the same database, with its own key ring."""
    other = make_test_app(database_url, tmp_path, FJC_DATA_KEYS=keys)
    try:
        yield other
    finally:
        with other.app_context():
            db.get_engine().dispose()


def _write_requests(app, count: int = 3) -> list[int]:
    ids = []
    with app.app_context(), db.writing() as session:
        for n in range(count):
            intake, _ = submit(
                session,
                Submission(
                    kind=IntakeKind.REFERRAL,
                    language="nl",
                    contact=SafeContact(name=f"Person {n}", phone=f"0470 00 00 0{n}"),
                    story=f"story {n}",
                    referral=ReferralDetails(
                        organisation=f"CAW {n}",
                        name=f"Referrer {n}",
                        client_consent="agrees",
                        urgency="normal",
                        risk_concerns=("stalking",),
                    ),
                ),
            )
            add_requester_message(session, intake, f"message {n}")
            ids.append(intake.id)
    return ids


def _raw_tokens(app) -> list[str]:
    tokens = []
    with app.app_context():
        for table_name, columns in ENCRYPTED.items():
            for column in (*columns, *(("risk_concerns",) if table_name == "referrals" else ())):
                query = text(f"SELECT {column} FROM {table_name}")  # noqa: S608 - fixed names
                tokens += [v for v in db.session.execute(query).scalars() if v is not None]
    return tokens


def _read_everything(app, ids) -> list[tuple]:
    with app.app_context():
        seen = []
        for intake_id in ids:
            intake = db.session.get(Intake, intake_id)
            seen.append(
                (
                    intake.name,
                    intake.phone,
                    intake.story,
                    intake.referral.organisation,
                    intake.referral.risk_concerns,
                    [m.body for m in intake.messages],
                )
            )
        db.session.close()
        return seen


def _decrypts_with(key: str, token: str) -> bool:
    try:
        Fernet(key.encode()).decrypt(token.encode())
    except InvalidToken:
        return False
    return True


def test_every_encrypted_model_column_is_found_and_a_new_table_would_be_too():
    found = {table.name: {c.name for c in cols} for table, cols in encrypted_columns(Base.metadata)}
    for table_name, columns in ENCRYPTED.items():
        assert set(columns) <= found[table_name]
    assert "risk_concerns" in found["referrals"]
    future = MetaData()
    Table(
        "case_people",
        future,
        Column("id", Integer, primary_key=True),
        Column("name", EncryptedText),
        Column("answers", EncryptedJSON),
        Column("age", Integer),
    )
    [(table, columns)] = encrypted_columns(future)
    assert table.name == "case_people"
    assert [c.name for c in columns] == ["name", "answers"]


def test_rotate_keys_moves_everything_to_the_new_key_and_the_old_key_can_go(
    app, database_url, tmp_path
):
    ids = _write_requests(app)
    before = _read_everything(app, ids)
    tokens = _raw_tokens(app)
    assert tokens and all(_decrypts_with(KEY_A, t) for t in tokens)

    with app_with_keys(database_url, tmp_path, [KEY_B, KEY_A]) as both:
        result = both.test_cli_runner().invoke(args=["rotate-keys"])
        assert result.exit_code == 0, result.output
        assert f"done: {len(tokens)} values re-encrypted" in result.output
        assert "messages: 3 rows, 3 values re-encrypted, 0 already under the newest key" in (
            result.output
        )
        for value in ("Person 0", "story 0", "CAW 0", "message 0", "0470"):
            assert value not in result.output

    with app_with_keys(database_url, tmp_path, [KEY_B]) as only_new:
        after = _raw_tokens(only_new)
        assert len(after) == len(tokens)
        assert all(_decrypts_with(KEY_B, t) and not _decrypts_with(KEY_A, t) for t in after)
        assert _read_everything(only_new, ids) == before


def test_an_interrupted_rotation_resumes_and_finishes(app, database_url, tmp_path):
    ids = _write_requests(app, count=5)
    before = _read_everything(app, ids)
    total = len(_raw_tokens(app))

    class Interrupted(Exception):
        pass

    def stop_after_first_batch(table_name, last_id):
        raise Interrupted(table_name)

    with app_with_keys(database_url, tmp_path, [KEY_B, KEY_A]) as both, both.app_context():
        engine = db.get_engine()
        with pytest.raises(Interrupted):
            rotate(
                engine,
                [KEY_B, KEY_A],
                Base.metadata,
                batch_size=2,
                after_batch=stop_after_first_batch,
            )
        # The first batch was committed before the interruption...
        halfway = _raw_tokens(both)
        done_first = sum(_decrypts_with(KEY_B, t) for t in halfway)
        assert 0 < done_first < total
        # ...and a second run skips it and does the rest.
        report = rotate(engine, [KEY_B, KEY_A], Base.metadata, batch_size=2)
        assert report.current == done_first
        assert report.rotated == total - done_first
        again = rotate(engine, [KEY_B, KEY_A], Base.metadata, batch_size=2)
        assert (again.rotated, again.current) == (0, total)

    with app_with_keys(database_url, tmp_path, [KEY_B]) as only_new:
        assert _read_everything(only_new, ids) == before


def test_a_value_under_an_unknown_key_stops_rotation_with_status_1(app, database_url, tmp_path):
    _write_requests(app, count=1)
    stranger = Fernet.generate_key().decode("ascii")
    with app_with_keys(database_url, tmp_path, [stranger]) as wrong:
        result = wrong.test_cli_runner().invoke(args=["rotate-keys"])
        assert result.exit_code == 1
        assert "no key in FJC_DATA_KEYS can decrypt" in result.output
        assert "Person" not in result.output
        with wrong.app_context(), pytest.raises(RotationError):
            rotate(db.get_engine(), [stranger], Base.metadata)


def test_rotation_leaves_rows_without_encrypted_values_and_other_columns_alone(
    app, database_url, tmp_path
):
    ids = _write_requests(app, count=2)
    with app.app_context():
        columns = select(Intake.id, Intake.kind, Intake.return_code_key, Intake.created_at)
        plain_before = db.session.execute(columns.order_by(Intake.id)).all()
    with app_with_keys(database_url, tmp_path, [KEY_B, KEY_A]) as both, both.app_context():
        rotate(db.get_engine(), [KEY_B, KEY_A], Base.metadata, batch_size=1)
        assert db.session.execute(columns.order_by(Intake.id)).all() == plain_before
    assert [row.id for row in plain_before] == ids
