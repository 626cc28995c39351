"""Phone numbers: checked and written one way with the `phonenumbers` library
(Google's libphonenumber), so a number nobody can call is refused where it is
typed, and staff read every number the same way.

A number without a country code is Belgian: "0470 12 34 56", "015 12 34 56",
"0470/12.34.56". Another country's number starts with + or 00:
"+31 6 12345678", "0032 470 12 34 56". Digits of other scripts (Arabic-Indic,
full-width) are read as digits.
"""

from __future__ import annotations

import phonenumbers
from phonenumbers import PhoneNumber, PhoneNumberFormat

HOME_REGION = "BE"
_HOME_COUNTRY_CODE = 32


class NotAPhoneNumber(ValueError):
    """What was typed is not a number anyone can call: too short, too long,
    not assigned in its country's numbering plan, or not a number at all."""


def _parse(typed: str | None) -> PhoneNumber | None:
    """The number, or None when it is not a valid one."""
    text = (typed or "").strip()
    if not text:
        return None
    try:
        number = phonenumbers.parse(text, HOME_REGION)
    except phonenumbers.NumberParseException:
        return None
    return number if phonenumbers.is_valid_number(number) else None


def normalise(typed: str | None) -> str:
    """The form stored and shown: a Belgian number in national format
    ("0470 12 34 56"), another in international format ("+31 6 12345678").
    Raises NotAPhoneNumber. Written again, the result stays the same."""
    number = _parse(typed)
    if number is None:
        raise NotAPhoneNumber(typed)
    if number.country_code == _HOME_COUNTRY_CODE:
        return phonenumbers.format_number(number, PhoneNumberFormat.NATIONAL)
    return phonenumbers.format_number(number, PhoneNumberFormat.INTERNATIONAL)


def canonical(typed: str | None) -> str | None:
    """Digits that are equal when the number is: what the blind index hashes.
    None when what was typed is not a valid number.

    They are the digits the index used before this module (so indexes stored
    then still match): a Belgian number's national digits ("0470123456"),
    another country's "00", country code and national number
    ("0031612345678"); an extension's digits follow.
    """
    number = _parse(typed)
    if number is None:
        return None
    national = phonenumbers.national_significant_number(number)
    if number.country_code == _HOME_COUNTRY_CODE:
        digits = "0" + national
    else:
        digits = f"00{number.country_code}{national}"
    return digits + (number.extension or "")
