"""web.db.Database.single_statement: one statement as a whole transaction."""

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
        return return_codes.display(code)


def _mailboxes(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(MailboxSession))


def test_the_statement_is_committed_when_the_block_ends(app):
    code = _code(app)
    with app.test_request_context("/nl/return", method="POST"):
        with db.single_statement() as connection:
            assert mailbox_sessions.open_by_code(connection, code)
        # Committed, not only flushed: another connection sees the row.
        assert _mailboxes(app) == 1


def test_a_request_whose_own_write_session_is_open_writes_in_it(app):
    """On SQLite the request's session then holds the write lock: a second
    connection would wait for it until the busy timeout (15 s)."""
    code = _code(app)
    with app.test_request_context("/nl/return", method="POST"):
        db.session.execute(text("SELECT 1"))  # BEGIN IMMEDIATE on SQLite
        with db.single_statement() as connection:
            assert mailbox_sessions.open_by_code(connection, code)
        assert _mailboxes(app) == 1


def test_an_error_in_the_block_rolls_back_sqlites_transaction(app):
    """PostgreSQL's statement is a transaction of its own (autocommit): done
    when it ran. SQLite's waits for the end of the block."""
    code = _code(app)
    with app.test_request_context("/nl/return", method="POST"):
        try:
            with db.single_statement() as connection:
                assert mailbox_sessions.open_by_code(connection, code)
                raise RuntimeError("after the statement")
        except RuntimeError:
            pass
        on_postgresql = db.get_engine().dialect.name == "postgresql"
    assert _mailboxes(app) == (1 if on_postgresql else 0)
