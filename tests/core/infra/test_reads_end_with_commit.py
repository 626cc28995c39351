"""On PostgreSQL a transaction that only read ends with COMMIT, so psycopg keeps
the statements it prepared; one that wrote, or failed, still ends with
ROLLBACK and keeps nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import exc, text

from core.infra.db import Sessions, commit_if_only_read, make_engine

pytestmark = pytest.mark.postgres_only

# psycopg prepares a statement at its fifth run on one connection.
RUNS = 6


@pytest.fixture
def sessions(database_url):
    engine = make_engine(database_url, pool_size=1)
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE IF NOT EXISTS reads_test (n integer)"))
        connection.execute(text("DELETE FROM reads_test"))
    yield Sessions(engine)
    with engine.begin() as connection:
        connection.execute(text("DROP TABLE reads_test"))
    engine.dispose()


def _prepared_on_the_pooled_connection(sessions: Sessions) -> int:
    with sessions.engine.connect() as connection:
        return connection.execute(text("SELECT count(*) FROM pg_prepared_statements")).scalar_one()


def _rows(sessions: Sessions) -> int:
    with sessions.engine.connect() as connection:
        return connection.execute(text("SELECT count(*) FROM reads_test")).scalar_one()


def _read_request(sessions: Sessions, *, end_with_commit: bool = True) -> None:
    session = sessions.session(writing=False)
    session.execute(text("SELECT n FROM reads_test WHERE n = :n"), {"n": 1}).all()
    if end_with_commit:
        commit_if_only_read(session)
    session.close()


def test_reads_ended_by_rollback_keep_no_prepared_statement(sessions):
    for _ in range(RUNS):
        _read_request(sessions, end_with_commit=False)
    assert _prepared_on_the_pooled_connection(sessions) == 0


def test_reads_ended_by_commit_keep_their_prepared_statement(sessions):
    for _ in range(RUNS):
        _read_request(sessions)
    assert _prepared_on_the_pooled_connection(sessions) >= 1


@pytest.mark.parametrize(
    "statement",
    [
        "INSERT INTO reads_test (n) VALUES (1)",
        # A WITH that inserts starts like a read: anything but SELECT is a write.
        "WITH added AS (INSERT INTO reads_test (n) VALUES (1) RETURNING n) SELECT n FROM added",
    ],
)
def test_a_transaction_that_wrote_and_did_not_commit_keeps_nothing(sessions, statement):
    session = sessions.session(writing=True)
    session.execute(text("SELECT n FROM reads_test")).all()
    session.execute(text(statement))
    session.execute(text("SELECT n FROM reads_test")).all()
    commit_if_only_read(session)
    session.close()
    assert _rows(sessions) == 0


def test_a_write_in_an_earlier_transaction_of_the_session_does_not_count(sessions):
    session = sessions.session(writing=True)
    session.execute(text("INSERT INTO reads_test (n) VALUES (1)"))
    session.commit()
    for _ in range(RUNS):
        session.execute(text("SELECT n FROM reads_test WHERE n = :n"), {"n": 1}).all()
    commit_if_only_read(session)
    session.close()
    # In this order: the count's own connection ends with ROLLBACK.
    assert _prepared_on_the_pooled_connection(sessions) >= 1
    assert _rows(sessions) == 1


def test_a_failed_transaction_is_rolled_back_and_the_connection_still_serves(sessions):
    session = sessions.session(writing=False)
    with pytest.raises(exc.DataError):
        session.execute(text("SELECT 1 / 0")).all()
    commit_if_only_read(session)  # no error: it leaves the failed transaction alone
    session.close()
    assert _rows(sessions) == 0
