"""On PostgreSQL the queue's statement is planned once per connection, not on
every run: its plan for any values of its parameters is as good as one made
for the values, because the open statuses are written into its text. With the
statuses bound, PostgreSQL expected most of a centre's requests to be open,
found that plan worse and planned the statement again on every page (planning
cost more than running it)."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import insert, text
from sqlalchemy.orm import Session

from core.intake import queue
from core.model import Intake, IntakeKind, IntakeStatus
from core.network.centres import default_centre
from web.db import db

pytestmark = pytest.mark.postgres_only

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


def test_the_queue_statement_is_planned_once_and_not_on_every_page(app):
    with app.app_context():
        with db.writing() as session:
            centre_id = default_centre(session).id
            # Most requests of a centre in use are closed.
            session.execute(
                insert(Intake),
                _requests(centre_id, IntakeStatus.CLOSED, 600)
                + _requests(centre_id, IntakeStatus.NEW, 30),
            )
        with db.get_engine().connect() as connection:
            # What autovacuum would have done by now.
            connection.execute(text("ANALYZE intakes"))
            connection.commit()
            session = Session(bind=connection)
            for _ in range(RUNS):
                page = queue.load(
                    session,
                    queue.QueueFilters(),
                    staff_id=0,
                    centre_id=centre_id,
                    now=NOW,
                    target=timedelta(hours=24),
                )
            plans = connection.execute(
                text(
                    "SELECT generic_plans, custom_plans FROM pg_prepared_statements"
                    " WHERE statement LIKE '%count(*) OVER ()%'"
                )
            ).one()
            connection.rollback()
    assert page.total == 30
    assert plans.generic_plans > plans.custom_plans, plans
