"""Row ids from text a browser sent (a select's value, a query string).

`str.isdigit()` is not enough: it accepts "²" and "٣", which int() then refuses
or reads, and a long run of digits overflows the databases' 64-bit integers.
Either would end a request with a server error instead of a refusal."""

from __future__ import annotations

# The largest id SQLite and PostgreSQL (bigint) can hold.
MAX_ID = 2**63 - 1


def parse_id(value: object) -> int | None:
    """The id the text names (1 to MAX_ID, ASCII digits only), or None."""
    text = str(value).strip() if value is not None else ""
    if not (text.isascii() and text.isdigit()) or len(text) > len(str(MAX_ID)):
        return None
    number = int(text)
    return number if 1 <= number <= MAX_ID else None
