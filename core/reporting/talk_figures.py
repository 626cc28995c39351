"""Talk now in figures: the live conversations started in the period, how
many the team took and how long people waited for that, how many were
missed (ended before anyone took them: the person left, used the quick exit
or gave up), what people left when nobody was there (a message, a booked
call-back), and the conversations the team blocked.

Counted from codes and times only, never from what was written; the same
small-count suppression as every other figure (core.reporting.suppression):
the started conversations are the sum of taken, missed and still open, so
the three are suppressed together with their total."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, cast
from zoneinfo import ZoneInfo

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session

from core.model import Conversation, ConversationKind, ConversationStatus, EndReason
from core.reporting.stats import (
    COUNT,
    Period,
    Table,
    median,
    seconds_between,
    suppress_together,
)
from core.reporting.suppression import HIDDEN_MARK

# The live conversations started in the period, by what became of them.
OUTCOMES = ("taken", "missed", "open")
# What people left when nobody was there to talk.
LEFT_BEHIND = (ConversationKind.MESSAGE.value, ConversationKind.CALLBACK.value)


@dataclass
class Waits:
    """How long people waited until someone took their conversation: a
    histogram of (seconds, how many)."""

    histogram: list[tuple[int, int]]
    # Fewer waits than the threshold: no median.
    hidden: bool = False

    @property
    def count(self) -> int:
        return sum(count for _, count in self.histogram)

    def median(self) -> float | None:
        return None if self.hidden or not self.histogram else median(self.histogram)

    def suppressed(self, threshold: int) -> Waits:
        return replace(self, hidden=self.count < threshold)


@dataclass
class TalkFigures:
    conversations: Table  # rows: OUTCOMES; the total is every one started
    left_behind: Table  # rows: LEFT_BEHIND
    blocked: Table  # one row: "blocked"
    waits: Waits
    suppressed_at: int | None = None

    def tables(self) -> dict[str, Table]:
        return {
            "conversations": self.conversations,
            "left_behind": self.left_behind,
            "blocked": self.blocked,
        }

    def suppressed(self, threshold: int) -> TalkFigures:
        tables = suppress_together(self.tables(), {}, threshold)
        return replace(
            self,
            **cast(dict[str, Any], tables),
            waits=self.waits.suppressed(threshold),
            suppressed_at=threshold,
        )


def _one_column(rows: tuple[str, ...], counts: dict[str, int]) -> Table:
    return Table(list(rows), [COUNT], {(row, COUNT): counts.get(row, 0) for row in rows})


def compute(session: Session, period: Period, *, zone: ZoneInfo, centre_id: int) -> TalkFigures:
    """The centre's figures for the period (conversations by the moment
    they started, in the centre's time zone), exact."""
    start, end = period.bounds(zone)
    in_period = and_(
        Conversation.centre_id == centre_id,
        Conversation.created_at >= start,
        Conversation.created_at < end,
    )
    live = and_(in_period, Conversation.kind == ConversationKind.LIVE)
    outcome = case(
        (Conversation.taken_at.is_not(None), "taken"),
        (Conversation.status == ConversationStatus.ENDED, "missed"),
        else_="open",
    ).label("outcome")
    by_outcome = {
        str(name): int(count)
        for name, count in session.execute(
            select(outcome, func.count()).where(live).group_by(outcome)
        )
    }
    left = {
        str(kind): int(count)
        for kind, count in session.execute(
            select(Conversation.kind, func.count())
            .where(in_period, Conversation.kind.in_(LEFT_BEHIND))
            .group_by(Conversation.kind)
        )
    }
    blocked = session.scalar(
        select(func.count()).where(live, Conversation.end_reason == EndReason.BLOCKED)
    )
    seconds = func.round(
        seconds_between(session, Conversation.created_at, Conversation.taken_at)
    ).label("s")
    waits = [
        (int(value), count)
        for value, count in session.execute(
            select(seconds, func.count())
            .where(live, Conversation.taken_at.is_not(None))
            .group_by(seconds)
            .order_by(seconds)
        )
    ]
    return TalkFigures(
        conversations=_one_column(OUTCOMES, by_outcome),
        left_behind=_one_column(LEFT_BEHIND, left),
        blocked=Table(
            ["blocked"], [COUNT], {("blocked", COUNT): blocked or 0}, column_totals=False
        ),
        waits=Waits(waits),
    )


def csv_rows(figures: TalkFigures, threshold: int, period: str) -> list[tuple[str, str, str, str]]:
    """The export's lines (codes, suppressed numbers): the figures CSV adds them."""
    if figures.suppressed_at is None:
        raise ValueError("the CSV export must be made from suppressed figures")
    rows = []
    for name, table in (
        ("talk_conversations", figures.conversations),
        ("talk_left_behind", figures.left_behind),
        ("talk_blocked", figures.blocked),
    ):
        for row in table.all_rows:
            rows.append((name, period, row, table.text(row, COUNT, threshold)))
    wait = figures.waits.median()
    rows.append(
        (
            "talk_wait",
            period,
            "median_minutes",
            HIDDEN_MARK if wait is None else f"{wait / 60:.1f}",
        )
    )
    return rows
