"""Phone numbers are checked with the phonenumbers library, written one way, and
matched on digits that equal what the blind index hashed before it."""

import pytest

from core.infra import phones
from core.infra.blind_index import digits_only, normalise_phone, phone_index
from tests.conftest import make_test_app


@pytest.mark.parametrize(
    ("typed", "shown"),
    [
        ("0470 12 34 56", "0470 12 34 56"),
        ("0470/12.34.56", "0470 12 34 56"),
        ("0470123456", "0470 12 34 56"),
        (" 0470-12 34 56 ", "0470 12 34 56"),
        ("(0470) 12 34 56", "0470 12 34 56"),
        ("015 12 34 56", "015 12 34 56"),
        ("02 511 11 11", "02 511 11 11"),
        ("+32 470 12 34 56", "0470 12 34 56"),
        ("+32470123456", "0470 12 34 56"),
        ("0032 470 12 34 56", "0470 12 34 56"),
        ("0032 (0)470 12 34 56", "0470 12 34 56"),
        # Digits of other scripts, as a phone's keyboard may type them.
        ("٠٤٧٠١٢٣٤٥٦", "0470 12 34 56"),
        ("+31 6 12345678", "+31 6 12345678"),
        ("0031 6 12345678", "+31 6 12345678"),
        ("00 33 6 12 34 56 78", "+33 6 12 34 56 78"),
        ("+352 621 123 456", "+352 621 123 456"),
    ],
)
def test_a_valid_number_is_written_the_one_way_and_stays_so(typed, shown):
    assert phones.normalise(typed) == shown
    assert phones.normalise(shown) == shown


@pytest.mark.parametrize(
    "typed",
    [
        "0470 12 34",  # too short: the call can never come
        "012345",
        "0470 12 34 56 7",  # too long
        "0470 12 34 56 78 90 12 34 56 78",
        "+31 470 12 34 56",  # no such Dutch number
        "112",  # an emergency number is no number to call back
        "abc",
        "call me 0470 12 34 56 please",
        "+",
        "",
        "   ",
        None,
    ],
)
def test_what_nobody_can_call_is_refused(typed):
    with pytest.raises(phones.NotAPhoneNumber):
        phones.normalise(typed)
    assert phones.canonical(typed) is None


def test_the_canonical_digits_are_national_at_home_and_with_00_abroad():
    assert phones.canonical("+32 470 12 34 56") == "0470123456"
    assert phones.canonical("015 12 34 56") == "015123456"
    assert phones.canonical("+31 6 12345678") == "0031612345678"
    assert phones.canonical("+39 06 1234 5678") == "00390612345678"


# Valid numbers written as the portal accepted them before they were checked
# (ASCII digits, spaces, ()./- and a leading +): the indexes stored then.
WRITTEN_BEFORE = [
    "0470 12 34 56",
    "0470/12.34.56",
    " 0470-123456 ",
    "+32 470 12 34 56",
    "+32 (0)470 12 34 56",
    "0032 470 12 34 56",
    "0032 (0)470 12 34 56",
    "015 12 34 56",
    "(015) 12.34.56",
    "+31 6 12345678",
    "0031 6 12345678",
    "+33 6 12 34 56 78",
    "+39 06 1234 5678",
    "+44 20 7946 0958",
]


@pytest.mark.parametrize("typed", WRITTEN_BEFORE)
def test_the_canonical_digits_are_what_the_index_hashed_before(typed):
    assert phones.canonical(typed) == digits_only(typed)
    assert normalise_phone(typed) == digits_only(typed)


def test_what_is_not_a_valid_number_keeps_its_old_index_digits():
    # Stored before numbers were checked: still found by the same hash.
    assert normalise_phone("0470 12 34") == "04701234"
    assert normalise_phone(" / . ") is None
    assert normalise_phone(None) is None


@pytest.fixture
def keyring_app(tmp_path):
    """An app only for its key ring: no database is touched."""
    return make_test_app(
        f"sqlite:///{tmp_path / 'unused.sqlite3'}", tmp_path, FJC_INDEX_KEY="index-key-one"
    )


def test_one_number_typed_three_ways_has_one_index(keyring_app):
    indexes = {
        phone_index(typed)
        for typed in ("+32 470 12 34 56", "0032 (0)470 12 34 56", "0470/12.34.56")
    }
    assert len(indexes) == 1 and None not in indexes
    # The form stored now gives the index the typed forms give.
    assert phone_index(phones.normalise("+32470123456")) in indexes
    assert phone_index("+31 6 12345678") == phone_index("0031 (0)6 12345678")
    assert phone_index("+31 6 12345678") != phone_index("+32 6 12345678")
