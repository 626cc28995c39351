"""The network's figures (/staff/network and its CSV): every active centre
side by side, for the `network` role.

The role reads no request, no case file and no name, so these figures are
always suppressed, across all their tables at once (core.reporting.network).
The period form and its checks are the centre figures' (backoffice.views.stats).
"""

from __future__ import annotations

from flask import Response, current_app, render_template
from flask_babel import gettext as _

from backoffice.access import record_read, requires
from backoffice.blueprint import bp
from backoffice.views.stats import (
    NOT_GIVEN_LABEL,
    TRACK_STAT_LABELS,
    csv_body,
    first_contact_target_hours,
    local_number,
    month_label,
    period_from_request,
)
from core.identity.permissions import Permission
from core.network.centres import active_centres
from core.reporting import network, stats
from core.reporting.suppression import HIDDEN_MARK, small_mark
from web.casefile.centre import centre_today
from web.casefile.labels import CLOSURE_REASON_LABELS, KIND_LABELS
from web.db import db


def _threshold() -> int:
    return current_app.config["FJC_SMALL_COUNT_THRESHOLD"]


def _figures(period: stats.Period) -> tuple[network.NetworkFigures, dict[str, str]]:
    """The suppressed figures of every active centre, and the centres' names."""
    centres = active_centres(db.session)
    columns = [
        network.NetworkCentre.of(centre, first_contact_target_hours(centre)) for centre in centres
    ]
    figures = network.compute(db.session, period, columns).suppressed(_threshold())
    return figures, {centre.slug: centre.name for centre in centres}


def _labels(figures: network.NetworkFigures) -> dict[str, dict[str, str]]:
    return {
        "months": {m.key: month_label(m) for m in figures.period.months},
        "kinds": {str(k): str(v) for k, v in KIND_LABELS.items()},
        "tracks": {k: str(v) for k, v in TRACK_STAT_LABELS.items()},
        "closure_reasons": {
            **{k: str(v) for k, v in CLOSURE_REASON_LABELS.items()},
            stats.NOT_GIVEN: str(NOT_GIVEN_LABEL),
        },
        "first_contact": {
            network.WITHIN_TARGET: _("Within the target"),
            network.AFTER_TARGET: _("After the target"),
        },
    }


@bp.get("/network")
@requires(Permission.VIEW_NETWORK)
def network_page():
    period, period_form = period_from_request(centre_today())
    figures, centre_names = _figures(period)
    # The period only: the figures are about no one and no centre's file.
    record_read("network.viewed", detail=period.label)
    threshold = _threshold()
    return render_template(
        "backoffice/network.html",
        figures=figures,
        centre_names=centre_names,
        labels=_labels(figures),
        threshold=threshold,
        small=small_mark(threshold),
        hidden_mark=HIDDEN_MARK,
        period_form=period_form,
        period_from=period.first.key,
        period_to=period.last.key,
        total=stats.TOTAL,
        hours=lambda seconds: local_number(None if seconds is None else seconds / 3600),
        percent=lambda value: local_number(value, 0),
    )


@bp.get("/network.csv")
@requires(Permission.VIEW_NETWORK)
def network_csv():
    period, period_form = period_from_request(centre_today())
    if period_form.has_errors:
        # A hand-typed address with a wrong month: the page says what is wrong.
        return network_page()
    figures, _names = _figures(period)
    record_read("network.exported", detail=period.label)
    response = Response(csv_body(network.csv_rows(figures, _threshold())), mimetype="text/csv")
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    response.headers["Content-Disposition"] = (
        f'attachment; filename="fjc-network-figures-{period.key}.csv"'
    )
    response.headers["Cache-Control"] = "no-store"
    return response
