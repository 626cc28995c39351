"""Blind indexes match the same person's details however they were typed, and
reveal nothing without FJC_INDEX_KEY."""

from datetime import date

import pytest
from sqlalchemy import select

from core.infra.blind_index import (
    email_index,
    name_birth_index,
    normalise_phone,
    phone_index,
)
from core.intake.intakes import SafeContact, Submission, submit
from core.model import Intake, IntakeKind
from tests.conftest import make_test_app
from web.db import db


@pytest.fixture
def index_app(tmp_path):
    """An app only for its key ring: these tests never touch the database."""

    def _make(index_key: str = "index-key-one"):
        return make_test_app(
            f"sqlite:///{tmp_path / 'unused.sqlite3'}", tmp_path, FJC_INDEX_KEY=index_key
        )

    return _make


SAME_MOBILE = [
    "+32 470 12 34 56",
    "0470/12.34.56",
    "0470 12 34 56",
    "0032 470 12 34 56",
    "+32 (0)470 12 34 56",
    " 0470-123456 ",
]


def test_one_mobile_number_typed_many_ways_has_one_index(index_app):
    index_app()
    assert {normalise_phone(typed) for typed in SAME_MOBILE} == {"0470123456"}
    indexes = {phone_index(typed) for typed in SAME_MOBILE}
    assert len(indexes) == 1
    assert None not in indexes


def test_different_numbers_and_foreign_numbers_do_not_match(index_app):
    index_app()
    assert phone_index("0470 12 34 56") != phone_index("0470 12 34 57")
    # The same subscriber digits in the Netherlands are another number.
    assert phone_index("+31 470 12 34 56") != phone_index("+32 470 12 34 56")


def test_email_matches_whatever_the_case_and_surrounding_spaces(index_app):
    index_app()
    assert email_index("  Ann.Peeters@Example.BE ") == email_index("ann.peeters@example.be")
    assert email_index("ann.peeters@example.be") != email_index("an.peeters@example.be")


def test_name_and_birth_date_match_across_order_case_and_accents(index_app):
    index_app()
    born = date(1990, 5, 17)
    reference = name_birth_index("Zoë Van den Broeck", born)
    assert reference is not None
    assert name_birth_index("VAN DEN BROECK  zoe", born) == reference
    assert name_birth_index("van-den-broeck, Zoë", born) == reference
    assert name_birth_index("Zoë Van den Broeck", date(1990, 5, 18)) != reference
    assert name_birth_index("Zoë Van den Broeck", None) is None


def test_empty_values_have_no_index_so_they_never_match_each_other(index_app):
    index_app()
    assert phone_index("") is None
    assert phone_index(" / . ") is None
    assert email_index("   ") is None
    assert name_birth_index("  ", date(2000, 1, 1)) is None


def test_the_index_is_a_keyed_hash_that_changes_with_fjc_index_key(index_app):
    index_app("index-key-one")
    under_one = (phone_index(SAME_MOBILE[0]), email_index("ann@example.be"))
    index_app("index-key-two")
    under_two = (phone_index(SAME_MOBILE[0]), email_index("ann@example.be"))
    assert under_one[0] != under_two[0]
    assert under_one[1] != under_two[1]
    for value in under_one + under_two:
        assert len(value) == 64
        assert "0470123456" not in value and "ann" not in value
    # The same key gives the same index again: matching is stable across restarts.
    index_app("index-key-one")
    assert (phone_index(SAME_MOBILE[0]), email_index("ann@example.be")) == under_one


def test_phone_and_email_indexes_are_stored_and_find_the_earlier_request(app):
    with app.app_context():
        with db.writing() as session:
            first, _ = submit(
                session,
                Submission(
                    kind=IntakeKind.CONTACT,
                    language="nl",
                    contact=SafeContact(phone="+32 470 12 34 56", email="Ann@Example.be"),
                ),
            )
            first_id = first.id
        by_phone = db.session.scalars(
            select(Intake.id).where(Intake.phone_index == phone_index("0470/12.34.56"))
        ).all()
        by_email = db.session.scalars(
            select(Intake.id).where(Intake.email_index == email_index("ann@example.BE"))
        ).all()
    assert by_phone == [first_id]
    assert by_email == [first_id]
