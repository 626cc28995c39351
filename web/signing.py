"""Signed values (the session cookie, the CSRF token) from serializers made once.

itsdangerous makes a new signer for every value it signs or checks, and the
signer derives its key from the secret again each time (an HMAC of the salt):
a request that opens its session cookie, checks its CSRF token and saves the
cookie did that three times, and flask-wtf built a whole new serializer for
each token besides. A signer holds nothing of a request, only the secret,
the salt and the key derived from them, so one per secret and salt serves
every request (and every thread) of the process. The signatures are the same
bytes as before: only what is computed again is kept.
"""

from __future__ import annotations

from itsdangerous import TimestampSigner, URLSafeTimedSerializer
from itsdangerous.encoding import want_bytes


class KeptKeysSigner(TimestampSigner):
    """A TimestampSigner that derives the key of each of its secrets once."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._derived: dict[bytes, bytes] = {}

    def derive_key(self, secret_key: str | bytes | None = None) -> bytes:
        secret = self.secret_keys[-1] if secret_key is None else want_bytes(secret_key)
        derived = self._derived.get(secret)
        if derived is None:
            # Two threads may both derive it the first time: the same bytes.
            derived = self._derived[secret] = super().derive_key(secret)
        return derived


class KeptSigningSerializer(URLSafeTimedSerializer):
    """URLSafeTimedSerializer whose signer per salt is made once (KeptKeysSigner
    unless told otherwise)."""

    default_signer = KeptKeysSigner

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._signers: dict[bytes | None, TimestampSigner] = {}

    def make_signer(self, salt: str | bytes | None = None) -> TimestampSigner:
        key = self.salt if salt is None else want_bytes(salt)
        signer = self._signers.get(key)
        if signer is None:
            signer = self._signers[key] = super().make_signer(key)  # type: ignore[assignment]
        return signer  # type: ignore[return-value]
