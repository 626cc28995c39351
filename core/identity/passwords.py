"""Password hashing with argon2id, and the password policy.

argon2-cffi's defaults (RFC 9106 "low memory" profile: t=3, m=64 MiB, p=4) are
used on purpose; their cost on this machine is measured in bench/. A stored hash
made with other parameters is re-made at the next successful sign-in.

Policy (NIST SP 800-63B): 12 to 128 characters, no composition rules, not one
of the 20,000 most common passwords (Django's list, core/identity/data/, BSD licence),
and not the account's own e-mail address or name.
"""

from __future__ import annotations

import gzip
from functools import cache
from pathlib import Path

from argon2 import PasswordHasher, extract_parameters
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

MIN_LENGTH = 12
MAX_LENGTH = 128
COMMON_PASSWORDS_FILE = Path(__file__).resolve().parent / "data" / "common-passwords.txt.gz"

PRODUCTION_HASHER = PasswordHasher()
PARAMETERS = (
    f"t={PRODUCTION_HASHER.time_cost}, m={PRODUCTION_HASHER.memory_cost // 1024} MiB, "
    f"p={PRODUCTION_HASHER.parallelism}"
)
_hasher = PRODUCTION_HASHER


def use_hasher(hasher: PasswordHasher) -> None:
    """Swap the argon2 profile. Only the test suite calls this, to hash cheaply;
    hashes made with another profile are re-made at the next sign-in anyway."""
    global _hasher
    _hasher = hasher
    _dummy_hash.cache_clear()


# Verified against when the e-mail is unknown, so both failures cost the same
# time. A hash of a random password nobody kept, made once with the production
# profile: a worker used to make it at its first unknown e-mail, which cost
# that sign-in a second hash (slower than the others) and every worker that
# ever saw one a 64 MiB peak it otherwise need not reach. A profile that is not
# this one's (the test suite's cheap one; a new argon2-cffi default) makes its
# own, once (tests/core/identity/test_passwords.py keeps the two in step).
PRODUCTION_DUMMY_HASH = (
    "$argon2id$v=19$m=65536,t=3,p=4$dc59CjaHzMmZxVGipRaygA"
    "$CT1JtOys0FGItVSh01Rj1S8nrtXqmhjFEF/LdRWWWrs"
)


def same_profile(stored_hash: str, hasher: PasswordHasher) -> bool:
    parameters = extract_parameters(stored_hash)
    return (
        parameters.time_cost,
        parameters.memory_cost,
        parameters.parallelism,
        parameters.hash_len,
        parameters.salt_len,
        parameters.type,
    ) == (
        hasher.time_cost,
        hasher.memory_cost,
        hasher.parallelism,
        hasher.hash_len,
        hasher.salt_len,
        hasher.type,
    )


@cache
def _dummy_hash() -> str:
    if same_profile(PRODUCTION_DUMMY_HASH, _hasher):
        return PRODUCTION_DUMMY_HASH
    return _hasher.hash("not a real password, only spends time")


class PasswordRejected(ValueError):
    """Why a password is refused: `code` for translated messages, str() for the CLI."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


@cache
def common_passwords() -> frozenset[str]:
    with gzip.open(COMMON_PASSWORDS_FILE, "rt", encoding="utf-8") as handle:
        return frozenset(line.strip().lower() for line in handle if line.strip())


def _same_text(a: str, b: str) -> bool:
    return a.strip().casefold() == b.strip().casefold()


def check_policy(password: str, *, email: str | None = None, name: str | None = None) -> None:
    if len(password) < MIN_LENGTH:
        raise PasswordRejected("too_short", f"a password needs at least {MIN_LENGTH} characters")
    if len(password) > MAX_LENGTH:
        raise PasswordRejected("too_long", f"a password can have at most {MAX_LENGTH} characters")
    if password.strip().lower() in common_passwords():
        raise PasswordRejected("common", "this password is one of the most common ones")
    personal = [value for value in (email, name) if value]
    if email:
        personal.append(email.split("@", 1)[0])
    if any(_same_text(password, value) for value in personal):
        raise PasswordRejected("personal", "a password cannot be your e-mail address or name")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    """True only for a real stored hash that matches; always one argon2 verification."""
    try:
        return _hasher.verify(stored_hash or _dummy_hash(), password) and bool(stored_hash)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    return _hasher.check_needs_rehash(stored_hash)
