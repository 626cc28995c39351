import re

from sqlalchemy import select

from core.model import Intake, IntakeKind
from tests.portal.helpers import municipality_id
from web.db import db

CODE = re.compile(r"\b\d{4} \d{4} \d{4} \d{4}\b")


def _referral(app, **changes):
    data = {
        "referrer_organisation": "Politiezone Mechelen-Willebroek",
        "referrer_role": "Wijkinspecteur",
        "referrer_name": "Inspecteur Janssens",
        "referrer_phone": "015 12 34 56",
        "referrer_email": "janssens@police.example",
        "client_consent": "agrees",
        "name": "Mevrouw A.",
        "phone": "0470 99 88 77",
        "phone_permissions": ["call"],
        "municipality": municipality_id(app, "Mechelen"),
        "children_involved": "yes",
        "risk_concerns": ["separation", "strangulation"],
        "risk_text": "Ex-partner staat aan de deur.",
        "urgency": "today",
        "story": "Eerste melding.",
    }
    data.update(changes)
    return data


def test_a_referral_is_stored_with_the_referrer_and_the_risks(app, client):
    response = client.submit("/nl/referral", _referral(app))
    assert len(CODE.findall(response.get_data(as_text=True))) == 1
    with app.app_context():
        intake = db.session.scalars(select(Intake)).one()
        referral = intake.referral
        assert intake.kind == IntakeKind.REFERRAL
        assert intake.phone == "0470 99 88 77" and intake.may_call is True
        assert referral.organisation == "Politiezone Mechelen-Willebroek"
        assert referral.name == "Inspecteur Janssens"
        assert referral.client_consent == "agrees"
        assert referral.legal_basis is None
        assert referral.risk_concerns == ["separation", "strangulation"]
        assert referral.urgency == "today"


def test_without_consent_a_legal_basis_is_required(app, client):
    response = client.submit("/en/referral", _referral(app, client_consent="no_consent"))
    assert "Without consent, choose the basis for this referral." in response.get_data(as_text=True)
    accepted = client.submit(
        "/en/referral",
        _referral(app, client_consent="no_consent", legal_basis="case_consultation"),
    )
    assert CODE.search(accepted.get_data(as_text=True))
    with app.app_context():
        referral = db.session.scalars(select(Intake)).one().referral
    assert referral.legal_basis == "case_consultation"


def test_the_referrer_and_a_way_to_reach_the_client_are_required(app, client):
    response = client.submit(
        "/en/referral",
        _referral(
            app,
            referrer_organisation="",
            referrer_name="",
            referrer_phone="",
            referrer_email="",
            phone="",
            phone_permissions=[],
            urgency="",
        ),
    )
    body = response.get_data(as_text=True)
    for message in (
        "Type the name of your organisation.",
        "Type your name.",
        "Give your phone number or your e-mail address.",
        "Tell us how urgent it is.",
        "or tick",
    ):
        assert message in body, message
    with app.app_context():
        assert db.session.scalars(select(Intake)).all() == []


def test_a_client_can_be_reached_through_the_referrer(app, client):
    response = client.submit(
        "/en/referral",
        _referral(app, phone="", phone_permissions=[], contact_via_referrer="y"),
    )
    assert CODE.search(response.get_data(as_text=True))
    with app.app_context():
        intake = db.session.scalars(select(Intake)).one()
        assert intake.phone is None
        assert intake.referral.contact_via_referrer is True


def test_the_referral_form_asks_about_the_client_not_about_you(client):
    labels = [label.text for label in client.get("/en/referral").page.iter("label")]
    assert "The client's phone number" in labels
    assert "Phone number" not in labels
