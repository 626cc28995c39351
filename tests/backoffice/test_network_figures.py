"""Figures per centre and the network's figures side by side (/staff/network):
each centre's /staff/stats counts its own requests only; the network page
shows every active centre with small counts suppressed across all its tables,
so that none can be worked out from a total; the CSV says the same; the
network role reaches nothing else."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from core.identity.staff import create_staff
from core.infra.config import PROJECT_ROOT
from core.model import AuditEvent, Case, Centre, Intake, IntakeStatus, Staff
from core.network.centres import centre_by_slug
from core.reporting.suppression import HIDDEN, SMALL, determined
from tests.backoffice.helpers import login, staff_client
from tests.backoffice.test_query_counts import _statements
from tests.backoffice.test_stats import by_id, csv_download, table_rows, text_of
from tests.conftest import TEST_PASSWORD
from tests.core.reporting.test_stats import at
from web.db import db

PERIOD = "?from=2026-01&to=2026-03"
CENTRES = ("Family Justice Center Antwerpen", "Family Justice Center Leuven")
HEAD = ["Month", *CENTRES, "Family Justice Center Mechelen", "All centres"]

# centre slug -> (month, door, how many, hours to the first contact or None)
REQUESTS = {
    "mechelen": (
        (1, "contact", 8, 2),
        (1, "contact", 2, 30),
        (2, "contact", 8, None),
        (2, "question", 6, None),
        (3, "contact", 7, None),
    ),
    # Leuven's own target is 48 hours: 30 hours is in time there.
    "leuven": ((1, "contact", 6, 30), (2, "contact", 7, None), (3, "referral", 2, None)),
    "antwerpen": ((1, "contact", 5, None), (2, "contact", 5, None), (3, "contact", 5, None)),
}


@pytest.fixture
def network_app(app_factory, clock):
    # 15 March 2026, noon in Brussels.
    clock.current = datetime(2026, 3, 15, 11, 0, tzinfo=UTC)
    return app_factory(FJC_CENTRE_FILE=str(PROJECT_ROOT / "data" / "centres-example.json"))


@pytest.fixture
def dataset(network_app) -> dict[str, int]:
    """Requests at three centres, case files at two; the slug -> centre id."""
    with network_app.app_context(), db.writing() as session:
        ids = {slug: centre_by_slug(session, slug).id for slug in REQUESTS}
        session.get(Centre, ids["leuven"]).first_contact_target_hours = 48
        number = 0
        for slug, rows in REQUESTS.items():
            for month, kind, count, hours in rows:
                for day in range(count):
                    number += 1
                    created = at(2026, month, 2 + day)
                    session.add(
                        Intake(
                            centre_id=ids[slug],
                            kind=kind,
                            language="nl",
                            return_code_key=f"network-{number}",
                            created_at=created,
                            first_contact_at=created + timedelta(hours=hours) if hours else None,
                            status=IntakeStatus.NEW,
                        )
                    )
        files = [("mechelen", "track_2", "goals_reached" if n < 5 else None) for n in range(6)]
        files.append(("leuven", "track_3", None))
        for sequence, (slug, track, reason) in enumerate(files, start=1):
            session.add(
                Case(
                    centre_id=ids[slug],
                    year=2026,
                    sequence=sequence,
                    number=f"N-{sequence:04d}",
                    track=track,
                    status="closed" if reason else "open",
                    opened_at=at(2026, 2, 10),
                    closed_at=at(2026, 3, 5) if reason else None,
                    closure_reason=reason,
                )
            )
    return ids


def _staff(app, role: str, centre_id: int | None = None) -> tuple[int, str]:
    email = f"{role}-{centre_id}@fjc.example"
    with app.app_context(), db.writing() as session:
        staff = create_staff(
            session, email=email, name="Sam", role=role, password=TEST_PASSWORD, centre_id=centre_id
        )
        return staff.id, email


def _cells(page, table_id: str) -> dict[tuple[str, str], str]:
    """(row label, column label) -> the text shown, every cell of the table."""
    table = by_id(page, table_id)
    columns = [text_of(th) for th in table.find("thead").iter("th")][1:]
    return {
        (row[0], column): value
        for row in table_rows(page, table_id)
        for column, value in zip(columns, row[1:], strict=True)
    }


def test_each_centre_counts_only_its_own_requests(network_app, dataset):
    mechelen = staff_client(network_app, _staff(network_app, "coordinator", dataset["mechelen"]))
    assert table_rows(mechelen.get("/staff/stats" + PERIOD).page, "table-months") == [
        ["Jan 2026", "10", "0", "0", "0", "0", "10"],
        ["Feb 2026", "8", "6", "0", "0", "0", "14"],
        ["Mar 2026", "7", "0", "0", "0", "0", "7"],
        ["Total", "25", "6", "0", "0", "0", "31"],
    ]
    leuven = staff_client(network_app, _staff(network_app, "coordinator", dataset["leuven"]))
    page = leuven.get("/staff/stats" + PERIOD).page
    assert table_rows(page, "table-months") == [
        ["Jan 2026", "6", "0", "0", "0", "0", "6"],
        ["Feb 2026", "7", "0", "0", "0", "0", "7"],
        ["Mar 2026", "0", "0", "2", "0", "0", "2"],
        ["Total", "13", "0", "2", "0", "0", "15"],
    ]
    # Leuven's own target (48 hours) from the centre file, not the installation's 24.
    assert table_rows(page, "table-waiting")[0] == [
        "First contact (hours)",
        "6",
        "30.0",
        "30.0",
        "100 % (48 hours)",
    ]
    assert table_rows(page, "table-tracks") == [
        ["Track 2: outreach", "0", "0"],
        ["Track 3: chain approach", "1", "0"],
        ["Total", "1", "0"],
    ]
    raw = leuven.get("/staff/stats.csv" + PERIOD).get_data().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(raw)))
    assert ["requests_by_door", "2026-01/2026-03", "total", "15"] in rows
    assert ["time_to_first_contact", "2026-01/2026-03", "target_hours", "48.0"] in rows


def _network_client(app, dataset):
    staff = _staff(app, "network", dataset["mechelen"])
    client = staff_client(app, staff)
    return client


def test_the_network_page_shows_every_centre_side_by_side_suppressed(network_app, dataset):
    client = _network_client(network_app, dataset)
    response = client.get("/staff/network" + PERIOD)
    assert response.status_code == 200
    page = response.page
    head = [text_of(th) for th in by_id(page, "table-network-months").find("thead").iter("th")]
    assert head == HEAD
    months = _cells(page, "table-network-months")
    # Leuven's 2 referrals in March are a small count, shown as such.
    assert months[("Mar 2026", CENTRES[1])] == "<5"
    assert _cells(page, "table-network-doors")[("Referral by a professional", CENTRES[1])] == "<5"
    # Neither the network's March total nor Leuven's total gives them away:
    # each sum the small count is in has another number hidden.
    assert months[("Mar 2026", "All centres")] == "x" or "x" in [
        months[("Mar 2026", column)] for column in HEAD[1:4] if column != CENTRES[1]
    ]
    leuven_column = [months[(row, CENTRES[1])] for row in ("Jan 2026", "Feb 2026", "Total")]
    assert "x" in leuven_column
    # January: Mechelen's 10 and the total are shown, Antwerpen's and Leuven's
    # are not (or 21 - 10 - 5 would leave Leuven's 6 and so on to March).
    assert table_rows(page, "table-network-months") == [
        ["Jan 2026", "x", "x", "10", "21"],
        ["Feb 2026", "5", "7", "14", "26"],
        ["Mar 2026", "x", "<5", "7", "14"],
        ["Total", "x", "x", "31", "61"],
    ]
    # The door table ends in the same centre totals, hidden alike.
    assert table_rows(page, "table-network-doors")[-1] == ["Total", "x", "x", "31", "61"]
    assert table_rows(page, "table-network-first-contact") == [
        ["Requests measured", "0", "6", "10", "16"],
        ["Within the target", "0", "6", "x", "x"],
        ["After the target", "0", "0", "<5", "<5"],
        # 8 at 2 hours and 8 at 30 hours in all: the median is 16.
        ["Median (hours)", "–", "30.0", "2.0", "16.0"],
        ["Share within the target", "–", "100 %", "–", "–"],
        ["Target (hours)", "24.0", "48.0", "24.0", "–"],
    ]
    assert table_rows(page, "table-network-tracks") == [
        ["Track 2: outreach", "0", "0", "x", "x"],
        ["Track 3: chain approach", "0", "<5", "0", "<5"],
        ["Total", "0", "<5", "x", "7"],
    ]
    assert table_rows(page, "table-network-closures")[0] == ["Goals reached", "0", "0", "5", "5"]
    body = text_of(page.find("body"))
    assert "N-0001" not in body and "Sam" in body  # no case number; the reader's own name
    assert [a.get("href") for a in page.iter("a") if "network.csv" in (a.get("href") or "")] == [
        "/staff/network.csv?from=2026-01&to=2026-03"
    ]
    with network_app.app_context():
        details = db.session.scalars(
            select(AuditEvent.detail).where(AuditEvent.action == "network.viewed")
        ).all()
    assert details == ["2026-01/2026-03"]


def _equations(page) -> tuple[list, dict]:
    """Every sum the page's tables show, with their cells as unknowns where
    they are not numbers: what a reader could solve from the page alone."""
    equations, values = [], {}
    for table_id in (
        "table-network-months",
        "table-network-doors",
        "table-network-first-contact",
        "table-network-tracks",
        "table-network-closures",
    ):
        cells = _cells(page, table_id)
        if table_id == "table-network-first-contact":
            cells = {
                ("Total" if row == "Requests measured" else row, column): value
                for (row, column), value in cells.items()
                if row in ("Requests measured", "Within the target", "After the target")
            }
        rows = list(dict.fromkeys(row for row, _ in cells))
        columns = list(dict.fromkeys(column for _, column in cells))
        # The door table's totals are the month table's: the same unknowns.
        name = "table-network-months" if table_id == "table-network-doors" else table_id

        def key(row, column, table_id=table_id, name=name):
            return (name if row == "Total" else table_id, row, column)

        for (row, column), value in cells.items():
            values[key(row, column)] = value
        for row in rows:
            equations.append((key(row, columns[-1]), [key(row, c) for c in columns[:-1]]))
        parts = [row for row in rows if row != "Total"]
        for column in columns:
            equations.append((key("Total", column), [key(r, column) for r in parts]))
    return equations, values


def test_no_small_count_of_the_network_page_can_be_worked_out(network_app, dataset):
    page = _network_client(network_app, dataset).get("/staff/network" + PERIOD).page
    equations, values = _equations(page)
    marks = {
        cell: SMALL if text.startswith("<") else HIDDEN
        for cell, text in values.items()
        if not text.isdigit()
    }
    smalls = {cell for cell, mark in marks.items() if mark == SMALL}
    assert len(smalls) >= 3
    assert not smalls & determined(equations, marks)
    # The check has teeth: with the small counts alone hidden, Leuven's March
    # is the network's 14 less Antwerpen's 5 and Mechelen's 7.
    exposed = determined(equations, {cell: SMALL for cell in smalls})
    assert ("table-network-months", "Mar 2026", CENTRES[1]) in exposed


def test_the_network_csv_has_the_same_suppression(network_app, dataset):
    client = _network_client(network_app, dataset)
    page = client.get("/staff/network" + PERIOD).page
    rows = csv_download(
        client.get("/staff/network.csv" + PERIOD), "fjc-network-figures-2026-01_2026-03.csv"
    )
    assert rows[0] == ["figure", "period", "centre", "category", "value"]
    values = {tuple(row[:4]): row[4] for row in rows[1:]}
    slugs = dict(zip(HEAD[1:], ("antwerpen", "leuven", "mechelen", "total"), strict=True))
    months = {"Jan 2026": "2026-01", "Feb 2026": "2026-02", "Mar 2026": "2026-03"}
    months["Total"] = "2026-01/2026-03"
    shown = _cells(page, "table-network-months")
    for (month, column), text in shown.items():
        assert values[("requests", months[month], slugs[column], "total")] == text
    assert values[("requests", "2026-03", "leuven", "total")] == "<5"
    assert values[("requests_by_door", "2026-01/2026-03", "leuven", "referral")] == "<5"
    assert values[("cases_opened_by_track", "2026-01/2026-03", "leuven", "track_3")] == "<5"
    assert values[("time_to_first_contact", "2026-01/2026-03", "mechelen", "after_target")] == "<5"
    assert values[("time_to_first_contact", "2026-01/2026-03", "leuven", "target_hours")] == "48.0"
    assert values[("case_closure_reasons", "2026-01/2026-03", "mechelen", "goals_reached")] == "5"
    with network_app.app_context():
        actions = db.session.scalars(select(AuditEvent.action)).all()
    assert "network.exported" in actions


def test_a_network_account_lands_on_the_network_figures_and_reaches_nothing_else(
    network_app, dataset
):
    _staff_id, email = _staff(network_app, "network", dataset["mechelen"])
    client = network_app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    assert login(client, email).headers["Location"] == "/staff/network"
    with network_app.app_context():
        intake_id = db.session.scalar(select(Intake.id))
        case_id = db.session.scalar(select(Case.id))
    for path in (
        "/staff/",
        "/staff/cases",
        f"/staff/intakes/{intake_id}",
        f"/staff/cases/{case_id}",
        "/staff/stats",
        "/staff/stats.csv",
        "/staff/admin/staff",
        "/staff/admin/audit",
    ):
        assert client.get(path).status_code == 403, path
    page = client.get("/staff/network").page
    nav = next(el for el in page.iter("nav") if el.get("aria-label") == "Main")
    assert [text_of(a) for a in nav.iter("a")] == ["Network figures", "Sam"]


def test_the_network_page_reads_each_figure_once_however_many_centres_and_rows(
    network_app, dataset
):
    client = _network_client(network_app, dataset)
    few = _statements(network_app, client, "/staff/network" + PERIOD)
    with network_app.app_context(), db.writing() as session:
        for number in range(30):
            session.add(
                Intake(
                    centre_id=dataset[("leuven", "antwerpen")[number % 2]],
                    kind="question",
                    language="nl",
                    return_code_key=f"more-{number}",
                    created_at=at(2026, 2, 1 + number % 20),
                    status=IntakeStatus.NEW,
                )
            )
    assert _statements(network_app, client, "/staff/network" + PERIOD) == few


@pytest.mark.parametrize("role", ["coordinator", "case_director", "admin"])
def test_the_centres_roles_do_not_see_the_network_figures(network_app, dataset, role):
    client = staff_client(network_app, _staff(network_app, role, dataset["leuven"]))
    assert client.get("/staff/network").status_code == 403
    assert client.get("/staff/network.csv").status_code == 403


def test_a_wrong_month_on_the_network_page_is_explained_and_kept(network_app, dataset):
    client = _network_client(network_app, dataset)
    page = client.get("/staff/network?from=2026-13&to=2026-03").page
    summary = next(el for el in page.iter("div") if el.get("role") == "alert")
    assert "Type a month as year and month, for example 2026-03." in text_of(summary)
    assert by_id(page, "period-from").get("value") == "2026-13"
    assert client.get("/staff/network.csv?from=March").mimetype == "text/html"


def test_create_staff_makes_a_network_account(network_app):
    result = network_app.test_cli_runner().invoke(
        args=["create-staff", "net@fjc.example", "--name", "Net", "--role", "network"]
        + ["--centre", "mechelen"],
        input=TEST_PASSWORD + "\n",
    )
    assert result.exit_code == 0, result.output
    with network_app.app_context():
        staff = db.session.scalar(select(Staff).where(Staff.email == "net@fjc.example"))
        assert staff.role == "network"
    client = network_app.test_client()
    assert login(client, "net@fjc.example").headers["Location"] == "/staff/network"
