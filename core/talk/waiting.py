"""The waiting list: who waits, her place in it, and a wait that is honest.

The estimate comes from this centre's own recent waits (the median of the
last ones taken), scaled by her place and the members available; with no
history yet, a few minutes per person ahead. It is shown rounded up and as
"about", never as a promise."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from statistics import median

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from core.infra import clock
from core.model import Conversation, ConversationKind, ConversationStatus

RECENT_TAKEN = 20
RECENT_SINCE = timedelta(days=30)
# Without history: minutes of wait per person ahead, per member available.
DEFAULT_MINUTES_PER_PLACE = 3
LONGEST_ESTIMATE_MINUTES = 60


@dataclass(frozen=True)
class Place:
    # 1 = next.
    position: int
    minutes: int


def waiting_now(centre_id):
    """How many wait to talk at the centre `centre_id` (a value or a column:
    the back office's menu counts it for every page, in the sign-in check's
    statement, core.identity.staff_sessions): one indexed count."""
    return select(func.count(Conversation.id)).where(
        Conversation.centre_id == centre_id,
        Conversation.status == ConversationStatus.WAITING,
        Conversation.kind == ConversationKind.LIVE,
    )


def waiting(session: Session, centre_id: int) -> list[Conversation]:
    """Oldest first: whoever waited longest is helped first."""
    return list(
        session.scalars(
            select(Conversation)
            .where(
                Conversation.centre_id == centre_id,
                Conversation.status == ConversationStatus.WAITING,
                Conversation.kind == ConversationKind.LIVE,
            )
            .order_by(Conversation.created_at, Conversation.id)
        )
    )


def active(session: Session, centre_id: int) -> list[Conversation]:
    return list(
        session.scalars(
            select(Conversation)
            .where(
                Conversation.centre_id == centre_id,
                Conversation.status == ConversationStatus.ACTIVE,
            )
            .order_by(Conversation.taken_at, Conversation.id)
        )
    )


def recent_wait_minutes(session: Session, centre_id: int) -> float | None:
    since = clock.now() - RECENT_SINCE
    rows = session.execute(
        select(Conversation.created_at, Conversation.taken_at)
        .where(
            Conversation.centre_id == centre_id,
            Conversation.taken_at.is_not(None),
            Conversation.taken_at >= since,
        )
        .order_by(Conversation.taken_at.desc())
        .limit(RECENT_TAKEN)
    ).all()
    if not rows:
        return None
    return median((taken - created).total_seconds() / 60 for created, taken in rows if taken)


def place_of(session: Session, conversation: Conversation, available: int) -> Place | None:
    """Her place in the list and about how many minutes it takes; None when she
    is not waiting."""
    if conversation.status != ConversationStatus.WAITING:
        return None
    # Counted, not loaded: every waiting page asks this at every beat.
    earlier = or_(
        Conversation.created_at < conversation.created_at,
        and_(
            Conversation.created_at == conversation.created_at,
            Conversation.id < conversation.id,
        ),
    )
    ahead = session.scalar(
        select(func.count(Conversation.id)).where(
            Conversation.centre_id == conversation.centre_id,
            Conversation.status == ConversationStatus.WAITING,
            Conversation.kind == ConversationKind.LIVE,
            earlier,
        )
    )
    position = (ahead or 0) + 1
    per_place = recent_wait_minutes(session, conversation.centre_id)
    if per_place is None:
        per_place = DEFAULT_MINUTES_PER_PLACE
    minutes = math.ceil(max(per_place, 1) * position / max(available, 1))
    return Place(position=position, minutes=min(minutes, LONGEST_ESTIMATE_MINUTES))


def waited(conversation: Conversation, now: datetime | None = None) -> timedelta:
    end = conversation.taken_at or conversation.ended_at or now or clock.now()
    return end - conversation.created_at
