"""Partners on a case file over HTTP: what each may see, withdrawal, access."""

from datetime import timedelta

from sqlalchemy import select

from core.infra import clock as core_clock
from core.model import AuditEvent, CasePartner, TriageOutcome
from tests.backoffice.helpers import open_test_case, staff_client
from tests.pages import form_values
from web.db import db


def _case(app, director_id) -> int:
    return open_test_case(app, director_id, TriageOutcome.TRACK_3)


def _partner(**extra):
    data = {
        "kind": "caw",
        "organisation": "CAW Oost-Vlaanderen",
        "contact_name": "Lies",
        "contact_details": "09 123 45 67",
        "basis": "consent",
        "scope": ["contact_details", "story"],
        "consent_given_on": (core_clock.now() - timedelta(days=1)).date().isoformat(),
    }
    data.update(extra)
    return data


def test_a_consent_partner_may_see_its_scope_until_consent_is_withdrawn(app, make_staff):
    ann = make_staff("case_director", name="Ann")
    case_id = _case(app, ann[0])
    director = staff_client(app, ann)
    page = f"/staff/cases/{case_id}"
    body = director.get(page).get_data(as_text=True)
    assert "No partners yet." in body

    added = director.submit(f"{page}/partners", _partner(), form_page=page)
    assert added.status_code == 303
    body = director.get(page).get_data(as_text=True)
    assert "The partner is added." in body
    assert "CAW Oost-Vlaanderen" in body and "Lies" in body
    assert "May see: Contact details, The story" in body
    assert "Partner added" in body

    with app.app_context():
        partner_id = db.session.scalar(select(CasePartner.id))
        details = db.session.scalars(
            select(AuditEvent.detail).where(AuditEvent.action == "case.partner_added")
        ).all()
    assert details == [f"partner {partner_id} caw consent"]

    withdrawn = director.submit(
        f"{page}/partners/{partner_id}/withdraw",
        {},
        form_page=page,
    )
    assert withdrawn.status_code == 303
    body = director.get(page).get_data(as_text=True)
    assert "Nothing any more: consent withdrawn on" in body
    assert "May see:" not in body
    assert "The client withdraws consent" not in body


def test_a_case_consultation_partner_may_see_every_part(app, make_staff):
    ann = make_staff("case_director", name="Ann")
    case_id = _case(app, ann[0])
    director = staff_client(app, ann)
    page = f"/staff/cases/{case_id}"
    added = director.submit(
        f"{page}/partners",
        _partner(kind="police", organisation="PZ Gent", basis="case_consultation", scope=[]),
        form_page=page,
    )
    assert added.status_code == 303
    body = director.get(page).get_data(as_text=True)
    assert "May see: Contact details, The story, Risk assessment, Safety plan" in body
    assert "The client withdraws consent" not in body


def test_a_refused_partner_keeps_what_was_typed(app, make_staff):
    ann = make_staff("case_director", name="Ann")
    case_id = _case(app, ann[0])
    director = staff_client(app, ann)
    page = f"/staff/cases/{case_id}"
    refused = director.submit(f"{page}/partners", _partner(scope=[]), form_page=page)
    assert refused.status_code == 200
    body = refused.get_data(as_text=True)
    assert "Tick what the client agreed may be shared." in body
    assert 'value="CAW Oost-Vlaanderen"' in body
    consent = next(
        el
        for el in refused.page.iter("input")
        if el.get("name") == "basis" and el.get("value") == "consent"
    )
    assert consent.get("checked") is not None
    with app.app_context():
        assert db.session.scalars(select(CasePartner)).all() == []


def test_a_case_director_not_on_the_file_cannot_add_or_withdraw(app, make_staff):
    ann = make_staff("case_director", name="Ann")
    case_id = _case(app, ann[0])
    director = staff_client(app, ann)
    page = f"/staff/cases/{case_id}"
    director.submit(f"{page}/partners", _partner(), form_page=page)
    with app.app_context():
        partner_id = db.session.scalar(select(CasePartner.id))

    bram = staff_client(app, make_staff("case_director", name="Bram"))
    # A valid token from a page Bram may see, so only the file rule can refuse.
    token = form_values(bram.get("/staff/cases").page)["csrf_token"]
    refused = bram.post(f"{page}/partners", data={**_partner(), "csrf_token": token})
    assert refused.status_code == 403
    refused = bram.post(f"{page}/partners/{partner_id}/withdraw", data={"csrf_token": token})
    assert refused.status_code == 403
    with app.app_context():
        partner = db.session.get(CasePartner, partner_id)
        assert partner.consent_withdrawn_at is None
        assert len(db.session.scalars(select(CasePartner)).all()) == 1
