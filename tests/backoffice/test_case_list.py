"""The list of case files: paged, open files first, filtered by status, and
only the files the signed-in staff member may open."""

from unittest import mock

from sqlalchemy import select

from core.casework import cases
from core.model import Case
from tests.backoffice.helpers import open_test_case, staff_client
from web.db import db


def _numbers(response) -> list[str]:
    return [
        a.text for a in response.page.iter("a") if (a.get("href") or "").startswith("/staff/cases/")
    ]


def test_the_list_pages_filters_and_shows_only_own_files(app, make_staff):
    ann = make_staff("case_director", name="Ann")
    bram = make_staff("case_director", name="Bram")
    ids = [open_test_case(app, ann[0]) for _ in range(5)]
    bram_case = open_test_case(app, bram[0])
    director = staff_client(app, ann)
    director.submit(
        f"/staff/cases/{ids[0]}/close", {"reason": "moved"}, form_page=f"/staff/cases/{ids[0]}"
    )
    with app.app_context():
        number = {c.id: c.number for c in db.session.scalars(select(Case))}

    with mock.patch.object(cases, "CASE_PAGE_SIZE", 2):
        first = director.get("/staff/cases")
        body = first.get_data(as_text=True)
        assert "5 case files, open ones first." in body
        assert _numbers(first) == [number[ids[4]], number[ids[3]]]
        assert "Next page" in body and "Previous page" not in body
        third = director.get("/staff/cases?page=3")
        # The closed file comes last, after every open one.
        assert _numbers(third) == [number[ids[0]]]
        # A page past the end shows the last page rather than nothing.
        assert _numbers(director.get("/staff/cases?page=99")) == [number[ids[0]]]

    closed_only = director.get("/staff/cases?status=closed")
    assert _numbers(closed_only) == [number[ids[0]]]
    assert number[bram_case] not in director.get("/staff/cases").get_data(as_text=True)

    coordinator = staff_client(app, make_staff("coordinator", name="Chris"))
    everything = coordinator.get("/staff/cases?status=open&page=x")
    assert sorted(_numbers(everything)) == sorted(number[i] for i in ids[1:] + [bram_case])
    assert "Bram" in everything.get_data(as_text=True)
