"""The figures: a known data set, each figure asserted exactly, month edges in
the centre's time zone (summer time included), small-count suppression with
its recomputation rule, the CSV, and figures that survive the retention purge."""

from __future__ import annotations

import csv
import io
import itertools
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from core.governance.retention import erase_intake, purge
from core.identity.staff import create_staff
from core.infra.config import PROJECT_ROOT
from core.model import (
    Case,
    CaseAction,
    CasePerson,
    ChildVoice,
    ContactAttempt,
    Feedback,
    Intake,
    IntakeStatus,
    Municipality,
    SafetyPlan,
)
from core.network.centres import centre_by_slug, default_centre
from core.reporting import stats, voice
from core.reporting.suppression import HIDDEN, SMALL, determined, suppress
from core.rules import RuleError
from web.db import db

ZONE = ZoneInfo("Europe/Brussels")
TODAY = date(2026, 3, 15)
PERIOD = stats.Period(stats.Month(2026, 1), stats.Month(2026, 3))
HOUR, DAY = 3600, 86400


def at(year, month, day, hour=12, minute=0) -> datetime:
    """A time on the centre's clock, as the aware UTC value the database holds."""
    return datetime(year, month, day, hour, minute, tzinfo=ZONE).astimezone(UTC)


# (month, door, how many). Every month's first request is made at 00:30 on
# the 1st in Brussels: still the previous month in UTC.
REQUESTS = (
    (1, "contact", 6),
    (1, "question", 2),
    (2, "contact", 7),
    (2, "referral", 3),
    (3, "contact", 5),
    (3, "question", 1),
    (3, "referral", 6),
)
MUNICIPALITIES = (("Mechelen", 21), ("Lier", 7), ("Duffel", 2))
LANGUAGES = (("nl", 20), ("fr", 6), ("ar", 4))
CHILDREN = (("yes", 12), ("no", 10), ("unknown", 3), (None, 5))
CONTACT_HOURS = (1, 2, 3, 4, 5, 6, 10, 20, 30, 48)
DECISION_DAYS = (1, 2, 3, 4, 5, 8, 9, 10, 12, 14)


def _spread(pairs):
    return list(itertools.chain.from_iterable(itertools.repeat(v, n) for v, n in pairs))


def build_dataset(app) -> dict[str, int]:
    """30 requests in January to March 2026, 4 just outside, 11 case files."""
    with app.app_context(), db.writing() as session:
        centre_id = default_centre(session).id
        places = dict(session.execute(select(Municipality.name, Municipality.id)).all())
        municipality_ids = _spread((places[name], n) for name, n in MUNICIPALITIES)
        languages = _spread(LANGUAGES)
        children = _spread(CHILDREN)
        number = 0

        def add(created_at, kind="contact", **fields):
            nonlocal number
            number += 1
            intake = Intake(
                centre_id=centre_id,
                kind=kind,
                language=fields.pop("language", "nl"),
                return_code_key=f"stats-{number}",
                created_at=created_at,
                status=IntakeStatus.CLOSED,
                closed_at=created_at + timedelta(days=20),
                **fields,
            )
            session.add(intake)
            return intake

        index = 0
        for month, kind, count in REQUESTS:
            for n in range(count):
                created = at(2026, month, 1, 0, 30) if n == 0 else at(2026, month, 2 + n, 9, n)
                fields = {
                    "municipality_id": municipality_ids[index],
                    "language": languages[index],
                    "children_involved": children[index],
                }
                if index < len(CONTACT_HOURS):
                    fields["first_contact_at"] = created + timedelta(hours=CONTACT_HOURS[index])
                if 10 <= index < 10 + len(DECISION_DAYS):
                    fields["decided_at"] = created + timedelta(days=DECISION_DAYS[index - 10])
                add(created, kind, **fields)
                index += 1
        # Just outside the period: 23:30 on New Year's Eve, and 00:30 on 1 April
        # in summer time (22:30 UTC on 31 March: a fixed UTC+1 would count it).
        add(at(2025, 12, 31, 23, 30))
        add(at(2026, 4, 1, 0, 30), first_contact_at=at(2026, 4, 1, 1, 30))
        add(at(2025, 11, 5), "referral")
        add(at(2026, 5, 5), "question")

        director_a = create_staff(
            session,
            email="stats-a@fjc.example",
            name="Anna Director",
            role="case_director",
            password="correct horse battery staple",
        )
        director_b = create_staff(
            session,
            email="stats-b@fjc.example",
            name="Bram Director",
            role="case_director",
            password="correct horse battery staple",
        )
        a, b = director_a.id, director_b.id
        cases = (
            *[("track_2", at(2026, 2, 10), None, None, a)] * 4,
            *[("track_2", at(2026, 2, 12), at(2026, 3, 5), "goals_reached", a)] * 2,
            ("track_2", at(2026, 2, 12), at(2026, 3, 6), "moved", b),
            *[("track_3", at(2026, 1, 15), None, None, b)] * 2,
            ("track_2", at(2025, 11, 10), at(2026, 1, 20), "referred", b),
            ("track_3", at(2025, 10, 1), None, None, b),
        )
        made = []
        for sequence, (track, opened, closed, reason, director) in enumerate(cases, start=1):
            case = Case(
                centre_id=centre_id,
                year=opened.year,
                sequence=sequence,
                number=f"S-{sequence:04d}",
                track=track,
                status="closed" if closed else "open",
                director_id=director,
                opened_at=opened,
                closed_at=closed,
                closure_reason=reason,
            )
            session.add(case)
            made.append(case)
        session.flush()
        for case, children_count in ((made[0], 2), (made[7], 1), (made[9], 3)):
            for _ in range(children_count):
                session.add(CasePerson(case_id=case.id, role="child", name="Kid"))
            session.add(CasePerson(case_id=case.id, role="victim", name="Adult"))
        for due_on, status in (
            (date(2026, 3, 14), "open"),
            (date(2026, 3, 10), "in_progress"),
            (date(2026, 3, 14), "done"),
            (date(2026, 3, 15), "open"),
            (None, "open"),
            (date(2026, 3, 1), "cancelled"),
        ):
            session.add(CaseAction(case_id=made[0].id, title="Call", due_on=due_on, status=status))
        return {"a": a, "b": b}


def compute(app, period=PERIOD, today=TODAY, centre_id=None) -> stats.Figures:
    """The figures of one centre: the default one unless another is named."""
    with app.app_context():
        return stats.compute(
            db.session,
            period,
            zone=ZONE,
            today=today,
            centre_id=centre_id or default_centre(db.session).id,
            first_contact_target=timedelta(hours=24),
            decision_target=timedelta(days=7),
        )


def grid(table: stats.Table, threshold=5) -> list[list[str]]:
    return [[table.text(r, c, threshold) for c in table.all_columns] for r in table.all_rows]


@pytest.fixture
def dataset(app):
    return build_dataset(app)


def test_requests_per_month_by_door_count_in_the_centres_months(app, dataset):
    table = compute(app).requests_by_month
    assert table.rows == ["2026-01", "2026-02", "2026-03"]
    # Every door is a column, the young people's too (none in this data set).
    assert table.columns == ["contact", "question", "referral", "young", "conversation"]
    assert grid(table, threshold=1) == [
        ["6", "2", "0", "0", "0", "8"],
        ["7", "0", "3", "0", "0", "10"],
        ["5", "1", "6", "0", "0", "12"],
        ["18", "3", "9", "0", "0", "30"],
    ]


def test_breakdowns_of_the_period(app, dataset):
    figures = compute(app)
    names = figures.municipality_names
    assert [
        (names[r], figures.municipalities.value(r, "total")) for r in figures.municipalities.rows
    ] == [
        ("Duffel", 2),
        ("Lier", 7),
        ("Mechelen", 21),
    ]
    # Each municipality per month too (columns: January to March, then the total).
    assert grid(figures.municipalities) == [
        ["0", "0", "2", "2"],
        ["0", "0", "7", "7"],
        ["8", "10", "3", "21"],
        ["8", "10", "12", "30"],
    ]
    assert [(r, figures.languages.value(r, "count")) for r in figures.languages.rows] == [
        ("nl", 20),
        ("fr", 6),
        ("ar", 4),
    ]
    assert round(figures.languages.share("nl"), 3) == 66.667
    assert [(r, figures.children.value(r, "count")) for r in figures.children.rows] == [
        ("yes", 12),
        ("no", 10),
        ("unknown", 3),
        ("not_given", 5),
    ]
    assert figures.children_in_cases.value("children", "count") == 3


def test_waiting_times_median_p90_and_share_within_target(app, dataset):
    figures = compute(app)
    contact, decision = figures.first_contact, figures.decision
    assert contact.count == 10
    assert contact.median() == 5.5 * HOUR
    assert contact.p90() == 30 * HOUR  # nearest rank: the 9th of 10
    assert contact.share_within_target() == 80.0
    assert decision.count == 10
    assert decision.median() == 6.5 * DAY
    assert decision.p90() == 12 * DAY
    assert decision.share_within_target() == 50.0


def test_case_files_caseload_and_overdue_actions(app, dataset):
    figures = compute(app)
    assert grid(figures.cases_by_track, threshold=1) == [["7", "4"], ["2", "0"], ["9", "4"]]
    reasons = figures.closure_reasons
    assert {r: reasons.value(r, "count") for r in reasons.all_rows} == {
        "goals_reached": 2,
        "client_stopped": 0,
        "moved": 1,
        "referred": 1,
        "other": 0,
        "total": 4,
    }
    caseload = figures.caseload
    assert caseload.rows == [str(dataset["a"]), str(dataset["b"])]
    assert [caseload.value(r, "count") for r in caseload.all_rows] == [4, 3, 7]
    # Due before today (15 March in Brussels), and still open or in progress.
    assert figures.overdue_actions.value("overdue", "count") == 2


def test_suppressed_figures_hide_small_counts_and_what_would_give_them_away(app, dataset):
    figures = compute(app).suppressed(5)
    # January has one small cell (2 questions) and a shown total: the
    # smallest other cell (6) is hidden too, or 8 - 6 would give the 2 away.
    # The month totals are also the municipality table's column totals: the two
    # tables are suppressed together, so a total hidden in one is hidden in both.
    assert grid(figures.requests_by_month) == [
        ["x", "<5", "0", "0", "0", "x"],
        ["x", "0", "<5", "0", "0", "x"],
        ["x", "<5", "6", "0", "0", "x"],
        ["18", "<5", "x", "0", "0", "30"],
    ]
    # Mechelen's 3 in March: January and February are Mechelen's alone (zeros
    # elsewhere), so 21 - (30 - 12) would give it away; March's total is hidden too.
    assert grid(figures.municipalities) == [
        ["0", "0", "<5", "<5"],
        ["0", "0", "x", "x"],
        ["x", "x", "<5", "21"],
        ["x", "x", "x", "30"],
    ]
    assert [figures.languages.text(r) for r in figures.languages.all_rows] == [
        "20",
        "x",
        "<5",
        "30",
    ]
    assert figures.languages.share("fr") is None and figures.languages.share("ar") is None
    assert [figures.children.text(r) for r in figures.children.all_rows] == [
        "12",
        "10",
        "<5",
        "x",
        "30",
    ]
    assert grid(figures.cases_by_track) == [["x", "<5"], ["<5", "0"], ["9", "<5"]]
    assert [figures.caseload.text(r) for r in figures.caseload.all_rows] == ["<5", "<5", "7"]
    assert figures.children_in_cases.text("children") == "<5"
    assert figures.overdue_actions.text("overdue") == "<5"
    # 8 of 10 in time: 2 late is a small count, so the share is not shown.
    assert figures.first_contact.share_within_target() is None
    assert figures.first_contact.median() == 5.5 * HOUR
    assert figures.decision.share_within_target() == 50.0


def test_medians_of_fewer_values_than_the_threshold_are_not_shown(app, dataset):
    april = stats.Period(stats.Month(2026, 4), stats.Month(2026, 4))
    figures = compute(app, april, today=date(2026, 5, 20))
    assert figures.first_contact.median() == HOUR  # the coordinator sees it
    hidden = figures.suppressed(5).first_contact
    assert (hidden.median(), hidden.p90(), hidden.share_within_target()) == (None, None, None)
    assert hidden.count_text(5) == "<5"


def _possible_values(values, marks, equations, threshold, limit=60):
    """For each hidden cell, the values it can take given everything shown.

    A depth-first search over the hidden cells that stops as soon as every
    small cell is known to have two possible values.
    """
    hidden = sorted(marks)
    ranges = {k: range(1, threshold) if marks[k] == SMALL else range(limit) for k in hidden}
    seen: dict = {k: set() for k in hidden}
    filled = {k: v for k, v in values.items() if k not in marks}

    def consistent() -> bool:
        for total, parts in equations:
            known = [filled[p] for p in parts if p in filled]
            if total in filled and sum(known) > filled[total]:
                return False
            if total in filled and len(known) == len(parts) and sum(known) != filled[total]:
                return False
        return True

    def done() -> bool:
        return all(len(seen[k]) > 1 for k in hidden if marks[k] == SMALL)

    def search(position: int) -> bool:
        if position == len(hidden):
            for key in hidden:
                seen[key].add(filled[key])
            return done()
        key = hidden[position]
        for value in ranges[key]:
            filled[key] = value
            if consistent() and search(position + 1):
                return True
        del filled[key]
        return False

    search(0)
    return seen


def test_one_small_cell_in_a_group_with_a_shown_total_takes_the_next_smallest_along():
    values = {"a": 3, "b": 10, "c": 12, "total": 25}
    marks = suppress(values, [("total", ["a", "b", "c"])], 5)
    assert marks == {"a": SMALL, "b": HIDDEN}
    # With b hidden, a can no longer be recomputed: 25 - 12 = a + b has many answers.
    assert len(_possible_values(values, marks, [("total", ["a", "b", "c"])], 5)["a"]) > 1


def test_when_only_zeros_are_left_the_total_is_hidden():
    # A row [hidden 7, 0] with its total: the 7 could be read off the total.
    values = {"r1": 3, "r2": 7, "c1": 0, "c2": 0, "t1": 3, "t2": 7}
    equations = [("t1", ["r1", "c1"]), ("t2", ["r2", "c2"])]
    assert suppress(values, equations, 5) == {"r1": SMALL, "t1": SMALL}
    marks = suppress({"a": 7, "b": 0, "t": 7}, [("t", ["a", "b"])], 5)
    assert marks == {}
    chained = suppress(
        {"x": 2, "y": 7, "row": 9, "y0": 0, "col": 7},
        [("row", ["x", "y"]), ("col", ["y", "y0"])],
        5,
    )
    assert chained == {"x": SMALL, "y": HIDDEN, "col": HIDDEN}


def test_no_small_cell_of_the_request_table_can_be_worked_out(app, dataset):
    table = compute(app).requests_by_month.suppressed(5)
    cells = {(r, c): table.value(r, c) for r in table.all_rows for c in table.all_columns}
    equations = table.equations()
    possible = _possible_values(cells, table.marks, equations, 5, limit=31)
    for key, mark in table.marks.items():
        if mark == SMALL:
            assert len(possible[key]) > 1, f"{key} can be recomputed"
    # Without the secondary suppression, January's 2 questions are 8 - 6 - 0.
    primary_only = {k: m for k, m in table.marks.items() if m == SMALL}
    exposed = _possible_values(cells, primary_only, equations, 5, limit=31)
    assert exposed[("2026-01", "question")] == {2}


def test_no_small_cell_follows_from_all_the_tables_together(app, dataset):
    figures = compute(app)
    tables = figures.tables()
    shared = figures.shared_totals()
    joint = stats.suppress_together(tables, shared, 5)

    def key(name, row, column):
        return shared.get((name, row, column), (name, row, column))

    marks = {
        key(name, r, c): mark
        for name, table in joint.items()
        for (r, c), mark in table.marks.items()
    }
    equations = [
        (key(name, *total), [key(name, *part) for part in parts])
        for name, table in tables.items()
        for total, parts in table.equations()
    ]
    smalls = {cell for cell, mark in marks.items() if mark == SMALL}
    assert smalls and not smalls & determined(equations, marks)


def test_sums_combined_can_give_a_small_cell_away_and_one_more_cell_is_hidden():
    # Municipalities by month: A had 8 and 10 in two months and 3 in the third;
    # B only 7 in the third. Each sum alone has two unknowns once 3 and the
    # obvious partners are hidden, yet A3 = A - (all - month 3).
    values = {
        "a1": 8, "a2": 10, "a3": 3, "a": 21,
        "b1": 0, "b2": 0, "b3": 7, "b": 7,
        "m1": 8, "m2": 10, "m3": 10, "all": 28,
    }  # fmt: skip
    equations = [
        ("a", ["a1", "a2", "a3"]),
        ("b", ["b1", "b2", "b3"]),
        ("m1", ["a1", "b1"]),
        ("m2", ["a2", "b2"]),
        ("m3", ["a3", "b3"]),
        ("all", ["a", "b"]),
        ("all", ["m1", "m2", "m3"]),
    ]
    per_sum = {"a3": SMALL, "b3": HIDDEN, "b": HIDDEN, "a1": HIDDEN, "m1": HIDDEN}
    assert "a3" in determined(equations, per_sum)
    assert _possible_values(values, per_sum, equations, 5, limit=30)["a3"] == {3}
    marks = suppress(values, equations, 5)
    assert "a3" not in determined(equations, marks)
    assert len(_possible_values(values, marks, equations, 5, limit=30)["a3"]) > 1


def test_figures_stay_the_same_after_retention_erased_the_requests(app, dataset):
    before = compute(app)
    with app.app_context(), db.writing() as session:
        # One requester deleted their request; the purge erases the rest.
        erase_intake(session, session.scalars(select(Intake).order_by(Intake.id)).first())
    with app.app_context():
        # Five years on, the closed case files are erased as well.
        config = {
            "FJC_RETENTION_DAYS": 30,
            "FJC_CASE_RETENTION_YEARS": 5,
            "FJC_FEEDBACK_RETENTION_MONTHS": 60,
        }
        report = purge(db.writing, config, now=datetime(2031, 6, 1, tzinfo=UTC))
    assert report.erased["intakes"] == 33
    assert report.erased.get("cases", 4) == 4
    with app.app_context():
        assert set(db.session.scalars(select(Intake.status))) == {IntakeStatus.ERASED}
    after = compute(app)
    for name, table in before.tables().items():
        assert grid(after.tables()[name], 1) == grid(table, 1), name
    assert after.first_contact.histogram == before.first_contact.histogram
    assert after.decision.histogram == before.decision.histogram


def test_periods_from_typed_months():
    assert stats.parse_period("2026-01", "2026-03", TODAY) == PERIOD
    default = stats.parse_period("", None, TODAY)
    assert (default.first.key, default.last.key) == ("2025-03", "2026-03")
    assert len(default.months) == 13
    for typed, code, field in (
        (("2026-13", ""), "format", "from"),
        (("", "March"), "format", "to"),
        (("2026-01", "2026-04"), "future", "to"),
        (("2026-03", "2026-01"), "order", "from"),
        (("2020-01", "2026-03"), "too_long", "from"),
    ):
        with pytest.raises(RuleError) as raised:
            stats.parse_period(*typed, TODAY)
        assert raised.value.problems == {field: code}


def test_period_bounds_follow_summer_time():
    start, end = stats.Period(stats.Month(2026, 3), stats.Month(2026, 3)).bounds(ZONE)
    assert start == datetime(2026, 2, 28, 23, 0, tzinfo=UTC)
    assert end == datetime(2026, 3, 31, 22, 0, tzinfo=UTC)


def test_csv_rows_are_long_form_suppressed_and_nameless(app, dataset):
    figures = compute(app)
    with pytest.raises(ValueError):
        stats.csv_rows(figures, 5)
    rows = stats.csv_rows(figures.suppressed(5), 5)
    text = io.StringIO()
    csv.writer(text).writerows(rows)
    parsed = list(csv.DictReader(io.StringIO(text.getvalue())))
    assert list(parsed[0]) == ["figure", "period", "category", "value"]
    lookup = {(r["figure"], r["period"], r["category"]): r["value"] for r in parsed}
    assert lookup[("requests_by_door", "2026-01", "question")] == "<5"
    assert lookup[("requests_by_door", "2026-01", "contact")] == "x"
    assert lookup[("requests_by_door", "2026-03", "total")] == "x"
    assert lookup[("requests_by_municipality", "2026-03", "Mechelen")] == "<5"
    assert lookup[("requests_by_municipality", "2026-02", "Lier")] == "0"
    assert lookup[("requests_by_door", "2026-01/2026-03", "total")] == "30"
    assert lookup[("requests_by_municipality", "2026-01/2026-03", "Mechelen")] == "21"
    assert lookup[("requests_by_municipality", "2026-01/2026-03", "Duffel")] == "<5"
    assert lookup[("time_to_first_contact", "2026-01/2026-03", "median_hours")] == "5.5"
    assert (
        lookup[("time_to_first_contact", "2026-01/2026-03", "share_within_target_percent")] == "x"
    )
    assert lookup[("time_to_triage_decision", "2026-01/2026-03", "median_days")] == "6.5"
    assert lookup[("time_to_triage_decision", "2026-01/2026-03", "p90_days")] == "12.0"
    assert lookup[("cases_opened", "2026-01/2026-03", "total")] == "9"
    assert lookup[("open_caseload", "2026-03-15", "open_case_files")] == "7"
    assert lookup[("open_caseload", "2026-03-15", "case_directors")] == "2"
    assert lookup[("overdue_actions", "2026-03-15", "overdue")] == "<5"
    assert "Director" not in text.getvalue()


def test_threshold_and_decision_target_settings():
    from core.infra.config import ConfigError, load_config

    base = {"FJC_ENV": "test", "FJC_SECRET_KEY": "s", "FJC_DATA_KEYS": _key()}
    config = load_config(base)
    assert (config["FJC_SMALL_COUNT_THRESHOLD"], config["FJC_DECISION_TARGET_DAYS"]) == (5, 7)
    config = load_config(
        {**base, "FJC_SMALL_COUNT_THRESHOLD": "10", "FJC_DECISION_TARGET_DAYS": "3"}
    )
    assert (config["FJC_SMALL_COUNT_THRESHOLD"], config["FJC_DECISION_TARGET_DAYS"]) == (10, 3)
    for name in ("FJC_SMALL_COUNT_THRESHOLD", "FJC_DECISION_TARGET_DAYS"):
        for wrong in ("0", "-1", "five"):
            with pytest.raises(ConfigError, match=name):
                load_config({**base, name: wrong})


def _key() -> str:
    from cryptography.fernet import Fernet

    return Fernet.generate_key().decode()


def test_median_and_nearest_rank_p90_from_a_histogram():
    assert stats.median([(60, 1), (120, 1), (600, 1)]) == 120
    assert stats.median([(60, 2), (180, 2)]) == 120
    # 20 values 1..20 minutes: the 18th is the nearest-rank 90th percentile.
    twenty = [(minute * 60, 1) for minute in range(1, 21)]
    assert stats.percentile_90(twenty) == 18 * 60
    assert stats.percentile_90([(60, 9), (3600, 1)]) == 60


def _children_in_a_file(session, children: int) -> tuple[Case, list[CasePerson], CasePerson]:
    centre_id = default_centre(session).id
    sequence = (session.scalar(select(func.count()).select_from(Case)) or 0) + 1
    case = Case(
        centre_id=centre_id,
        year=2026,
        sequence=sequence,
        number=f"C-{sequence:04d}",
        track="track_2",
        status="open",
        opened_at=at(2025, 12, 1),
    )
    session.add(case)
    session.flush()
    victim = CasePerson(case_id=case.id, role="victim", name="Adult")
    kids = [CasePerson(case_id=case.id, role="child", name=f"Kid {n}") for n in range(children)]
    session.add_all([victim, *kids])
    session.flush()
    return case, kids, victim


def _heard(session, kid: CasePerson, day: date) -> None:
    session.add(
        ChildVoice(
            case_id=kid.case_id,
            person_id=kid.id,
            heard_on=day,
            heard_by="Ann",
            said="Words",
            created_at=at(2026, 3, 15),
        )
    )


def _plan(session, person: CasePerson, saved_at: datetime) -> None:
    session.add(
        SafetyPlan(
            case_id=person.case_id,
            person_id=person.id,
            content={"who_i_call": "Oma"},
            created_at=saved_at,
        )
    )


def test_children_heard_and_with_their_own_plan_count_once_in_the_month_of_the_first_time(app):
    with app.app_context(), db.writing() as session:
        _case, kids, victim = _children_in_a_file(session, 9)
        # First heard in December: before the period, though heard again in January.
        _heard(session, kids[0], date(2025, 12, 20))
        _heard(session, kids[0], date(2026, 1, 10))
        # First heard on the last day of January, again in February: January.
        _heard(session, kids[1], date(2026, 1, 31))
        _heard(session, kids[1], date(2026, 2, 3))
        for kid in kids[2:8]:
            _heard(session, kid, date(2026, 3, 1))
        _heard(session, kids[8], date(2026, 4, 1))  # after the period
        # 00:30 on 1 February in Brussels is still January in UTC: February.
        _plan(session, kids[0], at(2026, 2, 1, 0, 30))
        _plan(session, kids[0], at(2026, 3, 2))  # a new version: not a new child
        _plan(session, kids[1], at(2026, 3, 31, 23, 30))
        _plan(session, victim, at(2026, 2, 10))  # an adult's plan is not counted
    table = compute(app).children_own
    assert table.rows == ["2026-01", "2026-02", "2026-03"]
    assert table.columns == ["heard", "own_plan"]
    assert grid(table, threshold=1) == [["1", "0"], ["0", "1"], ["6", "1"], ["7", "2"]]
    # Suppressed as every figure: small counts, and what would give them away.
    suppressed = compute(app).suppressed(5).children_own
    # January's 1 is small; March's 6 is hidden too, or 7 - 6 would give it away.
    assert grid(suppressed) == [["<5", "0"], ["0", "<5"], ["x", "<5"], ["7", "<5"]]
    rows = stats.csv_rows(compute(app).suppressed(5), 5)
    assert ("children_first_heard", "2026-01", "children", "<5") in rows
    assert ("children_first_heard", "2026-03", "children", "x") in rows
    assert ("children_first_heard", "2026-01/2026-03", "children", "7") in rows
    assert ("children_own_safety_plan", "2026-02", "children", "<5") in rows
    assert ("children_own_safety_plan", "2026-01", "children", "0") in rows


def test_requests_of_the_young_peoples_door_have_their_own_column(app):
    with app.app_context(), db.writing() as session:
        centre_id = default_centre(session).id
        for number, day in enumerate((3, 4, 5, 6, 7, 8)):
            session.add(
                Intake(
                    centre_id=centre_id,
                    kind="young",
                    language="nl",
                    return_code_key=f"young-{number}",
                    created_at=at(2026, 2, day),
                    status=IntakeStatus.NEW,
                )
            )
    table = compute(app).requests_by_month
    assert [table.value(month, "young") for month in table.rows] == [0, 6, 0]
    assert table.value("total", "young") == 6


def test_the_figures_count_one_centre_only(app_factory):
    """Another centre's requests, attempts, case files, children, actions and
    feedback are counted at that centre, never at this one."""
    app = app_factory(FJC_CENTRE_FILE=str(PROJECT_ROOT / "data" / "centres-example.json"))
    build_dataset(app)  # at the default centre, Mechelen
    with app.app_context(), db.writing() as session:
        leuven = centre_by_slug(session, "leuven").id
        intake = Intake(
            centre_id=leuven,
            kind="question",
            language="fr",
            return_code_key="leuven-1",
            created_at=at(2026, 2, 3),
            first_contact_at=at(2026, 2, 3, 14),
            status=IntakeStatus.IN_PROGRESS,
        )
        session.add(intake)
        session.flush()
        staff = create_staff(
            session,
            email="leuven@fjc.example",
            name="Lena",
            role="case_director",
            password="correct horse battery staple",
            centre_id=leuven,
        )
        session.add(
            ContactAttempt(
                intake_id=intake.id,
                staff_id=staff.id,
                channel="phone",
                outcome="reached",
                created_at=at(2026, 2, 3, 14),
            )
        )
        case = Case(
            centre_id=leuven,
            year=2026,
            sequence=1,
            number="L-0001",
            track="track_3",
            status="open",
            director_id=staff.id,
            opened_at=at(2026, 2, 4),
        )
        session.add(case)
        session.flush()
        kid = CasePerson(case_id=case.id, role="child", name="Kid")
        session.add(kid)
        session.flush()
        _heard(session, kid, date(2026, 2, 5))
        _plan(session, kid, at(2026, 2, 5))
        session.add(CaseAction(case_id=case.id, title="Call", due_on=date(2026, 3, 1)))
        session.add(
            Feedback(centre_id=leuven, month="2026-02", moment="after_triage", door="question")
        )
    mechelen = compute(app)
    assert mechelen.requests_by_month.value("total", "total") == 30
    assert mechelen.languages.value("fr", "count") == 6
    assert mechelen.first_contact.count == 10
    assert mechelen.cases_by_track.value("track_3", "opened") == 2
    assert mechelen.caseload.value("total", "count") == 7
    assert mechelen.children_in_cases.value("children", "count") == 3
    assert mechelen.children_own.value("total", "heard") == 0
    assert mechelen.children_own.value("total", "own_plan") == 0
    assert mechelen.overdue_actions.value("overdue", "count") == 2
    assert mechelen.contact_attempts.value("total", "count") == 0

    with app.app_context():
        leuven_id = centre_by_slug(db.session, "leuven").id
        mechelen_id = default_centre(db.session).id
        assert voice.compute(db.session, PERIOD, centre_id=leuven_id).answers == 1
        assert voice.compute(db.session, PERIOD, centre_id=mechelen_id).answers == 0
    figures = compute(app, centre_id=leuven_id)
    assert figures.requests_by_month.value("2026-02", "question") == 1
    assert figures.requests_by_month.value("total", "total") == 1
    assert figures.municipalities.rows == ["not_given"]
    assert figures.first_contact.histogram == [(2 * HOUR, 1)]
    assert figures.cases_by_track.value("track_3", "opened") == 1
    assert figures.caseload.value("total", "count") == 1
    assert figures.children_in_cases.value("children", "count") == 1
    assert figures.children_own.value("2026-02", "heard") == 1
    assert figures.children_own.value("2026-02", "own_plan") == 1
    assert figures.overdue_actions.value("overdue", "count") == 1
    assert figures.contact_attempts.value("within_rules", "count") == 1
