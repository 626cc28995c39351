"""The network's figures: every active centre side by side, one column each
and a total, for the `network` role (/staff/network) and its CSV.

Only counts and waiting times leave a centre here, and only suppressed: the
network sees no request, no case file and no name. The tables are suppressed
together (core.reporting.stats.suppress_together), so a count hidden in one
table cannot be worked out from the totals of another, nor from the network
total and the other centres' columns.

Each centre's months are those of its own time zone, as on its own page.
Centres that share a zone (in Flanders, all of them) are counted in one
query per figure, grouped by centre: the page reads each table once however
many centres there are.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import timedelta
from typing import Any, cast
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.casework.cases import CLOSURE_REASONS
from core.model import Case, CaseStatus, Centre, Intake, IntakeKind
from core.reporting.stats import (
    CASE_TRACKS,
    NOT_GIVEN,
    TOTAL,
    Cell,
    Period,
    Table,
    created_in,
    median,
    month_of,
    seconds_between,
    suppress_together,
)
from core.reporting.suppression import HIDDEN_MARK

WITHIN_TARGET = "within_target"
AFTER_TARGET = "after_target"
FIRST_CONTACT_ROWS = (WITHIN_TARGET, AFTER_TARGET)
CSV_HEADER = ("figure", "period", "centre", "category", "value")


@dataclass(frozen=True)
class NetworkCentre:
    """A column of the network's tables: a centre, its zone and its own target."""

    slug: str
    centre_id: int
    zone: str
    first_contact_target: timedelta

    @classmethod
    def of(cls, centre: Centre, target_hours: int) -> NetworkCentre:
        return cls(centre.slug, centre.id, centre.timezone, timedelta(hours=target_hours))


@dataclass
class NetworkFigures:
    period: Period
    centres: list[NetworkCentre]
    requests_by_month: Table  # rows: months; columns: centre slugs (and the total)
    requests_by_door: Table  # rows: doors
    # Requests of the period already contacted: in time (each centre's own
    # target) or later. The total row is the number measured.
    first_contact: Table
    cases_by_track: Table  # case files opened in the period, rows: tracks
    closure_reasons: Table  # case files closed in the period, rows: reasons
    # Waiting times to the first contact, (seconds, how many), per centre slug.
    histograms: dict[str, list[tuple[int, int]]] = field(default_factory=dict)
    suppressed_at: int | None = None

    def tables(self) -> dict[str, Table]:
        return {
            "requests_by_month": self.requests_by_month,
            "requests_by_door": self.requests_by_door,
            "first_contact": self.first_contact,
            "cases_by_track": self.cases_by_track,
            "closure_reasons": self.closure_reasons,
        }

    def shared_totals(self) -> dict[Cell, Cell]:
        """Each centre's requests are the total of its column in the month
        table and in the door table: one number, hidden in both or in neither."""
        months, doors = self.requests_by_month, self.requests_by_door
        return {
            ("requests_by_door", TOTAL, column): ("requests_by_month", TOTAL, column)
            for column in doors.all_columns
            if doors.value(TOTAL, column) == months.value(TOTAL, column)
        }

    def suppressed(self, threshold: int) -> NetworkFigures:
        tables = suppress_together(self.tables(), self.shared_totals(), threshold)
        return replace(self, **cast(dict[str, Any], tables), suppressed_at=threshold)

    def median_seconds(self, column: str) -> float | None:
        """The median wait of a centre (or of all, TOTAL); None when there are
        too few to show once suppressed, or none at all."""
        histogram = self._histogram(column)
        measured = sum(count for _, count in histogram)
        if not measured or (self.suppressed_at is not None and measured < self.suppressed_at):
            return None
        return median(histogram)

    def share_within_target(self, column: str) -> float | None:
        """Percent contacted within the target; None when a count it rests on is hidden."""
        return self.first_contact.share(WITHIN_TARGET, column)

    def target_hours(self, column: str) -> float | None:
        """A centre's own target; the total has none (each centre counts by its own)."""
        for centre in self.centres:
            if centre.slug == column:
                return centre.first_contact_target.total_seconds() / 3600
        return None

    def _histogram(self, column: str) -> list[tuple[int, int]]:
        if column != TOTAL:
            return self.histograms.get(column, [])
        merged: dict[int, int] = defaultdict(int)
        for histogram in self.histograms.values():
            for seconds, count in histogram:
                merged[seconds] += count
        return sorted(merged.items())


def compute(session: Session, period: Period, centres: list[NetworkCentre]) -> NetworkFigures:
    """The exact figures of the centres, in the order given."""
    slugs = [centre.slug for centre in centres]
    counts: dict[str, dict[tuple[str, str], int]] = defaultdict(dict)
    histograms: dict[str, list[tuple[int, int]]] = {slug: [] for slug in slugs}
    for zone_name, group in _by_zone(centres).items():
        zone = ZoneInfo(zone_name)
        slug_of = {centre.centre_id: centre.slug for centre in group}
        _count_requests(session, period, zone, slug_of, counts)
        _count_first_contact(session, period, zone, group, counts, histograms)
        _count_case_files(session, period, zone, slug_of, counts)
    months = [month.key for month in period.months]

    def table(name: str, rows: Iterable[str]) -> Table:
        return Table(list(rows), slugs, counts[name], row_totals=True)

    found_tracks = {track for track, _ in counts["cases_by_track"]}
    found_reasons = {reason for reason, _ in counts["closure_reasons"]}
    return NetworkFigures(
        period=period,
        centres=list(centres),
        requests_by_month=table("requests_by_month", months),
        requests_by_door=table("requests_by_door", [kind.value for kind in IntakeKind]),
        first_contact=table("first_contact", FIRST_CONTACT_ROWS),
        cases_by_track=table("cases_by_track", _ordered(found_tracks, CASE_TRACKS)),
        closure_reasons=table("closure_reasons", _ordered(found_reasons, CLOSURE_REASONS)),
        histograms=histograms,
    )


def _by_zone(centres: list[NetworkCentre]) -> dict[str, list[NetworkCentre]]:
    groups: dict[str, list[NetworkCentre]] = defaultdict(list)
    for centre in centres:
        groups[centre.zone].append(centre)
    return groups


def _ordered(found: set[str], known: Iterable[str]) -> list[str]:
    """Every known code in its order (zeros too, so centres compare row by
    row), then any other code found."""
    known = list(known)
    return known + sorted(code for code in found if code not in known)


def _count_requests(session, period: Period, zone: ZoneInfo, slug_of: dict, counts) -> None:
    month = month_of(Intake.created_at, period, zone).label("month")
    query = (
        select(Intake.centre_id, month, Intake.kind, func.count())
        .where(created_in(session, period, zone, list(slug_of)))
        .group_by(Intake.centre_id, month, Intake.kind)
    )
    by_month, by_door = counts["requests_by_month"], counts["requests_by_door"]
    for centre_id, month_key, kind, count in session.execute(query):
        slug = slug_of[centre_id]
        by_month[(month_key, slug)] = by_month.get((month_key, slug), 0) + count
        by_door[(kind, slug)] = by_door.get((kind, slug), 0) + count


def _count_first_contact(
    session, period: Period, zone: ZoneInfo, group: list[NetworkCentre], counts, histograms
) -> None:
    """Waiting times to the first contact, to the minute, per centre; in time
    or late by the centre's own target."""
    by_id = {centre.centre_id: centre for centre in group}
    minutes = func.round(
        seconds_between(session, Intake.created_at, Intake.first_contact_at) / 60
    ).label("m")
    query = (
        select(Intake.centre_id, minutes, func.count())
        .where(
            created_in(session, period, zone, list(by_id)),
            Intake.first_contact_at.is_not(None),
        )
        .group_by(Intake.centre_id, minutes)
        .order_by(Intake.centre_id, minutes)
    )
    table = counts["first_contact"]
    for centre_id, minute, count in session.execute(query):
        centre, seconds = by_id[centre_id], int(minute) * 60
        histograms[centre.slug].append((seconds, count))
        in_time = seconds <= centre.first_contact_target.total_seconds()
        key = (WITHIN_TARGET if in_time else AFTER_TARGET, centre.slug)
        table[key] = table.get(key, 0) + count


def _count_case_files(session, period: Period, zone: ZoneInfo, slug_of: dict, counts) -> None:
    start, end = period.bounds(zone)
    ours = Case.centre_id.in_(list(slug_of))
    opened = (
        select(Case.centre_id, Case.track, func.count())
        .where(ours, Case.opened_at >= start, Case.opened_at < end)
        .group_by(Case.centre_id, Case.track)
    )
    for centre_id, track, count in session.execute(opened):
        counts["cases_by_track"][(track, slug_of[centre_id])] = count
    closed = (
        select(Case.centre_id, Case.closure_reason, func.count())
        .where(
            ours,
            Case.status == CaseStatus.CLOSED,
            Case.closed_at >= start,
            Case.closed_at < end,
        )
        .group_by(Case.centre_id, Case.closure_reason)
    )
    reasons = counts["closure_reasons"]
    for centre_id, reason, count in session.execute(closed):
        key = (reason or NOT_GIVEN, slug_of[centre_id])
        reasons[key] = reasons.get(key, 0) + count


# --- CSV ----------------------------------------------------------------------


def _number(value: float | None) -> str:
    return HIDDEN_MARK if value is None else f"{value:.1f}"


def csv_rows(figures: NetworkFigures, threshold: int) -> list[tuple[str, ...]]:
    """The export in long form, one number a line: the same suppressed
    numbers as the page, codes (centre slugs, doors, reasons) for words."""
    if figures.suppressed_at is None:
        raise ValueError("the network's CSV must be made from suppressed figures")
    whole = figures.period.label
    rows: list[tuple[str, ...]] = [CSV_HEADER]
    months = figures.requests_by_month
    for month in months.all_rows:
        period = whole if month == TOTAL else month
        for column in months.all_columns:
            rows.append(("requests", period, column, TOTAL, months.text(month, column, threshold)))
    for name, table in (
        ("requests_by_door", figures.requests_by_door),
        ("cases_opened_by_track", figures.cases_by_track),
        ("case_closure_reasons", figures.closure_reasons),
    ):
        for column in table.all_columns:
            for row in table.all_rows:
                rows.append((name, whole, column, row, table.text(row, column, threshold)))
    contact = figures.first_contact
    for column in contact.all_columns:
        name = "time_to_first_contact"
        rows.append((name, whole, column, "count", contact.text(TOTAL, column, threshold)))
        for row in contact.rows:
            rows.append((name, whole, column, row, contact.text(row, column, threshold)))
        median_seconds = figures.median_seconds(column)
        hours = None if median_seconds is None else median_seconds / 3600
        rows.append((name, whole, column, "median_hours", _number(hours)))
        share = figures.share_within_target(column)
        rows.append((name, whole, column, "share_within_target_percent", _number(share)))
        target = figures.target_hours(column)
        rows.append(
            (name, whole, column, "target_hours", "" if target is None else f"{target:.1f}")
        )
    return rows
