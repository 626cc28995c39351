"""Row ids read from what a browser sent: anything but a plain id is None."""

import pytest

from core.infra.ids import MAX_ID, parse_id


@pytest.mark.parametrize(("text", "expected"), [("1", 1), (" 42 ", 42), (str(MAX_ID), MAX_ID)])
def test_a_plain_id_is_read(text, expected):
    assert parse_id(text) == expected


@pytest.mark.parametrize(
    "text", ["", "0", "-3", "1.5", "²", "٣", "12a", str(MAX_ID + 1), "9" * 400, None]
)
def test_anything_else_is_no_id(text):
    assert parse_id(text) is None
