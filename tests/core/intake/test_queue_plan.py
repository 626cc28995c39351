"""How the databases run the queue's statement once they have statistics, as
a running installation has them (`migrate` ends with ANALYZE; PostgreSQL's
autovacuum keeps its own), for a centre whose requests are mostly closed.

SQLite finds the open requests by an index instead of reading all of the
centre's: its statistics alone made them look like most of them. PostgreSQL
plans the prepared statement once per connection, not on every run: with the
open statuses written into its text, its plan for any values of the
parameters is as good as one made for the values (with the statuses bound, it
expected most requests to be open, found that plan worse and planned the
statement again on every page, which cost more than running it)."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event, insert, text
from sqlalchemy.orm import Session

from core.intake import queue
from core.model import Intake, IntakeKind, IntakeStatus
from core.network.centres import default_centre
from web.db import db

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
# psycopg prepares a statement at its fifth run on a connection; PostgreSQL
# then makes five custom plans before it weighs a generic one.
RUNS = 20


def _requests(centre_id: int, status: IntakeStatus, count: int) -> list[dict]:
    return [
        {
            "centre_id": centre_id,
            "kind": IntakeKind.CONTACT,
            "status": status,
            "language": "nl",
            "danger_now": False,
            "return_code_key": f"plan-{status}-{n}",
            "created_at": NOW - timedelta(hours=n),
        }
        for n in range(count)
    ]


def _a_centre_in_use() -> int:
    """A centre with 600 closed requests and 30 open ones, and statistics."""
    with db.writing() as session:
        centre_id = default_centre(session).id
        session.execute(
            insert(Intake),
            _requests(centre_id, IntakeStatus.CLOSED, 600)
            + _requests(centre_id, IntakeStatus.NEW, 30),
        )
    with db.get_engine().begin() as connection:
        connection.execute(text("ANALYZE intakes"))
    return centre_id


def _queue(session, centre_id: int):
    return queue.load(
        session,
        queue.QueueFilters(),
        staff_id=0,
        centre_id=centre_id,
        now=NOW,
        target=timedelta(hours=24),
    )


@pytest.mark.sqlite_only
def test_sqlite_finds_the_open_requests_by_an_index_not_by_reading_them_all(app):
    with app.app_context():
        centre_id = _a_centre_in_use()
        with db.get_engine().connect() as connection:
            statements = []
            event.listen(
                connection,
                "before_cursor_execute",
                lambda _c, _cur, statement, parameters, _ctx, _many: statements.append(
                    (statement, parameters)
                ),
            )
            page = _queue(Session(bind=connection), centre_id)
            statement, parameters = statements[-1]
            plan = [
                row[3]
                for row in connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters)
            ]
            connection.rollback()
    assert page.total == 30
    intakes = [step for step in plan if " intakes" in step]
    assert intakes and all(step.startswith("SEARCH intakes USING") for step in intakes), plan


@pytest.mark.postgres_only
def test_postgresql_plans_the_queue_once_and_not_on_every_page(app):
    with app.app_context():
        centre_id = _a_centre_in_use()
        with db.get_engine().connect() as connection:
            session = Session(bind=connection)
            for _ in range(RUNS):
                page = _queue(session, centre_id)
            plans = connection.execute(
                text(
                    "SELECT generic_plans, custom_plans FROM pg_prepared_statements"
                    " WHERE statement LIKE '%count(*) OVER ()%'"
                )
            ).one()
            connection.rollback()
    assert page.total == 30
    assert plans.generic_plans > plans.custom_plans, plans
