"""Editing a partner's details over HTTP: who, not on what basis."""

from datetime import timedelta

from sqlalchemy import select

from core.casework import partners
from core.infra import clock as core_clock
from core.model import AuditEvent, Case, CaseEvent, CasePartner, Staff, TriageOutcome
from tests.backoffice.helpers import open_test_case, staff_client
from tests.pages import form_values
from web.db import db


def _setup(app, make_staff):
    ann = make_staff("case_director", name="Ann")
    case_id = open_test_case(app, ann[0], TriageOutcome.TRACK_3)
    with app.app_context(), db.writing() as session:
        partner_id = partners.add_partner(
            session,
            session.get(Case, case_id),
            session.get(Staff, ann[0]),
            kind="caw",
            organisation="CAW Oost",
            basis="consent",
            contact_name="Lies",
            scope=["story"],
            consent_given_at=core_clock.now() - timedelta(days=1),
        ).id
    return ann, case_id, partner_id


def _form(**extra):
    data = {
        "kind": "youth_care",
        "organisation": "Jongerenwelzijn Gent",
        "contact_name": "Tom",
        "contact_details": "09 999 99 99",
    }
    data.update(extra)
    return data


def test_a_change_is_saved_shown_and_audited_but_the_basis_stays(app, make_staff):
    ann, case_id, partner_id = _setup(app, make_staff)
    director = staff_client(app, ann)
    case_page = f"/staff/cases/{case_id}"
    edit = f"{case_page}/partners/{partner_id}"
    assert f'href="{edit}"' in director.get(case_page).get_data(as_text=True)
    page = director.get(edit).get_data(as_text=True)
    assert 'value="CAW Oost"' in page and "withdraw it, then add the partner again" in page

    saved = director.submit(edit, _form())
    assert saved.status_code == 303
    assert saved.headers["Location"].endswith(f"{case_page}#partner-{partner_id}")
    body = director.get(case_page).get_data(as_text=True)
    assert (
        "The partner&#39;s details are saved." in body or "The partner's details are saved." in body
    )
    assert "Jongerenwelzijn Gent" in body and "09 999 99 99" in body and "CAW Oost" not in body
    assert "Partner details changed: Youth care" in body
    assert "May see: The story" in body
    with app.app_context():
        partner = db.session.get(CasePartner, partner_id)
        assert (partner.kind, partner.contact_name) == ("youth_care", "Tom")
        assert partner.basis == "consent" and partner.consent_scope == ["story"]
        audited = db.session.scalars(
            select(AuditEvent.detail).where(AuditEvent.action == "case.partner_updated")
        ).all()
    assert audited == [f"partner {partner_id}"]

    again = director.submit(edit, _form())
    assert again.status_code == 303
    assert "Nothing was changed." in director.get(case_page).get_data(as_text=True)
    with app.app_context():
        events = db.session.scalars(
            select(CaseEvent).where(CaseEvent.action == "case.partner_updated")
        ).all()
    assert len(events) == 1


def test_bad_input_keeps_what_was_typed_with_an_error(app, make_staff):
    ann, case_id, partner_id = _setup(app, make_staff)
    director = staff_client(app, ann)
    edit = f"/staff/cases/{case_id}/partners/{partner_id}"
    refused = director.submit(edit, _form(organisation="  ", contact_name="Typed name"))
    assert refused.status_code == 200
    body = refused.get_data(as_text=True)
    assert 'role="alert"' in body and 'href="#edit-organisation"' in body
    assert "Name the organisation." in body
    organisation = _by_id(refused.page, "edit-organisation")
    assert organisation.get("aria-invalid") == "true"
    assert organisation.get("aria-describedby") == "edit-organisation-error"
    assert _by_id(refused.page, "edit-contact-name").get("value") == "Typed name"
    kind = _by_id(refused.page, "edit-kind")
    assert [o.get("value") for o in kind.iter("option") if o.get("selected") is not None] == [
        "youth_care"
    ]

    too_long = director.submit(edit, _form(contact_details="x" * 501))
    assert too_long.status_code == 200
    body = too_long.get_data(as_text=True)
    assert "Keep the contact details to 500 characters or fewer." in body
    assert 'href="#edit-contact-details"' in body
    with app.app_context():
        partner = db.session.get(CasePartner, partner_id)
        assert (partner.organisation, partner.contact_name) == ("CAW Oost", "Lies")


def test_a_partner_of_another_file_is_not_found(app, make_staff):
    ann, case_id, partner_id = _setup(app, make_staff)
    other_case = open_test_case(app, ann[0], TriageOutcome.TRACK_3)
    director = staff_client(app, ann)
    wrong = f"/staff/cases/{other_case}/partners/{partner_id}"
    assert director.get(wrong).status_code == 404
    token_page = director.get(f"/staff/cases/{case_id}/partners/{partner_id}")
    token = form_values(token_page.page)["csrf_token"]
    assert director.post(wrong, data={**_form(), "csrf_token": token}).status_code == 404
    bram = staff_client(app, make_staff("case_director", name="Bram"))
    assert bram.get(f"/staff/cases/{case_id}/partners/{partner_id}").status_code == 403


def test_a_closed_file_refuses_changes(app, make_staff):
    ann, case_id, partner_id = _setup(app, make_staff)
    director = staff_client(app, ann)
    edit = f"/staff/cases/{case_id}/partners/{partner_id}"
    token = form_values(director.get(edit).page)["csrf_token"]
    closed = director.submit(
        f"/staff/cases/{case_id}/close",
        {"reason": "goals_reached"},
        form_page=f"/staff/cases/{case_id}",
    )
    assert closed.status_code == 303
    page = director.get(edit)
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert "This case file is closed: nothing can be changed." in body
    assert page.page.find(".//input[@name='organisation']") is None
    assert director.post(edit, data={**_form(), "csrf_token": token}).status_code == 303
    with app.app_context():
        assert db.session.get(CasePartner, partner_id).organisation == "CAW Oost"


def _by_id(page, element_id):
    return next(el for el in page.iter() if el.get("id") == element_id)
