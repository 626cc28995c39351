"""Sign-in throttling per account: a growing delay after failures, then a lock.

State lives in the database (table login_throttles), so every worker and host
sees the same counts. Rows are keyed by a keyed hash of the normalised e-mail
address: an unknown address is throttled exactly like a known one (the answers
stay the same), and the table holds nothing personal. Failed second-factor
codes count too. Per-client limits are Flask-Limiter's (backoffice/auth.py).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from core.infra.crypto import keyring
from core.model import LoginThrottle

WINDOW = timedelta(hours=1)
LOCK_AFTER = 10
# Failures allowed without any wait (typos); then 1, 2, 4 ... 64 seconds.
FREE_FAILURES = 3
MAX_DELAY_SECONDS = 300


@dataclass(frozen=True)
class Verdict:
    locked: bool = False
    wait_seconds: int = 0

    @property
    def allowed(self) -> bool:
        return not self.locked and self.wait_seconds == 0


def throttle_key(email: str) -> str:
    return keyring().lookup_key("login-throttle", email.strip().lower())


def delay_after(failures: int) -> timedelta:
    if failures < FREE_FAILURES:
        return timedelta(0)
    return timedelta(seconds=min(2 ** (failures - FREE_FAILURES), MAX_DELAY_SECONDS))


def _insert(session: Session):
    if session.get_bind().dialect.name == "postgresql":
        return postgresql.insert
    return sqlite.insert


def _locked_row(session: Session, email: str, at: datetime) -> LoginThrottle:
    """The row for this address, created if missing and locked until commit, so
    parallel attempts on one address are counted one after the other."""
    key = throttle_key(email)
    insert = _insert(session)
    session.execute(
        insert(LoginThrottle)
        .values(key=key, failures=0, window_start=at, last_failure_at=at)
        .on_conflict_do_nothing(index_elements=["key"])
    )
    row = session.scalars(
        select(LoginThrottle)
        .where(LoginThrottle.key == key)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()
    if row.locked_at is None and row.failures and at - row.window_start > WINDOW:
        row.failures = 0
        row.window_start = at
    return row


def _verdict(row: LoginThrottle, at: datetime) -> Verdict:
    if row.locked_at is not None:
        return Verdict(locked=True)
    next_try = row.last_failure_at + delay_after(row.failures)
    if row.failures and at < next_try:
        return Verdict(wait_seconds=max(1, math.ceil((next_try - at).total_seconds())))
    return Verdict()


def check(session: Session, email: str, at: datetime) -> Verdict:
    """May this address try now? Call before verifying anything."""
    return _verdict(_locked_row(session, email, at), at)


def record_failure(session: Session, email: str, at: datetime) -> Verdict:
    """Count a wrong password or code; the verdict for the next attempt."""
    session.execute(
        delete(LoginThrottle).where(
            LoginThrottle.locked_at.is_(None), LoginThrottle.last_failure_at < at - WINDOW
        )
    )
    row = _locked_row(session, email, at)
    if row.failures == 0:
        row.window_start = at
    row.failures += 1
    row.last_failure_at = at
    if row.failures >= LOCK_AFTER:
        row.locked_at = at
    session.flush()
    return _verdict(row, at)


def clear(session: Session, email: str) -> None:
    """After a complete sign-in, or when an account is created or unlocked."""
    session.execute(delete(LoginThrottle).where(LoginThrottle.key == throttle_key(email)))


def is_locked(session: Session, email: str) -> bool:
    row = session.get(LoginThrottle, throttle_key(email))
    return row is not None and row.locked_at is not None


def unlock(session: Session, email: str) -> bool:
    """Lift a lock (an admin's or an operator's decision); True when there was one."""
    locked = is_locked(session, email)
    clear(session, email)
    return locked
