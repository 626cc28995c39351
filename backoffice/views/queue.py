"""The staff home page: the triage queue, with the overdue actions on top."""

from __future__ import annotations

from datetime import timedelta

from flask import (
    current_app,
    g,
    render_template,
    request,
)

from backoffice.access import (
    requires,
)
from backoffice.blueprint import bp
from backoffice.forms.intake import QueueFilterForm
from core.casework import actions, cases
from core.identity.permissions import Permission
from core.identity.staff import names_of
from core.infra import clock
from core.intake import queue as triage_queue
from core.intake.triage import OPEN_STATUSES
from core.model import (
    IntakeKind,
    IntakeStatus,
)
from core.network.centres import active_municipalities, current_centre
from web.casefile.centre import centre_today
from web.db import db


def first_contact_target() -> timedelta:
    return timedelta(hours=current_app.config["FJC_FIRST_CONTACT_TARGET_HOURS"])


def overdue_on_home() -> dict:
    """The signed-in staff member's most pressing overdue actions for the home
    page, and how many there are in all."""
    today = centre_today()
    shown = actions.overdue_for(db.session, g.staff, today, limit=actions.HOME_LIMIT)
    total = actions.count_overdue_for(db.session, g.staff, today) if shown else 0
    return {"overdue_actions": shown, "overdue_total": total}


@bp.get("/")
@requires(Permission.VIEW_INTAKES)
def queue():
    filters = triage_queue.QueueFilters.from_args(request.args)
    session = db.session
    page = triage_queue.load(
        session,
        filters,
        staff_id=g.staff.id,
        now=clock.now(),
        target=first_contact_target(),
        hidden=cases.hidden_intakes(g.staff),
    )
    filter_form = QueueFilterForm.showing(
        filters,
        statuses=[*OPEN_STATUSES, IntakeStatus.DECIDED],
        kinds=list(IntakeKind),
        municipalities=active_municipalities(session, current_centre(session)),
        languages=current_app.config["FJC_LANGUAGES"],
    )
    return render_template(
        "backoffice/queue.html",
        page=page,
        filter_form=filter_form,
        holders=names_of(session, (r.intake.assigned_to_id for r in page.rows)),
        target_hours=current_app.config["FJC_FIRST_CONTACT_TARGET_HOURS"],
        page_args={k: v for k, v in request.args.items() if k != "page"},
        **overdue_on_home(),
    )
