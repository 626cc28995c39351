"""Opening a mailbox with a return code: one statement on a plain connection."""

from sqlalchemy import func, select, text

from core.intake import mailbox_sessions, return_codes
from core.intake.intakes import Submission, submit
from core.model import IntakeKind, MailboxSession
from web.db import db


def _code(app) -> str:
    with app.app_context(), db.writing() as session:
        _intake, code = submit(
            session, Submission(kind=IntakeKind.QUESTION, language="en", story="Is this safe?")
        )
        return code


def _opened_in_a_transaction(app, code: str) -> tuple[str | None, str | None, int]:
    """The token, the transaction's synchronous_commit right after the
    statement (None on SQLite), and the mailbox rows after the commit."""
    with app.app_context():
        with db.get_engine().begin() as connection:
            token = mailbox_sessions.open_by_code(connection, code)
            setting = (
                connection.execute(text("SHOW synchronous_commit")).scalar()
                if connection.dialect.name == "postgresql"
                else None
            )
        rows = db.session.scalar(select(func.count()).select_from(MailboxSession))
    return token, setting, rows


def test_a_right_code_opens_a_mailbox_whose_commit_does_not_wait_for_the_disk(app):
    """On PostgreSQL the statement itself switches synchronous_commit off for
    its transaction (a sign-in, lost whole in a crash; she types her code
    again), so it may run as a transaction of its own."""
    code = _code(app)
    token, setting, rows = _opened_in_a_transaction(app, return_codes.display(code))
    assert token and rows == 1
    with app.app_context():
        assert db.session.scalar(select(MailboxSession.token_key)) == mailbox_sessions._key(token)
        on_postgresql = db.get_engine().dialect.name == "postgresql"
    assert setting == ("off" if on_postgresql else None)


def test_a_wrong_code_writes_nothing_and_changes_nothing_of_the_transaction(app):
    _code(app)
    token, setting, rows = _opened_in_a_transaction(app, "0000 0000 0000 0000")
    assert token is None and rows == 0
    with app.app_context():
        on_postgresql = db.get_engine().dialect.name == "postgresql"
    assert setting == ("on" if on_postgresql else None)


def test_what_is_not_a_code_runs_no_statement(app):
    with app.app_context(), db.get_engine().connect() as connection:
        assert mailbox_sessions.open_by_code(connection, "not a code") is None
        assert not connection.in_transaction()
