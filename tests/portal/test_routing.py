"""A request goes to the centre of the municipality the person gives (for a
referral: the client's), else to the default centre; it reaches that centre's
queue and no other's."""

import pytest
from sqlalchemy import select

from core.identity.staff import create_staff
from core.infra.config import PROJECT_ROOT
from core.model import Centre, Intake
from tests.backoffice.helpers import staff_client
from tests.conftest import TEST_PASSWORD
from tests.portal.helpers import municipality_id
from web.db import db

EXAMPLE = str(PROJECT_ROOT / "data" / "centres-example.json")


@pytest.fixture
def network(app_factory):
    return app_factory(FJC_CENTRE_FILE=EXAMPLE)


def _centre_of_the_request(app) -> str:
    with app.app_context():
        intake = db.session.scalars(select(Intake)).one()
        return db.session.get(Centre, intake.centre_id).slug


def _contact(app, client, municipality: str | None):
    data = {"name": "Sam", "phone": "0470 11 22 33", "phone_permissions": ["call"]}
    if municipality:
        data["municipality"] = municipality_id(app, municipality)
    sent = client.submit("/en/contact", data)
    assert "return code" in sent.get_data(as_text=True).lower(), "the request was refused"


@pytest.mark.parametrize(
    ("municipality", "centre"),
    [("Herent", "leuven"), ("Antwerpen", "antwerpen"), ("Lier", "mechelen"), (None, "mechelen")],
)
def test_a_request_goes_to_its_municipality_s_centre(network, municipality, centre):
    _contact(network, network.test_client(), municipality)
    assert _centre_of_the_request(network) == centre


def test_a_referral_goes_to_the_centre_of_the_client_s_municipality(network):
    client = network.test_client()
    sent = client.submit(
        "/en/referral",
        {
            "referrer_organisation": "CAW Antwerpen",
            "referrer_role": "Social worker",
            "referrer_name": "Jo",
            "referrer_phone": "015 12 34 56",
            "referrer_email": "jo@caw.example",
            "client_consent": "agrees",
            "name": "Client",
            "phone": "0470 99 88 77",
            "phone_permissions": ["call"],
            "municipality": municipality_id(network, "Leuven"),
            "children_involved": "no",
            "urgency": "this_week",
            "story": "First referral.",
        },
    )
    assert "return code" in sent.get_data(as_text=True).lower(), "the referral was refused"
    assert _centre_of_the_request(network) == "leuven"


def test_the_portal_offers_the_municipalities_of_the_whole_network(network):
    page = network.test_client().get("/en/contact").page
    offered = {option.text for option in page.iter("option")}
    assert {"Herent", "Antwerpen", "Lier"} <= offered


def _coordinator_of(app, slug: str, email: str):
    with app.app_context(), db.writing() as session:
        centre = session.scalar(select(Centre).where(Centre.slug == slug))
        staff = create_staff(
            session,
            email=email,
            name=f"Coordinator {slug}",
            role="coordinator",
            password=TEST_PASSWORD,
            centre_id=centre.id,
        )
        return staff.id, email


def test_a_leuven_request_is_in_leuven_s_queue_and_not_in_mechelen_s(network):
    _contact(network, network.test_client(), "Herent")
    with network.app_context():
        intake_id = db.session.scalar(select(Intake.id))
    leuven = staff_client(network, _coordinator_of(network, "leuven", "l@fjc.example"))
    mechelen = staff_client(network, _coordinator_of(network, "mechelen", "m@fjc.example"))
    link = f"/staff/intakes/{intake_id}"

    def linked(client) -> bool:
        page = client.get("/staff/?status=all").page
        return any(a.get("href") == link for a in page.iter("a"))

    assert linked(leuven) and not linked(mechelen)
    assert leuven.get(link).status_code == 200
    assert mechelen.get(link).status_code == 404
    # Each header says which centre the page is of.
    assert "Family Justice Center Leuven" in leuven.get("/staff/").get_data(as_text=True)
