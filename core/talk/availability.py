"""The team's "available for conversations" switch.

A person may start writing only when the centre is open and at least one
member is available. The switch counts only while the member's talk page is
open (seen_at fresher than FRESH): someone who closed the browser with the
switch on must not keep a person waiting for nobody."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.governance import audit
from core.infra import clock
from core.model import Centre, Staff, TalkAvailability
from core.talk import hours

# The staff talk page refreshes itself (or its live stream beats) every few
# seconds; two minutes without a sign ends the availability.
FRESH = timedelta(minutes=2)


def _row(session: Session, staff: Staff, centre_id: int) -> TalkAvailability | None:
    return session.get(TalkAvailability, (staff.id, centre_id))


def set_available(session: Session, staff: Staff, centre_id: int, available: bool) -> None:
    now = clock.now()
    row = _row(session, staff, centre_id)
    if row is None:
        row = TalkAvailability(staff_id=staff.id, centre_id=centre_id)
        session.add(row)
    row.available = available
    row.changed_at = now
    row.seen_at = now
    session.flush()
    audit.record(
        session,
        "talk.available" if available else "talk.unavailable",
        actor_id=staff.id,
        centre_id=centre_id,
    )


def note_seen(session: Session, staff: Staff, centre_id: int) -> None:
    """The member's talk page is open: their switch still counts."""
    row = _row(session, staff, centre_id)
    if row is not None:
        row.seen_at = clock.now()
        session.flush()


def is_available(session: Session, staff: Staff, centre_id: int) -> bool:
    row = _row(session, staff, centre_id)
    return bool(row and row.available and clock.now() - row.seen_at <= FRESH)


def switched_on(session: Session, staff: Staff, centre_id: int) -> bool:
    """What the member's own switch says (whatever their page's freshness)."""
    row = _row(session, staff, centre_id)
    return bool(row and row.available)


def available_staff(session: Session, centre_id: int) -> list[Staff]:
    fresh_since = clock.now() - FRESH
    return list(
        session.scalars(
            select(Staff)
            .join(TalkAvailability, TalkAvailability.staff_id == Staff.id)
            .where(
                TalkAvailability.centre_id == centre_id,
                TalkAvailability.available.is_(True),
                TalkAvailability.seen_at >= fresh_since,
                Staff.is_active.is_(True),
            )
            .order_by(Staff.name, Staff.id)
        )
    )


def team_is_there(session: Session, centre: Centre) -> bool:
    """Open, and someone is available to answer."""
    return hours.is_open(centre, clock.now()) and bool(available_staff(session, centre.id))
