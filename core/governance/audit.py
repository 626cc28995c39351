"""The audit trail: append-only, each event chained to the one before it by a
keyed hash (HMAC-SHA256 under FJC_AUDIT_KEY), so a changed or deleted row breaks
the chain and `audit-verify` finds it. Without the key nobody can re-chain a
changed history; core.governance.anchors catches what the key alone cannot
(a history cut short at its newest events)."""

from __future__ import annotations

import hashlib
import json
from typing import cast

from sqlalchemy import Table, func, insert, select, text
from sqlalchemy.orm import Session

from core.infra import clock
from core.infra.crypto import keyring
from core.model import AuditEvent, Case, Intake, Staff

GENESIS_HASH = "0" * 64
# Any fixed number: it names the lock that serialises chain appends on PostgreSQL.
_PG_AUDIT_LOCK = 0x464A43
# The chain's newest hash: every event asks it, so the statement is built once.
_LAST_HASH = select(AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1)
_PG_LOCK = text("SELECT pg_advisory_xact_lock(:key)")


def _payload(prev_hash: str, event: AuditEvent) -> bytes:
    fields = {
        "prev": prev_hash,
        "at": event.created_at.isoformat(),
        "actor": event.actor_id,
        "action": event.action,
        "target_type": event.target_type,
        "target_id": event.target_id,
        "detail": event.detail,
    }
    # Events from before the network have no centre; their payload (and so
    # their hash) stays what it was. A centre, once there, is chained too.
    if event.centre_id is not None:
        fields["centre"] = event.centre_id
    return json.dumps(fields, sort_keys=True).encode("utf-8")


# Whose centre an event is about, by its target (ids only, never content).
_CENTRE_OF_TARGET = {
    "intake": (Intake.id, Intake.centre_id),
    "case": (Case.id, Case.centre_id),
    "staff": (Staff.id, Staff.centre_id),
}


def _centre_of_target(
    session: Session, target_type: str | None, target_id: int | None
) -> int | None:
    columns = _CENTRE_OF_TARGET.get(target_type or "")
    if columns is None or target_id is None:
        return None
    key, centre = columns
    return session.scalar(select(centre).where(key == target_id))


def _event_hash(prev_hash: str, event: AuditEvent) -> str:
    return keyring().audit_mac(_payload(prev_hash, event))


def _hash_matches(event: AuditEvent) -> bool:
    return keyring().audit_mac_matches(_payload(event.prev_hash, event), event.hash)


def count(session: Session, action: str) -> int:
    return session.scalar(select(func.count(AuditEvent.id)).where(AuditEvent.action == action)) or 0


def _legacy_hash(prev_hash: str, event: AuditEvent) -> str:
    """The unkeyed hash of the chain before it was keyed (until release 0012)."""
    return hashlib.sha256(_payload(prev_hash, event)).hexdigest()


def record(
    session: Session,
    action: str,
    *,
    actor_id: int | None = None,
    target_type: str | None = None,
    target_id: int | None = None,
    detail: str | None = None,
    centre_id: int | None = None,
) -> AuditEvent:
    """Append an event in the caller's transaction (it commits with the change).

    The event belongs to `centre_id`, or to the centre of its target (a
    request, a case file, an account); the audit page of a centre shows its own."""
    event = _chained(
        session,
        action,
        actor_id=actor_id,
        target_type=target_type,
        target_id=target_id,
        detail=detail,
        centre_id=centre_id,
    )
    session.add(event)
    session.flush()
    return event


def append(
    session: Session,
    action: str,
    *,
    actor_id: int | None = None,
    target_type: str | None = None,
    target_id: int | None = None,
    detail: str | None = None,
    centre_id: int | None = None,
) -> None:
    """`record` for a transaction that writes nothing but this event (a read
    audited in its own transaction): the same chained row, written by one
    INSERT on the session's connection. Every view of a request appends one,
    and the ORM's unit of work was a third of the audit's CPU for one row."""
    event = _chained(
        session,
        action,
        actor_id=actor_id,
        target_type=target_type,
        target_id=target_id,
        detail=detail,
        centre_id=centre_id,
    )
    session.connection().execute(_INSERT, {name: getattr(event, name) for name in _COLUMNS})


# The table `append` writes to, and its columns but the id the database gives.
_TABLE = cast(Table, AuditEvent.__table__)
_COLUMNS = tuple(column.key for column in _TABLE.columns if column.key != "id")
_INSERT = insert(_TABLE)


def _chained(
    session: Session,
    action: str,
    *,
    actor_id: int | None,
    target_type: str | None,
    target_id: int | None,
    detail: str | None,
    centre_id: int | None,
) -> AuditEvent:
    """The next event of the chain, hashed onto the newest one, not yet added.
    The caller writes it in the same transaction: on PostgreSQL the lock taken
    here is held until it commits, on SQLite its write transaction is."""
    if centre_id is None:
        centre_id = _centre_of_target(session, target_type, target_id)
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        # Two transactions must not both chain onto the same last event.
        connection.execute(_PG_LOCK, {"key": _PG_AUDIT_LOCK})
    # On SQLite the write transaction (BEGIN IMMEDIATE) already serialises this.
    last = connection.execute(_LAST_HASH).scalar_one_or_none()
    prev_hash = last or GENESIS_HASH
    event = AuditEvent(
        created_at=clock.now(),
        actor_id=actor_id,
        action=action,
        target_type=target_type,
        target_id=target_id,
        detail=detail,
        centre_id=centre_id,
        prev_hash=prev_hash,
    )
    event.hash = _event_hash(prev_hash, event)
    return event


def verify(session: Session) -> list[str]:
    """Problems found in the chain, oldest first; an empty list means intact.

    After a rotation of FJC_AUDIT_KEY the old key stays listed so that its
    events verify; an event keyed with it after one keyed with a newer key is
    refused, so a leaked old key cannot add to the history after the rotation."""
    problems: list[str] = []
    expected_prev = GENESIS_HASH
    newest_age_seen: int | None = None
    for event in session.scalars(select(AuditEvent).order_by(AuditEvent.id)):
        if event.prev_hash != expected_prev:
            problems.append(f"event {event.id}: the event before it was changed or removed")
        age = keyring().audit_key_age(_payload(event.prev_hash, event), event.hash)
        if age is None:
            problems.append(f"event {event.id}: its content was changed")
        elif newest_age_seen is not None and age > newest_age_seen:
            problems.append(
                f"event {event.id}: keyed with an audit key older than one used before it"
            )
        else:
            newest_age_seen = age
        expected_prev = event.hash
    return problems


def key_legacy_chain(session: Session) -> int:
    """Re-chain, under the audit key, the events an older release chained with
    plain SHA-256 (anyone could recompute those); returns how many events it
    keyed, 0 when there is nothing to do.

    Only the operator's one-time `audit-key-legacy` runs this, and it refuses
    once anchors exist: anyone with the database can make a "legacy" chain, so
    keying it automatically (at every `migrate`) would launder a rewritten
    history. An intact legacy chain is keyed (followed, perhaps, by keyed
    events written since the upgrade); a broken one is left alone so that
    `audit-verify` keeps reporting the damage instead of it being sealed in."""
    events = list(session.scalars(select(AuditEvent).order_by(AuditEvent.id)))
    expected_prev = GENESIS_HASH
    legacy = 0
    for position, event in enumerate(events):
        if event.prev_hash != expected_prev:
            return 0
        # The legacy part is a prefix: once one event is keyed, all after it are.
        if legacy == position and _legacy_hash(event.prev_hash, event) == event.hash:
            legacy += 1
        elif not _hash_matches(event):
            return 0
        expected_prev = event.hash
    if not legacy:
        return 0
    prev_hash = GENESIS_HASH
    for event in events:
        event.prev_hash = prev_hash
        event.hash = _event_hash(prev_hash, event)
        prev_hash = event.hash
    session.flush()
    record(session, "audit.keyed", detail=f"events={legacy}")
    return legacy
