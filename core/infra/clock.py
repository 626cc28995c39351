"""The one clock the security rules read (session expiry, lockout windows, TOTP).

Tests replace `now` (monkeypatch core.infra.clock.now) to move time without sleeping,
so callers must write `clock.now()`, never `from core.infra.clock import now`.
"""

from __future__ import annotations

from datetime import UTC, datetime


def now() -> datetime:
    """The current time, aware, in UTC."""
    return datetime.now(UTC)
