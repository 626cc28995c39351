"""Invitation links: signed (itsdangerous), valid 24 hours, usable once.

The token names the account and its session_version; accepting bumps the
version, so the same link cannot be used twice, and deactivating the invited
account voids it too. It holds no personal data.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from itsdangerous import BadData, TimestampSigner, URLSafeTimedSerializer
from sqlalchemy.orm import Session

from core.identity.staff import is_invited
from core.infra import clock
from core.model import Staff

VALID_FOR = timedelta(hours=24)
_SALT = "fjc-staff-invite"


class _ClockSigner(TimestampSigner):
    """Signs with core.infra.clock's time, so tests can age a link without waiting."""

    def get_timestamp(self) -> int:
        return int(clock.now().timestamp())


def _serializer(secret_key: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key, salt=_SALT, signer=_ClockSigner)


def make_token(secret_key: str, staff: Staff) -> str:
    return _serializer(secret_key).dumps({"staff": staff.id, "v": staff.session_version})


def invited_staff(session: Session, secret_key: str, token: str, at: datetime) -> Staff | None:
    """The invited account the token is for, if the link is genuine, recent and unused."""
    try:
        payload, signed_at = _serializer(secret_key).loads(token, return_timestamp=True)
        staff_id, version = int(payload["staff"]), int(payload["v"])
    except (BadData, KeyError, TypeError, ValueError):
        return None
    if at - signed_at > VALID_FOR:
        return None
    staff = session.get(Staff, staff_id)
    if staff is None or not is_invited(staff) or staff.session_version != version:
        return None
    return staff
