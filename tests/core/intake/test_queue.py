"""The queue: most urgent first, oldest first among equals, filters, pages."""

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from core.intake import queue
from core.model import Intake, IntakeKind, IntakeStatus, Municipality
from core.network.centres import default_centre
from web.db import db

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
TARGET = timedelta(hours=24)


def _intake(session, hours_ago: float, **fields) -> Intake:
    values = {
        "centre_id": 1,
        "kind": IntakeKind.CONTACT,
        "status": IntakeStatus.NEW,
        "language": "nl",
        "priority": 0,
        "return_code_key": f"key-{hours_ago}-{len(fields)}-{id(fields)}",
        "created_at": NOW - timedelta(hours=hours_ago),
        **fields,
    }
    intake = Intake(**values)
    session.add(intake)
    session.flush()
    return intake


def _ids(session, filters=None, staff_id=0):
    filters = filters or queue.QueueFilters()
    centre_id = default_centre(session).id
    page = queue.load(
        session, filters, staff_id=staff_id, centre_id=centre_id, now=NOW, target=TARGET
    )
    return [row.intake.id for row in page.rows], page


def test_the_most_urgent_come_first_and_the_oldest_among_equals(app):
    with app.app_context(), db.writing() as session:
        centre_id = default_centre(session).id
        plain_new = _intake(session, 1, centre_id=centre_id)
        plain_old = _intake(session, 5, centre_id=centre_id)
        children = _intake(session, 2, centre_id=centre_id, priority=20)
        danger = _intake(session, 0.1, centre_id=centre_id, priority=100, danger_now=True)
        overdue = _intake(session, 30, centre_id=centre_id)  # +30 for waiting past the target
        ids, page = _ids(session)
    assert ids == [danger.id, overdue.id, children.id, plain_old.id, plain_new.id]
    rows = {row.intake.id: row for row in page.rows}
    assert rows[overdue.id].overdue and not rows[plain_old.id].overdue
    assert [r.code for r in rows[danger.id].reasons] == ["danger_now"]
    assert [r.code for r in rows[overdue.id].reasons] == ["overdue"]


def test_closed_and_erased_requests_leave_the_queue(app):
    with app.app_context(), db.writing() as session:
        centre_id = default_centre(session).id
        open_one = _intake(session, 1, centre_id=centre_id)
        closed = _intake(session, 1, centre_id=centre_id, status=IntakeStatus.CLOSED)
        _intake(session, 1, centre_id=centre_id, status=IntakeStatus.ERASED)
        decided = _intake(session, 1, centre_id=centre_id, status=IntakeStatus.DECIDED)
        assert _ids(session)[0] == [open_one.id]
        everything = _ids(session, queue.QueueFilters(status="all"))[0]
        assert set(everything) == {open_one.id, closed.id, decided.id}, "all but erased"
        assert _ids(session, queue.QueueFilters(status="decided"))[0] == [decided.id]


def test_filters(app, make_staff):
    staff_id, _ = make_staff("case_director")
    with app.app_context(), db.writing() as session:
        lier, mechelen = (
            session.scalar(
                select(Municipality).where(Municipality.name == name, Municipality.active)
            )
            for name in ("Lier", "Mechelen")
        )
        centre_id = lier.centre_id
        question = _intake(session, 1, centre_id=centre_id, kind=IntakeKind.QUESTION)
        in_lier = _intake(session, 2, centre_id=centre_id, municipality_id=lier.id)
        mine = _intake(
            session,
            3,
            centre_id=centre_id,
            assigned_to_id=staff_id,
            status=IntakeStatus.IN_PROGRESS,
        )
        arabic = _intake(
            session, 4, centre_id=centre_id, language="ar", municipality_id=mechelen.id
        )

        def only(**kwargs):
            return set(_ids(session, queue.QueueFilters(**kwargs), staff_id=staff_id)[0])

        assert only(kind="question") == {question.id}
        assert only(municipality_id=lier.id) == {in_lier.id}
        assert only(assigned="me") == {mine.id}
        assert only(assigned="unassigned") == {question.id, in_lier.id, arabic.id}
        assert only(language="ar") == {arabic.id}
        assert only(status="in_progress") == {mine.id}


def test_filters_from_the_query_string_ignore_nonsense():
    class Args(dict):
        def get(self, key, default=None, type=None):  # noqa: A002 - werkzeug's signature
            value = super().get(key, default)
            return type(value) if type and value is not None else value

    filters = queue.QueueFilters.from_args(
        Args(status="deleted", kind="x", municipality="3; DROP", assigned="boss", page="2")
    )
    assert filters == queue.QueueFilters(page=2)


def test_pages_of_fifty(app):
    with app.app_context(), db.writing() as session:
        centre_id = default_centre(session).id
        for n in range(queue.PAGE_SIZE + 3):
            _intake(session, n / 10, centre_id=centre_id)
        first, page_one = _ids(session)
        second, page_two = _ids(session, queue.QueueFilters(page=2))
    assert len(first) == 50 and page_one.has_next and page_one.total == 53
    assert len(second) == 3 and not page_two.has_next
    assert not set(first) & set(second)
