"""/staff/stats and /staff/stats.csv: coordinators see exact numbers and
names, case directors and every download see small counts hidden, admins
see nothing; charts are named images with the table beside them."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import pytest
from flask import url_for
from sqlalchemy import select

from core.model import AuditEvent
from tests.backoffice.helpers import staff_client
from tests.core.reporting.test_stats import build_dataset
from web.db import db

PERIOD = "?from=2026-01&to=2026-03"


@pytest.fixture
def frozen(clock):
    # 15 March 2026, noon in Brussels: the data set's "today".
    clock.current = datetime(2026, 3, 15, 11, 0, tzinfo=UTC)
    return clock


@pytest.fixture
def dataset(app, frozen):
    return build_dataset(app)


def text_of(element) -> str:
    return " ".join("".join(element.itertext()).split())


def table_rows(page, table_id: str) -> list[list[str]]:
    table = next(t for t in page.iter("table") if t.get("id") == table_id)
    return [
        [text_of(cell) for cell in row if cell.tag in ("th", "td")]
        for part in ("tbody", "tfoot")
        for section in table.iter(part)
        for row in section.iter("tr")
    ]


def by_id(page, element_id: str):
    return next(el for el in page.iter() if el.get("id") == element_id)


def csv_download(response, filename: str) -> list[list[str]]:
    """The rows of a CSV download, named `filename` and never cached."""
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers["Content-Disposition"] == f'attachment; filename="{filename}"'
    assert response.headers["Cache-Control"] == "no-store"
    return list(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig"))))


def audit_events(app, action: str) -> list[str]:
    with app.app_context():
        return list(
            db.session.scalars(select(AuditEvent.detail).where(AuditEvent.action == action))
        )


def test_coordinator_sees_exact_numbers_and_names(app, make_staff, dataset):
    client = staff_client(app, make_staff("coordinator"))
    response = client.get("/staff/stats" + PERIOD)
    assert response.status_code == 200
    page = response.page
    assert table_rows(page, "table-months") == [
        ["Jan 2026", "6", "2", "0", "0", "0", "8"],
        ["Feb 2026", "7", "0", "3", "0", "0", "10"],
        ["Mar 2026", "5", "1", "6", "0", "0", "12"],
        ["Total", "18", "3", "9", "0", "0", "30"],
    ]
    assert table_rows(page, "table-municipalities") == [
        ["Duffel", "0", "0", "2", "2"],
        ["Lier", "0", "0", "7", "7"],
        ["Mechelen", "8", "10", "3", "21"],
        ["Total", "8", "10", "12", "30"],
    ]
    assert table_rows(page, "table-languages")[0] == ["Dutch", "20", "67 %"]
    assert table_rows(page, "table-caseload") == [
        ["Anna Director", "4"],
        ["Bram Director", "3"],
        ["Total", "7"],
    ]
    assert table_rows(page, "table-waiting") == [
        ["First contact (hours)", "10", "5.5", "30.0", "80 % (24 hours)"],
        ["Triage decision (days)", "10", "6.5", "12.0", "50 % (7 days)"],
    ]
    assert table_rows(page, "table-tracks") == [
        ["Track 2: outreach", "7", "4"],
        ["Track 3: chain approach", "2", "0"],
        ["Total", "9", "4"],
    ]
    assert text_of(by_id(page, "overdue-actions")).endswith(": 2")
    assert text_of(by_id(page, "children-in-cases")).endswith(": 3")
    assert "<5" not in text_of(page.find("body"))
    assert audit_events(app, "stats.viewed") == ["2026-01/2026-03"]


def test_case_director_sees_small_counts_hidden_and_no_names(app, make_staff, dataset):
    client = staff_client(app, make_staff("case_director"))
    page = client.get("/staff/stats" + PERIOD).page
    # Month totals are hidden with the municipality table's, which shares them.
    assert table_rows(page, "table-months") == [
        ["Jan 2026", "x", "<5", "0", "0", "0", "x"],
        ["Feb 2026", "x", "0", "<5", "0", "0", "x"],
        ["Mar 2026", "x", "<5", "6", "0", "0", "x"],
        ["Total", "18", "<5", "x", "0", "0", "30"],
    ]
    assert table_rows(page, "table-caseload") == [
        ["Case director 1", "<5"],
        ["Case director 2", "<5"],
        ["Total", "7"],
    ]
    assert table_rows(page, "table-languages")[1:3] == [["French", "x", "–"], ["Arabic", "<5", "–"]]
    # 2 of 10 were late: a small count, so the share is not shown.
    assert table_rows(page, "table-waiting")[0][4] == "– (24 hours)"
    body = text_of(page.find("body"))
    assert "Anna Director" not in body and "Bram Director" not in body
    assert "<5 means fewer than 5." in body


def test_charts_are_named_images_next_to_their_tables(app, make_staff, dataset):
    client = staff_client(app, make_staff("case_director"))
    response = client.get("/staff/stats" + PERIOD)
    page = response.page
    charts = [el for el in page.iter() if str(el.tag).endswith("svg")]
    assert len(charts) == 4
    ids = {el.get("id"): el for el in page.iter() if el.get("id")}
    for chart in charts:
        assert chart.get("role") == "img"
        title_id, desc_id = chart.get("aria-labelledby").split()
        assert str(ids[title_id].tag).endswith("title") and text_of(ids[title_id])
        assert str(ids[desc_id].tag).endswith("desc")
        assert "Small numbers are hidden" in text_of(ids[desc_id])
    months = ids["chart-months"]
    assert "<5" not in [t.text for t in months.iter() if str(t.tag).endswith("text")]
    places = [t.text for t in ids["chart-municipalities"].iter() if str(t.tag).endswith("text")]
    assert places == ["Duffel", "<5", "Lier", "x", "Mechelen", "21"]
    styles = [link.get("href") for link in page.iter("link") if link.get("rel") == "stylesheet"]
    with app.test_request_context():  # the built, hashed name when `make setup` ran
        assert url_for("static", filename="css/stats.css") in styles
    assert "<script" not in response.get_data(as_text=True)


@pytest.mark.parametrize("role", ["coordinator", "case_director"])
def test_the_csv_is_suppressed_for_every_role(app, make_staff, dataset, role):
    client = staff_client(app, make_staff(role))
    response = client.get("/staff/stats.csv" + PERIOD)
    rows = csv_download(response, "fjc-figures-2026-01_2026-03.csv")
    raw = response.get_data()
    assert raw.startswith(b"\xef\xbb\xbf")  # the BOM that makes Excel read UTF-8
    assert b"\r\n" in raw
    assert rows[0] == ["figure", "period", "category", "value"]
    assert all(len(row) == 4 for row in rows)
    assert ["requests_by_door", "2026-01", "question", "<5"] in rows
    assert ["requests_by_door", "2026-01", "contact", "x"] in rows
    assert ["requests_by_door", "2026-01/2026-03", "total", "30"] in rows
    assert ["requests_by_municipality", "2026-01/2026-03", "Duffel", "<5"] in rows
    assert ["open_caseload", "2026-03-15", "open_case_files", "7"] in rows
    text = raw.decode("utf-8-sig")
    assert "Director" not in text
    assert audit_events(app, "stats.exported") == ["2026-01/2026-03"]


def test_admins_see_no_figures(app, make_staff, frozen):
    client = staff_client(app, make_staff("admin"))
    assert client.get("/staff/stats").status_code == 403
    assert client.get("/staff/stats.csv").status_code == 403


def test_signed_out_people_are_sent_to_sign_in(client):
    assert client.get("/staff/stats").status_code == 302
    assert client.get("/staff/stats.csv").status_code == 302


def test_default_period_is_the_last_twelve_months_and_this_one(app, make_staff, dataset):
    client = staff_client(app, make_staff("coordinator"))
    page = client.get("/staff/stats").page
    rows = table_rows(page, "table-months")
    assert [r[0] for r in rows[:2]] == ["Mar 2025", "Apr 2025"]
    assert rows[-2][0] == "Mar 2026"
    assert len(rows) == 14  # 13 months and the total
    assert by_id(page, "period-from").get("value") == "2025-03"
    assert by_id(page, "period-to").get("value") == "2026-03"
    link = next(a for a in page.iter("a") if "stats.csv" in (a.get("href") or ""))
    assert link.get("href") == "/staff/stats.csv?from=2025-03&to=2026-03"


def test_a_wrong_month_is_explained_and_kept(app, make_staff, dataset):
    client = staff_client(app, make_staff("coordinator"))
    response = client.get("/staff/stats?from=2026-13&to=2026-03")
    assert response.status_code == 200
    page = response.page
    summary = next(el for el in page.iter("div") if el.get("role") == "alert")
    assert "Type a month as year and month, for example 2026-03." in text_of(summary)
    assert summary.find(".//a").get("href") == "#period-from"
    field = by_id(page, "period-from")
    assert field.get("value") == "2026-13"
    assert field.get("aria-invalid") == "true"
    assert "period-from-error" in field.get("aria-describedby")
    assert len(table_rows(page, "table-months")) == 14  # the default period instead
    future = client.get("/staff/stats?from=2026-01&to=2026-09").page
    assert "The last month cannot be after this month." in text_of(future.find("body"))
    # A hand-made download address with a wrong month gets the page, not a file.
    wrong_csv = client.get("/staff/stats.csv?from=March")
    assert wrong_csv.mimetype == "text/html"
    assert audit_events(app, "stats.exported") == []


def test_the_months_are_labelled_fields_and_a_refusal_marks_only_its_own(app, make_staff, dataset):
    client = staff_client(app, make_staff("coordinator"))
    page = client.get("/staff/stats?from=2020-01&to=2026-03").page
    labels = {label.get("for"): text_of(label) for label in page.iter("label")}
    assert (labels["period-from"], labels["period-to"]) == ("First month", "Last month")
    summary = next(el for el in page.iter("div") if el.get("role") == "alert")
    assert [a.get("href") for a in summary.iter("a")] == ["#period-from"]
    assert "Choose a period of at most 60 months." in text_of(summary)
    first, last = by_id(page, "period-from"), by_id(page, "period-to")
    assert (first.get("value"), first.get("aria-invalid")) == ("2020-01", "true")
    assert (last.get("value"), last.get("aria-invalid")) == ("2026-03", None)
    assert "Below are the figures of the usual period." in text_of(page.find("body"))
    # A GET form: what it sends is the address, with no token in it.
    form = next(f for f in page.iter("form") if f.get("class") == "stats-period")
    assert form.get("method") == "get"
    assert [i.get("name") for i in form.iter("input")] == ["from", "to"]


def test_the_threshold_is_a_setting(app_factory, make_staff, frozen):
    app = app_factory(FJC_SMALL_COUNT_THRESHOLD=3)
    build_dataset(app)
    from core.identity.staff import create_staff
    from tests.conftest import TEST_PASSWORD

    with app.app_context(), db.writing() as session:
        create_staff(
            session,
            email="cd3@fjc.example",
            name="Cd",
            role="case_director",
            password=TEST_PASSWORD,
        )
    client = staff_client(app, (None, "cd3@fjc.example"))
    rows = table_rows(client.get("/staff/stats" + PERIOD).page, "table-municipalities")
    assert rows == [
        ["Duffel", "0", "0", "<3", "<3"],
        ["Lier", "0", "0", "x", "x"],
        ["Mechelen", "x", "x", "x", "21"],
        ["Total", "x", "x", "12", "30"],
    ]


@pytest.mark.parametrize("role", ["coordinator", "case_director"])
def test_a_centre_without_requests_gets_zeros(app, make_staff, frozen, role):
    client = staff_client(app, make_staff(role))
    page = client.get("/staff/stats").page
    assert table_rows(page, "table-months")[-1] == ["Total", "0", "0", "0", "0", "0", "0"]
    assert table_rows(page, "table-waiting")[0][1:4] == ["0", "–", "–"]
    assert client.get("/staff/stats.csv").status_code == 200


def _young_requests_and_children_heard(app) -> None:
    from core.model import Intake, IntakeStatus
    from core.network.centres import default_centre
    from tests.core.reporting.test_stats import _children_in_a_file, _heard, _plan, at

    with app.app_context(), db.writing() as session:
        # The default centre: other tests leave other centres behind (inactive).
        centre_id = default_centre(session).id
        for number in range(2):
            session.add(
                Intake(
                    centre_id=centre_id,
                    kind="young",
                    language="nl",
                    return_code_key=f"young-{number}",
                    created_at=at(2026, 2, 20 + number),
                    status=IntakeStatus.NEW,
                )
            )
        _case, kids, _victim = _children_in_a_file(session, 6)
        for kid in kids:
            _heard(session, kid, datetime(2026, 3, 2).date())
        _plan(session, kids[0], at(2026, 3, 3))


def _head(page, table_id: str) -> list[str]:
    table = next(t for t in page.iter("table") if t.get("id") == table_id)
    return [text_of(th) for th in table.find("thead").iter("th")]


def test_the_young_door_and_the_childrens_own_figures_are_shown_in_words(app, make_staff, dataset):
    _young_requests_and_children_heard(app)
    coordinator = staff_client(app, make_staff("coordinator"))
    page = coordinator.get("/staff/stats" + PERIOD).page
    assert _head(page, "table-months")[4] == "A young person asks for help"
    assert table_rows(page, "table-months")[1][4] == "2"
    assert _head(page, "table-children-own") == ["Month", "First heard", "First own safety plan"]
    assert table_rows(page, "table-children-own") == [
        ["Jan 2026", "0", "0"],
        ["Feb 2026", "0", "0"],
        ["Mar 2026", "6", "1"],
        ["Total", "6", "1"],
    ]
    chart = next(el for el in page.iter() if el.get("id") == "chart-months")
    assert "A young person asks for help" in text_of(chart)

    director = staff_client(app, make_staff("case_director"))
    page = director.get("/staff/stats" + PERIOD).page
    assert table_rows(page, "table-months")[1][4] == "<5"
    assert table_rows(page, "table-children-own")[2:] == [
        ["Mar 2026", "6", "<5"],
        ["Total", "6", "<5"],
    ]
    rows = list(
        csv.reader(
            io.StringIO(director.get("/staff/stats.csv" + PERIOD).get_data().decode("utf-8-sig"))
        )
    )
    assert ["requests_by_door", "2026-02", "young", "<5"] in rows
    assert ["children_first_heard", "2026-03", "children", "6"] in rows
    assert ["children_own_safety_plan", "2026-01/2026-03", "children", "<5"] in rows
