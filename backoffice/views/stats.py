"""Figures for the team and the funders: /staff/stats and its CSV export.

Coordinators see exact numbers and the case directors' names. Everyone else
who may see figures gets small counts suppressed and no names; the CSV leaves
the centre, so it is always suppressed, whoever downloads it.
"""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

from babel import Locale, UnknownLocaleError
from flask import (
    Response,
    current_app,
    g,
    render_template,
    request,
)
from flask_babel import format_date, format_decimal, get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from backoffice.access import (
    record_read,
    requires,
)
from backoffice.blueprint import bp
from backoffice.forms.stats import PeriodForm
from core.identity.permissions import Permission
from core.identity.staff import names_of
from core.model import Centre, Role
from core.reporting import (
    stats,
    talk_figures,  # Talk now (issue 21)
)
from core.reporting import voice as survivor_voice
from core.reporting.suppression import HIDDEN_MARK, small_mark
from core.rules import RuleError
from web.casefile.centre import centre_today, centre_zone
from web.casefile.labels import (
    CLOSURE_REASON_LABELS,
    KIND_LABELS,
)
from web.charts import Bar, Line, bar_chart, line_chart
from web.db import db
from web.forms import show_rule_error
from web.labels import FEEDBACK_QUESTIONS, NO_ANSWER_LABEL

CHILDREN_STAT_LABELS = {
    "yes": _l("Children involved"),
    "no": _l("No children involved"),
    "unknown": _l("The person did not want to say"),
    stats.NOT_GIVEN: _l("Not asked or not answered"),
}


TRACK_STAT_LABELS = {
    "track_2": _l("Track 2: outreach"),
    "track_3": _l("Track 3: chain approach"),
}


NOT_GIVEN_LABEL = _l("Not given")


def period_message(field: str, code: str) -> str:
    """What staff read when the months typed make no period (core.reporting.stats)."""
    return {
        "format": _("Type a month as year and month, for example 2026-03."),
        "future": _("The last month cannot be after this month."),
        "order": _("The first month must come before the last month."),
        "too_long": _("Choose a period of at most %(months)s months.", months=stats.MAX_MONTHS),
    }[code]


def _threshold() -> int:
    return current_app.config["FJC_SMALL_COUNT_THRESHOLD"]


def first_contact_target_hours(centre: Centre) -> int:
    """The centre's own target from the centre file, else the installation's."""
    return centre.first_contact_target_hours or current_app.config["FJC_FIRST_CONTACT_TARGET_HOURS"]


def _figures(period: stats.Period, today: date) -> stats.Figures:
    """The figures of the centre the member works for, and of no other."""
    config = current_app.config
    return stats.compute(
        db.session,
        period,
        zone=centre_zone(),
        today=today,
        centre_id=g.centre.id,
        first_contact_target=timedelta(hours=first_contact_target_hours(g.centre)),
        decision_target=timedelta(days=config["FJC_DECISION_TARGET_DAYS"]),
    )


def period_from_request(today: date) -> tuple[stats.Period, PeriodForm]:
    """The period asked for, or the default one with the form's problems on
    their fields (and what was typed kept)."""
    form = PeriodForm(request.args)
    try:
        period = stats.parse_period(form.first.data, form.last.data, today)
    except RuleError as refused:
        show_rule_error(form, refused, period_message)
        return stats.default_period(today), form
    # An empty side stands for the usual month: the form shows which.
    form.first.data = form.first.data or period.first.key
    form.last.data = form.last.data or period.last.key
    return period, form


def month_label(month: stats.Month) -> str:
    return format_date(month.first_day(), "MMM y")


def _language_label(code: str) -> str:
    try:
        return Locale.parse(code).get_display_name(get_locale()) or code
    except (ValueError, UnknownLocaleError):
        return code


def local_number(value: float | None, digits: int = 1) -> str | None:
    if value is None:
        return None
    return format_decimal(round(value, digits), format="#,##0." + "0" * digits)


def _director_labels(figures: stats.Figures, exact: bool) -> dict[str, str]:
    """Names for coordinators; numbers in order of caseload for everyone else."""
    if not exact:
        return {
            row: (
                str(NOT_GIVEN_LABEL)
                if row == stats.NOT_GIVEN
                else _("Case director %(number)s", number=index + 1)
            )
            for index, row in enumerate(figures.caseload.rows)
        }
    ids = [int(r) for r in figures.caseload.rows if r != stats.NOT_GIVEN]
    names = names_of(db.session, ids)
    return {
        row: str(NOT_GIVEN_LABEL) if row == stats.NOT_GIVEN else names.get(int(row), row)
        for row in figures.caseload.rows
    }


def _bars(
    table: stats.Table,
    labels: dict[str, str],
    threshold: int,
    shares=False,
    column: str = stats.COUNT,
) -> list[Bar]:
    bars = []
    for row in table.rows:
        text = table.text(row, column, threshold)
        share = table.share(row) if shares else None
        if share is not None:
            text = f"{text} ({local_number(share, 0)} %)"
        bars.append(Bar(labels.get(row, row), table.shown(row, column), text))
    return bars


def _charts(figures: stats.Figures, labels: dict, threshold: int) -> dict[str, Markup]:
    months = figures.requests_by_month
    note = (
        _("Small numbers are hidden; the table below gives every number.")
        if figures.suppressed_at
        else _("The table below gives every number.")
    )
    return {
        "months": line_chart(
            "chart-months",
            _("Requests per month, by door"),
            _(
                "One line for each door, over %(count)s months from %(first)s to %(last)s.",
                count=len(months.rows),
                first=labels["months"][months.rows[0]],
                last=labels["months"][months.rows[-1]],
            )
            + " "
            + note,
            [labels["months_short"][m] for m in months.rows],
            [
                Line(str(KIND_LABELS.get(kind, kind)), [months.shown(m, kind) for m in months.rows])
                for kind in months.columns
            ],
        ),
        "municipalities": bar_chart(
            "chart-municipalities",
            _("Requests by municipality"),
            _("One bar for each municipality: its requests in the whole period.") + " " + note,
            _bars(figures.municipalities, labels["municipalities"], threshold, column=stats.TOTAL),
        ),
        "languages": bar_chart(
            "chart-languages",
            _("Requests by language"),
            _("One bar for each language, with its share of all requests.") + " " + note,
            _bars(figures.languages, labels["languages"], threshold, shares=True),
        ),
        "closure_reasons": bar_chart(
            "chart-closure-reasons",
            _("Why case files were closed"),
            _("One bar for each reason.") + " " + note,
            _bars(figures.closure_reasons, labels["closure_reasons"], threshold),
        ),
    }


def _labels(figures: stats.Figures, exact: bool) -> dict[str, dict[str, str]]:
    months = {m.key: month_label(m) for m in figures.period.months}
    return {
        "months": months,
        "months_short": {
            m.key: format_date(m.first_day(), "MMM yy") for m in figures.period.months
        },
        "kinds": {str(k): str(v) for k, v in KIND_LABELS.items()},
        "municipalities": {
            row: str(NOT_GIVEN_LABEL)
            if row == stats.NOT_GIVEN
            else figures.municipality_names.get(row, row)
            for row in figures.municipalities.rows
        },
        "languages": {row: _language_label(row) for row in figures.languages.rows},
        "children": {k: str(v) for k, v in CHILDREN_STAT_LABELS.items()},
        "tracks": {k: str(v) for k, v in TRACK_STAT_LABELS.items()},
        "closure_reasons": {
            **{k: str(v) for k, v in CLOSURE_REASON_LABELS.items()},
            stats.NOT_GIVEN: str(NOT_GIVEN_LABEL),
        },
        "directors": _director_labels(figures, exact),
        "attempts": {
            "within_rules": _("Within the rules the person gave"),
            "outside_rules": _("Outside the rules the person gave"),
        },
    }


@bp.get("/stats")
@requires(Permission.VIEW_STATS)
def stats_page():
    today = centre_today()
    period, period_form = period_from_request(today)
    exact = g.staff.role == Role.COORDINATOR
    threshold = _threshold()
    figures = _figures(period, today)
    voice = survivor_voice.compute(db.session, period, centre_id=g.centre.id, with_texts=exact)
    if not exact:
        figures = figures.suppressed(threshold)
    # The voice's small counts are hidden for everyone, coordinators too: one
    # answer is one person's. Free texts are for coordinators only.
    voice = voice.suppressed(threshold, keep_texts=exact)
    # Talk now (issue 21): suppressed as the other figures are.
    talk = talk_figures.compute(db.session, period, zone=centre_zone(), centre_id=g.centre.id)
    if not exact:
        talk = talk.suppressed(threshold)
    # The period only: figures are about no one, so there is nothing else to record.
    record_read("stats.viewed", detail=period.label)
    labels = _labels(figures, exact)
    return render_template(
        "backoffice/stats.html",
        figures=figures,
        exact=exact,
        threshold=threshold,
        small=small_mark(threshold),
        hidden_mark=HIDDEN_MARK,
        labels=labels,
        charts=_charts(figures, labels, threshold),
        period_form=period_form,
        period_from=period.first.key,
        period_to=period.last.key,
        hours=lambda seconds: local_number(None if seconds is None else seconds / 3600),
        days=lambda seconds: local_number(None if seconds is None else seconds / 86400),
        percent=lambda value: local_number(value, 0),
        total=stats.TOTAL,
        count=stats.COUNT,
        not_given=stats.NOT_GIVEN,
        first_contact_target_hours=first_contact_target_hours(g.centre),
        decision_target_days=current_app.config["FJC_DECISION_TARGET_DAYS"],
        voice=voice,
        voice_questions=FEEDBACK_QUESTIONS,
        no_answer_label=NO_ANSWER_LABEL,
        skipped_label=_("Question left empty"),
        quarter_label=_quarter_label,
        min_texts=survivor_voice.MIN_TEXTS,
        talk=talk,
        minutes=lambda seconds: local_number(None if seconds is None else seconds / 60),
    )


def _quarter_label(key: str) -> str:
    """ "2026-Q4" in the reader's words: "Q4 2026"."""
    year, quarter = key.split("-")
    return _("%(quarter)s %(year)s", quarter=quarter, year=year)


def csv_body(rows: list[tuple[str, str, str, str]]) -> bytes:
    """UTF-8 with a byte order mark, so Excel reads accents right; CRLF as RFC 4180."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerows(rows)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


@bp.get("/stats.csv")
@requires(Permission.VIEW_STATS)
def stats_csv():
    today = centre_today()
    period, period_form = period_from_request(today)
    if period_form.has_errors:
        # A hand-typed address with a wrong month: the page says what is wrong.
        return stats_page()
    threshold = _threshold()
    figures = _figures(period, today).suppressed(threshold)
    voice = survivor_voice.compute(db.session, period, centre_id=g.centre.id)
    voice = voice.suppressed(threshold)
    record_read("stats.exported", detail=period.label)
    rows = stats.csv_rows(figures, threshold) + _voice_rows(voice, threshold)
    # Talk now (issue 21).
    talk = talk_figures.compute(db.session, period, zone=centre_zone(), centre_id=g.centre.id)
    rows += talk_figures.csv_rows(talk.suppressed(threshold), threshold, period.label)
    response = Response(csv_body(rows), mimetype="text/csv")
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    response.headers["Content-Disposition"] = f'attachment; filename="fjc-figures-{period.key}.csv"'
    response.headers["Cache-Control"] = "no-store"
    return response


def _voice_rows(voice: survivor_voice.VoiceFigures, threshold: int) -> list:
    """The answers per quarter, as codes, small counts hidden; never free text."""
    rows = []
    for question, table in voice.tables.items():
        for column in table.all_columns:
            for row in table.all_rows:
                cell = table.text(row, column, threshold)
                rows.append((f"feedback_{question}", column, row, cell))
    return rows
