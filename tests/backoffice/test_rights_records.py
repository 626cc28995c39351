"""Rectification, restriction and erasure on request (GDPR art. 16, 18, 17),
over HTTP: a correction keeps the old value with who, why and when; a
restricted record is stored but not matched, not counted and not shown to a
partner, until it is lifted; an erasure request is erased with the purge's
code or refused on a legal ground; only coordinators reach these pages."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, text

from core.casework import cases
from core.casework import people as people_rules
from core.infra import clock as core_clock
from core.intake.intakes import SafeContact, Submission, submit
from core.model import (
    AuditEvent,
    Case,
    CaseEvent,
    CasePerson,
    ErasureRequest,
    Intake,
    IntakeKind,
    PersonCorrection,
    Staff,
    TriageOutcome,
)
from tests.backoffice.helpers import staff_client
from tests.factories import decided_request
from tests.pages import form_values
from tests.partner.helpers import partner_client, police_and_school
from web.db import db

OLD_NAME = "Oldname Marker"
NEW_NAME = "Samira Newname"
PHONE = "0470 12 34 56"
STORY = "Mijn verhaal."  # tests.factories.decided_request


def _text(element) -> str:
    return " ".join("".join(element.itertext()).split())


def _by_id(page, element_id: str):
    return next((el for el in page.iter() if el.get("id") == element_id), None)


@pytest.fixture
def coordinator(app, make_staff):
    staff = make_staff("coordinator", name="Cora Coordinator")
    return staff[0], staff_client(app, staff)


def _file(app, staff_id: int) -> dict:
    """A case file opened from a request of OLD_NAME, who may be called."""
    with app.app_context(), db.writing() as session:
        staff = session.get(Staff, staff_id)
        intake = decided_request(session, staff, TriageOutcome.TRACK_2, name=OLD_NAME)
        case = cases.open_case(session, [intake], staff, track=TriageOutcome.TRACK_2)
        return {"case": case.id, "person": case.people[0].id, "intake": intake.id}


def _new_request(app, phone: str = PHONE) -> int:
    with app.app_context(), db.writing() as session:
        intake, _code = submit(
            session,
            Submission(
                kind=IntakeKind.CONTACT,
                language="nl",
                contact=SafeContact(name="Someone", phone=phone, may_call=True),
            ),
        )
        return intake.id


def _matches(client, intake_id: int) -> set[str]:
    """The request links under "Looks like the same person"."""
    page = client.get(f"/staff/intakes/{intake_id}").page
    heading = next(el for el in page.iter("h2") if _text(el) == "Looks like the same person")
    found, after = set(), False
    for el in page.iter():
        if el is heading:
            after = True
        elif after and el.tag == "h2":
            break
        elif after and el.tag == "a":
            found.add(el.get("href"))
    return found


def _history(page) -> list[dict[str, str]]:
    return [
        {td.get("class"): _text(td) for td in row.iter("td") if td.get("class")}
        for row in page.iter("tr")
        if row.get("class") == "correction"
    ]


def _actions(app) -> list[tuple[str, str | None]]:
    with app.app_context():
        return list(db.session.execute(select(AuditEvent.action, AuditEvent.detail)).all())


# --- Rectification ---------------------------------------------------------------


def test_a_correction_keeps_the_old_value_with_who_why_and_when(app, coordinator, clock):
    staff_id, client = coordinator
    file = _file(app, staff_id)
    page = f"/staff/rights/records/people/{file['person']}"
    clock.advance(minutes=2)
    corrected_at = clock.current
    response = client.submit(
        f"{page}/correct",
        {"field": "name", "value": NEW_NAME, "reason": "She asked by phone; ID checked."},
        form_page=page,
    )
    assert response.status_code == 303
    shown = client.get(page).page
    assert _text(_by_id(shown, "now-name")) == NEW_NAME
    [entry] = _history(shown)
    assert entry["old-value"] == OLD_NAME
    assert entry["new-value"] == NEW_NAME
    assert entry["reason"] == "She asked by phone; ID checked."
    assert entry["by"] == "Cora Coordinator"
    # The person's page in the case file reads the right name now.
    person_page = client.get(f"/staff/cases/{file['case']}/people/{file['person']}").page
    assert NEW_NAME in _text(person_page.find(".//h1"))
    with app.app_context():
        [row] = db.session.scalars(select(PersonCorrection)).all()
        assert (row.staff_id, row.created_at, row.old_value) == (staff_id, corrected_at, OLD_NAME)
        raw = db.session.execute(text("SELECT old_value, reason FROM person_corrections")).one()
        assert OLD_NAME not in " ".join(raw), "the old value is stored encrypted"
        assert (
            db.session.scalar(
                select(CaseEvent.detail).where(CaseEvent.action == "case.person_corrected")
            )
            == "victim"
        )
    [(action, detail)] = [a for a in _actions(app) if a[0] == "case.person_corrected"]
    assert detail == f"person {file['person']} field name correction {row.id}"


def test_a_correction_without_a_reason_changes_nothing_and_keeps_what_was_typed(app, coordinator):
    staff_id, client = coordinator
    file = _file(app, staff_id)
    page = f"/staff/rights/records/people/{file['person']}"
    refused = client.submit(f"{page}/correct", {"field": "name", "value": NEW_NAME}, form_page=page)
    assert refused.status_code == 200
    assert _text(_by_id(refused.page, "correct-reason-error")) == (
        "Write why. The person may ask to see it."
    )
    assert _by_id(refused.page, "correct-value").get("value") == NEW_NAME
    assert refused.page.find(".//title").text.startswith("Error")
    with app.app_context():
        assert db.session.get(CasePerson, file["person"]).name == OLD_NAME
        assert db.session.scalars(select(PersonCorrection)).all() == []


def test_her_phone_is_corrected_on_her_request_and_matched_by_the_new_number(app, coordinator):
    staff_id, client = coordinator
    file = _file(app, staff_id)
    person_page = client.get(f"/staff/rights/records/people/{file['person']}").page
    offered = {o.get("value") for o in _by_id(person_page, "correct-field").iter("option")}
    assert offered == {"", "name"}, "her phone and e-mail are her request's"
    page = f"/staff/rights/records/intakes/{file['intake']}"
    response = client.submit(
        f"{page}/correct",
        {"field": "phone", "value": "0470/99.88.77", "reason": "A new number, she says."},
        form_page=page,
    )
    assert response.status_code == 303
    [entry] = _history(client.get(page).page)
    assert (entry["old-value"], entry["new-value"]) == (PHONE, "0470 99 88 77")
    with app.app_context():
        assert db.session.get(CasePerson, file["person"]).phone == "0470 99 88 77"
    old_number, new_number = _new_request(app, PHONE), _new_request(app, "0470 99 88 77")
    assert f"/staff/intakes/{file['intake']}" not in _matches(client, old_number)
    assert f"/staff/intakes/{file['intake']}" in _matches(client, new_number)


# --- Restriction -------------------------------------------------------------------


def test_a_restricted_request_is_not_matched_until_it_is_lifted(app, coordinator):
    staff_id, client = coordinator
    first = _new_request(app)
    page = f"/staff/rights/records/intakes/{first}"
    restricted = client.submit(
        f"{page}/restrict", {"reason": "She says the request is not hers."}, form_page=page
    )
    assert restricted.status_code == 303
    again = _new_request(app)
    assert f"/staff/intakes/{first}" not in _matches(client, again)
    listed = client.get("/staff/rights/records").page
    assert page in {a.get("href") for a in listed.iter("a")}
    # Staff still see it, marked, and it finds nothing itself.
    assert _by_id(client.get(f"/staff/intakes/{first}").page, "rights-restricted") is not None
    assert _matches(client, first) == set()
    lifted = client.submit(f"{page}/lift", {"reason": "Checked: it is hers."}, form_page=page)
    assert lifted.status_code == 303
    assert f"/staff/intakes/{first}" in _matches(client, again)
    listed = client.get("/staff/rights/records").page
    assert page not in {a.get("href") for a in listed.iter("a")}
    actions = [action for action, _detail in _actions(app)]
    assert "intake.restricted" in actions and "intake.restriction_lifted" in actions


def test_a_restricted_person_s_request_is_not_matched(app, coordinator):
    staff_id, client = coordinator
    file = _file(app, staff_id)
    page = f"/staff/rights/records/people/{file['person']}"
    client.submit(f"{page}/restrict", {"reason": "She objects."}, form_page=page)
    again = _new_request(app)
    assert f"/staff/intakes/{file['intake']}" not in _matches(client, again)
    person_page = f"/staff/cases/{file['case']}/people/{file['person']}"
    assert _by_id(client.get(person_page).page, "rights-restricted") is not None
    client.submit(f"{page}/lift", {"reason": "She agrees again."}, form_page=page)
    assert f"/staff/intakes/{file['intake']}" in _matches(client, again)


def _total_requests(client) -> str:
    table = _by_id(client.get("/staff/stats").page, "table-months")
    last_row = list(table.find("tfoot").iter("tr"))[-1]
    return _text(list(last_row)[-1])


def test_a_restricted_record_is_not_counted_in_the_figures(app, coordinator):
    staff_id, client = coordinator
    file = _file(app, staff_id)
    _new_request(app, "0470 55 66 77")
    with app.app_context(), db.writing() as session:
        case = session.get(Case, file["case"])
        child, _relation = people_rules.add_person(
            session,
            case,
            session.get(Staff, staff_id),
            people_rules.PersonDetails(role="child", name="Kid", birth_year="2018"),
            2026,
        )
        child_id = child.id
    children = "Children in case files opened in this period: 1"
    assert _total_requests(client) == "2"
    assert _text(_by_id(client.get("/staff/stats").page, "children-in-cases")) == children
    request_page = f"/staff/rights/records/intakes/{file['intake']}"
    client.submit(f"{request_page}/restrict", {"reason": "Contested."}, form_page=request_page)
    child_page = f"/staff/rights/records/people/{child_id}"
    client.submit(f"{child_page}/restrict", {"reason": "Contested."}, form_page=child_page)
    assert _total_requests(client) == "1"
    assert _text(_by_id(client.get("/staff/stats").page, "children-in-cases")) == (
        "Children in case files opened in this period: 0"
    )
    client.submit(f"{request_page}/lift", {"reason": "Resolved."}, form_page=request_page)
    client.submit(f"{child_page}/lift", {"reason": "Resolved."}, form_page=child_page)
    assert _total_requests(client) == "2"
    assert _text(_by_id(client.get("/staff/stats").page, "children-in-cases")) == children


def test_a_partner_does_not_see_a_restricted_person(app, coordinator, clock):
    staff_id, client = coordinator
    file = _file(app, staff_id)
    roof = police_and_school(app, file["case"], staff_id, clock.current)
    police = partner_client(app, roof.inspector, clock.current)
    partner_page = f"/partner/cases/{file['case']}"
    seen = _text(police.get(partner_page).page)
    assert PHONE in seen and STORY in seen and OLD_NAME in seen
    page = f"/staff/rights/records/people/{file['person']}"
    client.submit(f"{page}/restrict", {"reason": "She objects to sharing."}, form_page=page)
    hidden = _text(police.get(partner_page).page)
    assert PHONE not in hidden and STORY not in hidden and OLD_NAME not in hidden
    # A print for that partner leaves her out too; the team's own print does not.
    for_police = _text(client.get(f"/staff/cases/{file['case']}/print?partner={roof.police}").page)
    assert PHONE not in for_police and OLD_NAME not in for_police
    assert OLD_NAME in _text(client.get(f"/staff/cases/{file['case']}/print").page)
    client.submit(f"{page}/lift", {"reason": "She agrees."}, form_page=page)
    assert PHONE in _text(police.get(partner_page).page)


def test_restricting_twice_or_lifting_nothing_is_refused(app, coordinator):
    staff_id, client = coordinator
    file = _file(app, staff_id)
    page = f"/staff/rights/records/intakes/{file['intake']}"
    # A page opened before someone else lifted it still sends the form.
    token = form_values(client.get(page).page, f"{page}/restrict")["csrf_token"]
    refused = client.post(f"{page}/lift", data={"csrf_token": token, "reason": "Nothing."})
    assert refused.status_code == 200
    [summary] = [el for el in refused.page.iter("div") if el.get("class") == "error-summary"]
    assert "Its use is not restricted." in _text(summary)
    no_reason = client.submit(f"{page}/restrict", {"reason": ""}, form_page=page)
    assert _text(_by_id(no_reason.page, "restrict-reason-error")) == (
        "Write why. The person may ask to see it."
    )


# --- Erasure on request ------------------------------------------------------------


def _yesterday() -> str:
    # A day before in UTC is never after the centre's today.
    return (core_clock.now() - timedelta(days=1)).date().isoformat()


def _register(client, number: str) -> str:
    response = client.submit(
        "/staff/rights/erasure",
        {
            "case_number": number,
            "received_on": _yesterday(),
            "note": "By letter, with a copy of her ID card.",
        },
    )
    assert response.status_code == 303, response.get_data(as_text=True)
    return response.headers["Location"]


def _number(app, case_id: int) -> str:
    with app.app_context():
        return db.session.get(Case, case_id).number


def test_a_refusal_needs_a_legal_ground_and_is_recorded(app, coordinator):
    staff_id, client = coordinator
    file = _file(app, staff_id)
    request_page = _register(client, _number(app, file["case"]))
    refused = client.submit(
        f"{request_page}/refuse", {"note": "A court case runs."}, form_page=request_page
    )
    assert refused.status_code == 200
    assert _text(_by_id(refused.page, "refuse-ground-error")) == (
        "Choose the legal ground for keeping the file."
    )
    with app.app_context():
        assert db.session.scalar(select(ErasureRequest.status)) == "open"
    done = client.submit(
        f"{request_page}/refuse",
        {"ground": "legal_claims", "note": "A court case runs."},
        form_page=request_page,
    )
    assert done.status_code == 303
    decision = _text(_by_id(client.get(request_page).page, "decision"))
    assert decision.startswith("Refused: It is needed for a court case or a complaint")
    assert "Cora Coordinator" in decision
    with app.app_context():
        assert db.session.get(Case, file["case"]).erased_at is None
    details = [d for a, d in _actions(app) if a == "case.erasure_refused"]
    assert len(details) == 1 and details[0].endswith("ground legal_claims")


def test_an_erasure_on_request_erases_the_closed_file_with_the_purge_s_code(app, coordinator):
    staff_id, client = coordinator
    file = _file(app, staff_id)
    person_page = f"/staff/rights/records/people/{file['person']}"
    client.submit(
        f"{person_page}/correct",
        {"field": "name", "value": NEW_NAME, "reason": "Asked."},
        form_page=person_page,
    )
    request_page = _register(client, _number(app, file["case"]))
    still_open = client.submit(f"{request_page}/erase", {}, form_page=request_page)
    assert still_open.status_code == 200
    assert "Close it first, then erase it." in _text(still_open.page)
    with app.app_context(), db.writing() as session:
        cases.close(
            session,
            session.get(Case, file["case"]),
            session.get(Staff, staff_id),
            "client_stopped",
            None,
        )
    erased = client.submit(f"{request_page}/erase", {}, form_page=request_page)
    assert erased.status_code == 303
    with app.app_context():
        case = db.session.get(Case, file["case"])
        assert case.erased_at is not None
        assert db.session.get(CasePerson, file["person"]).name is None
        assert db.session.get(Intake, file["intake"]).status == "erased"
        assert db.session.scalars(select(PersonCorrection)).all() == [], "old values go too"
        request = db.session.scalar(select(ErasureRequest))
        assert (request.status, request.request_note) == ("erased", None)
    assert "case.erased_on_request" in [a for a, _d in _actions(app)]
    assert _text(_by_id(client.get(request_page).page, "decision")).startswith("Erased")


def test_an_unknown_case_number_is_refused(app, coordinator):
    _staff_id, client = coordinator
    refused = client.submit(
        "/staff/rights/erasure", {"case_number": "1999-0001", "received_on": _yesterday()}
    )
    assert refused.status_code == 200
    assert _text(_by_id(refused.page, "erasure-case_number-error")) == (
        "This centre has no case file with this number."
    )


# --- Who may -------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["case_director", "admin", "network"])
def test_other_roles_are_refused(app, make_staff, coordinator, role):
    staff_id, _client = coordinator
    file = _file(app, staff_id)
    other = staff_client(app, make_staff(role))
    for path in (
        "/staff/rights/records",
        f"/staff/rights/records/people/{file['person']}",
        f"/staff/rights/records/intakes/{file['intake']}",
        "/staff/rights/erasure",
    ):
        assert other.get(path).status_code == 403, (role, path)
    token = other.get("/staff/account").page
    csrf = next(el.get("value") for el in token.iter("input") if el.get("name") == "csrf_token")
    posted = other.post(
        f"/staff/rights/records/intakes/{file['intake']}/restrict",
        data={"csrf_token": csrf, "reason": "Not mine to decide."},
    )
    assert posted.status_code == 403
    with app.app_context():
        assert "intake.restricted" not in [a for a, _d in _actions(app)]


def test_a_case_director_sees_no_way_to_the_rights_pages(app, make_staff, coordinator):
    staff_id, _client = coordinator
    file = _file(app, staff_id)
    director = staff_client(app, make_staff("case_director"))
    with app.app_context(), db.writing() as session:
        case = session.get(Case, file["case"])
        case.director_id = session.scalar(
            select(Staff.id).where(Staff.role == "case_director").order_by(Staff.id.desc())
        )
    page = director.get(f"/staff/cases/{file['case']}/people/{file['person']}").page
    links = {a.get("href") for a in page.iter("a")}
    assert f"/staff/rights/records/people/{file['person']}" not in links


def test_hostile_values_and_reasons_are_shown_as_typed_and_never_run(app, coordinator):
    staff_id, client = coordinator
    file = _file(app, staff_id)
    hostile = "<script>alert(1)</script> %(other)s {{ 7*7 }} \u202eevil"
    page = f"/staff/rights/records/people/{file['person']}"
    client.submit(
        f"{page}/correct", {"field": "name", "value": hostile, "reason": hostile}, form_page=page
    )
    client.submit(f"{page}/restrict", {"reason": hostile}, form_page=page)
    shown = client.get(page)
    assert "<script>alert(1)</script>" not in shown.get_data(as_text=True)
    [entry] = _history(shown.page)
    assert entry["new-value"] == hostile.replace("  ", " ")
    assert entry["reason"] == hostile.replace("  ", " ")
