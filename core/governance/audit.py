"""The audit trail: append-only, each event chained to the one before it by hash,
so a changed or deleted row breaks the chain and `audit-verify` finds it."""

from __future__ import annotations

import hashlib
import json

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from core.infra import clock
from core.model import AuditEvent

GENESIS_HASH = "0" * 64
# Any fixed number: it names the lock that serialises chain appends on PostgreSQL.
_PG_AUDIT_LOCK = 0x464A43


def _event_hash(prev_hash: str, event: AuditEvent) -> str:
    payload = json.dumps(
        {
            "prev": prev_hash,
            "at": event.created_at.isoformat(),
            "actor": event.actor_id,
            "action": event.action,
            "target_type": event.target_type,
            "target_id": event.target_id,
            "detail": event.detail,
        },
        sort_keys=True,
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def record(
    session: Session,
    action: str,
    *,
    actor_id: int | None = None,
    target_type: str | None = None,
    target_id: int | None = None,
    detail: str | None = None,
) -> AuditEvent:
    """Append an event in the caller's transaction (it commits with the change)."""
    if session.get_bind().dialect.name == "postgresql":
        # Two transactions must not both chain onto the same last event.
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_AUDIT_LOCK})
    # On SQLite the write transaction (BEGIN IMMEDIATE) already serialises this.
    last = session.execute(
        select(AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1)
    ).scalar_one_or_none()
    prev_hash = last or GENESIS_HASH
    event = AuditEvent(
        created_at=clock.now(),
        actor_id=actor_id,
        action=action,
        target_type=target_type,
        target_id=target_id,
        detail=detail,
        prev_hash=prev_hash,
    )
    event.hash = _event_hash(prev_hash, event)
    session.add(event)
    session.flush()
    return event


def verify(session: Session) -> list[str]:
    """Problems found in the chain, oldest first; an empty list means intact."""
    problems: list[str] = []
    expected_prev = GENESIS_HASH
    for event in session.scalars(select(AuditEvent).order_by(AuditEvent.id)):
        if event.prev_hash != expected_prev:
            problems.append(f"event {event.id}: the event before it was changed or removed")
        if _event_hash(event.prev_hash, event) != event.hash:
            problems.append(f"event {event.id}: its content was changed")
        expected_prev = event.hash
    return problems
