"""Time-based one-time passwords (RFC 6238, HMAC-SHA1, 30 s, 6 digits), through pyotp.

pyotp computes the codes; this module keeps our two rules on top of it (the
RFC's test vectors check the whole, tests/core/identity/test_totp.py): a code is
accepted one step early or late (clock drift), and only for a step later than
the last one used, so a code that worked once cannot work again.
"""

from __future__ import annotations

from datetime import datetime
from urllib.parse import quote, urlencode

import pyotp
from pyotp.utils import strings_equal

STEP_SECONDS = 30
DIGITS = 6
SECRET_LENGTH = 32  # base32 characters: 160 bits, as RFC 4226 recommends
ISSUER = "FJC"


def new_secret() -> str:
    return pyotp.random_base32(length=SECRET_LENGTH)


def time_step(at: datetime) -> int:
    return int(at.timestamp()) // STEP_SECONDS


def code_at_step(secret: str, step: int, digits: int = DIGITS) -> str:
    return pyotp.TOTP(secret, digits=digits, interval=STEP_SECONDS).generate_otp(step)


def matching_step(secret: str, code: str, at: datetime, last_step: int | None) -> int | None:
    """The time step the code belongs to (now, one before, one after), if it is new."""
    code = "".join(code.split())
    if len(code) != DIGITS or not code.isdigit():
        return None
    now_step = time_step(at)
    for step in (now_step - 1, now_step, now_step + 1):
        if last_step is not None and step <= last_step:
            continue
        if strings_equal(code_at_step(secret, step), code):
            return step
    return None


def provisioning_uri(secret: str, account: str) -> str:
    # Written out rather than through pyotp's builder, so the URI stays the one the
    # enrolment tests pin: the label percent-encoded whole, digits and period stated.
    label = quote(f"{ISSUER}:{account}")
    query = urlencode(
        {"secret": secret, "issuer": ISSUER, "digits": DIGITS, "period": STEP_SECONDS}
    )
    return f"otpauth://totp/{label}?{query}"


def grouped(secret: str) -> str:
    """The secret in groups of four, easier to type into an app by hand."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))
