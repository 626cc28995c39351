"""Time-based one-time passwords (RFC 6238, HMAC-SHA1, 30 s, 6 digits).

About thirty lines, so no dependency: the RFC's own test vectors check it
(tests/core/test_totp.py). A code is accepted one step early or late (clock
drift) and only for a step later than the last one used, so a code that worked
once cannot work again.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import struct
from datetime import datetime
from urllib.parse import quote, urlencode

STEP_SECONDS = 30
DIGITS = 6
SECRET_BYTES = 20  # 160 bits, as RFC 4226 recommends
ISSUER = "FJC"


def new_secret() -> str:
    return base64.b32encode(secrets.token_bytes(SECRET_BYTES)).decode("ascii")


def time_step(at: datetime) -> int:
    return int(at.timestamp()) // STEP_SECONDS


def code_at_step(secret: str, step: int, digits: int = DIGITS) -> str:
    key = base64.b32decode(secret.upper() + "=" * (-len(secret) % 8))
    digest = hmac.new(key, struct.pack(">Q", step), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    number = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return str(number % 10**digits).zfill(digits)


def matching_step(secret: str, code: str, at: datetime, last_step: int | None) -> int | None:
    """The time step the code belongs to (now, one before, one after), if it is new."""
    code = "".join(code.split())
    if len(code) != DIGITS or not code.isdigit():
        return None
    now_step = time_step(at)
    for step in (now_step - 1, now_step, now_step + 1):
        if last_step is not None and step <= last_step:
            continue
        if hmac.compare_digest(code_at_step(secret, step), code):
            return step
    return None


def provisioning_uri(secret: str, account: str) -> str:
    label = quote(f"{ISSUER}:{account}")
    query = urlencode(
        {"secret": secret, "issuer": ISSUER, "digits": DIGITS, "period": STEP_SECONDS}
    )
    return f"otpauth://totp/{label}?{query}"


def grouped(secret: str) -> str:
    """The secret in groups of four, easier to type into an app by hand."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))
