"""On PostgreSQL a page that only reads ends its transaction with COMMIT, so
the driver keeps the statements it prepared: the database parses and plans
them once per connection, not again on every request."""

import pytest
from sqlalchemy import text

from web.db import db

pytestmark = pytest.mark.postgres_only

# psycopg prepares a statement at its fifth run on one connection; the pool
# may hand the requests two connections in turn.
REQUESTS = 12


def _prepared_statements(app) -> int:
    with app.app_context(), db.get_engine().connect() as connection:
        return connection.execute(text("SELECT count(*) FROM pg_prepared_statements")).scalar_one()


def test_the_queue_read_again_and_again_keeps_its_prepared_statements(app, client, signed_in):
    signed_in("coordinator")
    for _ in range(REQUESTS):
        assert client.get("/staff/").status_code == 200
    assert _prepared_statements(app) >= 1
