"""create-staff and create-partner name the centre an account works for."""

import pytest
from sqlalchemy import select

from core.infra.config import PROJECT_ROOT
from core.model import Centre, PartnerOrganisation, Staff
from core.network.centres import centres_of
from tests.conftest import TEST_PASSWORD
from web.db import db

EXAMPLE = str(PROJECT_ROOT / "data" / "centres-example.json")


@pytest.fixture
def network(app_factory):
    return app_factory(FJC_CENTRE_FILE=EXAMPLE)


def _create(app, *extra):
    args = ["create-staff", "ann@fjc.example", "--name", "Ann", "--role", "coordinator", *extra]
    return app.test_cli_runner().invoke(args=args, input=TEST_PASSWORD + "\n")


def _centres(app, email) -> list[str]:
    with app.app_context():
        staff = db.session.scalar(select(Staff).where(Staff.email == email))
        return [centre.slug for centre in centres_of(db.session, staff)]


def test_one_centre_needs_no_centre_option(app):
    assert _create(app).exit_code == 0
    assert _centres(app, "ann@fjc.example") == ["mechelen"]


def test_with_several_centres_the_centre_must_be_named(network):
    refused = _create(network)
    assert refused.exit_code == 1
    assert "several centres: add --centre (" in refused.output
    assert _create(network, "--centre", "leuven").exit_code == 0
    assert _centres(network, "ann@fjc.example") == ["leuven"]


def test_repeating_the_centre_makes_a_member_of_several_home_first(network):
    made = _create(network, "--centre", "antwerpen", "--centre", "leuven")
    assert made.exit_code == 0, made.output
    assert _centres(network, "ann@fjc.example") == ["antwerpen", "leuven"]


def test_an_unknown_centre_is_refused_before_anything_is_made(network):
    refused = _create(network, "--centre", "gent")
    assert refused.exit_code == 1 and "no centre with the slug gent" in refused.output
    assert _centres_count(network) == 0


def _centres_count(app) -> int:
    with app.app_context():
        return len(db.session.scalars(select(Staff)).all())


def test_a_partner_member_is_of_the_organisation_of_the_named_centre(network):
    made = network.test_cli_runner().invoke(
        args=[
            "create-partner",
            "p@police.example",
            "--name",
            "P",
            "--organisation",
            "Politiezone Leuven",
            "--kind",
            "police",
            "--centre",
            "leuven",
        ],
        input=TEST_PASSWORD + "\n",
    )
    assert made.exit_code == 0, made.output
    with network.app_context():
        member = db.session.scalar(select(Staff).where(Staff.email == "p@police.example"))
        organisation = db.session.get(PartnerOrganisation, member.organisation_id)
        leuven = db.session.scalar(select(Centre).where(Centre.slug == "leuven"))
        assert organisation.centre_id == leuven.id == member.centre_id
