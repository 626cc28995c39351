import pytest

from core.infra import crypto
from core.intake import return_codes


@pytest.fixture
def keys():
    crypto._keyring = crypto.KeyRing(
        [crypto.Fernet.generate_key().decode()], b"index-key", [b"audit"]
    )
    yield
    crypto._keyring = None


def test_a_code_has_sixteen_digits_and_is_shown_in_four_groups():
    code = return_codes.generate()
    assert len(code) == 16 and code.isdigit()
    shown = return_codes.display(code)
    assert [len(group) for group in shown.split(" ")] == [4, 4, 4, 4]
    assert shown.replace(" ", "") == code


def test_codes_differ():
    assert len({return_codes.generate() for _ in range(1000)}) == 1000


@pytest.mark.parametrize(
    "typed",
    ["0123456789012345", "0123 4567 8901 2345", " 0123-4567-8901-2345 ", "0123.4567 89012345"],
)
def test_a_typed_code_is_found_with_or_without_separators(typed):
    assert return_codes.normalise(typed) == "0123456789012345"


@pytest.mark.parametrize(
    "typed",
    ["", "012345678901234", "01234567890123456", "0123 4567 8901 234x", "١٢٣٤٥٦٧٨٩٠١٢٣٤٥٦"],
)
def test_anything_else_is_not_a_code(typed):
    assert return_codes.normalise(typed) is None


def test_the_lookup_key_is_keyed_and_hides_the_code(keys):
    code = "0123456789012345"
    key = return_codes.lookup_key(code)
    assert key == return_codes.lookup_key(code)
    assert code not in key and len(key) == 64
    crypto._keyring = crypto.KeyRing(
        [crypto.Fernet.generate_key().decode()], b"other-key", [b"audit"]
    )
    assert return_codes.lookup_key(code) != key
