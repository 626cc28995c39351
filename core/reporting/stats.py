"""The centre's figures for a period: counted from codes and timestamps only.

Every count is of one centre (`centre_id`): requests by their centre, case
files by theirs, and what hangs off them (attempts, actions, children's
words and plans) through the request or the file it belongs to.

Nothing here reads a name, a story or a message, so the figures stay right
after retention has erased old requests: an erased row keeps its door,
language, municipality, children answer and times (core.governance.retention).

Months and periods are in the centre's time zone. A request made at 00:30 on
1 March in Brussels is a March request although it is still February in UTC;
the month of each row is found in SQL by comparing with the UTC instants at
which the centre's months begin, so summer time is handled by zoneinfo.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any, cast
from zoneinfo import ZoneInfo

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement, UnaryExpression
from sqlalchemy.sql.operators import custom_op

from core.casework.actions import count_overdue
from core.casework.cases import CLOSURE_REASONS
from core.model import (
    Case,
    CasePerson,
    CaseStatus,
    ChildVoice,
    ContactAttempt,
    Intake,
    IntakeKind,
    Municipality,
    SafetyPlan,
    UTCDateTime,
    restricted_intake_ids,
    restricted_person_ids,
)
from core.reporting.suppression import HIDDEN_MARK, SMALL, is_small, small_mark, suppress
from core.rules import RuleError

TOTAL = "total"
COUNT = "count"
# Five years at most: a longer period makes the page heavy and is rarely asked.
MAX_MONTHS = 60
DEFAULT_MONTHS = 13  # the last 12 full months plus the current one
NOT_GIVEN = "not_given"
CASE_TRACKS = ("track_2", "track_3")
LANGUAGE_ORDER = ("nl", "fr", "de", "en", "ar", "tr", "pl", "ro", "bg", "uk", "ru", "fa")
CHILDREN_ANSWERS = ("yes", "no", "unknown", NOT_GIVEN)
_MONTH = re.compile(r"^\s*(\d{4})-(\d{1,2})\s*$")


# --- Periods ---------------------------------------------------------------


@dataclass(frozen=True, order=True)
class Month:
    year: int
    month: int

    @classmethod
    def of(cls, day: date) -> Month:
        return cls(day.year, day.month)

    @property
    def key(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    def plus(self, months: int) -> Month:
        index = self.year * 12 + self.month - 1 + months
        return Month(index // 12, index % 12 + 1)

    def first_day(self) -> date:
        return date(self.year, self.month, 1)

    def starts_at(self, zone: ZoneInfo) -> datetime:
        """The UTC instant at which this month begins in the centre's zone."""
        return datetime(self.year, self.month, 1, tzinfo=zone).astimezone(UTC)


@dataclass(frozen=True)
class Period:
    first: Month
    last: Month

    @property
    def months(self) -> list[Month]:
        count = (self.last.year - self.first.year) * 12 + self.last.month - self.first.month
        return [self.first.plus(n) for n in range(count + 1)]

    @property
    def key(self) -> str:
        """The period in words for files and the audit trail: "2026-01_2026-06"."""
        return f"{self.first.key}_{self.last.key}"

    @property
    def label(self) -> str:
        """ISO 8601 interval of months, as the CSV shows it: "2026-01/2026-06"."""
        return f"{self.first.key}/{self.last.key}"

    def bounds(self, zone: ZoneInfo) -> tuple[datetime, datetime]:
        return self.first.starts_at(zone), self.last.plus(1).starts_at(zone)


def default_period(today: date) -> Period:
    current = Month.of(today)
    return Period(current.plus(-(DEFAULT_MONTHS - 1)), current)


def _parse_month(raw: str, field_name: str) -> Month:
    found = _MONTH.match(raw)
    if not found:
        raise RuleError(field_name, "format")
    year, month = int(found.group(1)), int(found.group(2))
    if not (1 <= month <= 12 and 2000 <= year <= 2100):
        raise RuleError(field_name, "format")
    return Month(year, month)


def parse_period(raw_from: str | None, raw_to: str | None, today: date) -> Period:
    """The period from two typed months ("2026-01"); empty means the default side.
    A RuleError on "from" or "to" says why the months make no period."""
    default = default_period(today)
    raw_from, raw_to = raw_from or "", raw_to or ""
    first = _parse_month(raw_from, "from") if raw_from.strip() else default.first
    last = _parse_month(raw_to, "to") if raw_to.strip() else default.last
    if last > Month.of(today):
        raise RuleError("to", "future")
    if first > last:
        raise RuleError("from", "order")
    if len(Period(first, last).months) > MAX_MONTHS:
        raise RuleError("from", "too_long")
    return Period(first, last)


# --- Tables and durations ----------------------------------------------------


@dataclass
class Table:
    """Counts by row and column, with the totals the page and the CSV show.

    `marks` says which cells are suppressed (core.reporting.suppression); an exact
    table has none.
    """

    rows: list[str]
    columns: list[str]
    counts: dict[tuple[str, str], int]
    row_totals: bool = False  # a total per row (a "total" column)
    column_totals: bool = True  # a total per column (a "total" row)
    marks: dict[tuple[str, str], str] = field(default_factory=dict)

    @property
    def all_rows(self) -> list[str]:
        return [*self.rows, TOTAL] if self.column_totals else list(self.rows)

    @property
    def all_columns(self) -> list[str]:
        return [*self.columns, TOTAL] if self.row_totals else list(self.columns)

    def value(self, row: str, column: str) -> int:
        rows = self.rows if row == TOTAL else [row]
        columns = self.columns if column == TOTAL else [column]
        return sum(self.counts.get((r, c), 0) for r in rows for c in columns)

    def shown(self, row: str, column: str = COUNT) -> int | None:
        """The number, or None when it is suppressed."""
        return None if (row, column) in self.marks else self.value(row, column)

    def text(self, row: str, column: str = COUNT, threshold: int = 5) -> str:
        mark = self.marks.get((row, column))
        if mark is None:
            return str(self.value(row, column))
        return small_mark(threshold) if mark == SMALL else HIDDEN_MARK

    def share(self, row: str, column: str = COUNT) -> float | None:
        """Percent of the column total; None when either number is suppressed."""
        part, whole = self.shown(row, column), self.shown(TOTAL, column)
        if part is None or not whole or not self.column_totals:
            return None
        return 100 * part / whole

    def equations(self) -> list[tuple[tuple[str, str], list[tuple[str, str]]]]:
        sums = []
        if self.row_totals:
            for row in self.all_rows:
                sums.append(((row, TOTAL), [(row, c) for c in self.columns]))
        if self.column_totals:
            for column in self.all_columns:
                sums.append(((TOTAL, column), [(r, column) for r in self.rows]))
        return sums

    def suppressed(self, threshold: int) -> Table:
        cells = {(r, c): self.value(r, c) for r in self.all_rows for c in self.all_columns}
        return replace(self, marks=suppress(cells, self.equations(), threshold))


# A cell of one of the figures' tables: (table name, row, column).
Cell = tuple[str, str, str]


def suppress_together(
    tables: dict[str, Table], shared: dict[Cell, Cell], threshold: int
) -> dict[str, Table]:
    """Suppress several tables as one: a cell in `shared` is the same unknown
    as the cell it points to, so it is hidden in both tables or in neither."""

    def key(name: str, row: str, column: str) -> Cell:
        return shared.get((name, row, column), (name, row, column))

    values: dict[Cell, int] = {}
    equations = []
    for name, table in tables.items():
        for row in table.all_rows:
            for column in table.all_columns:
                values[key(name, row, column)] = table.value(row, column)
        for (total_row, total_column), parts in table.equations():
            equations.append(
                (key(name, total_row, total_column), [key(name, r, c) for r, c in parts])
            )
    marks = suppress(values, equations, threshold)
    return {
        name: replace(
            table,
            marks={
                (row, column): marks[key(name, row, column)]
                for row in table.all_rows
                for column in table.all_columns
                if key(name, row, column) in marks
            },
        )
        for name, table in tables.items()
    }


def _nth(histogram: list[tuple[int, int]], rank: int) -> int:
    """The rank-th smallest value (1-based) of a sorted histogram of (value, how many)."""
    seen = 0
    for value, count in histogram:
        seen += count
        if seen >= rank:
            return value
    raise IndexError(rank)


def median(histogram: list[tuple[int, int]]) -> float:
    total = sum(count for _, count in histogram)
    middle = (total + 1) // 2
    if total % 2:
        return float(_nth(histogram, middle))
    return (_nth(histogram, middle) + _nth(histogram, middle + 1)) / 2


def percentile_90(histogram: list[tuple[int, int]]) -> float:
    """Nearest-rank 90th percentile: the smallest value with 90 % at or below it."""
    total = sum(count for _, count in histogram)
    return float(_nth(histogram, math.ceil(0.9 * total)))


@dataclass
class Durations:
    """Waiting times in seconds (to the minute), with the team's target.

    Kept as a histogram, (seconds, how many) in ascending order: the database
    groups the times, so 100,000 requests come back as a few thousand rows.
    """

    histogram: list[tuple[int, int]]
    target_seconds: int
    hidden: bool = False  # fewer values than the threshold: no median, no p90
    share_hidden: bool = False

    @property
    def count(self) -> int:
        return sum(count for _, count in self.histogram)

    @property
    def within_target(self) -> int:
        return sum(count for value, count in self.histogram if value <= self.target_seconds)

    def median(self) -> float | None:
        return None if self.hidden or not self.histogram else median(self.histogram)

    def p90(self) -> float | None:
        return None if self.hidden or not self.histogram else percentile_90(self.histogram)

    def share_within_target(self) -> float | None:
        if self.hidden or self.share_hidden or not self.histogram:
            return None
        return 100 * self.within_target / self.count

    def suppressed(self, threshold: int) -> Durations:
        late = self.count - self.within_target
        return replace(
            self,
            hidden=self.count < threshold,
            # A share shows two counts (in time, late): either may be small.
            share_hidden=is_small(self.within_target, threshold) or is_small(late, threshold),
        )

    def count_text(self, threshold: int) -> str:
        if self.hidden and is_small(self.count, threshold):
            return small_mark(threshold)
        return str(self.count)


@dataclass
class Figures:
    period: Period
    today: date
    requests_by_month: Table  # rows: months, columns: doors
    municipalities: Table  # rows: municipality ids (or NOT_GIVEN), columns: months
    languages: Table
    children: Table
    first_contact: Durations
    decision: Durations
    cases_by_track: Table  # rows: tracks, columns: opened, closed
    closure_reasons: Table
    caseload: Table  # rows: director ids as text (or NOT_GIVEN)
    children_in_cases: Table
    # Children heard in their own words, and children with their own safety
    # plan, by the month of the first time (rows: months).
    children_own: Table
    overdue_actions: Table
    # Contact attempts in the period: within the rules the person gave, or not.
    contact_attempts: Table
    municipality_names: dict[str, str] = field(default_factory=dict)
    suppressed_at: int | None = None  # the threshold, when suppressed

    def tables(self) -> dict[str, Table]:
        return {
            "requests_by_month": self.requests_by_month,
            "municipalities": self.municipalities,
            "languages": self.languages,
            "children": self.children,
            "cases_by_track": self.cases_by_track,
            "closure_reasons": self.closure_reasons,
            "caseload": self.caseload,
            "children_in_cases": self.children_in_cases,
            "children_own": self.children_own,
            "overdue_actions": self.overdue_actions,
            "contact_attempts": self.contact_attempts,
        }

    def shared_totals(self) -> dict[Cell, Cell]:
        """Cells that show the same number as a cell of another table.

        The requests of a month are the total of its row in the door table
        and of its column in the municipality table; every request breakdown
        ends in the same grand total; the reasons of closure add up to the
        closed files. Suppressed apart, one table could show a total the other
        hid, and a small cell could be worked out from the two together. Only
        cells that really hold the same number are joined.
        """
        months, grand = "requests_by_month", ("requests_by_month", TOTAL, TOTAL)
        pairs = {("municipalities", TOTAL, m): (months, m, TOTAL) for m in self.period_months}
        pairs[("municipalities", TOTAL, TOTAL)] = grand
        pairs[("languages", TOTAL, COUNT)] = grand
        pairs[("children", TOTAL, COUNT)] = grand
        pairs[("closure_reasons", TOTAL, COUNT)] = ("cases_by_track", TOTAL, "closed")
        tables = self.tables()

        def value(cell: Cell) -> int:
            name, row, column = cell
            return tables[name].value(row, column)

        return {one: other for one, other in pairs.items() if value(one) == value(other)}

    @property
    def period_months(self) -> list[str]:
        return [month.key for month in self.period.months]

    def suppressed(self, threshold: int) -> Figures:
        """The same figures with small counts hidden, for anyone but a coordinator."""
        tables = suppress_together(self.tables(), self.shared_totals(), threshold)
        return replace(
            self,
            **cast(dict[str, Any], tables),
            first_contact=self.first_contact.suppressed(threshold),
            decision=self.decision.suppressed(threshold),
            suppressed_at=threshold,
        )


# --- Queries -------------------------------------------------------------------


def month_of(column, period: Period, zone: ZoneInfo):
    """SQL: the centre month ("2026-03") of a UTC timestamp inside the period."""
    return case(
        *[(column < month.plus(1).starts_at(zone), month.key) for month in period.months],
        else_=None,
    )


def seconds_between(session: Session, start, end):
    """SQL: whole seconds from `start` to `end` (both timestamp columns)."""
    if session.get_bind().dialect.name == "sqlite":
        return func.round((func.julianday(end) - func.julianday(start)) * 86400)
    return func.round(func.extract("epoch", end - start))


def _one_column(rows: Iterable[str], counts: dict) -> Table:
    rows = list(rows)
    return Table(rows, [COUNT], {(r, COUNT): counts.get(r, 0) for r in rows})


def _ordered(found: Iterable[str], known: Iterable[str]) -> list[str]:
    """The known codes first, in their order, then any other code found."""
    known = list(known)
    return known + sorted(code for code in found if code not in known)


def created_in(session: Session, period: Period, zone: ZoneInfo, centre_ids: Collection[int]):
    """SQL: the request was made at one of the centres in the period.

    On SQLite the comparisons go through a unary plus, which keeps the
    planner off the created_at and centre_id indexes: a period of months
    covers most of a centre's rows, and one pass over the table is several
    times faster than an index lookup per row (measured in
    bench/stats_time.py). PostgreSQL chooses well by itself.
    """
    start, end = period.bounds(zone)
    column: ColumnElement = Intake.created_at.expression
    centre: ColumnElement = Intake.centre_id.expression
    if session.get_bind().dialect.name == "sqlite":
        column = UnaryExpression(column, operator=custom_op("+"), type_=UTCDateTime())
        centre = UnaryExpression(centre, operator=custom_op("+"), type_=centre.type)
    return and_(
        centre.in_(list(centre_ids)),
        column >= start,
        column < end,
        # A restricted request (GDPR art. 18) is stored, not counted.
        Intake.id.not_in(restricted_intake_ids()),
    )


def _counts_by(session: Session, condition, column) -> Counter:
    query = select(column, func.count()).where(condition).group_by(column)
    return Counter(dict(session.execute(query).all()))


def _request_tables(session: Session, period: Period, zone: ZoneInfo, centre_id: int) -> dict:
    """Requests by month and door, by municipality, language and children answer.

    One GROUP BY per breakdown: grouping by all of them at once makes SQLite
    sort every row by five keys, which is slower than four short passes.
    """
    in_period = created_in(session, period, zone, [centre_id])
    month = month_of(Intake.created_at, period, zone).label("month")
    kinds = [kind.value for kind in IntakeKind]
    per_door = [func.sum(case((Intake.kind == kind, 1), else_=0)) for kind in kinds]
    by_month = {
        (month_key, kind): int(count or 0)
        for month_key, *counts in session.execute(
            select(month, *per_door).where(in_period).group_by(month)
        )
        for kind, count in zip(kinds, counts, strict=True)
    }
    # Each local government funds the centre and asks for its own months.
    by_place_and_month = {
        (NOT_GIVEN if place is None else str(place), month_key): count
        for month_key, place, count in session.execute(
            select(month, Intake.municipality_id, func.count())
            .where(in_period)
            .group_by(month, Intake.municipality_id)
        )
    }
    by_place = {place for place, _month in by_place_and_month}
    by_language = _counts_by(session, in_period, Intake.language)
    by_children = Counter(
        {
            (answer or NOT_GIVEN): count
            for answer, count in _counts_by(session, in_period, Intake.children_involved).items()
        }
    )
    names = {str(k): v for k, v in session.execute(select(Municipality.id, Municipality.name))}
    places = sorted((p for p in by_place if p != NOT_GIVEN), key=lambda p: names.get(p, p))
    return {
        "requests_by_month": Table(
            [m.key for m in period.months], kinds, by_month, row_totals=True
        ),
        "municipalities": Table(
            places + ([NOT_GIVEN] if NOT_GIVEN in by_place else []),
            [m.key for m in period.months],
            by_place_and_month,
            row_totals=True,
        ),
        "municipality_names": names,
        "languages": _one_column(
            [c for c in _ordered(by_language, LANGUAGE_ORDER) if c in by_language], by_language
        ),
        "children": _one_column(_ordered(by_children, CHILDREN_ANSWERS), by_children),
    }


def waiting_times(
    session: Session, period: Period, zone: ZoneInfo, until, *, centre_id: int
) -> list[tuple[int, int]]:
    """How long the centre's requests of the period waited for `until`, to the
    minute: a histogram of (seconds, how many)."""
    minutes = func.round(seconds_between(session, Intake.created_at, until) / 60).label("m")
    query = (
        select(minutes, func.count())
        .where(created_in(session, period, zone, [centre_id]), until.is_not(None))
        .group_by(minutes)
        .order_by(minutes)
    )
    return [(int(m) * 60, count) for m, count in session.execute(query)]


def compute(
    session: Session,
    period: Period,
    *,
    zone: ZoneInfo,
    today: date,
    centre_id: int,
    first_contact_target: timedelta,
    decision_target: timedelta,
) -> Figures:
    """Every figure of the centre's page, exact. Counting happens in SQL with GROUP BY."""
    return Figures(
        period=period,
        today=today,
        **_request_tables(session, period, zone, centre_id),
        first_contact=Durations(
            waiting_times(session, period, zone, Intake.first_contact_at, centre_id=centre_id),
            int(first_contact_target.total_seconds()),
        ),
        decision=Durations(
            waiting_times(session, period, zone, Intake.decided_at, centre_id=centre_id),
            int(decision_target.total_seconds()),
        ),
        **_case_tables(session, period, zone, centre_id),
        children_own=_children_own(session, period, zone, centre_id),
        # The same rule as the home page's overdue actions (core.casework.actions).
        overdue_actions=_single("overdue", count_overdue(session, today, centre_id=centre_id)),
        contact_attempts=_contact_attempts(session, period, zone, centre_id),
    )


CHILDREN_OWN_COLUMNS = ("heard", "own_plan")


def _children_own(session: Session, period: Period, zone: ZoneInfo, centre_id: int) -> Table:
    """Children whose own words were first written down in each month (by the
    day they were heard), and children whose own safety plan was first saved
    in each month. Each child counts once, in the month of the first time.

    Both come from the rows retention erases with a file (core.governance.
    retention): a file erased after its retention period no longer counts
    here, while its children still count in "children in case files"."""
    months = period.months
    first_heard = (
        select(ChildVoice.person_id, func.min(ChildVoice.heard_on).label("first"))
        .join(Case, Case.id == ChildVoice.case_id)
        .where(Case.centre_id == centre_id, ChildVoice.person_id.not_in(restricted_person_ids()))
        .group_by(ChildVoice.person_id)
        .subquery()
    )
    heard_month = case(
        *[(first_heard.c.first < month.plus(1).first_day(), month.key) for month in months],
        else_=None,
    )
    counts: dict[tuple[str, str], int] = {}
    for month_key, count in session.execute(
        select(heard_month, func.count())
        .where(
            first_heard.c.first >= period.first.first_day(),
            first_heard.c.first < period.last.plus(1).first_day(),
        )
        .group_by(heard_month)
    ):
        counts[(month_key, "heard")] = count
    first_plan = (
        select(SafetyPlan.person_id, func.min(SafetyPlan.created_at).label("first"))
        .join(CasePerson, CasePerson.id == SafetyPlan.person_id)
        .join(Case, Case.id == SafetyPlan.case_id)
        .where(
            CasePerson.role == "child",
            Case.centre_id == centre_id,
            CasePerson.id.not_in(restricted_person_ids()),
        )
        .group_by(SafetyPlan.person_id)
        .subquery()
    )
    start, end = period.bounds(zone)
    plan_month = month_of(first_plan.c.first, period, zone)
    for month_key, count in session.execute(
        select(plan_month, func.count())
        .where(first_plan.c.first >= start, first_plan.c.first < end)
        .group_by(plan_month)
    ):
        counts[(month_key, "own_plan")] = count
    return Table([m.key for m in months], list(CHILDREN_OWN_COLUMNS), counts)


ATTEMPT_ROWS = ("within_rules", "outside_rules")


def _contact_attempts(session: Session, period: Period, zone: ZoneInfo, centre_id: int) -> Table:
    """Attempts made in the period, and how many broke the person's rules
    (outside her safe times or a way she did not allow): the centre sees how
    often that happens without reading a single request."""
    start, end = period.bounds(zone)
    outside = or_(ContactAttempt.outside_safe_time, ContactAttempt.channel_not_allowed)
    row = case((outside, "outside_rules"), else_="within_rules")
    counts = {
        (name, COUNT): count
        for name, count in session.execute(
            select(row, func.count())
            .join(Intake, Intake.id == ContactAttempt.intake_id)
            .where(
                Intake.centre_id == centre_id,
                ContactAttempt.created_at >= start,
                ContactAttempt.created_at < end,
                Intake.id.not_in(restricted_intake_ids()),
            )
            .group_by(row)
        )
    }
    return Table(list(ATTEMPT_ROWS), [COUNT], counts)


def opened_in(period: Period, zone: ZoneInfo, *, centre_id: int):
    """SQL: the centre's case file was opened in the period."""
    start, end = period.bounds(zone)
    return and_(Case.centre_id == centre_id, Case.opened_at >= start, Case.opened_at < end)


def closed_in(period: Period, zone: ZoneInfo, *, centre_id: int):
    """SQL: the centre's case file was closed in the period (and is still closed)."""
    start, end = period.bounds(zone)
    return and_(
        Case.centre_id == centre_id,
        Case.status == CaseStatus.CLOSED,
        Case.closed_at >= start,
        Case.closed_at < end,
    )


def _single(row: str, count: int) -> Table:
    return Table([row], [COUNT], {(row, COUNT): count}, column_totals=False)


def _case_tables(session: Session, period: Period, zone: ZoneInfo, centre_id: int) -> dict:
    """Case files opened and closed per track, closure reasons, children, caseload."""
    opened_in_period = opened_in(period, zone, centre_id=centre_id)
    closed_in_period = closed_in(period, zone, centre_id=centre_id)
    counts: dict[tuple[str, str], int] = {}
    for column, condition in (("opened", opened_in_period), ("closed", closed_in_period)):
        query = select(Case.track, func.count()).where(condition).group_by(Case.track)
        for track, count in session.execute(query):
            counts[(track, column)] = count
    tracks = _ordered({track for track, _ in counts}, CASE_TRACKS)

    reasons_query = (
        select(Case.closure_reason, func.count())
        .where(closed_in_period)
        .group_by(Case.closure_reason)
    )
    by_reason = {(reason or NOT_GIVEN): n for reason, n in session.execute(reasons_query)}

    children_query = (
        select(func.count())
        .select_from(CasePerson)
        .join(Case, Case.id == CasePerson.case_id)
        .where(
            CasePerson.role == "child",
            opened_in_period,
            CasePerson.id.not_in(restricted_person_ids()),
        )
    )
    # The caseload is today's, whatever the period: open files per case director.
    caseload_query = (
        select(Case.director_id, func.count())
        .where(Case.centre_id == centre_id, Case.status == CaseStatus.OPEN)
        .group_by(Case.director_id)
    )
    by_director = {
        (NOT_GIVEN if director is None else str(director)): n
        for director, n in session.execute(caseload_query)
    }
    # Busiest first, so the table reads as a ranking without names too.
    directors = sorted(by_director, key=lambda d: (-by_director[d], d))
    return {
        "cases_by_track": Table(tracks, ["opened", "closed"], counts),
        "closure_reasons": _one_column(_ordered(by_reason, CLOSURE_REASONS), by_reason),
        "children_in_cases": _single("children", session.scalar(children_query) or 0),
        "caseload": _one_column(directors, by_director),
    }


# --- CSV ----------------------------------------------------------------------

CSV_HEADER = ("figure", "period", "category", "value")


def _number(value: float | None) -> str:
    return "" if value is None else f"{value:.1f}"


def _duration_rows(name: str, durations: Durations, unit: tuple[int, str], period: str, threshold):
    """Count, median, p90 and share within the target; "x" where too few to show."""
    seconds, unit_name = unit

    def scaled(value: float | None) -> str:
        return _number(None if value is None else value / seconds) or HIDDEN_MARK

    yield (name, period, COUNT, durations.count_text(threshold))
    yield (name, period, f"median_{unit_name}", scaled(durations.median()))
    yield (name, period, f"p90_{unit_name}", scaled(durations.p90()))
    share = _number(durations.share_within_target()) or HIDDEN_MARK
    yield (name, period, "share_within_target_percent", share)
    yield (name, period, f"target_{unit_name}", _number(durations.target_seconds / seconds))


def csv_rows(figures: Figures, threshold: int) -> list[tuple[str, str, str, str]]:
    """The export in long form: one number a line, a header first.

    The export leaves the centre, so it needs suppressed figures; staff names
    never appear (the caseload is the number of open files and of case
    directors holding them). Codes, not translated words, name the categories.
    """
    if figures.suppressed_at is None:
        raise ValueError("the CSV export must be made from suppressed figures")
    whole = figures.period.label
    today = figures.today.isoformat()
    rows: list[tuple[str, str, str, str]] = [CSV_HEADER]

    table = figures.requests_by_month
    for month in table.rows:
        for column in table.all_columns:
            rows.append(("requests_by_door", month, column, table.text(month, column, threshold)))
    for column in table.all_columns:
        rows.append(("requests_by_door", whole, column, table.text(TOTAL, column, threshold)))

    def one_column(name: str, table: Table, period: str, label=lambda r: r):
        for row in table.all_rows:
            rows.append((name, period, label(row), table.text(row, COUNT, threshold)))

    places = figures.municipalities
    for row in places.all_rows:
        name = figures.municipality_names.get(row, row)
        for month in places.columns:
            rows.append(
                ("requests_by_municipality", month, name, places.text(row, month, threshold))
            )
        rows.append(("requests_by_municipality", whole, name, places.text(row, TOTAL, threshold)))
    one_column("requests_by_language", figures.languages, whole)
    one_column("requests_children_involved", figures.children, whole)
    for name, durations, unit in (
        ("time_to_first_contact", figures.first_contact, (3600, "hours")),
        ("time_to_triage_decision", figures.decision, (86400, "days")),
    ):
        rows.extend(_duration_rows(name, durations, unit, whole, threshold))
    tracks = figures.cases_by_track
    for row in tracks.all_rows:
        for column in tracks.columns:
            rows.append((f"cases_{column}", whole, row, tracks.text(row, column, threshold)))
    one_column("case_closure_reasons", figures.closure_reasons, whole)
    one_column("children_in_new_case_files", figures.children_in_cases, whole)
    own = figures.children_own
    for column, name in (
        ("heard", "children_first_heard"),
        ("own_plan", "children_own_safety_plan"),
    ):
        for month in own.rows:
            rows.append((name, month, "children", own.text(month, column, threshold)))
        rows.append((name, whole, "children", own.text(TOTAL, column, threshold)))
    caseload = figures.caseload
    rows.append(("open_caseload", today, "open_case_files", caseload.text(TOTAL, COUNT, threshold)))
    # Staff are not the people the rule protects: their number is shown as is.
    directors = sum(1 for r in caseload.rows if r != NOT_GIVEN and caseload.value(r, COUNT))
    rows.append(("open_caseload", today, "case_directors", str(directors)))
    one_column("overdue_actions", figures.overdue_actions, today)
    one_column("contact_attempts", figures.contact_attempts, whole)
    return rows
