"""Blind indexes: keyed hashes of normalised contact details, so a new request
can be matched to earlier ones without decrypting anything.

The key is FJC_INDEX_KEY, not a data key: a data key can be rotated because the
plain value can be decrypted and encrypted again, but a blind index of a value
that is no longer stored (a return code) can never be recomputed. Each kind of
value has its own purpose string, so an e-mail hash never equals a phone hash.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date

from core.infra import phones
from core.infra.crypto import keyring

_NON_DIGITS = re.compile(r"\D")
_SPACES = re.compile(r"[\s\-'’.,]+")


def normalise_phone(phone: str | None) -> str | None:
    """The number's canonical digits (core.infra.phones): "+32 470 12 34 56",
    "0032 (0)470 12 34 56" and "0470/12.34.56" are equal. What is not a valid
    number (stored before numbers were checked) keeps the digits-only rule,
    so its index stays what it was."""
    return phones.canonical(phone) or digits_only(phone)


def digits_only(phone: str | None) -> str | None:
    """The rule every index was made with before phone numbers were checked:
    digits only, Belgian international forms folded to the national one. For
    a valid number written as the portal allowed then (ASCII digits, spaces,
    ()./- and a leading +) it gives what phones.canonical gives (tested), but
    for another country's number with "(0)" after its code, which it kept."""
    typed = (phone or "").strip()
    digits = _NON_DIGITS.sub("", typed)
    if typed.startswith("+"):
        digits = "00" + digits
    if digits.startswith("0032"):
        # "+32 (0)470 ...": the trunk zero written after the country code.
        digits = "0" + digits[4:].removeprefix("0")
    return digits or None


def normalise_email(email: str | None) -> str | None:
    value = (email or "").strip().lower()
    return value or None


def normalise_name(name: str | None) -> str | None:
    """Case, accents, spacing, hyphens and word order do not matter: forms list
    surname and first name in either order, and people type them as they like."""
    decomposed = unicodedata.normalize("NFKD", name or "")
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()
    words = sorted(word for word in _SPACES.split(plain) if word)
    return " ".join(words) or None


def phone_index(phone: str | None) -> str | None:
    normal = normalise_phone(phone)
    return keyring().lookup_key("phone", normal) if normal else None


def email_index(email: str | None) -> str | None:
    normal = normalise_email(email)
    return keyring().lookup_key("email", normal) if normal else None


def name_birth_index(name: str | None, birth_date: date | None) -> str | None:
    """A person in a case file (the Case model comes later): name and birth date
    together, because a name alone matches too many people."""
    normal = normalise_name(name)
    if normal is None or birth_date is None:
        return None
    return keyring().lookup_key("name-birth", f"{normal}\x00{birth_date.isoformat()}")
