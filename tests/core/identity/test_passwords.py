"""The password policy and argon2id hashing."""

import pytest
from argon2 import PasswordHasher
from sqlalchemy import select

from core.identity import passwords
from core.identity.passwords import PasswordRejected, check_policy
from core.identity.staff import authenticate
from core.model import Staff
from tests.conftest import CHEAP_HASHER
from web.db import db


def _refused(password: str, **personal) -> str:
    with pytest.raises(PasswordRejected) as caught:
        check_policy(password, **personal)
    return caught.value.code


def test_length_is_12_to_128_characters_and_nothing_else_is_demanded():
    assert _refused("a" * 11) == "too_short"
    assert _refused("b" * 129) == "too_long"
    check_policy("zzzzzzzzzzzz")  # no digits, capitals or symbols demanded
    check_policy("ü" * 128)


@pytest.mark.parametrize("common", ["qwertyqwerty", "QWERTY123456", "Q1W2E3R4T5Y6", "password1234"])
def test_the_most_common_passwords_are_refused_whatever_their_case(common):
    assert common.lower() in passwords.common_passwords()
    assert _refused(common) == "common"


def test_the_list_is_djangos_20000_common_passwords():
    assert len(passwords.common_passwords()) > 19_000
    assert passwords.COMMON_PASSWORDS_FILE.with_name("common-passwords.LICENSE").exists()


def test_the_email_address_or_the_name_is_refused():
    email, name = "ann.peeters@fjc-mechelen.example", "Ann Peeters Janssens"
    assert _refused("ANN.PEETERS@fjc-mechelen.example", email=email, name=name) == "personal"
    assert _refused("ann peeters janssens", email=email, name=name) == "personal"
    assert _refused("Ann.Peeters.FJC", email="ann.peeters.fjc@x.example") == "personal"
    check_policy("ann peeters janssens is fine elsewhere", email=email, name=name)


def test_hashes_are_argon2id_and_an_invited_account_has_no_usable_password():
    stored = passwords.hash_password("a long enough passphrase")
    assert stored.startswith("$argon2id$")
    assert passwords.verify_password(stored, "a long enough passphrase")
    assert not passwords.verify_password("", "not a real password, only spends time")
    assert not passwords.verify_password(None, "not a real password, only spends time")


@pytest.fixture
def production_hashing():
    """The one place the suite pays argon2id's real cost (the rest hashes cheaply)."""
    passwords.use_hasher(passwords.PRODUCTION_HASHER)
    yield
    passwords.use_hasher(CHEAP_HASHER)


def test_a_hash_made_with_old_parameters_is_made_again_at_sign_in(
    app, make_staff, production_hashing
):
    staff_id, email = make_staff("coordinator")
    weak = PasswordHasher(time_cost=1, memory_cost=8 * 1024, parallelism=1)
    with app.app_context(), db.writing() as session:
        session.get(Staff, staff_id).password_hash = weak.hash("correct horse battery staple")
    with app.app_context(), db.writing() as session:
        assert authenticate(session, email, "correct horse battery staple") is not None
    with app.app_context():
        stored = db.session.scalar(select(Staff.password_hash).where(Staff.id == staff_id))
    assert not passwords.needs_rehash(stored)
    assert "m=65536,t=3,p=4" in stored


def test_the_shipped_dummy_hash_has_the_production_profile():
    # A new argon2-cffi default would make unknown e-mails cheaper (or dearer)
    # to try than known ones: regenerate PRODUCTION_DUMMY_HASH then.
    assert passwords.same_profile(passwords.PRODUCTION_DUMMY_HASH, passwords.PRODUCTION_HASHER)
    assert not passwords.same_profile(passwords.PRODUCTION_DUMMY_HASH, CHEAP_HASHER)


def test_an_unknown_email_costs_one_verification_and_no_hash(monkeypatch):
    made = []

    class Counting(PasswordHasher):
        def hash(self, password, *, salt=None):
            made.append(password)
            return super().hash(password, salt=salt)

    production = Counting()  # the production profile (argon2-cffi's defaults)
    passwords.use_hasher(production)
    try:
        assert passwords.verify_password(None, "a long enough passphrase") is False
    finally:
        passwords.use_hasher(CHEAP_HASHER)
    assert made == []  # the first unknown e-mail is not slower than the next


def test_another_profile_makes_its_own_dummy_once():
    passwords.use_hasher(CHEAP_HASHER)
    assert passwords.verify_password(None, "a long enough passphrase") is False
    assert passwords.same_profile(passwords._dummy_hash(), CHEAP_HASHER)
