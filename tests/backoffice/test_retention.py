"""Retention staff can see, over HTTP: the retention page lists what the purge
will erase in the next 30 days (numbers, kinds, dates; no personal content),
the holds in force and what the purge erased. A coordinator places a legal
hold from a case file's page or by number, and lifts it; a held file
survives the purge. Only coordinators get these pages."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from core.casework import cases
from core.governance import retention_holds
from core.governance.retention import purge
from core.intake import triage
from core.intake.intakes import SafeContact, Submission, submit
from core.model import (
    Case,
    CaseHold,
    CaseStatus,
    IntakeHold,
    IntakeKind,
    IntakeStatus,
    Staff,
    TriageOutcome,
)
from tests.backoffice.helpers import staff_client
from tests.core.network.network_setup import NETWORK_FILE, request_in, staff_at
from tests.factories import case_from_request
from tests.pages import form_values
from web.db import db

PAGE = "/staff/rights/retention"
MARKER = "RETENTION-PAGE-3c9b"
REASON = f"Court case against the ex-partner {MARKER}"


def _closed_case(app, staff_id: int, closed_at) -> tuple[int, str]:
    with app.app_context(), db.writing() as session:
        case = case_from_request(session, session.get(Staff, staff_id))
        case.people[0].name = f"Sam {MARKER}"
        case.status = CaseStatus.CLOSED
        case.closure_reason = "goals_reached"
        case.closed_at = closed_at
        return case.id, case.number


def _closed_request(app, closed_at, kind=IntakeKind.CONTACT) -> int:
    with app.app_context(), db.writing() as session:
        intake, _ = submit(
            session,
            Submission(
                kind=kind,
                language="nl",
                contact=SafeContact(name=f"Noor {MARKER}", may_call=False),
                story=f"story {MARKER}",
            ),
        )
        intake.status = IntakeStatus.CLOSED
        intake.closed_at = closed_at
        return intake.id


def _five_years_before(moment):
    return moment.replace(year=moment.year - 5, day=min(moment.day, 28))


def _purge(app):
    with app.app_context():
        return purge(db.writing, app.config)


def _text(element) -> str:
    return " ".join("".join(element.itertext()).split())


def _by_id(page, element_id: str):
    return next((el for el in page.iter() if el.get("id") == element_id), None)


def _hold_section(page):
    """The "Legal hold" part of a case file's or a request's page."""
    return next(el for el in page.iter("section") if el.get("aria-labelledby") == "legal-hold")


def _links(element) -> set[str]:
    return {a.get("href") for a in element.iter("a")}


@pytest.fixture
def coordinator(app, make_staff):
    return make_staff("coordinator", name="Cora")


def test_the_page_lists_what_is_due_within_30_days_and_not_later(app, coordinator, clock):
    soon_id, soon_number = _closed_case(
        app, coordinator[0], _five_years_before(clock.current) + timedelta(days=10)
    )
    later_id, later_number = _closed_case(
        app, coordinator[0], _five_years_before(clock.current) + timedelta(days=45)
    )
    request_id = _closed_request(app, clock.current - timedelta(days=360), kind=IntakeKind.YOUNG)
    browser = staff_client(app, coordinator)

    page = browser.get(PAGE)

    assert page.status_code == 200
    due = _by_id(page.page, "due-list")
    assert due is not None
    assert f"/staff/cases/{soon_id}" in _links(due)
    assert f"/staff/intakes/{request_id}" in _links(due)
    assert f"/staff/cases/{later_id}" not in _links(due)
    assert soon_number in _text(due) and later_number not in _text(due)
    counts = _text(_by_id(page.page, "due-counts"))
    assert "Track 2" in counts and "A young person asks for help" in counts
    # Numbers and dates only: no name, no story, on the page.
    assert MARKER not in page.get_data(as_text=True)
    assert "The purge has not run yet." in _text(page.page)


def test_a_hold_placed_on_the_case_page_keeps_the_file_until_it_is_lifted(app, coordinator, clock):
    case_id, number = _closed_case(
        app, coordinator[0], _five_years_before(clock.current) - timedelta(days=1)
    )
    browser = staff_client(app, coordinator)
    case_page = f"/staff/cases/{case_id}"
    review = (clock.current + timedelta(days=90)).date().isoformat()

    placed = browser.submit(
        "/staff/rights/retention/holds",
        {"reason": REASON, "review_on": review},
        form_page=case_page,
    )

    assert placed.status_code == 303
    assert placed.headers["Location"].endswith(f"{case_page}#legal-hold")
    section = _hold_section(browser.get(case_page).page)
    assert REASON in _text(section) and "Cora" in _text(section)

    assert _purge(app).held["cases"] == 1
    with app.app_context():
        assert db.session.get(Case, case_id).erased_at is None

    listing = browser.get(PAGE)
    holds = _by_id(listing.page, "hold-list")
    assert f"/staff/cases/{case_id}" in _links(holds) and number in _text(holds)
    # The reason stays on the file's own page.
    assert REASON not in listing.get_data(as_text=True)
    held = _by_id(listing.page, "due-held-list")
    assert held is not None and f"/staff/cases/{case_id}" in _links(held)
    with app.app_context():
        hold_id = db.session.scalar(select(CaseHold.id).where(CaseHold.case_id == case_id))

    lifted = browser.submit(f"{PAGE}/holds/{hold_id}/lift", {}, form_page=PAGE)
    assert lifted.status_code == 303
    assert _by_id(browser.get(PAGE).page, "hold-list") is None

    assert _purge(app).erased["cases"] == 1
    with app.app_context():
        assert db.session.get(Case, case_id).erased_at is not None
    # The trace on the page: a count for the month and track, nothing more.
    trace = _by_id(browser.get(PAGE).page, "trace-list")
    assert trace is not None
    assert "Track 2" in _text(trace) and number not in _text(trace)
    assert not _links(trace)


def test_a_hold_is_placed_by_number_and_a_refusal_keeps_what_was_typed(app, coordinator, clock):
    request_id = _closed_request(app, clock.current - timedelta(days=100))
    browser = staff_client(app, coordinator)

    refused = browser.submit(
        f"{PAGE}/holds",
        {"record": "2019-9999", "reason": "Complaint pending", "review_on": ""},
        form_page=PAGE,
    )
    assert refused.status_code == 200
    summary = _text(
        next(el for el in refused.page.iter("div") if el.get("class") == "error-summary")
    )
    assert "No case file or request of this centre has this number" in summary
    assert "Choose when to look at the hold again." in summary
    reason = next(el for el in refused.page.iter("textarea") if el.get("name") == "reason")
    assert reason.text.strip() == "Complaint pending"

    placed = browser.submit(
        f"{PAGE}/holds",
        {
            "record": f"#{request_id}",
            "reason": "Complaint pending",
            "review_on": (clock.current + timedelta(days=30)).date().isoformat(),
        },
        form_page=PAGE,
    )
    assert placed.status_code == 303
    with app.app_context():
        hold = db.session.scalar(select(IntakeHold))
        assert (hold.intake_id, hold.reason, hold.placed_by_id) == (
            request_id,
            "Complaint pending",
            coordinator[0],
        )
    request_page = browser.get(f"/staff/intakes/{request_id}")
    assert "Complaint pending" in _text(_hold_section(request_page.page))


def test_lifting_a_hold_of_another_kind_or_unknown_id_is_not_found(app, coordinator, clock):
    case_id, _ = _closed_case(app, coordinator[0], clock.current - timedelta(days=3))
    browser = staff_client(app, coordinator)
    browser.submit(
        f"{PAGE}/holds",
        {"reason": REASON, "review_on": (clock.current + timedelta(days=9)).date().isoformat()},
        form_page=f"/staff/cases/{case_id}",
    )
    with app.app_context():
        hold_id = db.session.scalar(select(CaseHold.id))
    token = {"csrf_token": _token(browser)}
    assert (
        browser.post(f"{PAGE}/holds/{hold_id}/lift", data={**token, "kind": "request"}).status_code
        == 404
    )
    assert (
        browser.post(
            f"{PAGE}/holds/{hold_id + 999}/lift", data={**token, "kind": "case_file"}
        ).status_code
        == 404
    )
    with app.app_context():
        assert db.session.get(CaseHold, hold_id).lifted_at is None


def _token(browser) -> str:
    return form_values(browser.get("/staff/account").page)["csrf_token"]


@pytest.mark.parametrize("role", ["case_director", "admin", "network"])
def test_other_roles_get_403_and_no_hold_block(app, make_staff, coordinator, clock, role):
    other = make_staff(role)
    browser = staff_client(app, other)
    assert browser.get(PAGE).status_code == 403
    token = {"csrf_token": _token(browser)}
    assert browser.post(f"{PAGE}/holds", data=token).status_code == 403
    assert browser.post(f"{PAGE}/holds/1/lift", data=token).status_code == 403
    if role == "case_director":
        with app.app_context(), db.writing() as session:
            case = case_from_request(session, session.get(Staff, other[0]))
            case_id = case.id
        page = browser.get(f"/staff/cases/{case_id}")
        assert page.status_code == 200
        assert _by_id(page.page, "legal-hold") is None


def test_a_refused_hold_comes_back_on_the_case_page_with_its_problems(app, coordinator, clock):
    case_id, _ = _closed_case(app, coordinator[0], clock.current - timedelta(days=3))
    browser = staff_client(app, coordinator)
    case_page = f"/staff/cases/{case_id}"

    refused = browser.submit(
        f"{PAGE}/holds",
        {"reason": "", "review_on": clock.current.date().isoformat()},
        form_page=case_page,
    )

    assert refused.status_code == 200
    assert refused.request.path == f"{PAGE}/holds"
    section = _hold_section(refused.page)
    summary = _text(next(el for el in section.iter("div") if el.get("class") == "error-summary"))
    assert "Say why it must be kept." in summary and "Choose a date after today." in summary
    assert _by_id(refused.page, "hold-reason").get("aria-invalid") == "true"
    with app.app_context():
        assert db.session.scalar(select(CaseHold.id)) is None


def test_another_centres_records_and_holds_are_not_found(app_factory, clock):
    app = app_factory(FJC_CENTRE_FILE=NETWORK_FILE)
    with app.app_context(), db.writing() as session:
        leuven = staff_at(session, "leuven", name="Lena Leuven")
        intake = request_in(session, "Leuven")
        triage.decide(session, intake, leuven, outcome=TriageOutcome.TRACK_2)
        case = cases.open_case(session, [intake], leuven, track=TriageOutcome.TRACK_2)
        assert case.centre_id == leuven.centre_id
        case.status = CaseStatus.CLOSED
        case.closed_at = _five_years_before(clock.current) + timedelta(days=5)
        number, case_id = case.number, case.id
        today = clock.current.date()
        hold = retention_holds.place(
            session, case, leuven, reason=REASON, review_on=today + timedelta(days=9), today=today
        )
        hold_id = hold.id
        mechelen = staff_at(session, "mechelen", name="Mira Mechelen")
        mechelen_login = (mechelen.id, mechelen.email)
    browser = staff_client(app, mechelen_login)

    page = browser.get(PAGE)
    assert f"/staff/cases/{case_id}" not in _links(page.page)
    assert number not in _text(page.page)
    token = {"csrf_token": _token(browser)}
    lift = browser.post(f"{PAGE}/holds/{hold_id}/lift", data={**token, "kind": "case_file"})
    assert lift.status_code == 404
    refused = browser.submit(
        f"{PAGE}/holds",
        {"record": number, "reason": "x", "review_on": (today + timedelta(days=3)).isoformat()},
        form_page=PAGE,
    )
    assert refused.status_code == 200
    assert "No case file or request of this centre has this number" in _text(refused.page)
    with app.app_context():
        assert db.session.get(CaseHold, hold_id).lifted_at is None
        assert db.session.scalar(select(func.count(CaseHold.id))) == 1
