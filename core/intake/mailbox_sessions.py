"""Opened mailboxes, on the server: the browser's cookie only names one.

A stateless token renewed on every use could be replayed after "close" or the
quick exit. Here the server decides: a closed, idle or too old mailbox opens
nothing, whatever a copied cookie says."""

from __future__ import annotations

import secrets
from datetime import timedelta

from sqlalchemy import String, bindparam, insert, select, text
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from core.infra import clock
from core.infra.crypto import keyring
from core.intake import return_codes
from core.model import Intake, IntakeStatus, MailboxSession
from core.model.base import UTCDateTime

IDLE = timedelta(minutes=30)
# However active: a mailbox left open on a shared phone ends within two hours.
LONGEST = timedelta(hours=2)
_PURPOSE = "mailbox-session"


def _key(token: str) -> str:
    return keyring().lookup_key(_PURPOSE, token)


# Finding the request by its code and opening its mailbox, in one statement:
# the row is written only when a request that is not erased has the code.
def _open_by_code(*also_returned):
    return (
        insert(MailboxSession)
        .from_select(
            ["token_key", "intake_id", "opened_at", "last_used_at"],
            select(
                bindparam("token_key", type_=String(64)),
                Intake.id,
                bindparam("now", type_=UTCDateTime()),
                bindparam("now", type_=UTCDateTime()),
            ).where(
                Intake.return_code_key == bindparam("code_key"),
                Intake.status != IntakeStatus.ERASED,
            ),
        )
        # The row written, if any: the rowcount of an INSERT ... SELECT is -1
        # through psycopg.
        .returning(MailboxSession.id, *also_returned)
    )


_OPEN_BY_CODE = _open_by_code()
# PostgreSQL: the same statement, whose transaction's commit does not wait
# for its WAL to reach the disk once it writes the row (the wait was most of
# the return POST's time). A mailbox session is a sign-in, not something she
# sent: if the database crashed within a moment of the commit (at most 3 x
# wal_writer_delay, 600 ms by default), the row would be gone whole, never in
# part, and she would type her code again. Everything she sends is committed
# as before, each commit waiting for the disk.
#
# set_config(..., true) is SET LOCAL as a function: for this transaction
# only, so it can ride in the statement, and the statement can be a whole
# transaction of its own (autocommit: no BEGIN and COMMIT round trips; SET
# LOCAL outside a transaction block does nothing). In RETURNING, it runs only
# for a row the statement wrote, and the setting counts at the commit: a
# code that opens nothing leaves the transaction as it was. (In the WHERE it
# ran whenever the planner chose to test it before the code: tested on rows
# that do not match.) tests/core/intake/test_mailbox_sessions.py shows both.
_OPEN_BY_CODE_WITHOUT_WAITING = _open_by_code(text("set_config('synchronous_commit', 'off', true)"))


def open_by_code(connection: Connection, typed_code: str) -> str | None:
    """A new mailbox session of the request a typed code opens (as
    core.intake.mailbox.opened_by_code finds it: an erased request opens
    nothing, like a code that never existed), its token for the browser
    (only its keyed hash is stored); None when the code opens nothing.

    One statement, not a lookup then an insert, on a plain connection (the
    ORM has no object to track here): the caller commits it, or runs it in
    autocommit as a transaction of its own (web.db.Database.single_statement)."""
    code = return_codes.normalise(typed_code)
    if code is None:
        return None
    token = secrets.token_urlsafe(32)
    statement = (
        _OPEN_BY_CODE_WITHOUT_WAITING if connection.dialect.name == "postgresql" else _OPEN_BY_CODE
    )
    opened = connection.execute(
        statement,
        {"token_key": _key(token), "now": clock.now(), "code_key": return_codes.lookup_key(code)},
    )
    # return_code_key is unique: one row or none.
    return token if opened.first() is not None else None


def _row(session: Session, token: str | None) -> MailboxSession | None:
    if not token:
        return None
    return session.scalar(select(MailboxSession).where(MailboxSession.token_key == _key(token)))


def find(session: Session, token: str | None) -> Intake | None:
    """The request an open mailbox session shows, its use noted; else None."""
    row = _row(session, token)
    now = clock.now()
    if row is None or row.closed_at is not None:
        return None
    if now - row.last_used_at > IDLE or now - row.opened_at > LONGEST:
        row.closed_at = now
        session.flush()
        return None
    intake = session.get(Intake, row.intake_id)
    if intake is None or intake.status == IntakeStatus.ERASED:
        return None
    row.last_used_at = now
    session.flush()
    return intake


def close(session: Session, token: str | None) -> None:
    row = _row(session, token)
    if row is not None and row.closed_at is None:
        row.closed_at = clock.now()
        session.flush()


def close_all(session: Session, intake: Intake) -> None:
    """End every open mailbox of the request (its return code was replaced)."""
    now = clock.now()
    for row in session.scalars(
        select(MailboxSession).where(
            MailboxSession.intake_id == intake.id, MailboxSession.closed_at.is_(None)
        )
    ):
        row.closed_at = now
    session.flush()
