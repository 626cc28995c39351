"""What the staff home page counts besides the queue (overdue actions,
transfers waiting for this centre's answer, access requests due) is
selected in the queue's own statement: one round trip, and the lists are
read only when there is something to list. An empty queue still counts
them, in a statement of their own."""

from sqlalchemy import event

from tests.backoffice.helpers import staff_client
from tests.backoffice.test_queue_markup import _overdue_action
from tests.backoffice.test_queue_reads import _send
from web.db import db

COUNTED_TABLES = ("case_actions", "centre_transfers", "access_requests")


def _statements(app, client, path: str) -> tuple[list[str], str]:
    """The SQL statements of one GET of `path` (after a first one), and its text."""
    engine = app.extensions["fjc_db"].engine
    seen: list[str] = []

    def log(_conn, _cursor, statement, *_args):
        seen.append(statement)

    client.get(path)
    event.listen(engine, "before_cursor_execute", log)
    try:
        response = client.get(path)
    finally:
        event.remove(engine, "before_cursor_execute", log)
    assert response.status_code == 200, path
    return seen, " ".join("".join(response.page.find(".//main").itertext()).split())


def _reading(statements: list[str], table: str) -> list[str]:
    return [s for s in statements if f"FROM {table}" in s or f"JOIN {table}" in s]


def test_the_home_pages_counts_ride_in_the_queues_statement(app, make_staff):
    with app.app_context(), db.writing() as session:
        for n in range(3):
            _send(session, n)
    client = staff_client(app, make_staff("coordinator"))
    statements, text = _statements(app, client, "/staff/")
    assert "3 requests, most urgent first." in text
    (queue_statement,) = _reading(statements, "intakes")
    for table in COUNTED_TABLES:
        assert _reading(statements, table) == [queue_statement], table


def test_an_overdue_action_is_listed_after_the_queue_counted_it(app, make_staff, clock):
    director = make_staff("case_director", name="Dirk")
    _overdue_action(app, director[0], clock)
    with app.app_context(), db.writing() as session:
        _send(session, 1)
    client = staff_client(app, director)
    statements, text = _statements(app, client, "/staff/")
    assert "1 action in the case files is overdue." in text
    assert "Call <the> school & 'x'" in text
    (queue_statement,) = _reading(statements, "intakes")
    counted, listed = _reading(statements, "case_actions")
    assert counted == queue_statement
    assert "FROM intakes" not in listed


def test_an_empty_queue_still_counts_and_lists_the_overdue_actions(app, make_staff, clock):
    director = make_staff("case_director", name="Dirk")
    _overdue_action(app, director[0], clock)
    client = staff_client(app, director)
    statements, text = _statements(app, client, "/staff/")
    assert "No requests match." in text
    assert "1 action in the case files is overdue." in text
    assert "Call <the> school & 'x'" in text
    # The queue's statement found no row: the counts are asked for alone.
    assert len(_reading(statements, "case_actions")) == 3
