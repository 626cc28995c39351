"""The survivor's voice in figures: the answers per quarter, small counts
hidden as for every figure, and the free texts for coordinators only once
there are enough of them to say nothing about one person."""

from __future__ import annotations

import random
from dataclasses import dataclass, replace

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from core.casework.feedback import NO_ANSWER, QUESTIONS
from core.model import Feedback
from core.reporting.stats import TOTAL, Cell, Period, Table, suppress_together

# Free texts are shown only from this many in the period on.
MIN_TEXTS = 5
# An answer left empty (the question skipped without "I prefer not to answer").
SKIPPED = "skipped"


def quarter_of(month_key: str) -> str:
    """ "2026-11" -> "2026-Q4"."""
    year, month = month_key.split("-")
    return f"{year}-Q{(int(month) - 1) // 3 + 1}"


def quarters(period: Period) -> list[str]:
    seen: list[str] = []
    for month in period.months:
        quarter = quarter_of(month.key)
        if quarter not in seen:
            seen.append(quarter)
    return seen


@dataclass
class VoiceFigures:
    tables: dict[str, Table]  # per question: rows are answers, columns quarters
    texts: list[str] | None  # None: not shown (too few, or not a coordinator)
    answers: int  # how many people answered in the period

    def shared_totals(self) -> dict[Cell, Cell]:
        """Every question's column total is the number of people who answered
        that quarter: one unknown, hidden everywhere or nowhere."""
        first, *others = self.tables
        return {
            (name, TOTAL, column): (first, TOTAL, column)
            for name in others
            for column in [*self.tables[name].all_columns]
        }

    def suppressed(self, threshold: int, *, keep_texts: bool = False) -> VoiceFigures:
        """Small counts hidden; the free texts kept only for a coordinator."""
        tables = suppress_together(self.tables, self.shared_totals(), threshold)
        return replace(self, tables=tables, texts=self.texts if keep_texts else None)


def compute(
    session: Session, period: Period, *, centre_id: int, with_texts: bool = False
) -> VoiceFigures:
    """The centre's answers per quarter; the free texts only when asked for
    (they are decrypted, and only a coordinator's page shows them)."""
    months = [month.key for month in period.months]
    columns = quarters(period)
    in_period = and_(Feedback.centre_id == centre_id, Feedback.month.in_(months))
    tables: dict[str, Table] = {}
    for question, offered in QUESTIONS.items():
        column = getattr(Feedback, question)
        counts: dict[tuple[str, str], int] = {}
        for month, answer, count in session.execute(
            select(Feedback.month, column, func.count())
            .where(in_period)
            .group_by(Feedback.month, column)
        ):
            key = (answer or SKIPPED, quarter_of(month))
            counts[key] = counts.get(key, 0) + count
        rows = [*offered, NO_ANSWER, SKIPPED]
        tables[question] = Table(rows, columns, counts, row_totals=True)
    answers = session.scalar(select(func.count()).select_from(Feedback).where(in_period)) or 0
    texts: list[str] = []
    if with_texts:
        with_text = and_(in_period, Feedback.free_text.is_not(None))
        texts = [
            text for text in session.scalars(select(Feedback.free_text).where(with_text)) if text
        ]
    # Random order and no dates: a text cannot be tied to a month or a moment.
    random.SystemRandom().shuffle(texts)
    return VoiceFigures(tables, texts if len(texts) >= MIN_TEXTS else None, answers)
