"""Return codes: 16 random digits, the only key to a request's mailbox.

Shown once as four groups of four. Stored only as a keyed hash (HMAC): 16 digits
carry 53 bits, lookups are rate-limited, and an HMAC keeps submissions fast where
argon2 would cost tens of milliseconds each.
"""

from __future__ import annotations

import re
import secrets

from core.infra.crypto import keyring

LENGTH = 16
_PURPOSE = "return-code"
_SEPARATORS = re.compile(r"[\s\-.]+")


def generate() -> str:
    return f"{secrets.randbelow(10**LENGTH):0{LENGTH}d}"


def normalise(typed: str) -> str | None:
    """The 16 digits of what a person typed (spaces, dashes allowed), or None."""
    digits = _SEPARATORS.sub("", typed or "")
    if len(digits) != LENGTH or not digits.isascii() or not digits.isdigit():
        return None
    return digits


def display(code: str) -> str:
    return " ".join(code[i : i + 4] for i in range(0, LENGTH, 4))


def lookup_key(code: str) -> str:
    return keyring().lookup_key(_PURPOSE, code)
