"""Encryption at rest and keyed lookups.

Personal fields are Fernet tokens under a MultiFernet key ring (newest key first),
so a stolen database file reveals nothing without FJC_DATA_KEYS. Values that must
be found again (a return code) are stored only as an HMAC under a separate key.

A centre of the network may have data keys of its own (FJC_DATA_KEYS_<SLUG>,
ADR 0033): a value is written under the keys of the centre it is written for
(`encrypting_for`), and read with whichever configured key opens it, so reading
never depends on that context.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar, Token

from cryptography.fernet import Fernet, MultiFernet
from sqlalchemy import Text
from sqlalchemy.types import TypeDecorator

# The slug of the centre whose keys new values are encrypted under; None: the
# installation's own keys (FJC_DATA_KEYS). A context variable, not a module
# global: each request (thread) and each CLI loop sets its own.
_writing_for: ContextVar[str | None] = ContextVar("fjc_encrypting_for", default=None)


@contextmanager
def encrypting_for(slug: str | None) -> Iterator[None]:
    """Encrypt what is written inside the block under `slug`'s data keys (the
    installation's when the centre has none of its own, or for None)."""
    token = _writing_for.set(slug)
    try:
        yield
    finally:
        _writing_for.reset(token)


def start_encrypting_for(slug: str | None) -> Token[str | None]:
    """For a before/teardown pair that cannot use a with-block (web requests)."""
    return _writing_for.set(slug)


def stop_encrypting_for(token: Token[str | None]) -> None:
    _writing_for.reset(token)


def encrypting_centre() -> str | None:
    return _writing_for.get()


def _ring(keys: Sequence[str]) -> MultiFernet:
    return MultiFernet([Fernet(key.encode("ascii")) for key in keys])


def _once(keys: Sequence[str]) -> list[str]:
    return list(dict.fromkeys(keys))


class KeyRing:
    def __init__(
        self,
        data_keys: list[str],
        index_key: bytes,
        audit_keys: list[bytes],
        centre_keys: Mapping[str, Sequence[str]] | None = None,
    ):
        self.data_keys = list(data_keys)
        # Only centres with keys of their own; the others use data_keys.
        self.centre_keys = {slug: list(keys) for slug, keys in (centre_keys or {}).items() if keys}
        every = _once(self.data_keys + [k for keys in self.centre_keys.values() for k in keys])
        self._writers = {None: _ring(self.data_keys)} | {
            slug: _ring(keys) for slug, keys in self.centre_keys.items()
        }
        # Reading tries the active centre's keys first (the usual case, one
        # HMAC), then every other configured key. Without centre keys this is
        # exactly the one ring of FJC_DATA_KEYS.
        self._readers = {None: _ring(every)} | {
            slug: _ring(_once(keys + every)) for slug, keys in self.centre_keys.items()
        }
        self._index_key = index_key
        self._audit_keys = audit_keys

    def keys_for(self, slug: str | None) -> list[str]:
        """A centre's data keys, newest first: its own, else the installation's."""
        return self.centre_keys.get(slug or "", self.data_keys)

    def rotating_ring(self, slug: str | None) -> MultiFernet:
        """Opens a token under any configured key; `rotate` and `encrypt`
        write under `slug`'s newest key."""
        return self._readers.get(slug, self._readers[None])

    def encrypt(self, plaintext: str) -> str:
        writer = self._writers.get(_writing_for.get(), self._writers[None])
        return writer.encrypt(plaintext.encode("utf-8")).decode("ascii")

    def decrypt(self, token: str) -> str:
        reader = self._readers.get(_writing_for.get(), self._readers[None])
        return reader.decrypt(token.encode("ascii")).decode("utf-8")

    def lookup_key(self, purpose: str, value: str) -> str:
        """A keyed hash: equal inputs match, the input cannot be recovered."""
        message = f"{purpose}\x00{value}".encode()
        return hmac.new(self._index_key, message, hashlib.sha256).hexdigest()

    def audit_mac(self, message: bytes) -> str:
        """The audit chain's keyed hash, under the newest audit key."""
        return hmac.new(self._audit_keys[0], message, hashlib.sha256).hexdigest()

    def audit_mac_matches(self, message: bytes, mac: str) -> bool:
        """Whether `mac` was made with any configured audit key."""
        return self.audit_key_age(message, mac) is not None

    def audit_key_age(self, message: bytes, mac: str) -> int | None:
        """Which configured audit key made `mac`: 0 the newest, 1 the one
        before...; None for none. Older keys stay configured as long as events
        keyed with them are kept; the chain checks that they are not used after
        a newer one (core.governance.audit.verify)."""
        for age, key in enumerate(self._audit_keys):
            if hmac.compare_digest(hmac.new(key, message, hashlib.sha256).hexdigest(), mac):
                return age
        return None


_keyring: KeyRing | None = None


def _derived(purpose: bytes, secret_key: str) -> bytes:
    """A key of its own for `purpose`, from the secret key (development and
    tests only: production sets each key, config.py)."""
    return hashlib.sha256(purpose + b"\x00" + secret_key.encode("utf-8")).digest()


def configure_keyring(
    data_keys,
    index_key: str | None,
    secret_key: str,
    audit_keys=(),
    centre_keys: Mapping[str, Sequence[str]] | None = None,
) -> KeyRing:
    """Set the process's key ring from the settings and return it."""
    global _keyring
    raw_index = index_key.encode("utf-8") if index_key else _derived(b"fjc-index-key", secret_key)
    raw_audit = [key.encode("utf-8") for key in audit_keys] or [
        _derived(b"fjc-audit-key", secret_key)
    ]
    # One key ring per process: the column type below has no app context when
    # SQLAlchemy binds parameters (CLI, threads), so it reads this module global.
    _keyring = KeyRing(list(data_keys), raw_index, raw_audit, centre_keys)
    return _keyring


def keyring() -> KeyRing:
    if _keyring is None:
        raise RuntimeError("core.infra.crypto.configure_keyring has not run")
    return _keyring


class EncryptedText(TypeDecorator):
    """A text column stored as a Fernet token. Declare it once on the model."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        return keyring().encrypt(value)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return keyring().decrypt(value)


class EncryptedJSON(TypeDecorator):
    """A JSON value (lists, dicts) stored as one Fernet token."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        return keyring().encrypt(json.dumps(value, ensure_ascii=False, sort_keys=True))

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return json.loads(keyring().decrypt(value))
